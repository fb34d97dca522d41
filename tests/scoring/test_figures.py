"""The figure functions the pages, the brand report and the CLI call, on hand-computed contacts
(docs/scoring.md, "Where each figure is defined")."""

import math

import numpy as np
import pandas as pd
import pytest

from scoring.consistency import CONSISTENCY_TABLE_COLUMNS, consistency, consistency_table
from scoring.criterion_channel import criterion_channel_table, item_scores
from scoring.headline import HeadlineFigures, brand_mean_consistency, headline_figures
from scoring.metrics import METRIC_COLUMNS, metrics_of_timed, metrics_table
from scoring.pipeline import dashboard_frame, scored_contacts
from scoring.response_times import RESPONSE_TIME_COLUMNS, SURVIVAL_COLUMNS, response_time_table, survival_table
from scoring.timeliness import timeliness

from .builders import answers_frame, contacts_frame, criteria_frame, ts
from .test_metrics import AS_OF, H, world


@pytest.fixture(scope="module")
def timed():
    """The metrics world (six e-mails, two chats of docs/scoring.md section 4) through timeliness."""
    return timeliness(world(), AS_OF)


def test_headline_figures_of_the_worked_example(timed):
    """The tiles of the six e-mails are the worked example's overall figures."""
    emails = timed[timed["channel"] == "email"]
    figures = headline_figures(emails, AS_OF)
    assert isinstance(figures, HeadlineFigures)
    assert (figures.contacts, figures.scored, figures.with_deadline) == (6, 4, 5)
    assert figures.quality == pytest.approx(75.0)
    assert figures.response_rate == pytest.approx(4 / 6)
    assert figures.on_time_rate == pytest.approx(3 / 5)
    assert figures.km_median == pytest.approx(6 * H)
    assert math.isnan(figures.consistency)  # one channel: no consistency index


def test_headline_figures_equal_the_overall_metrics(timed):
    """Every tile but consistency is the one-row metrics table of all contacts."""
    figures = headline_figures(timed, AS_OF)
    overall = metrics_of_timed(timed, []).iloc[0]
    assert figures.quality == overall["mean_quality"] and figures.scored == overall["scored"]
    assert figures.response_rate == overall["response_rate"] and figures.contacts == overall["contacts"]
    assert figures.on_time_rate == overall["on_time_rate"]
    assert figures.km_median == overall["km_median_first_response_s"]


def test_brand_mean_consistency_is_the_plain_mean_over_brands(timed):
    """Each brand with an index counts once, whatever its size; a brand without one is left out."""
    big = timed.assign(brand="A")
    small = timed[timed["contact_id"].isin([1, 7])].assign(brand="B")  # one e-mail, one chat
    lone = timed[timed["channel"] == "email"].assign(brand="C")  # one channel: no index
    both = pd.concat([big, small, lone], ignore_index=True)
    index = consistency(both, AS_OF, by=["brand"], already_timed=True).summary["consistency_index"]
    assert math.isnan(index["C"]) and index["A"] != index["B"]
    assert brand_mean_consistency(both, AS_OF) == pytest.approx((index["A"] + index["B"]) / 2)
    assert math.isnan(brand_mean_consistency(lone, AS_OF))


def test_response_time_table_per_channel(timed):
    """Quantiles of answered contacts, the metrics' KM median, target, n and unanswered per channel."""
    table = response_time_table(timed).set_index("channel")
    assert list(table.reset_index().columns) == list(RESPONSE_TIME_COLUMNS)
    email, chat = table.loc["email"], table.loc["chat"]
    assert email["p50"] == pytest.approx(4.5 * H)  # answered after 1, 3, 6 and 10 h
    assert email["km_median"] == pytest.approx(6 * H)
    assert email["km_median"] == metrics_of_timed(timed, ["channel"]).loc["email", "km_median_first_response_s"]
    assert (email["target"], email["n"], email["unanswered"], email["insufficient"]) == (4 * H, 6, 2, False)
    assert (chat["n"], chat["unanswered"], chat["insufficient"]) == (2, 1, True)
    assert chat["p10"] == pytest.approx(30.0)


def test_response_time_table_clips_to_one_second_and_handles_no_contacts(timed):
    """The log axis cannot show 0 s: an instant answer is drawn at 1 s; no contacts, no rows."""
    instant = timed[timed["contact_id"] == 7].assign(first_response_s=0.0, response_time_s=0.0)
    assert response_time_table(instant)["p50"].iloc[0] == 1.0
    empty = response_time_table(timed.iloc[0:0])
    assert empty.empty and list(empty.columns) == list(RESPONSE_TIME_COLUMNS)


