"""What the journey pages' tests share: the test world with an admin, who alone edits journeys."""

import pytest

from data import db
from data.db import session_scope
from journeys.accounts.users import create_user
from tests.factories import make_world


@pytest.fixture
def world_env(app_env):
    """The test world (one journey) and an admin account (``admin`` / ``admin-pass1``)."""
    with session_scope(db.get_engine(app_env)) as session:
        make_world(session)
        create_user(session=session, username="admin", role="admin", password="admin-pass1")
    return app_env
