"""A planned contact's status and the one query of planned contacts (journeys.fieldwork.planned)."""

from datetime import date, timedelta

import pytest
from sqlmodel import Session, select

from data import db
from journeys.catalogue.reference import get_or_create_location
from journeys.fieldwork.planned import assignment_of_contact, planned_contacts, status_of
from journeys.models import Answer, Assignment
from tests.factories import T0, make_contact, make_plan_line, make_world

TODAY = date(2026, 3, 10)


@pytest.mark.parametrize(("auditor", "due", "contact", "logged", "status"), [
    (None, None, None, False, "unassigned"),
    (1, None, None, False, "to_do"),
    (1, TODAY + timedelta(days=3), None, False, "to_do"),
    (1, TODAY + timedelta(days=2), None, False, "due_soon"),
    (1, TODAY, None, False, "due_soon"),
    (1, TODAY - timedelta(days=1), None, False, "overdue"),
    (None, TODAY - timedelta(days=1), None, False, "overdue"),
    (1, TODAY - timedelta(days=1), 5, False, "overdue"),
    (1, TODAY, 5, False, "started"),
    (1, TODAY - timedelta(days=9), 5, True, "done"),
])
def test_status_of_a_planned_contact(auditor, due, contact, logged, status):
    assert status_of(auditor_id=auditor, due_on=due, contact_id=contact, contact_logged=logged,
                     today=TODAY) == status


def test_planned_contacts_reads_names_and_status_in_due_date_order(db_url):
    engine = db.get_engine(db_url)
    with Session(engine) as session:
        world = make_world(session)
        store = get_or_create_location(session=session, brand=world["brand"], name="Utrecht")
        store.region = "Midden"
        make_plan_line(session, world, channel="email", quantity=1, auditor=world["auditor"])
        make_plan_line(session, world, channel="phone", quantity=2, location=store,
                       due_on=TODAY - timedelta(days=1), auditor=world["auditor"])
        contact = make_contact(world, channel="phone", location_id=store.id,
                               resolved_at=T0 + timedelta(hours=3))
        session.add(contact)
        session.flush()
        first = session.exec(select(Assignment).order_by(Assignment.id)).all()[1]
        first.contact_id = contact.id
        session.commit()
        frame = planned_contacts(session=session, today=TODAY, wave_id=world["wave"].id)
        assert list(frame["channel"]) == ["phone", "phone", "email"]
        assert list(frame["status"]) == ["done", "overdue", "to_do"]
        assert list(frame["region"]) == ["Midden", "Midden", ""]
        assert set(frame["auditor"]) == {"auditor1"}
        assert assignment_of_contact(session=session, contact_id=contact.id).id == first.id
        mine = planned_contacts(session=session, today=TODAY, auditor_id=world["auditor"].id + 99)
        assert mine.empty and "status" in mine.columns


def test_a_planned_contact_is_done_once_its_contact_is_answered_or_assessed(db_url):
    """Started but the call not ended: started. Ended: done. An e-mail with no reply: started until
    its checklist is saved, then done. A draft: never done."""
    engine = db.get_engine(db_url)
    with Session(engine) as session:
        world = make_world(session)
        make_plan_line(session, world, channel="phone", quantity=2, auditor=world["auditor"])
        make_plan_line(session, world, channel="email", quantity=2, auditor=world["auditor"])
        calling = make_contact(world, channel="phone", first_response_at=T0)
        ended = make_contact(world, channel="phone", first_response_at=T0, resolved_at=T0 + timedelta(minutes=5))
        silent = make_contact(world, channel="email", first_response_at=None)
        draft = make_contact(world, channel="email", is_draft=True)
        session.add_all([calling, ended, silent, draft])
        session.flush()
        for assignment, contact in zip(session.exec(select(Assignment).order_by(Assignment.id)).all(),
                                       [calling, ended, silent, draft], strict=True):
            assignment.contact_id = contact.id
        session.commit()

        def statuses():
            frame = planned_contacts(session=session, today=TODAY).sort_values("assignment_id")
            return list(frame["status"])

        assert statuses() == ["started", "done", "started", "started"]
        criterion = world["version"].id
        from journeys.models import Criterion
        first = session.exec(select(Criterion).where(Criterion.version_id == criterion)).first()
        session.add_all([Answer(contact_id=silent.id, criterion_id=first.id, value=0.0),
                         Answer(contact_id=draft.id, criterion_id=first.id, value=1.0)])
        session.commit()
        assert statuses() == ["started", "done", "done", "started"]
