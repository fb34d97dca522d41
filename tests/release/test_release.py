"""Releasing a wave's approved contacts to the client, and a wave's release settings
(journeys.review.release), on SQLite and PostgreSQL."""

import pytest
from sqlmodel import Session, select

from data import db
from journeys.errors import NotFoundError, PermissionDenied, ValidationError
from journeys.fieldwork.waves import close_wave
from journeys.models import ChangeLog, Contact, ReleaseMode, ReviewAction, ReviewEvent, ReviewStatus, Role, User, Wave
from journeys.review.release import release_counts, release_wave, set_release_settings
from journeys.review.states import releases_on_approval
from tests.factories import make_contact, make_world


def user(session, role, name):
    person = User(username=name, role=role.value, password_hash="x")
    session.add(person)
    session.flush()
    return person


@pytest.fixture
def session(db_url):
    with Session(db.get_engine(db_url)) as session:
        yield session


def in_review(world, status: ReviewStatus, **extra) -> Contact:
    return make_contact(world, review_status=status.value, released_at=None, **extra)


def wave_with_every_status(session) -> dict:
    """One released, two approved, one submitted, one returned and one open contact in wave 2026-Q1."""
    world = make_world(session)
    session.add_all([make_contact(world), in_review(world, ReviewStatus.APPROVED),
                     in_review(world, ReviewStatus.APPROVED), in_review(world, ReviewStatus.SUBMITTED),
                     in_review(world, ReviewStatus.RETURNED), in_review(world, ReviewStatus.OPEN)])
    session.flush()
    return world


def statuses(session, wave_id):
    return sorted(c.review_status for c in session.exec(select(Contact).where(Contact.wave_id == wave_id)))


def test_release_wave_releases_exactly_the_approved_contacts_with_the_trail(session):
    """Both approved contacts become released with a time and one RELEASED step each; the others stay."""
    world = wave_with_every_status(session)
    manager = user(session, Role.MANAGER, "manager")
    wave_id = world["wave"].id
    assert release_counts(session, manager, wave_id).by_status == {
        "open": 1, "submitted": 1, "returned": 1, "approved": 2, "released": 1}

    assert release_wave(session=session, actor=manager, wave_id=wave_id) == 2
    session.commit()

    counts = release_counts(session, manager, wave_id)
    assert counts.by_status == {"open": 1, "submitted": 1, "returned": 1, "approved": 0, "released": 3}
    assert counts.released_at is not None
    events = session.exec(select(ReviewEvent)).all()
    assert len(events) == 2
    assert {e.action for e in events} == {ReviewAction.RELEASED.value}
    assert {e.user_id for e in events} == {manager.id}
    released_now = session.exec(select(Contact).where(Contact.id.in_([e.contact_id for e in events]))).all()
    assert all(c.review_status == "released" and c.released_at is not None for c in released_now)
    log = session.exec(select(ChangeLog).where(ChangeLog.entity == "wave", ChangeLog.field == "released_at")).all()
    assert [(entry.entity_id, entry.user_id) for entry in log] == [(wave_id, manager.id)]
    # the wave is released: approving another contact of it releases it at once
    wave = session.get(Wave, wave_id)
    assert releases_on_approval(has_wave=True, release_mode=wave.release_mode, wave_released_at=wave.released_at)


def test_release_refusals(session):
    """Nothing approved, a role that may not release, an unknown wave: each refused, nothing written."""
    world = make_world(session)
    session.add(in_review(world, ReviewStatus.SUBMITTED))
    session.flush()
    manager = user(session, Role.MANAGER, "manager")
    with pytest.raises(ValidationError, match="no approved contacts to release .1 not yet approved"):
        release_wave(session=session, actor=manager, wave_id=world["wave"].id)
    assert session.get(Wave, world["wave"].id).released_at is None
    for role in (Role.REVIEWER, Role.AUDITOR, Role.CLIENT):
        with pytest.raises(PermissionDenied):
            release_wave(session=session, actor=user(session, role, f"x-{role}"), wave_id=world["wave"].id)
        with pytest.raises(PermissionDenied):
            release_counts(session, user(session, role, f"y-{role}"), world["wave"].id)
    with pytest.raises(NotFoundError):
        release_wave(session=session, actor=manager, wave_id=99999)
    assert session.exec(select(ReviewEvent)).all() == []


def test_a_closed_wave_can_still_be_released(session):
    """Closing is about fieldwork: an admin releases the approved contacts of a closed wave."""
    world = make_world(session)
    session.add(in_review(world, ReviewStatus.APPROVED))
    session.flush()
    admin = user(session, Role.ADMIN, "admin")
    close_wave(session=session, actor=admin, wave_id=world["wave"].id)
    assert release_wave(session=session, actor=admin, wave_id=world["wave"].id) == 1
    assert statuses(session, world["wave"].id) == ["released"]


def test_switching_to_continuous_releases_what_is_approved(session):
    """Continuous: the approved contacts are released at once (with their trail); the change is logged."""
    world = wave_with_every_status(session)
    manager = user(session, Role.MANAGER, "manager")
    wave_id = world["wave"].id
    released = set_release_settings(session=session, actor=manager, wave_id=wave_id,
                                    release_mode=ReleaseMode.CONTINUOUS.value, appeal_days=14)
    assert released == 2
    wave = session.get(Wave, wave_id)
    assert (wave.release_mode, wave.appeal_days) == ("continuous", 14)
    assert statuses(session, wave_id).count("released") == 3
    assert len(session.exec(select(ReviewEvent)).all()) == 2
    fields = {(e.field, e.old_value, e.new_value) for e in session.exec(
        select(ChangeLog).where(ChangeLog.entity == "wave", ChangeLog.entity_id == wave_id))}
    assert fields == {("release_mode", "at_once", "continuous"), ("appeal_days", "7", "14")}
    # back to at once releases nothing more
    assert set_release_settings(session=session, actor=manager, wave_id=wave_id,
                                release_mode=ReleaseMode.AT_ONCE.value, appeal_days=14) == 0


@pytest.mark.parametrize(("mode", "days", "fields"), [
    ("sometimes", 7, {"release_mode"}),
    ("at_once", -1, {"appeal_days"}),
    ("at_once", 91, {"appeal_days"}),
    ("at_once", "seven", {"appeal_days"}),
    ("at_once", 2.5, {"appeal_days"}),
    ("weekly", 100, {"release_mode", "appeal_days"}),
])
def test_release_settings_are_validated(session, mode, days, fields):
    """A mode outside ReleaseMode or appeal days outside 0..90 is refused, naming field, value and what is allowed."""
    world = make_world(session)
    manager = user(session, Role.MANAGER, "manager")
    with pytest.raises(ValidationError) as refused:
        set_release_settings(session=session, actor=manager, wave_id=world["wave"].id, release_mode=mode,
                             appeal_days=days)
    problems = {p.field: p for p in refused.value.problems}
    assert set(problems) == fields
    if "release_mode" in problems:
        assert problems["release_mode"].value == mode and "at_once, continuous" in problems["release_mode"].message
    if "appeal_days" in problems:
        assert problems["appeal_days"].value == days and "0 to 90" in problems["appeal_days"].message
    wave = session.get(Wave, world["wave"].id)
    assert (wave.release_mode, wave.appeal_days) == ("at_once", 7)


def test_release_settings_need_a_releaser(session):
    """A reviewer may approve but not change a wave's release settings."""
    world = make_world(session)
    with pytest.raises(PermissionDenied):
        set_release_settings(session=session, actor=user(session, Role.REVIEWER, "rev"), wave_id=world["wave"].id,
                             release_mode="continuous", appeal_days=7)
