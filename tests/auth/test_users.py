"""Account services: sign-in slow-down and lock, session tokens, and admin-only account changes."""

from datetime import timedelta

import pytest
from sqlmodel import select

from data import db
from journeys.accounts import sessions as auth_sessions
from journeys.accounts import users
from journeys.accounts.users import SignInRefused, authenticate
from journeys.errors import PermissionDenied, ValidationError
from journeys.models import AuthSession, ChangeLog, User, utcnow


def _attempt(engine, username, password):
    with db.session_scope(engine) as session:
        return authenticate(session=session, username=username, password=password)


def test_failures_slow_down_then_lock(engine, people, clock):
    """Each failure makes the next attempt wait longer; the fifth locks the account for 15 minutes."""
    with pytest.raises(SignInRefused, match="4 attempts left") as first:
        _attempt(engine, "manager", "wrong")
    assert "Wait" not in str(first.value)
    with pytest.raises(SignInRefused, match="3 attempts left.*Wait 2 s"):
        _attempt(engine, "manager", "wrong")
    with pytest.raises(SignInRefused, match="wait 2 s before trying again"):
        _attempt(engine, "manager", "manager-pass")  # even the right password waits
    clock.now += timedelta(seconds=3)
    with pytest.raises(SignInRefused, match="2 attempts left.*Wait 4 s"):
        _attempt(engine, "manager", "wrong")
    clock.now += timedelta(seconds=5)
    with pytest.raises(SignInRefused, match="1 attempt left.*Wait 8 s"):
        _attempt(engine, "manager", "wrong")
    clock.now += timedelta(seconds=9)
    with pytest.raises(SignInRefused, match="locked for 15 min"):
        _attempt(engine, "manager", "wrong")
    clock.now += timedelta(minutes=5)
    with pytest.raises(SignInRefused, match="locked .* try again in 10 min"):
        _attempt(engine, "manager", "manager-pass")
    clock.now += timedelta(minutes=11)
    assert _attempt(engine, "manager", "manager-pass").username == "manager"


def test_success_resets_the_failure_count(engine, people, clock):
    """A correct password after a failure starts the count afresh."""
    with pytest.raises(SignInRefused):
        _attempt(engine, "manager", "wrong")
    _attempt(engine, "manager", "manager-pass")
    with pytest.raises(SignInRefused, match="4 attempts left"):
        _attempt(engine, "manager", "wrong")


def test_session_token_is_stored_only_as_its_hash(engine, people):
    """The token finds its user, and the database holds only the SHA-256, never the token."""
    with db.session_scope(engine) as session:
        token = auth_sessions.start_session(session=session, user=session.get(User, people["manager"].id))
    with db.session_scope(engine) as session:
        stored = session.exec(select(AuthSession.token_sha256)).all()
        assert stored == [auth_sessions.token_digest(token)] and token not in stored
        assert auth_sessions.user_for_token(session=session, token=token).username == "manager"
        assert auth_sessions.user_for_token(session=session, token=token + "x") is None


def test_revoked_and_expired_tokens_sign_nobody_in(engine, people):
    """Sign-out revokes a token; an expired token no longer works either."""
    with db.session_scope(engine) as session:
        manager = session.get(User, people["manager"].id)
        revoked = auth_sessions.start_session(session=session, user=manager)
        expired = auth_sessions.start_session(session=session, user=manager)
    with db.session_scope(engine) as session:
        auth_sessions.revoke_token(session=session, token=revoked)
        row = session.exec(
            select(AuthSession).where(AuthSession.token_sha256 == auth_sessions.token_digest(expired))
        ).one()
        row.created_at = utcnow() - timedelta(days=30)
        row.expires_at = utcnow() - timedelta(days=1)
        session.add(row)
    with db.session_scope(engine) as session:
        assert auth_sessions.user_for_token(session=session, token=revoked) is None
        assert auth_sessions.user_for_token(session=session, token=expired) is None


ADMIN_ACTIONS = {
    "list_users": lambda s, actor, target: users.list_users(session=s, actor=actor),
    "add_user": lambda s, actor, target: users.add_user(session=s, actor=actor, username="newbie", role="auditor", password="long-enough"),
    "set_role": lambda s, actor, target: users.set_role(session=s, actor=actor, user_id=target, role="admin"),
    "reset_password": lambda s, actor, target: users.reset_password(session=s, actor=actor, user_id=target, password="new-password"),
    "set_active": lambda s, actor, target: users.set_active(session=s, actor=actor, user_id=target, active=False),
    "link_sso_email": lambda s, actor, target: users.link_sso_email(session=s, actor=actor, user_id=target, email="a@b.org"),
}


@pytest.mark.parametrize("action", sorted(ADMIN_ACTIONS))
@pytest.mark.parametrize("who", ["auditor", "manager"])
def test_only_admins_manage_accounts(engine, people, action, who):
    """Every account-administration service refuses auditors and managers."""
    with pytest.raises(PermissionDenied, match="manage accounts"), db.session_scope(engine) as session:
        ADMIN_ACTIONS[action](session, people[who], people["auditor2"].id)


