"""The fieldwork plan: quick fill, one line's changes, deleting, and the plan table
(journeys.fieldwork.plan)."""

import time
from datetime import date, timedelta

import pytest
from sqlmodel import Session, select

from data import db
from journeys.catalogue.reference import get_or_create_location
from journeys.errors import PermissionDenied, ValidationError
from journeys.fieldwork.plan import delete_line, fill_quota, plan_frame, set_line
from journeys.fieldwork.waves import close_wave
from journeys.models import Assignment, PlanLine, Role, User
from tests.factories import T0, make_contact, make_world


def manager_of(session):
    user = User(username="planner", role=Role.MANAGER.value)
    session.add(user)
    session.flush()
    return user


@pytest.fixture
def session(db_url):
    engine = db.get_engine(db_url)
    with Session(engine) as session:
        yield session


def _fill(session, world, actor, **overrides):
    values = dict(wave_id=world["wave"].id, brand_ids=[world["brand"].id], journey_ids=[world["journey"].id],
                  channel_ids=[world["channels"][c].id for c in ("phone", "email", "whatsapp")], per_cell=2)
    values.update(overrides)
    return fill_quota(session=session, actor=actor, **values)


def _count(session, line_id=None):
    query = select(Assignment)
    if line_id is not None:
        query = query.where(Assignment.plan_line_id == line_id)
    return len(session.exec(query).all())


def test_quick_fill_every_location_and_channel(session):
    """Every non-archived location × the channels the journey runs on, 2 each; WhatsApp skipped."""
    world = make_world(session)
    manager = manager_of(session)
    for name in ("Utrecht", "Breda", "Gone"):
        get_or_create_location(session=session, brand=world["brand"], name=name)
    gone = get_or_create_location(session=session, brand=world["brand"], name="Gone")
    gone.archived = True
    session.flush()
    result = _fill(session, world, manager, due_on=date(2026, 3, 20))
    assert (result.added, result.assignments_added) == (4, 8)
    assert result.skipped == [("Ask about a delivery", "WhatsApp")] and result.without_locations == []
    frame = plan_frame(session=session, actor=manager, wave_id=world["wave"].id)
    assert sorted(frame["location"]) == ["Breda", "Breda", "Utrecht", "Utrecht"]
    assert set(frame["channel"]) == {"Phone", "E-mail"}
    assert list(frame["quantity"]) == [2] * 4 and list(frame["assigned"]) == [0] * 4
    again = _fill(session, world, manager, due_on=date(2026, 3, 20))
    assert (again.added, again.changed, again.unchanged, again.assignments_added) == (0, 0, 4, 0)


def test_brand_level_fill_and_lowering_keeps_made_contacts(session):
    """Lowering a line removes unassigned planned contacts first and never one with a contact."""
    world = make_world(session)
    manager = manager_of(session)
    _fill(session, world, manager, location_ids=[], channel_ids=[world["channels"]["phone"].id], per_cell=4)
    line = session.exec(select(PlanLine)).one()
    assert line.location_id is None and _count(session, line.id) == 4
    rows = session.exec(select(Assignment).order_by(Assignment.id)).all()
    contact = make_contact(world, channel="phone", resolved_at=T0 + timedelta(hours=3))  # the call ended: done
    session.add(contact)
    session.flush()
    rows[0].contact_id = contact.id
    rows[1].auditor_id = world["auditor"].id
    session.flush()
    set_line(session=session, actor=manager, line_id=line.id, quantity=2, time_slot="after_hours",
             due_on=date(2026, 3, 1))
    kept = session.exec(select(Assignment).order_by(Assignment.id)).all()
    assert [a.id for a in kept] == [rows[0].id, rows[1].id]
    assert {a.due_on for a in kept} == {date(2026, 3, 1)} and line.time_slot == "after_hours"
    row = plan_frame(session=session, actor=manager, wave_id=world["wave"].id).iloc[0]
    assert (row["location"], row["quantity"], row["assigned"], row["done"]) == ("", 2, 1, 1)
    second = make_contact(world, channel="phone")
    session.add(second)
    session.flush()
    kept[1].contact_id = second.id
    session.flush()
    with pytest.raises(ValidationError, match="cannot go below 2"):
        set_line(session=session, actor=manager, line_id=line.id, quantity=1, time_slot="after_hours", due_on=None)
    with pytest.raises(ValidationError, match="have a contact"):
        delete_line(session=session, actor=manager, line_id=line.id)


