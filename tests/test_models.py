"""The schema holds the rules: bad values are rejected with a message naming the field."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import select

from data.db import session_scope
from journeys.errors import ValidationError
from journeys.models import Answer, Brand, Channel, Contact, Criterion, User
from tests.factories import T0, make_contact, make_world


def test_timestamps_round_trip_as_timezone_aware_utc(engine):
    """A contact's timestamps come back timezone-aware and equal to what was stored."""
    with session_scope(engine) as session:
        world = make_world(session)
        contact = make_contact(world)
        session.add(contact)
    with session_scope(engine) as session:
        stored = session.exec(select(Contact)).one()
        assert stored.started_at == T0
        assert stored.started_at.utcoffset() == timedelta(0)
        assert stored.first_response_at - stored.started_at == timedelta(hours=2)


def test_naive_timestamp_is_refused(engine):
    """A timestamp without a timezone is refused instead of being guessed."""
    with pytest.raises(sa.exc.StatementError, match="timezone-aware"):
        with session_scope(engine) as session:
            world = make_world(session)
            session.add(make_contact(world, started_at=T0.replace(tzinfo=None)))


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"first_response_at": T0 - timedelta(minutes=1)}, "first_response_at"),
        ({"acknowledged_at": T0 - timedelta(seconds=1)}, "acknowledged_at"),
        ({"resolved_at": T0 + timedelta(hours=1)}, "resolved_at"),  # before the first response (T0+2h)
        ({"wait_seconds": -5}, "wait_seconds"),
        ({"transfers": -1}, "transfers"),
    ],
)
def test_contact_constraints_name_the_field(engine, overrides, field):
    """Each contact rule held by the database reports the field it protects."""
    with pytest.raises(ValidationError) as caught:
        with session_scope(engine) as session:
            world = make_world(session)
            session.add(make_contact(world, **overrides))
    assert caught.value.problems[0].field == field
    with session_scope(engine) as session:  # nothing half-written
        assert session.exec(select(Contact)).all() == []
        assert session.exec(select(Brand)).all() == []


def test_external_id_is_unique_per_brand(engine):
    """The same external id twice for one brand is refused; nothing of the action is kept."""
    with session_scope(engine) as session:
        world = make_world(session)
        session.add(make_contact(world, external_id="X-1"))
    with pytest.raises(ValidationError, match="external_id: this brand already has a contact"):
        with session_scope(engine) as session:
            world_ids = session.exec(select(Contact)).one()
            duplicate = Contact(**world_ids.model_dump(exclude={"id"}))
            session.add(duplicate)
    with session_scope(engine) as session:
        assert len(session.exec(select(Contact)).all()) == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"weight": -1.0}, "weight"),
        ({"kind": "scale", "scale_min": 5.0, "scale_max": 1.0}, "scale_max"),
        ({"kind": "stars"}, "kind"),
        ({"bonus": True, "critical_policy": "zero_contact"}, "critical_policy"),
        ({"critical_policy": "explode"}, "critical_policy"),
    ],
)
def test_criterion_constraints(engine, change, field):
    """Criterion rules (weight, scale range, kind, bonus-not-critical) are enforced by the schema."""
    with session_scope(engine) as session:
        world = make_world(session)
        version_id = world["version"].id
    with pytest.raises(ValidationError) as caught:
        with session_scope(engine) as session:
            session.add(Criterion(version_id=version_id, code="NEW", text="New item", **change))
    assert caught.value.problems[0].field == field


def test_answer_is_a_value_or_na_not_both(engine):
    """An answer row holds either a value or N/A."""
    with session_scope(engine) as session:
        world = make_world(session)
        contact = make_contact(world)
        session.add(contact)
        session.flush()
        criterion_id = session.exec(select(Criterion.id)).first()
        contact_id = contact.id
    with pytest.raises(ValidationError, match="value"):
        with session_scope(engine) as session:
            session.add(Answer(contact_id=contact_id, criterion_id=criterion_id, value=1.0, is_na=True))


def test_foreign_keys_are_enforced(engine):
    """A contact pointing at a brand that does not exist is refused (SQLite too)."""
    with pytest.raises(ValidationError, match="reference"):
        with session_scope(engine) as session:
            world = make_world(session)
            session.add(make_contact(world, brand_id=999_999))


def test_unknown_channel_kind_and_role_are_refused(engine):
    """Enumerated columns only take their allowed values."""
    with pytest.raises(ValidationError, match="kind: must be one of"):
        with session_scope(engine) as session:
            session.add(Channel(name="pigeon", kind="bird"))
    with pytest.raises(ValidationError, match="role: must be"):
        with session_scope(engine) as session:
            session.add(User(username="x1", role="boss", password_hash="-"))


def test_default_wave_is_the_running_one_else_none():
    from datetime import date

    from journeys.catalogue.reference import default_wave
    from journeys.models import Wave

    q2 = Wave(name="2026-Q2", starts_on=date(2026, 4, 1), ends_on=date(2026, 6, 30))
    q3 = Wave(name="2026-Q3", starts_on=date(2026, 7, 1), ends_on=date(2026, 9, 30))
    loose = Wave(name="pilot")
    assert default_wave([q2, q3, loose], date(2026, 5, 10)) is q2  # running today, though not the newest
    # no wave covers 1 December: none is guessed (it used to be the newest by name, 2026-Q3)
    assert default_wave([q2, q3, loose], date(2026, 12, 1)) is None
    assert default_wave([loose], date(2026, 5, 10)) is None  # a wave without dates covers no day
    assert default_wave([q2, q3], date(2026, 9, 30)) is q3  # its last day is covered
    assert default_wave([], date(2026, 5, 10)) is None
