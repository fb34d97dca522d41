"""Sign-in hardening: nothing tells an unknown username from a wrong password, and a stranger's
guessing locks only the stranger's own source, never the account's owner (admin included)."""

import re
from datetime import timedelta

import pytest
from sqlmodel import select

from data import db
from journeys.accounts import users
from journeys.accounts.users import MAX_FAILED_LOGINS, SignInRefused, authenticate
from journeys.models import ChangeLog, SignInThrottle
from tests.apptest import sign_in


def _refusal(engine, username, password, **source) -> str:
    with db.session_scope(engine) as session, pytest.raises(SignInRefused) as refused:
        authenticate(session=session, username=username, password=password, **source)
    return str(refused.value)


def _run_of_failures(engine, clock, username) -> list[str]:
    """Every refusal of six wrong passwords in a row, waiting out each delay, then one in the lock."""
    messages = []
    for _ in range(MAX_FAILED_LOGINS + 1):
        messages.append(_refusal(engine, username, "wrong-password"))
        messages.append(_refusal(engine, username, "wrong-password"))  # at once: inside the delay or lock
        clock.now += timedelta(seconds=10)
    return messages


def test_unknown_username_and_wrong_password_get_identical_messages(engine, people, clock):
    """A run of failures for a real account and for a name nobody has reads the same, word for word,
    through the delay, the attempts left and the lock."""
    real = _run_of_failures(engine, clock, "manager")
    unknown = _run_of_failures(engine, clock, "nobody-here")
    assert real == unknown
    assert "4 attempts left" in real[0] and "locked for 15 min" in " ".join(real)


def test_deactivated_account_answers_like_an_unknown_one(engine, people, clock):
    """A deactivated account's right password gets the first-failure message of any unknown name."""
    with db.session_scope(engine) as session:
        users.set_active(session=session, actor=people["admin"], user_id=people["manager"].id, active=False)
    assert _refusal(engine, "manager", "manager-pass") == _refusal(engine, "nobody-here", "manager-pass")


@pytest.mark.parametrize("username", ["nobody-here", "manager"])
def test_every_refused_name_costs_one_argon2_check(engine, people, monkeypatch, username):
    """An unknown username is checked against a real argon2 hash, exactly as a wrong password is."""
    checked: list[str] = []
    real_check = users.password_matches

    def counting_check(password_hash, password):
        checked.append(password_hash)
        return real_check(password_hash, password)

    monkeypatch.setattr(users, "password_matches", counting_check)
    _refusal(engine, username, "wrong-password")
    assert len(checked) == 1 and checked[0].startswith("$argon2")


def test_unknown_usernames_go_through_the_same_bookkeeping(engine, people):
    """A failure for an unknown name is counted like one for a real account (rows keyed by the
    typed name's hash; the name itself is not stored)."""
    _refusal(engine, "nobody-here", "wrong-password", source="203.0.113.9")
    _refusal(engine, "manager", "wrong-password", source="203.0.113.9")
    with db.session_scope(engine) as session:
        rows = session.exec(select(SignInThrottle)).all()
    by_name = {}
    for row in rows:
        by_name.setdefault(row.username_sha256, {})[row.source] = row.failed_logins
    assert by_name == {users.username_key("nobody-here"): {"*": 1, "203.0.113.9": 1},
                       users.username_key("manager"): {"*": 1, "203.0.113.9": 1}}
    assert all("nobody" not in row.username_sha256 for row in rows)


def test_a_stranger_cannot_lock_the_only_admin_out(engine, people, clock):
    """Five wrong passwords from a stranger's address lock that address only; the admin, from
    another address, waits out the short delay and signs in; the stranger stays locked."""
    stranger, office = {"source": "198.51.100.7"}, {"source": "192.0.2.10"}
    for _ in range(MAX_FAILED_LOGINS):
        message = _refusal(engine, "admin", "guess", **stranger)
        clock.now += timedelta(seconds=10)
    assert "locked for 15 min" in message
    assert "locked" in _refusal(engine, "admin", "admin-pass1", **stranger)
    with db.session_scope(engine) as session:
        assert authenticate(session=session, username="admin", password="admin-pass1", **office).username == "admin"
    assert "locked" in _refusal(engine, "admin", "admin-pass1", **stranger)


def test_the_delay_counts_every_source_but_is_capped(engine, people, clock):
    """Guessing from many addresses at once still meets the account-wide delay, which never grows
    past the one before a lock (8 s), so a stranger can slow the owner down only that much."""
    waits = []
    for n in range(3 * MAX_FAILED_LOGINS):
        message = _refusal(engine, "admin", "guess", source=f"198.51.100.{n}")
        waits.append(int(found.group(1)) if (found := re.search(r"Wait (\d+) s", message)) else 0)
        clock.now += timedelta(seconds=9)
    assert waits == [0, 2, 4, 8] + [8] * (3 * MAX_FAILED_LOGINS - 4)
    _refusal(engine, "admin", "guess", source="198.51.100.200")
    assert "wait 8 s" in _refusal(engine, "admin", "admin-pass1", source="192.0.2.10")  # the owner waits too
    clock.now += timedelta(seconds=9)
    with db.session_scope(engine) as session:
        assert authenticate(session=session, username="admin", password="admin-pass1", source="192.0.2.10")


