"""Statistics helpers against hand-computed and textbook values."""

import math

import numpy as np
import pandas as pd
import pytest

from scoring.stats import (
    coefficient_of_variation,
    kaplan_meier,
    km_median,
    km_share_within,
    mean_ci,
    mean_ci_from_moments,
    wilson_interval,
)


@pytest.mark.parametrize(
    "successes, n, low, high",
    [
        (0, 10, 0.0, 0.2775),
        (1, 10, 0.0179, 0.4042),
        (5, 10, 0.2366, 0.7634),
        (10, 10, 0.7225, 1.0),
        (3, 3, 0.4385, 1.0),
    ],
)
def test_wilson_interval(successes, n, low, high):
    """Wilson 95 % bounds match the textbook values to four decimals."""
    lo, hi = wilson_interval(successes, n)
    assert (round(lo, 4), round(hi, 4)) == (low, high)


def test_wilson_interval_vectorised_and_empty():
    """Arrays give arrays; n = 0 gives NaN bounds rather than a made-up interval."""
    lo, hi = wilson_interval(np.array([5, 0]), np.array([10, 0]))
    assert round(lo[0], 4) == 0.2366 and math.isnan(lo[1]) and math.isnan(hi[1])


def test_wilson_other_confidence():
    """A 90 % interval is narrower than the 95 % one around the same centre."""
    lo90, hi90 = wilson_interval(5, 10, confidence=0.90)
    lo95, hi95 = wilson_interval(5, 10)
    assert lo95 < lo90 < 0.5 < hi90 < hi95


@pytest.mark.parametrize(
    "values, mean, low, high, n",
    [
        ([1, 2, 3], 2.0, -0.484138, 4.484138, 3),
        ([10, 20, 30, 40], 25.0, 4.457397, 45.542603, 4),
        ([7, np.nan, 7], 7.0, 7.0, 7.0, 2),
        ([5], 5.0, math.nan, math.nan, 1),
        ([], math.nan, math.nan, math.nan, 0),
    ],
)
def test_mean_ci(values, mean, low, high, n):
    """The t interval is mean ± t(n-1)·sd/√n; NaN values are ignored; n < 2 has no interval."""
    got = mean_ci(values)
    for g, e in zip(got[:3], (mean, low, high), strict=True):
        assert (math.isnan(g) and math.isnan(e)) or g == pytest.approx(e, abs=1e-6)
    assert got[3] == n


def test_mean_ci_from_moments_matches_mean_ci():
    """The per-group form gives the same bounds as the one-sample form."""
    lo, hi = mean_ci_from_moments(np.array([25.0]), np.array([np.std([10, 20, 30, 40], ddof=1)]), np.array([4]))
    assert lo[0] == pytest.approx(4.457397) and hi[0] == pytest.approx(45.542603)


DURATIONS = [1, 2, 2, 3, 4, 5]
OBSERVED = [True, True, False, True, False, True]


def test_kaplan_meier_table():
    """The survival table follows S(t) = Π (1 - d/n) with censored durations at risk at their time."""
    table = kaplan_meier(DURATIONS, OBSERVED)
    assert list(table["time"]) == [1, 2, 3, 4, 5]
    assert list(table["at_risk"]) == [6, 5, 3, 2, 1]
    assert list(table["events"]) == [1, 1, 1, 0, 1]
    assert list(table["censored"]) == [0, 1, 0, 1, 0]
    np.testing.assert_allclose(table["survival"], [5 / 6, 4 / 6, 8 / 18, 8 / 18, 0.0])


def test_km_median_versus_naive_median():
    """The KM median (3) is later than the median over answered contacts only (2.5)."""
    assert km_median(DURATIONS, OBSERVED) == 3.0
    answered = [d for d, o in zip(DURATIONS, OBSERVED, strict=True) if o]
    assert np.median(answered) == 2.5


def test_km_median_not_reached():
    """When fewer than half were answered the median is NaN, not the largest time."""
    assert math.isnan(km_median([1, 2, 3, 4], [True, False, False, False]))


@pytest.mark.parametrize("t, share", [(0.5, 0.0), (1, 1 / 6), (2, 2 / 6), (2.5, 2 / 6), (3, 10 / 18), (99, 1.0)])
def test_km_share_within(t, share):
    """The share answered within t is 1 - S(t); an answer at exactly t counts as within."""
    assert km_share_within(DURATIONS, OBSERVED, t) == pytest.approx(share)


def test_km_grouped_equals_separate():
    """Grouped Kaplan–Meier gives each group the result it gets on its own."""
    durations = DURATIONS + [10, 20, 30]
    observed = OBSERVED + [True, True, True]
    groups = ["a"] * 6 + ["b"] * 3
    medians = km_median(durations, observed, groups=groups)
    shares = km_share_within(durations, observed, 20, groups=groups)
    assert medians.to_dict() == {"a": 3.0, "b": 20.0}
    assert shares["a"] == 1.0 and shares["b"] == pytest.approx(2 / 3)
    table = kaplan_meier(durations, observed, groups=groups)
    assert list(table.columns) == ["group", "time", "at_risk", "events", "censored", "survival"]
    assert list(table[table["group"] == "b"]["at_risk"]) == [3, 2, 1]


def test_km_ignores_missing_durations():
    """Rows without a duration (no start time) are left out rather than counted as zero."""
    assert km_median([np.nan, 4.0, 6.0], [True, True, True]) == 4.0


@pytest.mark.parametrize("ddof, expected", [(0, 0.447214), (1, 0.516398)])
def test_coefficient_of_variation(ddof, expected):
    """CV of 10, 20, 30, 40 is 0.447 with ddof=0 and 0.516 with ddof=1."""
    assert coefficient_of_variation([10, 20, 30, 40], ddof=ddof) == pytest.approx(expected, abs=1e-6)


def test_coefficient_of_variation_requires_ddof():
    """Callers must state ddof: there is no silent default."""
    with pytest.raises(TypeError):
        coefficient_of_variation([1, 2])  # type: ignore[call-arg]
    with pytest.raises(ValueError):
        coefficient_of_variation([1, 2], ddof=2)
    assert math.isnan(coefficient_of_variation([3.0], ddof=1))
    assert math.isnan(coefficient_of_variation(pd.Series([0.0, 0.0]), ddof=0))


def _plain_km(durations, observed):
    """Kaplan–Meier by its definition, one distinct time at a time (the oracle)."""
    survival, out = 1.0, {}
    for t in sorted(set(durations)):
        at_risk = sum(d >= t for d in durations)
        events = sum(d == t and o for d, o in zip(durations, observed, strict=True))
        survival *= 1 - events / at_risk
        out[t] = survival
    return out


@pytest.mark.parametrize("seed", [1, 2])
def test_grouped_km_matches_definition(seed):
    """On random tied and censored data, every group's survival equals the definition."""
    rng = np.random.default_rng(seed)
    durations = rng.integers(0, 12, 300).astype(float)
    observed = rng.random(300) < 0.6
    groups = rng.choice(["email", "chat", "phone"], 300)
    table = kaplan_meier(durations, observed, groups=groups)
    for name in ("email", "chat", "phone"):
        mine = groups == name
        expected = _plain_km(list(durations[mine]), list(observed[mine]))
        got = table[table["group"] == name].set_index("time")["survival"]
        assert list(got.index) == sorted(expected)
        np.testing.assert_allclose(got.to_numpy(), [expected[t] for t in sorted(expected)])