def test_admin_changes_role_resets_password_and_deactivates(engine, people):
    """An admin's changes take effect, sign the account out everywhere and are logged."""
    admin, target = people["admin"], people["auditor2"].id
    with db.session_scope(engine) as session:
        token = auth_sessions.start_session(session=session, user=session.get(User, target))
    with db.session_scope(engine) as session:
        users.set_role(session=session, actor=admin, user_id=target, role="manager")
    with db.session_scope(engine) as session:
        assert auth_sessions.user_for_token(session=session, token=token) is None
        users.reset_password(session=session, actor=admin, user_id=target, password="fresh-password")
    assert _attempt(engine, "auditor2", "fresh-password").role == "manager"
    with db.session_scope(engine) as session:
        users.set_active(session=session, actor=admin, user_id=target, active=False)
    with pytest.raises(SignInRefused, match="Unknown username or wrong password"):
        _attempt(engine, "auditor2", "fresh-password")
    with db.session_scope(engine) as session:
        assert session.get(User, target) is not None  # deactivated, never deleted
        fields = session.exec(select(ChangeLog.field).where(ChangeLog.entity == "user")).all()
    assert fields == ["role", "password", "active"]


def test_last_admin_cannot_be_demoted_or_deactivated(engine, people):
    """The installation always keeps an active admin, and nobody deactivates themselves."""
    admin = people["admin"]
    with pytest.raises(ValidationError, match="last active admin"), db.session_scope(engine) as session:
        users.set_role(session=session, actor=admin, user_id=admin.id, role="manager")
    with pytest.raises(ValidationError, match="your own account"), db.session_scope(engine) as session:
        users.set_active(session=session, actor=admin, user_id=admin.id, active=False)


def test_bad_inputs_name_the_field(engine, people):
    """A short password, an unknown role or a taken username are refused with the field named."""
    admin, target = people["admin"], people["auditor2"].id
    with pytest.raises(ValidationError, match="password: must have at least 8"), db.session_scope(engine) as session:
        users.reset_password(session=session, actor=admin, user_id=target, password="short")
    with pytest.raises(ValidationError, match="role: must be one of"), db.session_scope(engine) as session:
        users.set_role(session=session, actor=admin, user_id=target, role="boss")
    with pytest.raises(ValidationError, match="username: is already taken"), db.session_scope(engine) as session:
        users.add_user(session=session, actor=admin, username="manager", role="auditor", password="long-enough")


def test_sso_email_signs_in_only_when_linked(engine, people):
    """An OIDC e-mail maps to an account only after an admin links it, and never to a deactivated one."""
    admin, target = people["admin"], people["manager"].id
    with db.session_scope(engine) as session:
        assert users.get_user_by_sso_email(session=session, email="m@example.org") is None
        users.link_sso_email(session=session, actor=admin, user_id=target, email="M@Example.org")
    with db.session_scope(engine) as session:
        assert users.get_user_by_sso_email(session=session, email="m@example.org").username == "manager"
        with pytest.raises(ValidationError, match="already linked to manager"):
            users.link_sso_email(session=session, actor=admin, user_id=people["auditor2"].id, email="m@example.org")
    with db.session_scope(engine) as session:
        users.set_active(session=session, actor=admin, user_id=target, active=False)
    with db.session_scope(engine) as session:
        assert users.get_user_by_sso_email(session=session, email="m@example.org") is None


def test_a_nul_character_in_the_username_is_just_a_refused_sign_in(engine, people):
    """PostgreSQL refuses NUL even as a query parameter: the form must still answer with its message."""
    with db.session_scope(engine) as session, pytest.raises(SignInRefused, match="Unknown username"):
        authenticate(session=session, username="auditor1\x00", password="whatever")


def test_a_burst_of_attempts_neither_lifts_the_lock_nor_slips_past_it(engine, people, monkeypatch, clock):
    """Seven tabs read the account before any of them checks its password (a barrier in the
    check): six wrong passwords and the right one. The account must end blocked, and the right
    password, checked after the block, must be refused. The clock stands still, so the 2 s delay
    the second failure sets cannot run out on a slow machine before the right password is checked."""
    import threading

    real_check = users.password_matches
    tabs = users.MAX_FAILED_LOGINS + 2
    everyone_has_read = threading.Barrier(tabs)
    order = threading.Lock()  # check the passwords one at a time, the right one last

    def gated_check(password_hash, password):
        everyone_has_read.wait(timeout=60)
        if password == "manager-pass":
            while len(results) < tabs - 1:
                threading.Event().wait(0.01)
        with order:
            return real_check(password_hash, password)

    monkeypatch.setattr(users, "password_matches", gated_check)
    results: list[str] = []

    def attempt(password):
        try:
            _attempt(engine, "manager", password)
            results.append("signed in")
        except SignInRefused as refusal:
            results.append(str(refusal))

    threads = [threading.Thread(target=attempt, args=("wrong",)) for _ in range(tabs - 1)]
    threads.append(threading.Thread(target=attempt, args=("manager-pass",)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(results) == tabs and "signed in" not in results, results
    with db.session_scope(engine) as session:
        assert users.sign_in_blocked(session=session, username="manager"), results
