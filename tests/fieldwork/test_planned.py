"""A planned contact's status and the one query of planned contacts (journeys.fieldwork.planned)."""

from datetime import date, timedelta

import pytest
from sqlmodel import Session, select

from data import db
from journeys.catalogue.reference import get_or_create_location
from journeys.fieldwork.planned import assignment_of_contact, planned_contacts, status_of
from journeys.models import Assignment
from tests.factories import make_contact, make_plan_line, make_world

TODAY = date(2026, 3, 10)


@pytest.mark.parametrize(("auditor", "due", "contact", "draft", "status"), [
    (None, None, None, None, "unassigned"),
    (1, None, None, None, "to_do"),
    (1, TODAY + timedelta(days=3), None, None, "to_do"),
    (1, TODAY + timedelta(days=2), None, None, "due_soon"),
    (1, TODAY, None, None, "due_soon"),
    (1, TODAY - timedelta(days=1), None, None, "overdue"),
    (None, TODAY - timedelta(days=1), None, None, "overdue"),
    (1, TODAY - timedelta(days=1), 5, True, "overdue"),
    (1, TODAY, 5, True, "started"),
    (1, TODAY - timedelta(days=9), 5, False, "done"),
])
def test_status_of_a_planned_contact(auditor, due, contact, draft, status):
    assert status_of(auditor_id=auditor, due_on=due, contact_id=contact, contact_is_draft=draft,
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
        contact = make_contact(world, channel="phone", location_id=store.id)
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
