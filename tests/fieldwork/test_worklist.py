"""The auditor's work list (journeys.fieldwork.worklist): sections in due-date order, starting a
planned contact pre-filled and linked (a second tap continues it), handing one back, ad-hoc marks."""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from sqlmodel import Session, select

from data import db
from journeys.accounts.users import create_user
from journeys.catalogue.reference import get_or_create_location
from journeys.errors import PermissionDenied, ValidationError
from journeys.fieldwork.contacts import AnswerIn, applicable_criteria, save_contact
from journeys.fieldwork.worklist import (
    MAX_REASON_CHARS,
    due_text,
    hand_back,
    is_planned,
    my_assignments,
    plan_mark_text,
    plan_marks,
    start_assignment,
    work_list_summary,
)
from journeys.local_time import to_local
from journeys.models import Assignment, ChangeLog, Contact
from tests.factories import make_contact, make_plan_line, make_world

TODAY = date(2026, 3, 10)


@pytest.fixture
def planned(db_url):
    """A session on the test world with a store and one planned phone contact at it for auditor1."""
    engine = db.get_engine(db_url)
    with Session(engine) as session:
        world = make_world(session)
        world["store"] = get_or_create_location(session=session, brand=world["brand"], name="Utrecht")
        line = make_plan_line(session, world, channel="phone", quantity=1, location=world["store"],
                              due_on=TODAY + timedelta(days=5), auditor=world["auditor"])
        world["assignment"] = session.exec(select(Assignment).where(Assignment.plan_line_id == line.id)).one()
        world["other"] = create_user(session=session, username="auditor2", role="auditor", password="auditor2-pass")
        world["admin"] = create_user(session=session, username="admin", role="admin", password="admin-pass")
        world["manager"] = create_user(session=session, username="manager", role="manager", password="manager-pass")
        session.commit()
        yield session, world


def test_start_prefills_the_plan_line_and_links_the_contact(planned):
    """Starting a planned contact makes a contact of its brand, location, journey, channel and wave, linked."""
    session, world = planned
    contact = start_assignment(session=session, actor=world["auditor"], assignment_id=world["assignment"].id)
    session.commit()
    assert (contact.brand_id, contact.location_id, contact.journey_id, contact.channel_id, contact.wave_id) == (
        world["brand"].id, world["store"].id, world["journey"].id, world["channels"]["phone"].id, world["wave"].id)
    assert contact.auditor_id == world["auditor"].id
    session.expire_all()
    assert session.get(Assignment, world["assignment"].id).contact_id == contact.id
    assert is_planned(session=session, contact_id=contact.id)
    [row] = my_assignments(session=session, actor=world["auditor"], today=TODAY).to_dict("records")
    assert row["section"] == "started" and row["channel_name"] == "Phone"


def test_a_second_start_continues_the_same_contact(planned):
    """Tapping Start twice gives the same contact back, never a second one."""
    session, world = planned
    first = start_assignment(session=session, actor=world["auditor"], assignment_id=world["assignment"].id)
    session.commit()
    again = start_assignment(session=session, actor=world["auditor"], assignment_id=world["assignment"].id)
    session.commit()
    assert again.id == first.id
    assert len(session.exec(select(Contact)).all()) == 1


def test_a_done_planned_contact_cannot_be_started_again(planned):
    """Once its contact is saved complete the planned contact is done, and Start is refused."""
    session, world = planned
    contact = start_assignment(session=session, actor=world["auditor"], assignment_id=world["assignment"].id)
    answers = [AnswerIn(c.id, 1) for c in applicable_criteria(session, contact)]
    save_contact(session=session, actor=world["auditor"], contact_id=contact.id, answers=answers, complete=True)
    session.commit()
    [row] = my_assignments(session=session, actor=world["auditor"], today=TODAY).to_dict("records")
    assert row["section"] == "done"
    with pytest.raises(ValidationError, match="done already"):
        start_assignment(session=session, actor=world["auditor"], assignment_id=world["assignment"].id)


def test_another_auditor_may_not_start_it_an_admin_may(planned):
    """Auditors start only their own planned contacts, managers none; an admin may start any."""
    session, world = planned
    with pytest.raises(PermissionDenied, match="not assigned to you"):
        start_assignment(session=session, actor=world["other"], assignment_id=world["assignment"].id)
    with pytest.raises(PermissionDenied, match="may not start assignments"):
        start_assignment(session=session, actor=world["manager"], assignment_id=world["assignment"].id)
    session.rollback()
    assert session.exec(select(Contact)).all() == []
    contact = start_assignment(session=session, actor=world["admin"], assignment_id=world["assignment"].id)
    assert contact.auditor_id == world["admin"].id


def test_hand_back_clears_the_auditor_and_logs_the_reason(planned):
    """Handing back leaves the planned contact unassigned and the change log says who and why."""
    session, world = planned
    hand_back(session=session, actor=world["auditor"], assignment_id=world["assignment"].id,
              reason="  Away that week  ")
    session.commit()
    session.expire_all()
    assignment = session.get(Assignment, world["assignment"].id)
    assert assignment.auditor_id is None and assignment.assigned_at is None
    [entry] = session.exec(select(ChangeLog).where(ChangeLog.entity == "assignment")).all()
    assert (entry.entity_id, entry.user_id, entry.new_value) == (assignment.id, world["auditor"].id, "Away that week")
    assert my_assignments(session=session, actor=world["auditor"], today=TODAY).empty


