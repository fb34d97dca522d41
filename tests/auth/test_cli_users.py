"""`klantreis users` sub-commands: passwd, set-role, deactivate, activate, unlock."""

import pytest
from typer.testing import CliRunner

from data import db
from journeys.accounts.users import SignInRefused, authenticate


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
    """An unknown account or role ends in one line naming it, exit 1, not a crash."""
    unknown = cli("users", "deactivate", "nobody")
    assert unknown.exit_code == 1 and "nobody" in unknown.output and "Traceback" not in unknown.output
    bad_role = cli("users", "set-role", "auditor2", "boss")
    assert bad_role.exit_code == 1 and "boss" in bad_role.output and "Traceback" not in bad_role.output


def test_unlock_lifts_a_sign_in_lock(cli, engine):
    """`users unlock` lifts the account's sign-in locks from every address, password unchanged."""
    from datetime import timedelta

    from journeys.accounts.users import UNKNOWN_SOURCE, username_key
    from journeys.models import SignInThrottle, utcnow

    with db.session_scope(engine) as session:
        session.add(SignInThrottle(username_sha256=username_key("admin"), source=UNKNOWN_SOURCE,
                                   locked_until=utcnow() + timedelta(minutes=15)))
    with pytest.raises(SignInRefused, match="locked"):
        _sign_in(engine, "admin", "admin-pass1")
    result = cli("users", "unlock", "admin")
    assert result.exit_code == 0 and "1 sign-in lock lifted" in result.output
    assert _sign_in(engine, "admin", "admin-pass1").username == "admin"
