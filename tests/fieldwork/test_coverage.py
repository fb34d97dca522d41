"""The plan's coverage of a dashboard's contacts (journeys.fieldwork.coverage): the count, on both
databases, agrees with the status rule of the planned contacts; the words say short, complete or nothing."""

from datetime import date, timedelta

import pytest
from sqlmodel import Session, select

from data import db
from journeys.catalogue.reference import get_or_create_location
from journeys.fieldwork.contact_filter import ContactFilter
from journeys.fieldwork.coverage import PlanCoverage, coverage_unmoved, coverage_words, plan_coverage, plan_version
from journeys.fieldwork.frames import data_version
from journeys.fieldwork.planned import planned_contacts
from journeys.language import use_language
from journeys.models import Assignment, ChangeLog
from tests.factories import T0, make_contact, make_plan_line, make_world

TODAY = date(2026, 3, 10)


@pytest.fixture
def planned_world(db_url):
    """A plan of 6 contacts: 2 e-mail at brand level (1 done), 4 phone at a store in region
    "Midden" (1 done, 1 started as a draft, all 4 due yesterday)."""
    engine = db.get_engine(db_url)
    with Session(engine) as session:
        world = make_world(session)
        store = get_or_create_location(session=session, brand=world["brand"], name="Utrecht")
        store.region = "Midden"
        make_plan_line(session, world, channel="email", quantity=2, auditor=world["auditor"])
        make_plan_line(session, world, channel="phone", quantity=4, location=store,
                       due_on=TODAY - timedelta(days=1), auditor=world["auditor"])
        done_mail = make_contact(world, channel="email")
        done_phone = make_contact(world, channel="phone", location_id=store.id, resolved_at=T0 + timedelta(hours=3))
        draft_phone = make_contact(world, channel="phone", location_id=store.id, is_draft=True)
        session.add_all([done_mail, done_phone, draft_phone])
        session.flush()
        assignments = session.exec(select(Assignment).order_by(Assignment.id)).all()
        assignments[0].contact_id = done_mail.id
        assignments[2].contact_id = done_phone.id
        assignments[3].contact_id = draft_phone.id
        session.commit()
        yield {"engine": engine, "session": session, "world": world}


def test_coverage_counts_planned_done_and_overdue_by_the_filter(planned_world):
    """Planned, done (its contact saved complete, not a draft) and overdue planned contacts for
    the filter's names, brand-level lines outside any location or region list; nothing planned: None."""
    session, world = planned_world["session"], planned_world["world"]
    brand, wave = world["brand"].name, world["wave"].name

    def coverage(**names):
        return plan_coverage(session=session, flt=ContactFilter(**names), today=TODAY)

    assert coverage() == PlanCoverage(planned=6, done=2, overdue=3)
    assert coverage(brands=(brand,), waves=(wave,)) == PlanCoverage(planned=6, done=2, overdue=3)
    assert coverage(channels=("email",)) == PlanCoverage(planned=2, done=1, overdue=0)
    assert coverage(regions=("Midden",)) == PlanCoverage(planned=4, done=1, overdue=3)
    assert coverage(locations=("Utrecht",), channels=("phone",)) == PlanCoverage(planned=4, done=1, overdue=3)
    assert coverage(journeys=(world["journey"].name,)).planned == 6
    for nothing in ({"regions": ("Noord",)}, {"waves": ("2027-Q1",)}, {"channels": ("twitter",)},
                    {"brands": ("Nobody BV",)}):
        assert coverage(**nothing) is None, nothing
    # the period, auditors and contact ids are not the plan's: they change nothing
    assert coverage(auditor_ids=(999,), contact_ids=(-1,)) == coverage()


def test_coverage_agrees_with_the_status_of_each_planned_contact(planned_world):
    """One rule: the done and overdue counts are the planned contacts ``planned_contacts`` calls
    done and overdue, on any day."""
    session = planned_world["session"]
    for today in (TODAY - timedelta(days=5), TODAY, TODAY + timedelta(days=30)):
        frame = planned_contacts(session=session, today=today)
        counted = plan_coverage(session=session, flt=ContactFilter(), today=today)
        assert counted == PlanCoverage(planned=len(frame), done=int((frame["status"] == "done").sum()),
                                       overdue=int((frame["status"] == "overdue").sum()))


def test_plan_version_changes_when_a_planned_contact_is_linked(planned_world):
    """The cache fingerprint moves when a contact is made for a planned contact or the plan grows."""
    session, world = planned_world["session"], planned_world["world"]
    before = plan_version(session=session)
    contact = make_contact(world, channel="email")
    session.add(contact)
    session.flush()
    session.exec(select(Assignment).order_by(Assignment.id)).all()[1].contact_id = contact.id
    session.flush()
    linked = plan_version(session=session)
    assert linked != before
    make_plan_line(session, world, channel="twitter", quantity=1)
    assert plan_version(session=session) != linked


def test_coverage_unmoved_only_by_contacts_that_are_no_planned_ones(planned_world):
    """Between two data versions the coverage stands when only contacts changed and none of them
    is a planned one; a planned contact among them, another entity's change-log entry (an
    assignment handed back, a wave renamed) or a mark that went down moves it."""
    session, world = planned_world["session"], planned_world["world"]
    engine = planned_world["engine"]
    linked = session.exec(select(Assignment.contact_id).where(Assignment.contact_id.is_not(None))).all()
    before = data_version(engine)
    unplanned = make_contact(world, channel="email")
    session.add(unplanned)
    session.flush()
    session.add(ChangeLog(changed_at=T0, user_id=world["auditor"].id, entity="contact", entity_id=unplanned.id,
                          action="update", field="notes", old_value=None, new_value="x"))
    session.commit()
    after = data_version(engine)
    assert after != before
    with engine.connect() as connection:
        assert coverage_unmoved(connection, before, after, {unplanned.id})
        assert not coverage_unmoved(connection, before, after, {unplanned.id, linked[0]})
        assert not coverage_unmoved(connection, after, before, set())  # marks down: a restore
    for entity in ("assignment", "wave"):
        session.add(ChangeLog(changed_at=T0, user_id=world["auditor"].id, entity=entity, entity_id=1,
                              action="update", field="due_on", old_value=None, new_value="x"))
        session.commit()
        with engine.connect() as connection:
            assert not coverage_unmoved(connection, after, data_version(engine), set()), entity


@pytest.mark.parametrize(("coverage", "english", "dutch"), [
    (None, "", ""),
    (PlanCoverage(planned=40, done=34, overdue=0), "34 of 40 planned contacts · fieldwork not complete",
     "34 van 40 geplande contacten · veldwerk niet compleet"),
    (PlanCoverage(planned=40, done=34, overdue=3), "34 of 40 planned contacts · fieldwork not complete (3 overdue)",
     "34 van 40 geplande contacten · veldwerk niet compleet (3 te laat)"),
    (PlanCoverage(planned=1200, done=1200, overdue=0), "1,200 of 1,200 planned contacts",
     "1.200 van 1.200 geplande contacten"),
    (PlanCoverage(planned=1, done=1, overdue=0), "1 of 1 planned contact", "1 van 1 gepland contact"),
])
def test_coverage_words_short_complete_and_none(coverage, english, dutch):
    """Short: done of planned and "fieldwork not complete" (with the overdue count); complete:
    done of planned alone; nothing planned: nothing. In English and in Dutch."""
    assert coverage_words(coverage) == english
    with use_language("nl"):
        assert coverage_words(coverage) == dutch
