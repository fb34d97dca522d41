"""Channel metrics on a hand-computed set of contacts (docs/scoring.md, "Channel metrics")."""

import math

import numpy as np
import pandas as pd
import pytest

from scoring.metrics import METRIC_COLUMNS, channel_metrics

from .builders import contacts_frame, ts

H = 3600.0
AS_OF = ts("2026-03-04 09:00")  # 48 h after the contacts start (Monday 2026-03-02 09:00 UTC)

CLI_COLUMNS = ["contacts", "responded", "response_rate", "median_first_response_s", "km_median_first_response_s",
               "with_deadline", "late", "on_time_rate", "mean_quality", "mean_quality_ci_low",
               "mean_quality_ci_high", "redirect_rate", "accuracy_rate", "insufficient"]


def _email(first=None, resolved=None, due=None, score=math.nan, passed=None, correct=None, redirected=None):
    start = ts("2026-03-02 09:00")
    at = lambda h: None if h is None else start + pd.Timedelta(hours=h)  # noqa: E731
    return dict(channel="email", first_response_at=at(first), resolved_at=at(resolved), due_at=at(due),
                first_response_target_s=4 * H, final_score=score, passed=passed, answer_correct=correct,
                redirected_to=redirected)


def world() -> pd.DataFrame:
    """Six e-mail contacts and two chat contacts whose metrics are worked out in docs/scoring.md."""
    rows = [
        _email(first=1, resolved=2, due=8, score=80, passed=True, correct=True),  # on time
        _email(first=3, resolved=30, due=24, score=60, passed=False, correct=False),  # resolved late
        _email(due=24, redirected="phone"),  # unanswered, late
        _email(first=6, due=72, score=90, passed=True, correct=True),  # unresolved, pending
        _email(first=10, resolved=11, score=70, passed=True, correct=True),  # no deadline
        _email(due=72),  # unanswered, pending
        dict(channel="chat", first_response_at="2026-03-02 09:00:30", first_response_target_s=40.0, final_score=90.0),
        dict(channel="chat", first_response_target_s=40.0, final_score=math.nan),
    ]
    frame = contacts_frame(*rows)
    frame["final_score"] = frame["final_score"].astype(float)
    frame["passed"] = frame["passed"].astype("boolean")
    return frame


@pytest.fixture(scope="module")
def metrics():
    """Channel metrics of the world, by channel, as of AS_OF."""
    return channel_metrics(world(), by=["channel"], as_of=AS_OF)


@pytest.mark.parametrize(
    "column, expected",
    [
        ("contacts", 6),
        ("responded", 4),
        ("response_rate", 4 / 6),
        ("median_first_response_s", 4.5 * H),  # answered only: 1, 3, 6, 10 h
        ("km_median_first_response_s", 6 * H),  # S: 5/6 at 1 h, 4/6 at 3 h, 1/2 at 6 h
        ("with_response_target", 6),
        ("km_share_within_target", 1 / 3),
        ("with_deadline", 5),
        ("late", 2),
        ("pending", 2),
        ("on_time_rate", 3 / 5),
        ("scored", 4),
        ("mean_quality", 75.0),
        ("mean_quality_ci_low", 75.0 - 20.542603),
        ("mean_quality_ci_high", 75.0 + 20.542603),
        ("passed", 3),
        ("pass_rate", 3 / 4),
        ("redirected", 1),
        ("redirect_rate", 1 / 6),
        ("judged", 4),
        ("correct", 3),
        ("accuracy_rate", 3 / 4),
        ("insufficient", False),
    ],
)
def test_email_channel_figures(metrics, column, expected):
    """Every e-mail figure equals its hand-computed value."""
    assert metrics.loc["email", column] == pytest.approx(expected)


def test_wilson_bounds_are_attached(metrics):
    """Rates carry Wilson bounds computed on the same numerator and denominator."""
    assert metrics.loc["email", "response_rate_ci_low"] == pytest.approx(0.3000, abs=1e-4)
    assert metrics.loc["email", "response_rate_ci_high"] == pytest.approx(0.9032, abs=1e-4)
    assert metrics.loc["email", "on_time_rate_ci_low"] < 0.6 < metrics.loc["email", "on_time_rate_ci_high"]


