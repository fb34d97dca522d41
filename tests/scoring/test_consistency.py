"""Cross-channel consistency: gap, answer agreement, timing on each channel's norm, index, chance tests."""

import math

import pandas as pd
import pytest

from scoring.consistency import SUMMARY_COLUMNS, ConsistencyWeights, consistency, criterion_spread

from .builders import answers_frame, contacts_frame, criteria_frame, ts

AS_OF = ts("2026-03-04 09:00")
START = ts("2026-03-02 09:00")
TARGETS = {"email": 4 * 3600.0, "chat": 40.0, "phone": 20.0}


def _contact(brand, channel, seconds, score, correct, journey="Parcel"):
    first = None if seconds is None else START + pd.Timedelta(seconds=seconds)
    return dict(brand=brand, journey=journey, channel=channel, channel_kind=channel, first_response_at=first,
                first_response_target_s=TARGETS[channel], final_score=score, answer_correct=correct)


def world() -> pd.DataFrame:
    """Brand A of docs/scoring.md (three channels) plus brands for the asynchronous and chi-square cases."""
    rows = [
        _contact("A", "email", 3600, 80.0, True), _contact("A", "email", 6 * 3600, 70.0, True),
        _contact("A", "chat", 30, 60.0, True), _contact("A", "chat", 20, 50.0, False),
        _contact("A", "phone", 10, 90.0, True), _contact("A", "phone", 60, 90.0, True),
        # B: e-mail in 3 h and chat in 30 s are both within their own norms
        _contact("B", "email", 3 * 3600, 80.0, True), _contact("B", "chat", 30, 80.0, True),
        # C: e-mail answers 1 of 4, chat 4 of 4
        *[_contact("C", "email", s, 50.0, None) for s in (600, None, None, None)],
        *[_contact("C", "chat", 10, 50.0, None) for _ in range(4)],
        # D: one channel only
        _contact("D", "email", 60, 70.0, True),
    ]
    frame = contacts_frame(*rows)
    frame["final_score"] = frame["final_score"].astype(float)
    return frame


@pytest.fixture(scope="module")
def report():
    """The consistency report of the world, by brand."""
    return consistency(world(), AS_OF, by=["brand"])


@pytest.mark.parametrize(
    "column, expected",
    [
        ("channels", 3),
        ("scored_channels", 3),
        ("best_channel", "phone"),
        ("worst_channel", "chat"),
        ("channel_gap", 35.0),  # 90 - 55
        ("score_parity", 0.65),
        ("answer_agreement", (1.0 + 0.5 + 1.0) / 3),
        ("judged_channels", 3),
        ("timing_on_norm", 0.5),  # e-mail 1/2 within 4 h, chat 2/2 within 40 s, phone 1/2 within 20 s
        ("slowest_channel", "email"),  # first of the tied weakest channels
        ("consistency_index", 100 * (0.65 + 5 / 6 + 0.5) / 3),
        ("kruskal_h", 4.705882),
        ("kruskal_p", 0.095089),
        ("kruskal_n", 6),
        ("chi2_n", 6),
    ],
)
def test_brand_a_summary(report, column, expected):
    """Brand A's summary equals the worked example in docs/scoring.md."""
    value = report.summary.loc["A", column]
    assert value == (pytest.approx(expected, abs=1e-6) if isinstance(expected, float) else expected)


def test_brand_a_is_not_consistent_on_all_channels(report):
    """One wrong chat answer means the brand did not answer correctly on all its channels."""
    assert bool(report.summary.loc["A", "consistent_all_channels"]) is False
    assert bool(report.summary.loc["B", "consistent_all_channels"]) is True


def test_chi_square_undefined_without_variation(report):
    """When every contact was answered, the response-rate test has nothing to test: NaN."""
    assert math.isnan(report.summary.loc["A", "chi2_p"])


def test_chi_square_on_response_rate(report):
    """Brand C: 1 of 4 e-mails against 4 of 4 chats gives Pearson chi-square 4.8 (p 0.0285)."""
    row = report.summary.loc["C"]
    assert row["chi2"] == pytest.approx(4.8) and row["chi2_p"] == pytest.approx(0.028459, abs=1e-6)
    assert row["chi2_n"] == 8


def test_identical_scores_give_no_kruskal(report):
    """Brand C scored 50 everywhere: Kruskal–Wallis is undefined and reported as NaN."""
    assert math.isnan(report.summary.loc["C", "kruskal_p"]) and report.summary.loc["C", "kruskal_n"] == 8


def test_asynchronous_channel_is_not_punished(report):
    """An e-mail answered in 3 h meets its own 4 h norm, so timing is perfect next to a 30 s chat."""
    assert report.summary.loc["B", "timing_on_norm"] == 1.0
    assert report.summary.loc["B", "consistency_index"] == pytest.approx(100.0)


def test_single_channel_has_no_consistency(report):
    """A brand seen on one channel has no channel gap and no index."""
    row = report.summary.loc["D"]
    assert math.isnan(row["channel_gap"]) and math.isnan(row["consistency_index"])
    assert row["consistent_all_channels"] is pd.NA


def test_missing_part_drops_out_with_its_weight(report):
    """Brand C has no judged answers: its index averages score parity and timing only."""
    row = report.summary.loc["C"]
    assert math.isnan(row["answer_agreement"])
    timing = 0.25  # chat 4/4 within 40 s; e-mail 1/4 within 4 h
    assert row["timing_on_norm"] == pytest.approx(timing)
    assert row["consistency_index"] == pytest.approx(100 * (1.0 + timing) / 2)


