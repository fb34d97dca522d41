"""Logging contacts through the services: validation names the field, nothing is half-written,
edits are in the change log, auditors only touch their own contacts."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from data.db import session_scope
from journeys.accounts.users import create_user
from journeys.errors import PermissionDenied, ValidationError
from journeys.fieldwork.contacts import (
    AnswerIn,
    ContactStart,
    add_evidence,
    applicable_criteria,
    record_event,
    save_contact,
    start_contact,
)
from journeys.models import Answer, ChangeLog, Contact, Criterion
from tests.factories import make_png, make_world

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
PNG = make_png()  # a real image: evidence images are decoded in full at upload


@pytest.fixture
def world(engine):
    with session_scope(engine) as session:
        w = make_world(session)
        w["manager"] = create_user(session=session, username="boss", role="manager", password="manager-pass")
        w["other"] = create_user(session=session, username="auditor2", role="auditor", password="auditor2-pass")
        return w


def _start(engine, world, channel="email", at=None):
    with session_scope(engine) as session:
        return start_contact(session=session, actor=world["auditor"], now=NOW, start=ContactStart(
            journey_id=world["journey"].id, brand_id=world["brand"].id, channel_id=world["channels"][channel].id,
            wave_id=world["wave"].id, started_at=at or NOW - timedelta(hours=3))).id


def _save(engine, world, contact_id, **kw):
    with session_scope(engine) as session:
        return save_contact(session=session, actor=kw.pop("actor", world["auditor"]), contact_id=contact_id, now=NOW, **kw)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"first_response_at": NOW - timedelta(hours=4)}, "first_response_at", "before the start"),
        ({"first_response_at": NOW - timedelta(hours=1), "resolved_at": NOW - timedelta(hours=2)},
         "resolved_at", "before the first response"),
        ({"first_response_at": NOW + timedelta(hours=1)}, "first_response_at", "in the future"),
        ({"wait_seconds": -3}, "wait_seconds", "negative"),
        ({"transfers": -1}, "transfers", "negative"),
    ],
)
def test_timing_errors_name_the_field(engine, world, changes, field, message):
    """Each impossible timing is refused with the field and the reason; nothing is stored."""
    contact_id = _start(engine, world)
    with pytest.raises(ValidationError) as caught:
        _save(engine, world, contact_id, changes=changes)
    problem = caught.value.problems[0]
    assert problem.field == field and message in problem.message
    with session_scope(engine) as session:
        assert session.get(Contact, contact_id).first_response_at is None


def test_missing_item_and_scale_errors_and_all_or_nothing(engine, world):
    """A missing checklist item or a value off the scale refuses the whole save: no answer, no field kept."""
    contact_id = _start(engine, world)
    with session_scope(engine) as session:
        criteria = applicable_criteria(session, session.get(Contact, contact_id))
    answers = [AnswerIn(criteria[0].id, 1.0), AnswerIn(criteria[1].id, 7.0)]  # C3 missing, C2 not yes/no
    with pytest.raises(ValidationError) as caught:
        _save(engine, world, contact_id, changes={"notes": "kept?"}, answers=answers, complete=True)
    text = str(caught.value)
    assert "checklist item C2: must be yes (1) or no (0) (got 7.0)" in text
    assert "checklist item C3: has no answer" in text
    with session_scope(engine) as session:
        assert session.exec(select(Answer)).all() == []
        assert session.get(Contact, contact_id).notes == ""


def test_edits_are_logged_old_to_new(engine, world):
    """Every changed field and answer after saving is in the change log with old and new value."""
    contact_id = _start(engine, world)
    with session_scope(engine) as session:
        criteria = applicable_criteria(session, session.get(Contact, contact_id))
    answers = [AnswerIn(c.id, 1.0) for c in criteria]
    _save(engine, world, contact_id, changes={"notes": "first"}, answers=answers, complete=True)
    _save(engine, world, contact_id, changes={"notes": "second"}, answers=[AnswerIn(criteria[0].id, 0.0)])
    with session_scope(engine) as session:
        log = session.exec(select(ChangeLog).where(ChangeLog.entity_id == contact_id)).all()
    notes = [(e.old_value, e.new_value) for e in log if e.field == "notes"]
    assert notes == [("", "first"), ("first", "second")]
    assert ("1", "0") in [(e.old_value, e.new_value) for e in log if e.field == "item:C1"]


def test_live_stopwatch_derives_wait_and_handling(engine, world):
    """On the phone, picking up and hanging up set wait and handling seconds from the stamps."""
    contact_id = _start(engine, world, "phone", at=NOW - timedelta(minutes=10))
    with session_scope(engine) as session:
        record_event(session=session, actor=world["auditor"], contact_id=contact_id, event="first_response",
                     at=NOW - timedelta(minutes=8))
    with session_scope(engine) as session:
        record_event(session=session, actor=world["auditor"], contact_id=contact_id, event="resolved",
                     at=NOW - timedelta(minutes=2))
    with session_scope(engine) as session:
        contact = session.get(Contact, contact_id)
        assert (contact.wait_seconds, contact.handling_seconds) == (120, 360)


def test_auditors_only_touch_their_own_contacts(engine, world):
    """Another auditor and a manager cannot change an auditor's contact."""
    contact_id = _start(engine, world)
    for actor in (world["other"], world["manager"]):
        with pytest.raises(PermissionDenied):
            _save(engine, world, contact_id, changes={"notes": "not mine"}, actor=actor)