def test_small_group_is_marked_and_empty_figures_are_nan(metrics):
    """Chat has two contacts: insufficient; no deadlines and no judgements give NaN, never zero."""
    chat = metrics.loc["chat"]
    assert bool(chat["insufficient"]) is True
    assert chat["km_median_first_response_s"] == 30.0  # S drops to 1/2 at 30 s
    assert chat["with_deadline"] == 0 and math.isnan(chat["on_time_rate"])
    assert chat["judged"] == 0 and math.isnan(chat["accuracy_rate"])
    assert math.isnan(chat["mean_quality_ci_low"])  # one score: no interval


def test_columns_the_cli_needs(metrics):
    """The frame carries every column the CLI report reads, in METRIC_COLUMNS order."""
    assert list(metrics.columns) == list(METRIC_COLUMNS)
    assert set(CLI_COLUMNS) <= set(metrics.columns)


def test_as_of_moves_pending_to_late():
    """Later as_of: pending deadlines pass and become late; the rate falls accordingly."""
    later = channel_metrics(world(), by=["channel"], as_of=ts("2026-03-06 09:00")).loc["email"]
    assert (later["late"], later["pending"], later["on_time_rate"]) == (4, 0, pytest.approx(1 / 5))  # both +72 h deadlines have passed


def test_overall_and_multi_key_grouping():
    """An empty grouping gives one overall row; several keys give a MultiIndex with missing keys kept."""
    frame = world()
    overall = channel_metrics(frame, by=[], as_of=AS_OF)
    assert list(overall.index) == ["all"] and overall.iloc[0]["contacts"] == 8
    frame["location"] = ["A", "A", None, None, "A", "A", None, "A"]
    grouped = channel_metrics(frame, by=["channel", "location"], as_of=AS_OF)
    assert grouped["contacts"].sum() == 8
    assert grouped.index.nlevels == 2 and grouped.index.get_level_values("location").isna().sum() == 2


def test_without_scores_quality_is_nan():
    """A frame without final_score gives NaN quality and scored = 0, not a zero mean."""
    out = channel_metrics(world().drop(columns=["final_score", "passed"]), by=["channel"], as_of=AS_OF)
    assert (out["scored"] == 0).all() and out["mean_quality"].isna().all() and out["pass_rate"].isna().all()


def test_min_contacts_is_configurable():
    """The insufficient threshold can be changed."""
    out = channel_metrics(world(), by=["channel"], as_of=AS_OF, min_contacts=2)
    assert not out["insufficient"].any()


def test_mean_quality_interval_stays_on_scale():
    """The t interval is clipped to the 0–100 score scale."""
    frame = contacts_frame({"final_score": 0.0}, {"final_score": 100.0})
    frame["final_score"] = frame["final_score"].astype(float)
    row = channel_metrics(frame, by=[], as_of=AS_OF).iloc[0]
    assert (row["mean_quality_ci_low"], row["mean_quality_ci_high"]) == (0.0, 100.0)
    assert np.isfinite(row["mean_quality"])


def test_group_codes_match_pandas_groupby():
    """The fast grouping gives the same groups, order and keys as a pandas groupby with missing keys."""
    from scoring.metrics import group_codes

    frame = pd.DataFrame({"brand": pd.Categorical(["b", "a", None, "b", "a"], categories=["b", "a", "c"]),
                          "wave": ["Q2", None, "Q1", "Q2", "Q1"]})
    for by in (["brand"], ["wave"], ["brand", "wave"]):
        codes, index = group_codes(frame, by)
        grouped = frame.groupby(by, dropna=False, sort=True, observed=True)
        assert list(codes) == list(grouped.ngroup())
        assert [str(k) for k in index] == [str(k) for k in grouped.size().index]


def test_unique_codes_matches_numpy_unique():
    """The lookup-table path gives exactly np.unique's groups and inverse, in order."""
    from scoring.metrics import unique_codes

    rng = np.random.default_rng(4)
    for size, n in ((7, 5000), (90, 200_000), (3000, 50_000), (5, 10)):
        keys = rng.choice(rng.choice(size, size=max(size // 2, 1), replace=False), size=n)
        present, inverse = unique_codes(keys, size)
        expected_present, expected_inverse = np.unique(keys, return_inverse=True)
        assert np.array_equal(present, expected_present)
        assert np.array_equal(inverse, expected_inverse.reshape(-1))
        assert np.array_equal(present[inverse], keys)
