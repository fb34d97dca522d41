"""User accounts: argon2 password hashes, sign-in with slow-down and lock, account administration."""

import json
import re
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, func, select

from journeys.access import ensure_role
from journeys.auth_sessions import revoke_user_sessions
from journeys.errors import NotFoundError, Problem, ValidationError
from journeys.models import ChangeLog, Role, Setting, User, utcnow

_hasher = PasswordHasher()

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,59}$")
MIN_PASSWORD_LENGTH = 8
# Failed sign-ins before the account is locked, and for how long.
MAX_FAILED_LOGINS = 5
LOCK_DURATION = timedelta(minutes=15)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def user_problems(*, username: str, role: str, password: str | None) -> list[Problem]:
    problems = []
    if not USERNAME_PATTERN.match(username or ""):
        problems.append(
            Problem("username", username, "use 2–60 lowercase letters, digits, '.', '_' or '-', starting with a letter or digit")
        )
    if role not in {r.value for r in Role}:
        problems.append(Problem("role", role, f"must be one of {[r.value for r in Role]}"))
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        problems.append(Problem("password", None, f"must have at least {MIN_PASSWORD_LENGTH} characters"))
    return problems


def create_user(*, session: Session, username: str, role: str, password: str, display_name: str = "") -> User:
    """Add a user with an argon2-hashed password.

    Raises:
        ValidationError: bad username, role or password, or the username is taken.
    """
    username = (username or "").strip().lower()
    problems = user_problems(username=username, role=role, password=password)
    if problems:
        raise ValidationError(problems)
    # Hash before the first query: on SQLite that query takes the database's write lock
    # (data.db), and argon2's deliberate fifth of a second would stall everyone's saves.
    password_hash = hash_password(password)
    if session.exec(select(User).where(User.username == username)).first():
        raise ValidationError(Problem("username", username, "is already taken"))
    user = User(
        username=username,
        display_name=(display_name or "").strip() or username,
        role=role,
        password_hash=password_hash,
    )
    session.add(user)
    session.flush()
    return user


def get_user(*, session: Session, username: str) -> User | None:
    name = (username or "").strip().lower()
    if "\x00" in name:  # no account holds one, and PostgreSQL refuses it even as a query parameter
        return None
    return session.exec(select(User).where(User.username == name)).first()


def is_locked(user: User) -> bool:
    return user.locked_until is not None and user.locked_until > utcnow()


def retry_delay(failed_logins: int) -> timedelta:
    """How long the next attempt must wait after this many failures in a row (0, 2, 4, 8 s ...).

    Stored as ``locked_until`` in the database, so the slow-down holds across browser tabs,
    sessions and server processes rather than only inside one script run.
    """
    if failed_logins <= 1:
        return timedelta(0)
    return timedelta(seconds=2 ** (failed_logins - 1))


class SignInRefused(Exception):
    """Sign-in failed; the message is safe to show (it never says which part was wrong)."""


def _seconds_left(until) -> int:
    return max(1, int((until - utcnow()).total_seconds() + 0.999))


def _locked_refusal(user: User) -> SignInRefused:
    if user.failed_logins == 0:  # a full lock, not the short slow-down between attempts
        minutes = max(1, round((user.locked_until - utcnow()).total_seconds() / 60))
        return SignInRefused(f"This account is locked after too many failed attempts; try again in {minutes} min.")
    return SignInRefused(
        f"Too many failed attempts in a row: wait {_seconds_left(user.locked_until)} s before trying again."
    )


