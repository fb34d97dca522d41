"""`klantreis users` sub-commands: passwd, set-role, deactivate, activate."""

import pytest
from typer.testing import CliRunner

from data import db
from journeys.errors import NotFoundError, ValidationError
from journeys.users import SignInRefused, authenticate


@pytest.fixture
def cli(app_env, people):
    from cli.main import app

    runner = CliRunner()
    return lambda *args: runner.invoke(app, list(args))


def _sign_in(engine, username, password):
    with db.session_scope(engine) as session:
        return authenticate(session=session, username=username, password=password)


def test_passwd_set_role_deactivate_and_activate(cli, engine):
    """The operator changes a password and role, deactivates and reactivates an account."""
    assert cli("users", "passwd", "auditor2", "--password", "brand-new-pw").exit_code == 0
    result = cli("users", "set-role", "auditor2", "manager")
    assert result.exit_code == 0 and "is now manager" in result.output
    assert _sign_in(engine, "auditor2", "brand-new-pw").role == "manager"
    assert cli("users", "deactivate", "auditor2").exit_code == 0
    with pytest.raises(SignInRefused):
        _sign_in(engine, "auditor2", "brand-new-pw")
    assert "no" in cli("users", "list").output
    assert cli("users", "activate", "auditor2").exit_code == 0
    assert _sign_in(engine, "auditor2", "brand-new-pw").username == "auditor2"


def test_unknown_user_and_bad_role_are_user_errors(cli):
    """An unknown account or role ends in a domain error (exit 1 in `main`), not a crash."""
    assert isinstance(cli("users", "deactivate", "nobody").exception, NotFoundError)
    assert isinstance(cli("users", "set-role", "auditor2", "boss").exception, ValidationError)
