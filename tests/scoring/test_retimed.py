"""A dashboard frame brought to a later instant and a few changed contacts
(``scoring.pipeline.retimed_dashboard_frame``, redoing only the changed and the unsettled rows)
equals the frame built anew from every contact, whatever the timestamps, targets, clocks and
changes (random contacts: open, answered, resolved, events after the first instant, business-hours
targets, deleted, added and moved to another brand)."""

from datetime import timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.pipeline import dashboard_frame, retimed_dashboard_frame, unsettled_ids, with_quality
from scoring.timeliness import settled, timeliness
from tests.scoring.builders import contacts_frame, ts

BASE = ts("2026-03-02 08:00")
HOURS = st.one_of(st.none(), st.floats(0, 120, allow_nan=False).map(lambda h: round(h, 2)))


@st.composite
def contact(draw) -> dict:
    start = BASE + timedelta(hours=draw(st.floats(0, 72).map(lambda h: round(h, 2))))

    def later():
        hours = draw(HOURS)
        return None if hours is None else start + timedelta(hours=hours)

    return dict(brand=draw(st.sampled_from(["Koopklik", "Belnet", "Zorgpunt"])),
                channel=draw(st.sampled_from(["email", "phone", "webchat"])),
                started_at=start, acknowledged_at=later(), first_response_at=later(), resolved_at=later(),
                due_at=draw(st.one_of(st.none(), st.just(start + timedelta(hours=30)))),
                first_response_target_s=draw(st.sampled_from([np.nan, 3600.0, 86400.0])),
                resolution_target_s=draw(st.sampled_from([np.nan, 7200.0, 172800.0])),
                business_hours=draw(st.booleans()))


def scored(contacts: pd.DataFrame, as_of) -> pd.DataFrame:
    """The dashboard frame of ``contacts`` with a made-up score per contact (the timing is under test)."""
    quality = pd.DataFrame({"final_score": contacts["contact_id"].to_numpy(dtype=float) % 7 * 10.0})
    return dashboard_frame(with_quality(contacts, quality, as_of))


def frame_of(rows: list[dict], ids: list[int]) -> pd.DataFrame:
    frame = contacts_frame(*rows)
    frame["contact_id"] = np.asarray(ids, dtype=np.int64)
    return frame


@settings(max_examples=120, deadline=None)
@given(before=st.lists(contact(), min_size=1, max_size=30), added=st.lists(contact(), max_size=5),
       data=st.data(), first=st.floats(0, 100), step=st.floats(0, 100))
def test_retimed_frame_equals_a_frame_built_anew(before, added, data, first, step):
    first_as_of = BASE + timedelta(hours=round(first, 2))
    as_of = first_as_of + timedelta(hours=round(step, 2))
    ids = list(range(1, len(before) + 1))
    deleted = set(data.draw(st.sets(st.sampled_from(ids))))
    moved = set(data.draw(st.sets(st.sampled_from(ids)))) - deleted
    after_rows, after_ids = [], []
    for i, row in zip(ids, before, strict=True):
        if i not in deleted:
            after_rows.append({**row, "brand": "Nieuwmerk"} if i in moved else row)
            after_ids.append(i)
    after_rows += added
    after_ids += range(len(before) + 1, len(before) + 1 + len(added))
    previous = scored(frame_of(before, ids), first_as_of)
    contacts = frame_of(after_rows, after_ids) if after_rows else frame_of(before, ids).iloc[:0]

    changed = np.asarray(sorted(deleted | moved | set(after_ids[len(after_ids) - len(added):])), dtype=np.int64)
    replaced = np.union1d(unsettled_ids(previous, first_as_of), changed)
    rows = contacts[np.isin(contacts["contact_id"].to_numpy(), replaced)]
    retimed = retimed_dashboard_frame(previous, contacts, scored(rows, as_of), replaced)

    pd.testing.assert_frame_equal(retimed, scored(contacts, as_of))


@pytest.mark.parametrize(("fields", "is_settled"), [
    ({"first_response_at": "2026-03-02 10:00", "resolved_at": "2026-03-02 11:00"}, True),
    ({}, False),  # open: its waiting time grows
    ({"first_response_at": "2026-03-02 10:00"}, True),  # answered, no deadline: nothing left to happen
    ({"first_response_at": "2026-03-02 10:00", "due_at": "2026-03-03 09:00"}, False),  # deadline ahead
    ({"first_response_at": "2026-03-02 10:00", "due_at": "2026-03-02 11:00"}, True),  # deadline passed: late
    ({"first_response_at": "2026-03-02 13:00", "resolved_at": "2026-03-02 13:00"}, False),  # after as-of
    ({"first_response_at": "2026-03-02 10:00", "acknowledged_at": "2026-03-02 12:30"}, False),
    ({"started_at": "2026-03-02 12:30", "first_response_at": "2026-03-02 12:40"}, False),  # not started yet
])
def test_settled_rows(fields, is_settled):
    as_of = ts("2026-03-02 12:00")
    assert settled(timeliness(contacts_frame(fields), as_of), as_of).tolist() == [is_settled]


NAMES = st.one_of(st.none(), st.sampled_from(["", "Koopklik", "Belnet", "Zuid-Holland", "Émmen", "10", "9", "zorg"]),
                  st.text(max_size=4))


@settings(max_examples=150, deadline=None)
@given(values=st.lists(NAMES, max_size=30))
def test_group_keys_are_the_categoricals_astype_makes(values):
    """``dashboard_frame`` factorizes its group keys itself (faster than ``astype("category")``
    at a million rows): the same categories, in the same order and dtype, and the same codes,
    missing values included."""
    from scoring.pipeline import _categorical

    column = pd.Series(np.array(values, dtype=object), dtype=object, name="brand", index=np.arange(len(values)) * 2)
    pd.testing.assert_series_equal(_categorical(column), column.astype("category"))


def test_the_dashboard_frame_shares_the_contacts_own_columns():
    """A dashboard frame holds no second copy of the contacts' own columns (a million contacts: a
    quarter of a gigabyte), neither built anew nor brought up to date; only the columns it makes are its own."""
    rows = [{"channel": "email", "started_at": BASE, "first_response_target_s": 3600.0},
            {"channel": "phone", "started_at": BASE + timedelta(hours=1)}]
    before = frame_of(rows, [1, 2])
    after = frame_of([*rows, {"channel": "webchat", "started_at": BASE + timedelta(hours=2)}], [1, 2, 3])
    first = scored(before, BASE + timedelta(hours=3))
    as_of = BASE + timedelta(hours=4)
    replaced = np.union1d(unsettled_ids(first, BASE + timedelta(hours=3)), [3])
    retimed = retimed_dashboard_frame(first, after, scored(after[np.isin(after["contact_id"], replaced)], as_of),
                                      replaced)
    for frame, contacts in ((first, before), (retimed, after)):
        for column in ("contact_id", "first_response_target_s", "business_hours"):
            assert np.shares_memory(frame[column].to_numpy(), contacts[column].to_numpy()), column
        assert not np.shares_memory(frame["response_time_s"].to_numpy(), first["response_time_s"].to_numpy()) \
            or frame is first
    pd.testing.assert_frame_equal(retimed, scored(after, as_of))