def test_hand_back_needs_a_short_reason_and_the_holder(planned):
    """No reason, a reason over the limit, or someone else's planned contact: refused, nothing changed."""
    session, world = planned
    with pytest.raises(ValidationError, match="reason: is required"):
        hand_back(session=session, actor=world["auditor"], assignment_id=world["assignment"].id, reason=" ")
    with pytest.raises(ValidationError, match="at most 500"):
        hand_back(session=session, actor=world["auditor"], assignment_id=world["assignment"].id,
                  reason="x" * (MAX_REASON_CHARS + 1))
    with pytest.raises(PermissionDenied, match="cannot hand it back"):
        hand_back(session=session, actor=world["other"], assignment_id=world["assignment"].id, reason="busy")
    session.rollback()
    assert session.get(Assignment, world["assignment"].id).auditor_id == world["auditor"].id


def test_a_started_planned_contact_cannot_be_handed_back(planned):
    """Once started, the planned contact stays with its auditor: hand back is refused."""
    session, world = planned
    start_assignment(session=session, actor=world["auditor"], assignment_id=world["assignment"].id)
    session.commit()
    with pytest.raises(ValidationError, match="was started already"):
        hand_back(session=session, actor=world["auditor"], assignment_id=world["assignment"].id, reason="busy")


def test_sections_come_in_order_each_by_due_date(planned):
    """Overdue, due soon, to do, started, then done; within each the earliest due date first."""
    session, world = planned
    me = world["auditor"]
    for channel, due in (("email", TODAY + timedelta(days=9)), ("email", TODAY - timedelta(days=2)),
                         ("twitter", TODAY + timedelta(days=1)), ("phone", TODAY - timedelta(days=5)),
                         ("twitter", None)):
        make_plan_line(session, world, channel=channel, quantity=1, due_on=due, auditor=me)
    make_plan_line(session, world, channel="email", quantity=1, due_on=TODAY, auditor=world["other"])
    session.commit()
    started = session.exec(select(Assignment).where(Assignment.due_on == TODAY + timedelta(days=9))).one()
    start_assignment(session=session, actor=me, assignment_id=started.id)
    session.commit()
    frame = my_assignments(session=session, actor=me, today=TODAY)
    assert list(frame["section"]) == ["overdue", "overdue", "due_soon", "to_do", "to_do", "started"]
    assert list(frame["due_on"][:3]) == [TODAY - timedelta(days=5), TODAY - timedelta(days=2),
                                         TODAY + timedelta(days=1)]
    assert frame["due_on"].iloc[4] is None or frame["due_on"].isna().iloc[4]  # no due date: last of its section
    assert work_list_summary(frame) == "6 assignments to do, 2 overdue"


def test_old_done_ones_leave_the_list(planned):
    """A planned contact done more than 30 days ago is no longer listed."""
    session, world = planned
    contact = start_assignment(session=session, actor=world["auditor"], assignment_id=world["assignment"].id)
    answers = [AnswerIn(c.id, 1) for c in applicable_criteria(session, contact)]
    save_contact(session=session, actor=world["auditor"], contact_id=contact.id, answers=answers, complete=True)
    session.commit()
    saved = to_local(session.get(Contact, contact.id).updated_at).date()
    assert len(my_assignments(session=session, actor=world["auditor"], today=saved + timedelta(days=30))) == 1
    assert my_assignments(session=session, actor=world["auditor"], today=saved + timedelta(days=31)).empty


def test_plan_marks_tell_planned_from_ad_hoc(planned):
    """One query tells which contacts were made for the plan (and its wave); the rest are ad hoc."""
    session, world = planned
    ad_hoc = make_contact(world)
    session.add(ad_hoc)
    session.flush()
    planned_contact = start_assignment(session=session, actor=world["auditor"], assignment_id=world["assignment"].id)
    marks = plan_marks(session=session, contact_ids=[ad_hoc.id, planned_contact.id])
    assert marks == {planned_contact.id: "2026-Q1"}
    assert not is_planned(session=session, contact_id=ad_hoc.id)
    assert plan_mark_text(marks.get(ad_hoc.id)) == "Ad hoc (outside the plan)"
    assert plan_mark_text(marks.get(planned_contact.id)) == "Planned: 2026-Q1"


@pytest.mark.parametrize(("due", "text"), [
    (None, "no due date"), (date(2026, 3, 8), "2 days overdue"), (date(2026, 3, 9), "1 day overdue"),
    (TODAY, "due today"), (date(2026, 3, 11), "due tomorrow"), (date(2026, 3, 12), "due Thu 12 Mar"),
    (date(2027, 1, 4), "due Mon 4 Jan 2027"),
])
def test_due_dates_read_as_a_person_says_them(due, text):
    assert due_text(due, TODAY) == text


def test_two_taps_at_once_make_one_contact(planned, db_url):
    """Two Starts of one planned contact at the same moment (two phones): one contact, both get it."""
    import threading
    import time

    from data.db import session_scope

    session, world = planned
    engine = db.get_engine(db_url)
    auditor = SimpleNamespace(id=world["auditor"].id, role="auditor")  # no ORM row shared between threads
    assignment_id = world["assignment"].id
    session.rollback()  # the fixture's session holds no transaction while the two taps run
    first_started, got = threading.Event(), {}

    def slow_first():
        with session_scope(engine) as own:
            got["first"] = start_assignment(session=own, actor=auditor, assignment_id=assignment_id).id
            first_started.set()
            time.sleep(0.5)  # still uncommitted while the second tap arrives

    thread = threading.Thread(target=slow_first)
    thread.start()
    assert first_started.wait(10)
    with session_scope(engine) as own:
        got["second"] = start_assignment(session=own, actor=auditor, assignment_id=assignment_id).id
    thread.join()
    assert got["first"] == got["second"]
    with session_scope(engine) as own:
        assert len(own.exec(select(Contact)).all()) == 1
