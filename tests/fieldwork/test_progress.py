"""Fieldwork progress as pure functions over a frame of planned contacts (journeys.fieldwork.progress)."""

from datetime import UTC, date, datetime

import pandas as pd
import pytest

from journeys.errors import ValidationError
from journeys.fieldwork.planned import PLANNED_COLUMNS
from journeys.fieldwork.progress import (
    ProgressCounts,
    burn_up,
    burn_up_span,
    coverage_text,
    default_progress_wave,
    progress_by,
    progress_totals,
    with_totals_row,
)
from journeys.language import use_language
from journeys.models import Wave

START, END, TODAY = date(2026, 3, 2), date(2026, 3, 6), date(2026, 3, 4)


def planned(*rows: dict) -> pd.DataFrame:
    """A frame like ``planned_contacts``'s, one row per dict (missing columns empty)."""
    base = {c: None for c in PLANNED_COLUMNS}
    base.update(brand="Koopklik", region="", channel="phone", journey="Delivery", status="to_do")
    return pd.DataFrame([{**base, **row} for row in rows], columns=list(PLANNED_COLUMNS))


def saved(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=UTC)


def test_progress_by_auditor_counts_each_status_and_groups_the_unassigned():
    """Planned, done, started, overdue and unassigned per auditor; nobody's rows under "Not assigned"."""
    frame = planned(
        dict(auditor="Ann", auditor_id=1, status="done", contact_logged_at=saved(3)),
        dict(auditor="Ann", auditor_id=1, status="started"),
        dict(auditor="Ann", auditor_id=1, status="overdue"),
        dict(auditor="Bob", auditor_id=2, status="to_do"),
        dict(auditor=None, status="unassigned"),
        dict(auditor=None, status="overdue"),
    )
    table = progress_by(frame, "auditor")
    assert list(table.columns) == ["auditor", "planned", "done", "started", "overdue", "unassigned", "share_done"]
    rows = table.set_index("auditor").to_dict(orient="index")
    assert list(table["auditor"]) == ["Ann", "Bob", "Not assigned"]
    assert rows["Ann"] == dict(planned=3, done=1, started=1, overdue=1, unassigned=0, share_done=pytest.approx(1 / 3))
    assert rows["Bob"]["planned"] == 1 and rows["Bob"]["done"] == 0 and rows["Bob"]["share_done"] == 0
    assert rows["Not assigned"] == dict(planned=2, done=0, started=0, overdue=1, unassigned=1, share_done=0.0)


def test_progress_by_location_and_region_name_the_rows_without_one():
    """A brand-level plan line and a location without a region get a label, in the language given."""
    frame = planned(dict(location="Utrecht", region="Midden"), dict(location=None, region=""))
    assert list(progress_by(frame, "location")["location"]) == ["Brand level", "Utrecht"]
    assert list(progress_by(frame, "region")["region"]) == ["Midden", "No region"]
    assert list(progress_by(frame, "region", missing={"region": "Geen regio"})["region"]) == ["Geen regio", "Midden"]


@pytest.mark.parametrize("by", ["brand", "region", "location", "journey", "channel", "auditor"])
def test_progress_by_every_group_adds_up_to_the_totals(by):
    """Whatever the grouping, the groups' counts sum to the wave's."""
    frame = planned(dict(brand="A", channel="email", status="done", contact_logged_at=saved(2)),
                    dict(brand="B", channel="phone", status="overdue", auditor="Ann"),
                    dict(brand="B", channel="email", status="unassigned", location="X"))
    table = progress_by(frame, by)
    totals = progress_totals(frame)
    assert int(table["planned"].sum()) == totals.planned == 3
    assert int(table["done"].sum()) == totals.done == 1
    assert int(table["overdue"].sum()) == totals.overdue == 1


def test_progress_by_refuses_an_unknown_group_and_handles_an_empty_plan():
    with pytest.raises(ValidationError) as refused:
        progress_by(planned(), "wave")
    assert "brand, region, location" in str(refused.value.problems[0].message)
    empty = progress_by(planned().iloc[0:0], "channel")
    assert empty.empty and list(empty.columns) == ["channel", "planned", "done", "started", "overdue", "unassigned",
                                                   "share_done"]