def test_evidence_type_size_and_hash(engine, world):
    """Evidence is sniffed by content (a renamed text file is refused), limited in size and hashed."""
    contact_id = _start(engine, world)
    with session_scope(engine) as session:
        evidence = add_evidence(session=session, actor=world["auditor"], contact_id=contact_id,
                                file_name="shot.png", data=PNG)
        assert evidence.media_type == "image/png" and len(evidence.sha256) == 64
    with pytest.raises(ValidationError, match="not an allowed file type"):
        with session_scope(engine) as session:
            add_evidence(session=session, actor=world["auditor"], contact_id=contact_id, file_name="x.png",
                         data=b"MZ not an image")
    with pytest.raises(ValidationError, match="limit is 10 MB"):
        with session_scope(engine) as session:
            add_evidence(session=session, actor=world["auditor"], contact_id=contact_id, file_name="big.png",
                         data=PNG + b"\x00" * (10 * 1024 * 1024))


def test_the_same_file_is_not_attached_twice(engine, world):
    """Uploading identical content again to one contact is refused, naming the earlier file."""
    contact_id = _start(engine, world)
    with session_scope(engine) as session:
        add_evidence(session=session, actor=world["auditor"], contact_id=contact_id, file_name="shot.png", data=PNG)
    with pytest.raises(ValidationError, match="already attached to this contact as shot.png"):
        with session_scope(engine) as session:
            add_evidence(session=session, actor=world["auditor"], contact_id=contact_id, file_name="again.png",
                         data=PNG)


def test_unanswered_contact_stays_open(engine, world):
    """A contact never answered keeps no response time: it is open, not dropped."""
    contact_id = _start(engine, world)
    with session_scope(engine) as session:
        contact = session.get(Contact, contact_id)
        assert contact.first_response_at is None and contact.resolved_at is None
        assert session.exec(select(Criterion)).all()


def test_a_save_giving_the_stored_values_changes_nothing(engine, world):
    """Every caller: fields given their stored values again (to the microsecond) write no update and
    no change-log row, and on a live channel they do not recompute a waiting time typed by hand
    (issue 15, item 1); a time one microsecond off is a change."""
    contact_id = _start(engine, world, "phone", at=NOW - timedelta(minutes=10, microseconds=250))
    with session_scope(engine) as session:
        record_event(session=session, actor=world["auditor"], contact_id=contact_id, event="first_response",
                     at=NOW - timedelta(minutes=9, seconds=58, microseconds=125))
    _save(engine, world, contact_id, changes={"wait_seconds": 5})  # typed by hand, not the stamps' 2 s
    with session_scope(engine) as session:
        stored = session.get(Contact, contact_id)
        same = {f: getattr(stored, f) for f in ("started_at", "acknowledged_at", "first_response_at", "resolved_at",
                                                "handling_seconds", "notes")}
        updated_at = stored.updated_at
        rows = len(session.exec(select(ChangeLog).where(ChangeLog.entity_id == contact_id)).all())
    with session_scope(engine) as session:  # a minute later: an update would move updated_at
        save_contact(session=session, actor=world["auditor"], contact_id=contact_id, changes=same,
                     now=NOW + timedelta(minutes=1))
    with session_scope(engine) as session:
        after = session.get(Contact, contact_id)
        assert {f: getattr(after, f) for f in same} == same and after.wait_seconds == 5
        assert after.updated_at == updated_at
        assert len(session.exec(select(ChangeLog).where(ChangeLog.entity_id == contact_id)).all()) == rows
    _save(engine, world, contact_id, changes={"first_response_at": same["first_response_at"] + timedelta(microseconds=1)})
    with session_scope(engine) as session:
        log = session.exec(select(ChangeLog).where(ChangeLog.entity_id == contact_id)).all()
    assert [e.field for e in log[rows:]] == ["first_response_at", "wait_seconds"]
