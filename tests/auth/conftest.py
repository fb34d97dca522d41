"""Fixtures for account and security tests: one user per role on a fresh database."""

import pytest

from data import db
from journeys.accounts import users
from journeys.accounts.users import create_user
from journeys.models import utcnow
from tests.factories import make_contact, make_world


@pytest.fixture
def people(engine):
    """A world (brand, journey, auditor1) plus auditor2, a manager and an admin; returns detached rows."""
    with db.session_scope(engine) as session:
        world = make_world(session)
        world["auditor2"] = create_user(session=session, username="auditor2", role="auditor", password="auditor2-pass")
        world["manager"] = create_user(session=session, username="manager", role="manager", password="manager-pass")
        world["admin"] = create_user(session=session, username="admin", role="admin", password="admin-pass1")
        world["contact1"] = make_contact(world, notes="by auditor1", review_status="open", released_at=None)
        world["contact2"] = make_contact(world, notes="by auditor2", auditor_id=world["auditor2"].id,
                                          review_status="open", released_at=None)
        session.add_all([world["contact1"], world["contact2"]])
    return world


class Clock:
    """A controllable replacement for journeys.accounts.users.utcnow."""

    def __init__(self):
        self.now = utcnow()

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    """Stand the sign-in clock still (``clock.now`` moves it by hand)."""
    clock = Clock()
    monkeypatch.setattr(users, "utcnow", clock)
    return clock