def test_totals_say_complete_only_when_every_planned_contact_is_done():
    frame = planned(dict(status="done", contact_logged_at=saved(3)), dict(status="to_do"))
    totals = progress_totals(frame)
    assert totals == ProgressCounts(planned=2, done=1, started=0, overdue=0, unassigned=0)
    assert not totals.complete and totals.short == 1 and totals.share_done == 0.5
    assert progress_totals(frame.iloc[:1]).complete
    assert not progress_totals(frame.iloc[0:0]).complete and progress_totals(frame.iloc[0:0]).share_done is None


def test_with_totals_row_sums_the_table():
    table = progress_by(planned(dict(channel="email", status="done"), dict(channel="phone")), "channel")
    total = with_totals_row(table, "channel").iloc[-1]
    assert total["channel"] == "Total" and total["planned"] == 2 and total["done"] == 1 and total["share_done"] == 0.5


def test_burn_up_counts_done_by_local_day_and_planned_by_due_day():
    """Done on the local day of its last save (23:30 UTC is the next day in Amsterdam); planned on its due
    day, without a due date on the last day; nothing done after today."""
    frame = planned(
        dict(status="done", due_on=date(2026, 3, 3), contact_logged_at=saved(2, 9)),
        dict(status="done", due_on=date(2026, 3, 3), contact_logged_at=saved(2, 23) .replace(minute=30)),
        dict(status="overdue", due_on=date(2026, 3, 3)),
        dict(status="to_do", due_on=date(2026, 3, 5)),
        dict(status="to_do", due_on=None),
        dict(status="to_do", due_on=None),
    )
    chart = burn_up(frame, START, END, TODAY)
    assert list(chart.columns) == ["day", "planned", "done"]
    assert list(chart["day"]) == [date(2026, 3, d) for d in range(2, 7)]
    assert list(chart["planned"]) == [0, 3, 3, 4, 6]
    done = list(chart["done"])
    assert done[:3] == [1, 2, 2] and all(pd.isna(v) for v in done[3:])


def test_burn_up_keeps_early_and_late_contacts_on_the_chart():
    """Due or done before the start: on the first day; done after the end: the days run on to it."""
    frame = planned(dict(status="done", due_on=date(2026, 2, 20), contact_logged_at=saved(1)),
                    dict(status="done", due_on=None, contact_logged_at=saved(8)))
    chart = burn_up(frame, START, END, date(2026, 3, 20))
    assert chart["day"].iloc[-1] == date(2026, 3, 8)
    assert chart["planned"].iloc[0] == 1 and chart["planned"].iloc[-1] == 2
    assert chart["done"].iloc[0] == 1 and chart["done"].iloc[-1] == 2


def test_burn_up_of_an_empty_plan_is_flat():
    chart = burn_up(planned().iloc[0:0], START, END, TODAY)
    assert len(chart) == 5 and chart["planned"].sum() == 0 and chart["done"].iloc[0] == 0


def test_burn_up_span_fills_missing_wave_dates_from_the_contacts():
    frame = planned(dict(due_on=date(2026, 3, 9)), dict(due_on=date(2026, 3, 12)))
    assert burn_up_span(START, END, frame) == (START, END)
    assert burn_up_span(None, None, frame) == (date(2026, 3, 9), date(2026, 3, 12))
    assert burn_up_span(START, None, frame) == (START, date(2026, 3, 12))
    assert burn_up_span(None, None, planned().iloc[0:0]) is None


def test_coverage_text_in_both_languages():
    assert coverage_text(34, 40) == "34 of 40 planned contacts"
    assert coverage_text(1, 1) == "1 of 1 planned contact"
    assert coverage_text(1234, 2000) == "1,234 of 2,000 planned contacts"
    with use_language("nl"):
        assert coverage_text(34, 40) == "34 van 40 geplande contacten"


def test_the_page_opens_on_the_running_wave_else_the_latest():
    old = Wave(id=1, name="Q1", starts_on=date(2026, 1, 1), ends_on=date(2026, 3, 31))
    new = Wave(id=2, name="Q2", starts_on=date(2026, 4, 1), ends_on=date(2026, 6, 30))
    undated = Wave(id=3, name="Extra")
    assert default_progress_wave([old, new, undated], date(2026, 2, 1)) is old
    assert default_progress_wave([old, new, undated], date(2026, 8, 1)) is new
    assert default_progress_wave([undated], date(2026, 8, 1)) is undated
    assert default_progress_wave([], date(2026, 8, 1)) is None