def test_survival_table_is_the_kaplan_meier_curve_thinned(timed):
    """1 − S per channel, rising, at most ``points`` points, ending at the worked example's 2/3."""
    table = survival_table(timed, points=3)
    assert list(table.columns) == list(SURVIVAL_COLUMNS)
    email = table[table["channel"] == "email"]
    assert len(email) <= 3 and email["share_answered"].is_monotonic_increasing
    assert email["share_answered"].iloc[-1] == pytest.approx(1 - 1 / 3)  # S(10 h) = 1/2 · 2/3
    assert set(email["n"]) == {6} and not email["insufficient"].any()
    assert table[table["channel"] == "chat"]["insufficient"].all()
    assert survival_table(timed.iloc[0:0]).empty


def test_metrics_table_has_the_group_keys_as_columns(timed):
    """By channel: a channel column then METRIC_COLUMNS; by nothing: one row of METRIC_COLUMNS."""
    table = metrics_table(timed, ["channel"])
    assert list(table.columns) == ["channel", *METRIC_COLUMNS]
    pd.testing.assert_frame_equal(table.set_index("channel"), metrics_of_timed(timed, ["channel"]))
    overall = metrics_table(timed, [])
    assert list(overall.columns) == list(METRIC_COLUMNS) and len(overall) == 1


def test_consistency_table_is_the_summary_in_reading_order(timed):
    """The summary's figures per brand, the manager's columns, highest index first."""
    both = pd.concat([timed.assign(brand="A"), timed[timed["contact_id"].isin([1, 7])].assign(brand="B")],
                     ignore_index=True)
    table = consistency_table(both, AS_OF, ("brand",))
    assert list(table.columns) == ["brand", *CONSISTENCY_TABLE_COLUMNS]
    assert table["consistency_index"].is_monotonic_decreasing
    summary = consistency(both, AS_OF, by=["brand"], already_timed=True).summary
    for column in CONSISTENCY_TABLE_COLUMNS:
        assert table.set_index("brand")[column].equals(summary.loc[table["brand"], column]), column


def _checked_contacts():
    """Five e-mails (C1 always yes) and five chats (C1 yes three times; C2 on four chats only)."""
    contacts = contacts_frame(*[dict(channel="email", first_response_at="2026-03-02 10:00")] * 5,
                              *[dict(channel="chat", first_response_at="2026-03-02 09:01")] * 5)
    criteria = criteria_frame({"text": "Greets"}, {"text": "Gives a name"})
    values = {i: {1: 1} for i in range(1, 6)}
    values |= {i: {1: 1 if i <= 8 else 0, 2: 1} for i in range(6, 11)}
    values[10].pop(2)
    return contacts, answers_frame(values), criteria


def test_criterion_channel_table_means_and_small_cells():
    """Mean item score per code × channel; a cell of fewer than 5 answers is left out."""
    contacts, answers, criteria = _checked_contacts()
    frame = dashboard_frame(scored_contacts(contacts, answers, criteria, AS_OF))
    table = criterion_channel_table(frame, item_scores(frame, answers, criteria))
    cells = table.set_index(["criterion", "channel"])
    assert sorted(table["criterion"].unique()) == ["C1 · Greets"]  # C2 has 4 answers on chat only
    assert cells.loc[("C1 · Greets", "email"), "score"] == 1.0 and cells.loc[("C1 · Greets", "chat"), "score"] == 0.6
    assert set(table["n"]) == {5} and table["spread"].iloc[0] == pytest.approx(0.4)
    chats = frame[frame["channel"] == "chat"]  # a subset of the frame's rows
    assert criterion_channel_table(chats, item_scores(frame, answers, criteria))["channel"].tolist() == ["chat"]


def test_dashboard_frame_keeps_every_value_and_adds_local_time():
    """Same rows, in the same order, and values as scored_contacts, with Amsterdam weekday/hour."""
    contacts, answers, criteria = _checked_contacts()
    scored = scored_contacts(contacts, answers, criteria, AS_OF)
    frame = dashboard_frame(scored)
    assert list(frame["contact_id"]) == list(scored["contact_id"])
    assert list(frame["row"]) == list(range(len(frame)))
    back = frame.set_index("contact_id").loc[scored["contact_id"]]
    assert np.allclose(back["final_score"], scored["final_score"].to_numpy())
    assert (back["brand"].astype(str).to_numpy() == scored["brand"].to_numpy()).all()
    assert set(frame["weekday"]) == {0} and set(frame["hour"]) == {10}  # Mon 09:00 UTC = 10:00 CET
    assert ts("2026-03-02 09:00") == frame["started_at"].iloc[0]