def authenticate(*, session: Session, username: str, password: str) -> User:
    """The active user with this username and password, counting failures towards a lock.

    Each failure in a row makes the next attempt wait longer (``retry_delay``); the
    ``MAX_FAILED_LOGINS``-th locks the account for ``LOCK_DURATION``.

    The password is checked between two short transactions, never inside one: argon2 takes a
    fifth of a second of CPU by design, and on SQLite every transaction holds the database's
    single write lock (``BEGIN IMMEDIATE``, see data.db), so checking inside it would stall every
    other user's save — and a burst of sign-ins at the start of a shift could make them wait
    past the busy timeout and fail. The caller's session is committed before the check.

    Raises:
        SignInRefused: unknown user, wrong password, deactivated, slowed-down or locked account.
    """
    user = get_user(session=session, username=username)
    if user is None or not user.active:
        session.commit()  # end the read before hashing (see above)
        # Hash anyway so a wrong username costs as much time as a wrong password.
        password_matches(_DUMMY_HASH, password or "")
        raise SignInRefused("Unknown username or wrong password.")
    if is_locked(user):
        raise _locked_refusal(user)
    password_hash = user.password_hash
    session.commit()  # end the read before hashing (see above)
    matches = password_matches(password_hash, password or "")
    # Decide on the newest state, holding the row (PostgreSQL; SQLite holds the whole database
    # from here): attempts made at the same moment in other tabs may have locked the account,
    # an admin may have deactivated it or reset its password meanwhile. Each wrong attempt
    # counts. NO KEY UPDATE: the account's own saves elsewhere (rows referring to it) need not wait.
    session.refresh(user, with_for_update={"key_share": True})
    if not user.active or user.password_hash != password_hash:
        session.commit()
        raise SignInRefused("Unknown username or wrong password.")
    if is_locked(user):
        session.commit()
        raise _locked_refusal(user)
    if not matches:
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until = utcnow() + LOCK_DURATION
            user.failed_logins = 0
            session.add(user)
            session.commit()  # the failed attempt must count even though sign-in fails
            raise SignInRefused(
                f"Too many failed attempts: the account is locked for {int(LOCK_DURATION.total_seconds() // 60)} min."
            )
        delay = retry_delay(user.failed_logins)
        user.locked_until = utcnow() + delay if delay else None
        session.add(user)
        session.commit()  # the failed attempt must count even though sign-in fails
        left = MAX_FAILED_LOGINS - user.failed_logins
        wait = f" Wait {int(delay.total_seconds())} s before the next attempt." if delay else ""
        raise SignInRefused(
            f"Unknown username or wrong password ({left} attempt{'s' if left != 1 else ''} left before a lock).{wait}"
        )
    if user.failed_logins or user.locked_until:
        user.failed_logins = 0
        user.locked_until = None
        session.add(user)
    return user


# ---------------------------------------------------------------------------------------------
# Account administration (admins only). Accounts are deactivated, never deleted, so every
# contact and change-log entry stays attributable to a person.


def list_users(*, session: Session, actor) -> list[User]:
    """Every account, active first, then by username."""
    ensure_role(actor, Role.ADMIN, action="manage accounts")
    return list(session.exec(select(User).order_by(User.active.desc(), User.username)).all())


def _get_for_admin(session: Session, actor, user_id: int) -> User:
    ensure_role(actor, Role.ADMIN, action="manage accounts")
    user = session.get(User, user_id)
    if user is None:
        raise NotFoundError(f"No user with id {user_id}.")
    return user


def _active_admins(session: Session) -> int:
    return session.exec(
        select(func.count()).select_from(User).where(User.role == Role.ADMIN.value, User.active)
    ).one()


def _log(session: Session, actor, user: User, field: str, old, new) -> None:
    session.add(ChangeLog(
        user_id=getattr(actor, "id", None), entity="user", entity_id=user.id, action="update",
        field=field, old_value=None if old is None else str(old), new_value=None if new is None else str(new),
    ))


def add_user(*, session: Session, actor, username: str, role: str, password: str, display_name: str = "") -> User:
    """An admin adds an account (see ``create_user`` for the rules)."""
    ensure_role(actor, Role.ADMIN, action="manage accounts")
    user = create_user(session=session, username=username, role=role, password=password, display_name=display_name)
    session.add(ChangeLog(user_id=getattr(actor, "id", None), entity="user", entity_id=user.id, action="create"))
    return user


def set_role(*, session: Session, actor, user_id: int, role: str) -> User:
    """Change an account's role; the last active admin cannot be demoted.

    Raises:
        ValidationError: unknown role, or the change would leave no active admin.
    """
    user = _get_for_admin(session, actor, user_id)
    if role not in {r.value for r in Role}:
        raise ValidationError(Problem("role", role, f"must be one of {[r.value for r in Role]}"))
    if user.role == role:
        return user
    if user.role == Role.ADMIN.value and user.active and _active_admins(session) <= 1:
        raise ValidationError(Problem("role", role, f"{user.username} is the last active admin; make another admin first"))
    _log(session, actor, user, "role", user.role, role)
    user.role = role
    session.add(user)
    revoke_user_sessions(session=session, user_id=user.id)  # open browsers pick up the new role on sign-in
    return user


