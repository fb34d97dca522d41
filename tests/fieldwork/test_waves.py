"""Waves: creating, editing, closing and reopening them, and a closed wave refusing contacts
(journeys.fieldwork.waves)."""

from datetime import date

import pytest
from sqlmodel import Session, select

from data import db
from journeys.errors import PermissionDenied, ValidationError
from journeys.fieldwork.contacts import ContactStart, save_contact, start_contact
from journeys.fieldwork.waves import close_wave, create_wave, reopen_wave, update_wave, waves_frame
from journeys.models import ChangeLog, Role, User, WaveChannel
from tests.factories import T0, make_plan_line, make_world


def planner(session, role=Role.MANAGER, name="planner"):
    user = User(username=name, role=role.value, password_hash="x")
    session.add(user)
    session.flush()
    return user


@pytest.fixture
def session(db_url):
    engine = db.get_engine(db_url)
    with Session(engine) as session:
        yield session


def test_create_wave_with_scope_and_read_it_in_words(session):
    """A wave keeps its channels as scope rows; the table names them and says 'all' for the rest."""
    world = make_world(session)
    manager = planner(session)
    wave = create_wave(session=session, actor=manager, name=" 2026-Q2 ", starts_on=date(2026, 4, 1),
                       ends_on=date(2026, 6, 30), channel_ids=[world["channels"]["phone"].id])
    assert wave.name == "2026-Q2"
    assert session.exec(select(WaveChannel.channel_id).where(WaveChannel.wave_id == wave.id)).all() == [
        world["channels"]["phone"].id]
    make_plan_line(session, world, quantity=3)
    frame = waves_frame(session=session, actor=manager)
    row = frame.set_index("name").loc["2026-Q2"]
    assert (row["channels"], row["brands"], row["journeys"], bool(row["closed"])) == (
        "Phone", "all brands", "all journeys", False)
    assert frame.set_index("name").loc["2026-Q1", "planned"] == 3


def test_wave_rules_name_every_problem(session):
    """An empty name, a taken name and an end before the start are refused, each named."""
    make_world(session)
    manager = planner(session)
    with pytest.raises(ValidationError) as refused:
        create_wave(session=session, actor=manager, name="  ", starts_on=date(2026, 4, 2), ends_on=date(2026, 4, 1))
    assert {p.field for p in refused.value.problems} == {"name", "ends_on"}
    with pytest.raises(ValidationError, match="already the name"):
        create_wave(session=session, actor=manager, name="2026-Q1", starts_on=date(2026, 1, 1),
                    ends_on=date(2026, 3, 31))
    auditor = planner(session, Role.AUDITOR, "someone")
    with pytest.raises(PermissionDenied):
        create_wave(session=session, actor=auditor, name="X", starts_on=date(2026, 1, 1), ends_on=date(2026, 1, 2))


def test_scope_cannot_leave_out_planned_lines(session):
    """Narrowing a wave's channels to exclude a planned line is refused, naming the channel."""
    world = make_world(session)
    manager = planner(session)
    make_plan_line(session, world, channel="phone")
    with pytest.raises(ValidationError, match="phone"):
        update_wave(session=session, actor=manager, wave_id=world["wave"].id, name="2026-Q1",
                    starts_on=date(2026, 1, 1), ends_on=date(2026, 3, 31),
                    channel_ids=[world["channels"]["email"].id])
    update_wave(session=session, actor=manager, wave_id=world["wave"].id, name="2026-Q1b",
                starts_on=date(2026, 1, 1), ends_on=date(2026, 3, 31))
    assert world["wave"].name == "2026-Q1b"


def test_closed_wave_takes_no_contact_and_only_an_admin_reopens(session):
    """Closing logs who closed; a contact cannot be started or saved in it; a manager cannot reopen."""
    world = make_world(session)
    manager = planner(session)
    auditor = world["auditor"]
    start = ContactStart(journey_id=world["journey"].id, brand_id=world["brand"].id,
                         channel_id=world["channels"]["email"].id, wave_id=world["wave"].id, started_at=T0)
    contact = start_contact(session=session, actor=auditor, start=start, now=T0)
    close_wave(session=session, actor=manager, wave_id=world["wave"].id)
    log = session.exec(select(ChangeLog).where(ChangeLog.entity == "wave", ChangeLog.field == "closed_at")).one()
    assert log.user_id == manager.id
    with pytest.raises(ValidationError, match="wave 2026-Q1 is closed"):
        start_contact(session=session, actor=auditor, start=start, now=T0)
    with pytest.raises(ValidationError, match="is closed"):
        save_contact(session=session, actor=auditor, contact_id=contact.id, changes={"notes": "late"})
    with pytest.raises(ValidationError, match="closed already"):
        close_wave(session=session, actor=manager, wave_id=world["wave"].id)
    with pytest.raises(PermissionDenied):
        reopen_wave(session=session, actor=manager, wave_id=world["wave"].id)
    admin = planner(session, Role.ADMIN, "boss")
    reopen_wave(session=session, actor=admin, wave_id=world["wave"].id)
    save_contact(session=session, actor=auditor, contact_id=contact.id, changes={"notes": "late"})
    assert contact.notes == "late"