def test_admin_sees_and_lifts_locks(engine, people, clock):
    """The Users page's count of locked sources, and lifting them (logged), lets the owner in at once."""
    for _ in range(MAX_FAILED_LOGINS):
        _refusal(engine, "manager", "wrong-password", source="192.0.2.44")
        clock.now += timedelta(seconds=10)
    with db.session_scope(engine) as session:
        assert users.locked_sources(session=session, actor=people["admin"], usernames=["manager", "admin"]) == {
            "manager": 1, "admin": 0}
        assert users.lift_sign_in_locks(session=session, actor=people["admin"], user_id=people["manager"].id) == 1
    with db.session_scope(engine) as session:
        assert authenticate(session=session, username="manager", password="manager-pass", source="192.0.2.44")
        logged = session.exec(select(ChangeLog).where(ChangeLog.field == "sign_in_locks")).all()
    assert [(entry.entity_id, entry.old_value, entry.new_value) for entry in logged] == [(people["manager"].id, "1", "0")]


def test_quiet_runs_of_failures_are_forgotten_and_pruned(engine, people, clock):
    """A run of failures that went quiet for the lock's length starts afresh, and its rows go."""
    _refusal(engine, "random-name-1", "x")
    clock.now += users.LOCK_DURATION + timedelta(minutes=1)
    assert "4 attempts left" in _refusal(engine, "manager", "wrong-password")
    assert "4 attempts left" in _refusal(engine, "random-name-1", "x")
    with db.session_scope(engine) as session:
        names = {row.username_sha256 for row in session.exec(select(SignInThrottle)).all()}
    assert names == {users.username_key("manager"), users.username_key("random-name-1")}


def _form_error(username: str, password: str) -> str:
    return sign_in(username, password).error[0].value


def test_sign_in_form_shows_one_message_for_unknown_user_and_wrong_password(app_env, engine, people):
    """On the sign-in form an unknown username and a wrong password read exactly the same."""
    wrong_password = _form_error("manager", "wrong-password")
    unknown_user = _form_error("nobody-here", "wrong-password")
    assert wrong_password == unknown_user
    assert "attempts left" in unknown_user


def test_users_page_shows_a_lock_and_lifts_it(app_env, engine, people, clock):
    """Admin → Users shows from how many addresses an account is locked and lifts the locks."""
    for _ in range(MAX_FAILED_LOGINS):
        _refusal(engine, "manager", "wrong-password", source="192.0.2.44")
        clock.now += timedelta(seconds=10)
    at = sign_in("admin", "admin-pass1")
    at.switch_page("pages/admin_users.py").run()
    rows = at.dataframe[0].value.set_index("Username")
    assert rows.loc["manager", "Sign-in locked from"] == "1 address" and rows.loc["admin", "Sign-in locked from"] == ""
    at.selectbox(key="admin_users_account").select("manager").run()
    next(b for b in at.button if b.label == "Lift sign-in locks").click().run()
    assert not at.exception and "Sign-in locks of manager lifted" in at.success[0].value
    with db.session_scope(engine) as session:
        assert not users.sign_in_blocked(session=session, username="manager", source="192.0.2.44")


@pytest.mark.parametrize(("address", "headers", "trust", "expected"), [
    ("203.0.113.5", [("X-Forwarded-For", "192.0.2.1")], False, "203.0.113.5"),  # a client cannot pick its source
    (None, [("X-Forwarded-For", "192.0.2.1, 198.51.100.2")], False, "198.51.100.2"),  # the hop our proxy added
    (None, [("X-Forwarded-For", "192.0.2.1"), ("X-Forwarded-For", "198.51.100.3")], False, "198.51.100.3"),
    (None, [("X-Real-IP", "198.51.100.4"), ("X-Forwarded-For", "192.0.2.1")], False, "198.51.100.4"),
    ("10.0.0.2", [("X-Forwarded-For", "198.51.100.5")], True, "198.51.100.5"),  # a declared proxy elsewhere
    (None, [], False, "local"),
])
def test_the_source_of_an_attempt(monkeypatch, address, headers, trust, expected):
    """The sign-in source is the connection's address; proxy headers count only from a local or
    declared proxy; with neither, one shared 'local' source."""
    from types import SimpleNamespace

    from streamlit.runtime.context import StreamlitHeaders

    from ui import session as ui_session

    monkeypatch.setattr(ui_session.st, "context", SimpleNamespace(ip_address=address, headers=StreamlitHeaders(headers)))
    if trust:
        monkeypatch.setenv(ui_session.TRUST_PROXY_ENV, "1")
    else:
        monkeypatch.delenv(ui_session.TRUST_PROXY_ENV, raising=False)
    assert ui_session.sign_in_source() == expected


def test_simultaneous_failures_for_quiet_names_do_not_deadlock(engine, people, clock, monkeypatch):
    """Two attempts for two names whose earlier runs went quiet, each holding its own rows while
    pruning the other's stale ones, both end in their refusal (no deadlock on PostgreSQL)."""
    import threading

    for name in ("name-a", "name-b"):
        _refusal(engine, name, "x")
    clock.now += users.LOCK_DURATION + timedelta(minutes=1)
    real_hold = users._hold_throttle
    both_hold = threading.Barrier(2)

    def hold_then_wait(*args, **kwargs):
        rows = real_hold(*args, **kwargs)
        if engine.dialect.name == "postgresql":  # SQLite lets one writer at a time in: nothing to wait for
            both_hold.wait(timeout=30)
        return rows

    monkeypatch.setattr(users, "_hold_throttle", hold_then_wait)
    outcomes: list[str] = []

    def attempt(name):
        try:
            outcomes.append(_refusal(engine, name, "x"))
        except Exception as error:  # noqa: BLE001 - the failure this test is about
            outcomes.append(repr(error))

    threads = [threading.Thread(target=attempt, args=(name,)) for name in ("name-a", "name-b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert outcomes == ["Unknown username or wrong password (4 attempts left before a lock)."] * 2, outcomes