def reset_password(*, session: Session, actor, user_id: int, password: str) -> User:
    """Set a new password, lift any lock and sign the account out everywhere.

    Raises:
        ValidationError: the password is too short.
    """
    user = _get_for_admin(session, actor, user_id)
    problems = [p for p in user_problems(username=user.username, role=user.role, password=password) if p.field == "password"]
    if problems:
        raise ValidationError(problems)
    user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    session.add(user)
    _log(session, actor, user, "password", None, "reset")
    revoke_user_sessions(session=session, user_id=user.id)
    return user


def set_active(*, session: Session, actor, user_id: int, active: bool) -> User:
    """Deactivate (or reactivate) an account; a deactivated account cannot sign in.

    Raises:
        ValidationError: deactivating yourself or the last active admin.
    """
    user = _get_for_admin(session, actor, user_id)
    if user.active == active:
        return user
    if not active:
        if user.id == getattr(actor, "id", None):
            raise ValidationError(Problem("active", user.username, "you cannot deactivate your own account"))
        if user.role == Role.ADMIN.value and _active_admins(session) <= 1:
            raise ValidationError(Problem("active", user.username, "is the last active admin; make another admin first"))
    _log(session, actor, user, "active", user.active, active)
    user.active = active
    session.add(user)
    if not active:
        revoke_user_sessions(session=session, user_id=user.id)
    return user


def find_user_id(*, session: Session, username: str) -> int:
    """The id of the account with this username.

    Raises:
        NotFoundError: no such account.
    """
    user = get_user(session=session, username=username)
    if user is None:
        raise NotFoundError(f"No user named {username!r}.")
    return user.id


_DUMMY_HASH = hash_password("not-a-real-password")
# ---------------------------------------------------------------------------------------------
# Single sign-on: an OIDC identity (e-mail) is linked to an account by an admin. No e-mail is
# ever trusted by its shape alone: an unlinked identity signs nobody in.

SSO_EMAILS_SETTING = "sso_emails"


def _sso_links(session: Session) -> dict[str, str]:
    row = session.get(Setting, SSO_EMAILS_SETTING)
    return json.loads(row.value_json) if row and row.value_json else {}


def sso_email_of(*, session: Session, username: str) -> str:
    """The single-sign-on e-mail linked to ``username`` ('' when none)."""
    return next((email for email, name in _sso_links(session).items() if name == username), "")


def link_sso_email(*, session: Session, actor, user_id: int, email: str) -> User:
    """Link (or with '' unlink) the OIDC e-mail that signs in as this account.

    Raises:
        ValidationError: not an e-mail address, or linked to another account already.
    """
    user = _get_for_admin(session, actor, user_id)
    email = (email or "").strip().lower()
    if email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        raise ValidationError(Problem("sso_email", email, "must be an e-mail address like name@example.org"))
    links = _sso_links(session)
    if email and links.get(email, user.username) != user.username:
        raise ValidationError(Problem("sso_email", email, f"is already linked to {links[email]}"))
    old = sso_email_of(session=session, username=user.username)
    links = {e: n for e, n in links.items() if n != user.username}
    if email:
        links[email] = user.username
    row = session.get(Setting, SSO_EMAILS_SETTING) or Setting(key=SSO_EMAILS_SETTING)
    row.value_json = json.dumps(links, sort_keys=True)
    row.updated_at = utcnow()
    session.add(row)
    if old != email:
        _log(session, actor, user, "sso_email", old or None, email or None)
    return user


def get_user_by_sso_email(*, session: Session, email: str | None) -> User | None:
    """The active account an OIDC e-mail is linked to, else None."""
    username = _sso_links(session).get((email or "").strip().lower())
    user = get_user(session=session, username=username) if username else None
    return user if user is not None and user.active else None
