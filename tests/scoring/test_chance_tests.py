"""The tests of chance and the quantiles of ``scoring.stats`` give scipy.stats' figures.

They are computed from ``scipy.special`` over every group at once (importing ``scipy.stats``
costs every cold dashboard and every report most of a second); these tests hold them to
``scipy.stats.kruskal``, ``scipy.stats.chi2_contingency`` and the ``norm`` / ``t`` quantiles,
group by group, on random data with many ties (mystery-shop scores repeat).
"""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from scoring.stats import _z, kruskal_wallis, mean_ci_from_moments, pearson_chi2, wilson_interval

SCORES = (0.0, 25.0, 50.0, 62.5, 75.0, 100.0, 100 / 3)


def _close(ours: float, theirs: float) -> bool:
    if math.isnan(theirs) or math.isinf(theirs):
        return math.isnan(ours)
    return ours == pytest.approx(theirs, rel=1e-12, abs=1e-300)


@st.composite
def grouped_scores(draw):
    """(values, group codes, channel codes, number of groups): up to 6 groups of up to 10 channels."""
    n_groups = draw(st.integers(1, 6))
    rows = draw(st.lists(st.tuples(st.integers(0, n_groups - 1), st.integers(0, 9), st.sampled_from(SCORES)),
                         min_size=0, max_size=80))
    g = np.array([r[0] for r in rows], dtype=np.int64)
    ch = np.array([r[1] for r in rows], dtype=np.int64)
    x = np.array([r[2] for r in rows], dtype=float)
    return x, g, ch, n_groups


@settings(max_examples=150, deadline=None)
@given(grouped_scores())
def test_kruskal_wallis_equals_scipy_per_group(data):
    x, g, ch, n_groups = data
    h, p = kruskal_wallis(x, g, ch, n_groups)
    assert h.shape == p.shape == (n_groups,)
    for k in range(n_groups):
        samples = [x[(g == k) & (ch == c)] for c in range(10) if ((g == k) & (ch == c)).any()]
        if len(samples) < 2:
            assert math.isnan(h[k]) and math.isnan(p[k])
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = stats.kruskal(*samples)
        assert _close(h[k], float(theirs.statistic)), (k, h[k], theirs)
        assert _close(p[k], float(theirs.pvalue)), (k, p[k], theirs)


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 5).flatmap(lambda groups: st.lists(
    st.lists(st.tuples(st.integers(0, 12), st.integers(0, 12)), min_size=1, max_size=9),
    min_size=groups, max_size=groups)))
def test_pearson_chi2_equals_scipy_per_group(tables):
    width = max(len(t) for t in tables)
    counts = np.zeros((len(tables), width, 2))
    for k, table in enumerate(tables):
        counts[k, :len(table)] = table
    chi2, p = pearson_chi2(counts)
    for k in range(len(tables)):
        used = counts[k][counts[k].sum(axis=1) > 0]
        if len(used) < 2 or not (used.sum(axis=0) > 0).all():
            assert math.isnan(chi2[k]) and math.isnan(p[k])
            continue
        theirs = stats.chi2_contingency(used, correction=False)
        assert _close(chi2[k], float(theirs.statistic)), (k, used, chi2[k], theirs)
        assert _close(p[k], float(theirs.pvalue)), (k, used, p[k], theirs)


def test_a_textbook_kruskal_and_an_identical_group():
    """scipy's docstring example (H = 0.2727, p = 0.6015), and a group whose scores are all the same
    (the statistic is undefined: NaN, not a number made up)."""
    x = np.array([1, 3, 5, 7, 9, 2, 4, 6, 8, 10, 50, 50, 50, 50], dtype=float)
    g = np.array([0] * 10 + [1] * 4)
    ch = np.array([0] * 5 + [1] * 5 + [0, 0, 1, 1])
    h, p = kruskal_wallis(x, g, ch, 2)
    assert h[0] == pytest.approx(0.2727272727272734) and p[0] == pytest.approx(0.6015081344405895)
    assert math.isnan(h[1]) and math.isnan(p[1])
    assert all(map(math.isnan, kruskal_wallis(np.zeros(0), np.zeros(0, int), np.zeros(0, int), 3)[0]))


@pytest.mark.parametrize("confidence", [0.5, 0.8, 0.9, 0.95, 0.99, 0.999])
def test_quantiles_equal_scipy_stats(confidence):
    """The z of the Wilson interval and the t of the mean's interval are scipy.stats' own numbers."""
    assert _z(confidence) == stats.norm.ppf(0.5 + confidence / 2)
    n = np.array([1, 2, 3, 7, 30, 1000, 10**6])
    low, high = mean_ci_from_moments(np.full(len(n), 50.0), np.full(len(n), 10.0), n, confidence)
    t = stats.t.ppf(0.5 + confidence / 2, np.where(n >= 2, n - 1, np.nan))
    np.testing.assert_array_equal(low, np.where(n >= 2, 50.0 - t * 10.0 / np.sqrt(n), np.nan))
    np.testing.assert_array_equal(high, np.where(n >= 2, 50.0 + t * 10.0 / np.sqrt(n), np.nan))
    assert math.isfinite(wilson_interval(3, 10, confidence)[0])
