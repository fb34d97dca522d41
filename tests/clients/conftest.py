"""What the clients-and-locations tests share: the test world and a manager who plans the study."""

import pytest

from data import db
from journeys.accounts.users import create_user
from tests.factories import make_world


@pytest.fixture
def study(engine):
    """The test world (brand Koopklik, an auditor, a journey) plus a manager account (``planner``)."""
    with db.session_scope(engine) as session:
        made = make_world(session)
        made["manager"] = create_user(session=session, username="planner", role="manager",
                                      password="planner-pass1")
    return made
