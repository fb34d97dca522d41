"""Timeliness per contact: first-response and resolution status against targets, as of an instant."""

import math

import numpy as np
import pandas as pd
import pytest

from scoring.timeliness import TIMELINESS_COLUMNS, timeliness

from .builders import contacts_frame, ts

H = 3600.0
AS_OF = ts("2026-03-04 09:00")  # Wednesday; contacts start Monday 2026-03-02 09:00 UTC unless stated

# (case, contact fields, first_response_status, first_response_s, response_clock_s)
FIRST_RESPONSE = [
    ("answered within target", dict(first_response_at="2026-03-02 10:00", first_response_target_s=4 * H),
     "within", 1 * H, 1 * H),
    ("answered exactly on target", dict(first_response_at="2026-03-02 13:00", first_response_target_s=4 * H),
     "within", 4 * H, 4 * H),
    ("answered after target", dict(first_response_at="2026-03-02 14:00", first_response_target_s=4 * H),
     "late", 5 * H, 5 * H),
    ("unanswered, target passed", dict(first_response_target_s=4 * H), "late", math.nan, 48 * H),
    ("unanswered, target ahead", dict(first_response_target_s=72 * H), "pending", math.nan, 48 * H),
    ("no target", dict(first_response_at="2026-03-02 10:00"), "no_target", 1 * H, 1 * H),
    ("resolution counts as a response", dict(resolved_at="2026-03-02 11:00", first_response_target_s=4 * H),
     "within", 2 * H, 2 * H),
    ("response after as_of has not happened", dict(first_response_at="2026-03-05 09:00", first_response_target_s=72 * H),
     "pending", math.nan, 48 * H),
    # Fri 16:00 local -> Mon 11:00 local: 67 h on the wall clock, 3 h on the business clock
    ("business clock over a weekend", dict(started_at="2026-02-27 15:00", first_response_at="2026-03-02 10:00",
                                           first_response_target_s=4 * H, business_hours=True),
     "within", 67 * H, 3 * H),
    ("same contact on the 24/7 clock", dict(started_at="2026-02-27 15:00", first_response_at="2026-03-02 10:00",
                                            first_response_target_s=4 * H, business_hours=False),
     "late", 67 * H, 67 * H),
]


@pytest.mark.parametrize("case, fields, status, first_s, clock_s", FIRST_RESPONSE, ids=[c[0] for c in FIRST_RESPONSE])
def test_first_response_status(case, fields, status, first_s, clock_s):
    """First response: within / late / pending / no_target on the contact's own clock."""
    row = timeliness(contacts_frame(fields), AS_OF).iloc[0]
    assert row["first_response_status"] == status
    assert (math.isnan(first_s) and math.isnan(row["first_response_s"])) or row["first_response_s"] == first_s
    assert row["response_clock_s"] == pytest.approx(clock_s)


# (case, contact fields, resolution_status, late, deadline)
RESOLUTION = [
    ("resolved before due_at", dict(due_at="2026-03-03 09:00", resolved_at="2026-03-02 15:00"),
     "within", False, "2026-03-03 09:00"),
    ("resolved after due_at", dict(due_at="2026-03-03 09:00", resolved_at="2026-03-03 10:00"),
     "late", True, "2026-03-03 09:00"),
    ("unresolved, due_at passed", dict(due_at="2026-03-03 09:00"), "late", True, "2026-03-03 09:00"),
    ("unresolved, due_at ahead", dict(due_at="2026-03-05 09:00"), "pending", False, "2026-03-05 09:00"),
    ("unresolved, due exactly now", dict(due_at="2026-03-04 09:00"), "pending", False, "2026-03-04 09:00"),
    ("resolved after as_of counts as unresolved", dict(due_at="2026-03-03 09:00", resolved_at="2026-03-05 09:00"),
     "late", True, "2026-03-03 09:00"),
    ("deadline from a 24/7 target", dict(resolution_target_s=8 * H, resolved_at="2026-03-02 18:00"),
     "late", True, "2026-03-02 17:00"),
    # Fri 16:00 local + 8 business hours = Mon 16:00 local (15:00 UTC)
    ("deadline from a business-hours target", dict(started_at="2026-02-27 15:00", resolution_target_s=8 * H,
                                                   business_hours=True, resolved_at="2026-03-02 14:00"),
     "within", False, "2026-03-02 15:00"),
    ("due_at wins over the target", dict(due_at="2026-03-06 09:00", resolution_target_s=1 * H),
     "pending", False, "2026-03-06 09:00"),
    ("no deadline", dict(resolved_at="2026-03-02 15:00"), "no_target", False, None),
]


@pytest.mark.parametrize("case, fields, status, late, deadline", RESOLUTION, ids=[c[0] for c in RESOLUTION])
def test_resolution_status(case, fields, status, late, deadline):
    """Resolution: the deadline is due_at, else start + target; late only once it has passed unresolved."""
    row = timeliness(contacts_frame(fields), AS_OF).iloc[0]
    assert row["resolution_status"] == status
    assert bool(row["late"]) is late
    assert (deadline is None and pd.isna(row["deadline"])) or row["deadline"] == ts(deadline)


def test_columns_and_copy():
    """All timeliness columns are added to a copy; the caller's frame is untouched."""
    contacts = contacts_frame({}, {"first_response_at": "2026-03-02 09:30"})
    out = timeliness(contacts, AS_OF)
    assert set(TIMELINESS_COLUMNS) <= set(out.columns)
    assert "late" not in contacts.columns
    assert list(out["responded"]) == [False, True]
    assert str(out["deadline"].dtype).startswith("datetime64") and out["deadline"].dt.tz is not None


def test_acknowledgement_and_business_seconds():
    """Acknowledgement time and business-clock response time are reported next to wall time."""
    out = timeliness(contacts_frame({"acknowledged_at": "2026-03-02 09:01", "first_response_at": "2026-03-02 18:00"}),
                     AS_OF).iloc[0]
    assert out["acknowledged_s"] == 60.0
    assert out["first_response_s"] == 9 * H
    assert out["first_response_business_s"] == 7 * H  # 10:00 -> 17:00 local


def test_as_of_is_required_and_tz_aware():
    """Without a tz-aware as_of there is no honest censoring, so it is refused."""
    with pytest.raises(ValueError):
        timeliness(contacts_frame({}), None)
    with pytest.raises(ValueError):
        timeliness(contacts_frame({}), pd.Timestamp("2026-03-04 09:00"))


def test_all_missing_timestamp_columns_are_accepted():
    """Columns that are entirely empty may arrive without a time zone (or as objects) from the database."""
    contacts = contacts_frame({"first_response_target_s": H})
    contacts["due_at"] = pd.Series([pd.NaT], dtype="datetime64[ns]")
    contacts["acknowledged_at"] = pd.Series([None], dtype=object)
    out = timeliness(contacts, AS_OF).iloc[0]
    assert out["first_response_status"] == "late" and np.isnan(out["acknowledged_s"])