def test_refusals_name_field_and_rule(session):
    """Quantity bounds, a closed wave, a location of another brand and a non-planner are refused."""
    world = make_world(session)
    manager = manager_of(session)
    with pytest.raises(ValidationError, match="from 1 to 1000"):
        _fill(session, world, manager, location_ids=[], per_cell=1001)
    with pytest.raises(ValidationError, match="have no locations"):
        _fill(session, world, manager)
    with pytest.raises(PermissionDenied):
        _fill(session, world, world["auditor"], location_ids=[])
    close_wave(session=session, actor=manager, wave_id=world["wave"].id)
    with pytest.raises(ValidationError, match="is closed"):
        _fill(session, world, manager, location_ids=[])


def test_delete_line_removes_its_planned_contacts(session):
    """A line nobody has started is deleted with its planned contacts."""
    world = make_world(session)
    manager = manager_of(session)
    _fill(session, world, manager, location_ids=[], channel_ids=[world["channels"]["email"].id])
    line = session.exec(select(PlanLine)).one()
    delete_line(session=session, actor=manager, line_id=line.id)
    assert _count(session) == 0 and session.exec(select(PlanLine)).all() == []


def test_ten_thousand_planned_contacts_in_seconds(session):
    """500 locations × 2 channels × 10 each: 10,000 planned contacts written in bulk."""
    world = make_world(session)
    manager = manager_of(session)
    from journeys.models import Location

    session.add_all([Location(brand_id=world["brand"].id, name=f"Store {i:03}") for i in range(500)])
    session.flush()
    began = time.perf_counter()
    result = _fill(session, world, manager, channel_ids=[world["channels"]["phone"].id,
                                                         world["channels"]["email"].id], per_cell=10)
    elapsed = time.perf_counter() - began
    assert result.assignments_added == 10_000 and _count(session) == 10_000
    assert elapsed < 10, elapsed


def test_every_location_names_brands_without_locations(session):
    """A fill of every location says which chosen brand got nothing because it has no location."""
    from journeys.catalogue.reference import get_or_create_brand

    world = make_world(session)
    manager = manager_of(session)
    get_or_create_location(session=session, brand=world["brand"], name="Utrecht")
    empty = get_or_create_brand(session=session, name="Leeg")
    result = _fill(session, world, manager, brand_ids=[world["brand"].id, empty.id])
    assert result.added == 2 and result.without_locations == ["Leeg"]


def test_every_plan_change_is_in_the_change_log(session):
    """Adding lines, changing a quantity, due date or slot and deleting a line are logged for the
    planner, old → new (entity plan_line)."""
    from journeys.models import ChangeLog

    world = make_world(session)
    manager = manager_of(session)
    _fill(session, world, manager, location_ids=[], channel_ids=[world["channels"]["phone"].id], per_cell=2)
    line_id = session.exec(select(PlanLine)).one().id
    set_line(session=session, actor=manager, line_id=line_id, quantity=3, time_slot="weekend",
             due_on=date(2026, 3, 20))
    delete_line(session=session, actor=manager, line_id=line_id)
    entries = session.exec(select(ChangeLog).where(ChangeLog.entity == "plan_line").order_by(ChangeLog.id)).all()
    assert [(e.action, e.field, e.old_value, e.new_value) for e in entries] == [
        ("create", "quantity", None, "2"),
        ("update", "time_slot", "any", "weekend"),
        ("update", "quantity", "2", "3"),
        ("update", "due_on", None, "2026-03-20"),
        ("delete", "quantity", "3", None),
    ]
    assert {e.user_id for e in entries} == {manager.id} and {e.entity_id for e in entries} == {line_id}