def test_weights(report):
    """Weights change the index: score parity alone gives 100 · (1 - gap / 100)."""
    only_score = consistency(world(), AS_OF, by=["brand"], weights=ConsistencyWeights(score=1, answer=0, timing=0))
    assert only_score.summary.loc["A", "consistency_index"] == pytest.approx(65.0)
    with pytest.raises(ValueError):
        ConsistencyWeights(score=0, answer=0, timing=0)


def test_channel_rows_and_columns(report):
    """The per-channel rows the summary rests on are returned with the gap to the best channel."""
    assert list(report.summary.columns) == list(SUMMARY_COLUMNS)
    chat = report.channels.set_index(["brand", "channel"]).loc[("A", "chat")]
    assert chat["mean_quality"] == 55.0 and chat["gap_to_best"] == 35.0
    assert report.criteria.empty


def test_by_journey_and_wave():
    """Grouping by brand × journey gives one summary row per question."""
    frame = world()
    frame.loc[frame["channel"] == "chat", "journey"] = "Return"
    out = consistency(frame, AS_OF, by=["brand", "journey"]).summary
    assert ("A", "Parcel") in out.index and out.loc[("A", "Parcel"), "channels"] == 2


def test_channel_cannot_be_a_group():
    """Consistency compares channels, so channel cannot be a grouping column."""
    with pytest.raises(ValueError):
        consistency(world(), AS_OF, by=["brand", "channel"])


def test_criterion_spread_ranks_the_item_that_differs_most():
    """An item met on e-mail but not on chat has spread 100 and comes first; an even item has spread 0."""
    contacts = contacts_frame(
        {"channel": "email"}, {"channel": "email"}, {"channel": "chat"}, {"channel": "chat"})
    criteria = criteria_frame({"section": "Tone"}, {"section": "Answer"})
    answers = answers_frame({1: {1: 1, 2: 1}, 2: {1: 1, 2: 1}, 3: {1: 1, 2: 0}, 4: {1: 1, 2: None}})
    out = criterion_spread(contacts, answers, criteria, by=["brand"])
    assert list(out["code"]) == ["C2", "C1"]
    top = out.iloc[0]
    assert (top["spread"], top["lowest_channel"], top["highest_channel"], top["answers"]) == (100.0, "chat", "email", 3)
    assert top["sd"] == 50.0  # population sd of the channel means 0 and 100
    assert out.iloc[1]["spread"] == 0.0
    report = consistency(contacts.assign(final_score=80.0), AS_OF, answers=answers, criteria=criteria)
    assert list(report.criteria["code"]) == ["C2", "C1"]


def test_missing_group_keys_are_kept():
    """Contacts without a wave form their own group instead of disappearing."""
    frame = world()
    frame["wave"] = ["Q1"] * 3 + [None] * (len(frame) - 3)
    out = consistency(frame, AS_OF, by=["brand", "wave"]).summary
    assert out["channels"].sum() >= 6 and out.index.get_level_values("wave").isna().any()
    assert out.loc[("A", "Q1"), "channels"] == 2


def test_criterion_spread_matches_plain_pandas(monkeypatch):
    """On random data (chunked), the spread equals a plain merge-and-groupby over item scores."""
    import numpy as np

    from scoring.quality import answer_scores

    monkeypatch.setattr("scoring.quality.CHUNK_ROWS", 97)
    rng = np.random.default_rng(3)
    criteria = criteria_frame(*[{"section": f"S{i % 3}", "kind": "scale" if i % 4 == 0 else "yesno",
                                 "scale_min": 1.0 if i % 4 == 0 else math.nan,
                                 "scale_max": 5.0 if i % 4 == 0 else math.nan} for i in range(8)])
    contacts = contacts_frame(*[{"brand": rng.choice(["A", "B"]), "journey": rng.choice(["J1", "J2"]),
                                 "channel": rng.choice(["email", "chat", "phone"])} for _ in range(120)])
    answers = answers_frame({
        int(c): {k: (None if rng.random() < 0.1 else float(rng.integers(1, 6) if k % 4 == 1 else rng.random() < 0.6))
                 for k in range(1, 9)} for c in contacts["contact_id"]})
    got = criterion_spread(contacts, answers, criteria, by=["brand"]).set_index(["brand", "journey", "code"])
    items = answer_scores(contacts, answers, criteria).merge(contacts[["contact_id", "brand", "journey", "channel"]])
    means = items.dropna(subset=["item_score"]).groupby(["brand", "journey", "code", "channel"])["item_score"].mean()
    expected = means.groupby(["brand", "journey", "code"]).agg(["max", "min", "size", lambda m: np.std(m, ddof=0)])
    assert len(got) == len(expected)
    for key, row in expected.iterrows():
        assert got.loc[key, "spread"] == pytest.approx(row["max"] - row["min"])
        assert got.loc[key, "sd"] == pytest.approx(row["<lambda_0>"])
        assert got.loc[key, "channels"] == row["size"]



def test_already_timed_frame_gives_the_same_summary(report):
    """A frame that already went through timeliness (as the dashboards keep it) gives the same figures."""
    from scoring.timeliness import timeliness

    timed = consistency(timeliness(world(), AS_OF), AS_OF, by=["brand"], already_timed=True)
    pd.testing.assert_frame_equal(timed.summary, report.summary)
