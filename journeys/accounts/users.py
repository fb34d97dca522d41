"""User accounts: argon2 password hashes, sign-in with slow-down and lock, account administration."""

import functools
import hashlib
import json
import re
from datetime import timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, func, select

from journeys.accounts.access import USER_ADMINS, ensure_role
from journeys.accounts.sessions import revoke_user_sessions
from journeys.errors import NotFoundError, Problem, ValidationError
from journeys.language import N_, _, ngettext, number
from journeys.models import ChangeLog, Role, Setting, SignInThrottle, User, utcnow

# The one place the password hash parameters are chosen: argon2-cffi's defaults (RFC 9106's
# low-memory profile), deliberately slow. Hashes carry their own parameters, so any hasher
# verifies any stored hash. The test suite swaps in a cheap hasher here (tests/conftest.py); no
# setting or environment variable can weaken it in an installed app.
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
    """What is wrong with an account's username, role and password, in the current language."""
    problems = []
    if not USERNAME_PATTERN.match(username or ""):
        problems.append(Problem(
            "username", username,
            _("use 2–60 lowercase letters, digits, '.', '_' or '-', starting with a letter or digit"),
            label=_("username")))
    if role not in {r.value for r in Role}:
        problems.append(_role_problem(role))
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        problems.append(Problem("password", None, _("must have at least {n} characters").format(
            n=number(MIN_PASSWORD_LENGTH)), label=_("password")))
    return problems


def _role_problem(role: str) -> Problem:
    # the roles by their codes: what `klantreis users add --role` and the stored rows take
    return Problem("role", role, _("must be one of {roles}").format(roles=[r.value for r in Role]), label=_("role"))


def create_user(*, session: Session, username: str, role: str, password: str, display_name: str = "") -> User:
    """Add a user with an argon2-hashed password.

    A client user is added without brands and sees nothing until an admin gives it some
    (``journeys.accounts.grants.set_client_grants``; ``journeys.accounts.grants.grants_warning`` says so): its brands are
    not a field of the account, and the command line adds both in one transaction.

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
        raise ValidationError(Problem("username", username, _("is already taken"), label=_("username")))
    user = User(
        username=username,
        display_name=(display_name or "").strip() or username,
        role=role,
        password_hash=password_hash,
    )
    session.add(user)
    session.flush()
    return user


def get_user(*, session: Session, username: str, fresh: bool = False) -> User | None:
    """The account with this username (any case, surrounding spaces ignored), else None.

    ``fresh`` re-reads the row even when the session already holds it.
    """
    name = _normalised(username)
    statement = select(User).where(User.username == name)
    if fresh:
        statement = statement.execution_options(populate_existing=True)
    if "\x00" in name:  # no account holds one, and PostgreSQL refuses it even as a query parameter
        statement = select(User).where(sa.false())  # still one round trip, like any other name
    return session.exec(statement).first()


def retry_delay(failed_logins: int) -> timedelta:
    """How long the next attempt must wait after this many failures in a row (0, 2, 4, 8 s).

    Capped at the delay before the lock (8 s): the delay counts every source, so without a cap
    a stranger typing wrong passwords could make the real user wait ever longer.
    """
    failed_logins = min(failed_logins, MAX_FAILED_LOGINS - 1)
    if failed_logins <= 1:
        return timedelta(0)
    return timedelta(seconds=2 ** (failed_logins - 1))


class SignInRefused(Exception):
    """Sign-in failed; the message is safe to show (it never says which part was wrong)."""


# Sign-in throttling (table ``sign_in_throttle``, see SignInThrottle). Two rows per typed username:
#
#   source "*"        failures in a row from anywhere -> the escalating delay before the next attempt
#   source <address>  failures in a row from that address -> the 15-minute lock, for that address only
#
# The delay slows down guessing from many addresses at once; the lock stops one address but
# cannot lock the real user (admin included) out from their own address. The rows are keyed by
# the typed name, not the account, so an unknown username gets the same bookkeeping, the same
# messages and the same argon2 check as a real one. A run of failures older than LOCK_DURATION
# starts afresh (and its rows are pruned).
ACCOUNT_WIDE = "*"
UNKNOWN_SOURCE = "unknown"  # the caller could not tell where the attempt came from
SOURCE_MAX_LENGTH = 64
WRONG_CREDENTIALS = N_("Unknown username or wrong password")  # translated where shown


def _normalised(username: str | None) -> str:
    return (username or "").strip().lower()


def username_key(username: str | None) -> str:
    """The throttle key of a typed username: its SHA-256, so a password typed into the username
    box is not kept readable."""
    return hashlib.sha256(_normalised(username).encode("utf-8", "surrogatepass")).hexdigest()


def source_key(source: str | None) -> str:
    """The throttle key of where an attempt came from (``UNKNOWN_SOURCE`` when not known)."""
    source = (source or "").replace("\x00", "").strip()[:SOURCE_MAX_LENGTH]
    return source if source and source != ACCOUNT_WIDE else UNKNOWN_SOURCE


def _fresh_failures(row: SignInThrottle | None, now) -> int:
    """The failures in a row a throttle row still counts (0 once the run went quiet)."""
    if row is None:
        return 0
    if row.locked_until is not None and row.locked_until > now:
        return row.failed_logins
    return row.failed_logins if row.updated_at > now - LOCK_DURATION else 0


def _seconds_left(until, now) -> int:
    return max(1, int((until - now).total_seconds() + 0.999))


def _waiting_refusal(account_row: SignInThrottle | None, source_row: SignInThrottle | None, now) -> SignInRefused | None:
    """Why an attempt must be refused before its password is checked (a lock or a delay), else None."""
    if source_row is not None and source_row.locked_until is not None and source_row.locked_until > now:
        minutes = max(1, round((source_row.locked_until - now).total_seconds() / 60))
        return SignInRefused(_(
            "Sign-in with this username from your address is locked after too many failed attempts; "
            "try again in {minutes} min."
        ).format(minutes=number(minutes)))
    if account_row is not None and account_row.locked_until is not None and account_row.locked_until > now:
        return SignInRefused(
            _("Too many failed attempts in a row: wait {seconds} s before trying again.").format(
                seconds=number(_seconds_left(account_row.locked_until, now)))
        )
    return None


def _read_throttle(session: Session, name_key: str, source: str) -> tuple[SignInThrottle | None, SignInThrottle | None]:
    rows = {row.source: row for row in session.exec(
        select(SignInThrottle).where(SignInThrottle.username_sha256 == name_key,
                                     SignInThrottle.source.in_([ACCOUNT_WIDE, source]))).all()}
    return rows.get(ACCOUNT_WIDE), rows.get(source)


def _hold_throttle(session: Session, name_key: str, source: str, now) -> tuple[SignInThrottle, SignInThrottle]:
    """Both throttle rows of this attempt, created if missing and locked until the commit.

    Created or touched with one INSERT ... ON CONFLICT DO UPDATE (a no-op update), so two first
    attempts at the same moment do not collide and an existing row is locked at once — another
    attempt's pruning (``_count_failure``) then skips it instead of deleting it under our feet.
    Rows are taken in key order ('*' first), so two attempts for one name cannot deadlock.
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    table = SignInThrottle.__table__
    session.execute(insert(table).values([
        {"username_sha256": name_key, "source": src, "failed_logins": 0, "locked_until": None, "updated_at": now}
        for src in (ACCOUNT_WIDE, source)
    ]).on_conflict_do_update(index_elements=[table.c.username_sha256, table.c.source],
                             set_={"updated_at": table.c.updated_at}))
    rows = session.exec(
        select(SignInThrottle)
        .where(SignInThrottle.username_sha256 == name_key, SignInThrottle.source.in_([ACCOUNT_WIDE, source]))
        .order_by(SignInThrottle.source)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    by_source = {row.source: row for row in rows}
    return by_source[ACCOUNT_WIDE], by_source[source]


def _count_failure(session: Session, account_row: SignInThrottle, source_row: SignInThrottle, now) -> SignInRefused:
    """Record one failed attempt on both rows; the refusal to show (same for every username)."""
    account_row.failed_logins = _fresh_failures(account_row, now) + 1
    delay = retry_delay(account_row.failed_logins)
    account_row.locked_until = now + delay if delay else None
    account_row.updated_at = now
    source_row.failed_logins = _fresh_failures(source_row, now) + 1
    source_row.updated_at = now
    if source_row.failed_logins >= MAX_FAILED_LOGINS:
        source_row.failed_logins = 0
        source_row.locked_until = now + LOCK_DURATION
        refusal = SignInRefused(_(
            "Too many failed attempts: sign-in with this username from your address "
            "is locked for {minutes} min."
        ).format(minutes=number(LOCK_DURATION.total_seconds() // 60)))
    else:
        source_row.locked_until = None
        left = MAX_FAILED_LOGINS - source_row.failed_logins
        if delay:
            text = ngettext(
                "Unknown username or wrong password ({n} attempt left before a lock). "
                "Wait {seconds} s before the next attempt.",
                "Unknown username or wrong password ({n} attempts left before a lock). "
                "Wait {seconds} s before the next attempt.", left)
        else:
            text = ngettext("Unknown username or wrong password ({n} attempt left before a lock).",
                            "Unknown username or wrong password ({n} attempts left before a lock).", left)
        refusal = SignInRefused(text.format(n=number(left), seconds=number(delay.total_seconds())))
    session.add(account_row)
    session.add(source_row)
    # Runs of failures that went quiet (random usernames included) are forgotten, so the table
    # stays as small as the attacks of the last quarter of an hour. SKIP LOCKED (PostgreSQL): a
    # row another attempt holds is about to be fresh again, and waiting for it while that attempt
    # prunes ours would deadlock.
    stale = (
        select(SignInThrottle.username_sha256, SignInThrottle.source)
        .where(SignInThrottle.updated_at < now - LOCK_DURATION,
               sa.or_(SignInThrottle.locked_until.is_(None), SignInThrottle.locked_until <= now),
               SignInThrottle.username_sha256 != account_row.username_sha256)
        .with_for_update(skip_locked=True)
    )
    session.execute(
        sa.delete(SignInThrottle)
        .where(sa.tuple_(SignInThrottle.username_sha256, SignInThrottle.source).in_(stale))
        .execution_options(synchronize_session=False)
    )
    return refusal


def sign_in_blocked(*, session: Session, username: str, source: str | None = None) -> bool:
    """Whether an attempt for ``username`` from ``source`` now would be refused unchecked (lock or delay)."""
    name_key, source = username_key(username), source_key(source)
    return _waiting_refusal(*_read_throttle(session, name_key, source), utcnow()) is not None


def authenticate(*, session: Session, username: str, password: str, source: str | None = None) -> User:
    """The active user with this username and password, counting failures towards a delay and a lock.

    Each failure in a row, from anywhere, makes the next attempt wait longer (``retry_delay``);
    the ``MAX_FAILED_LOGINS``-th from one ``source`` (the browser's address, see
    ui.session.sign_in_source) locks that username *from that source* for ``LOCK_DURATION``.
    A stranger can therefore lock only themselves out, never the account's owner (an admin can
    also lift locks: ``lift_sign_in_locks``). An unknown or deactivated username takes the same
    path step by step — the same queries, an argon2 check against a dummy hash, the same
    counting and the same messages — so neither the answer nor its timing tells whether an
    account exists.

    The password is checked between two short transactions, never inside one: argon2 takes a
    fifth of a second of CPU by design, and on SQLite every transaction holds the database's
    single write lock (``BEGIN IMMEDIATE``, see data.db), so checking inside it would stall every
    other user's save — and a burst of sign-ins at the start of a shift could make them wait
    past the busy timeout and fail. The caller's session is committed before the check.

    Raises:
        SignInRefused: unknown user, wrong password, deactivated, slowed-down or locked.
    """
    name_key, source = username_key(username), source_key(source)
    refusal = _waiting_refusal(*_read_throttle(session, name_key, source), utcnow())
    if refusal is not None:
        session.commit()
        raise refusal
    user = get_user(session=session, username=username)
    password_hash = user.password_hash if user is not None and user.active else _dummy_hash(_hasher)
    session.commit()  # end the read before hashing (see above)
    matches = password_matches(password_hash, password or "")
    # Decide on the newest state, holding the throttle rows (PostgreSQL; SQLite holds the whole
    # database from here): attempts made at the same moment in other tabs may have locked or
    # slowed down this username, an admin may have deactivated the account or reset its password
    # meanwhile. Each wrong attempt counts.
    now = utcnow()
    account_row, source_row = _hold_throttle(session, name_key, source, now)
    user = get_user(session=session, username=username, fresh=True)
    refusal = _waiting_refusal(account_row, source_row, now)
    if refusal is not None:
        session.commit()
        raise refusal
    if not (matches and user is not None and user.active and user.password_hash == password_hash):
        refusal = _count_failure(session, account_row, source_row, now)
        session.commit()  # the failed attempt must count even though sign-in fails
        raise refusal
    for row in (account_row, source_row):
        row.failed_logins, row.locked_until, row.updated_at = 0, None, now
        session.add(row)
    return user


# ---------------------------------------------------------------------------------------------
# Account administration (admins only). Accounts are deactivated, never deleted, so every
# contact and change-log entry stays attributable to a person.


def list_users(*, session: Session, actor) -> list[User]:
    """Every account, active first, then by username."""
    ensure_role(actor, *USER_ADMINS, action=N_("manage accounts"))
    return list(session.exec(select(User).order_by(User.active.desc(), User.username)).all())


def _get_for_admin(session: Session, actor, user_id: int) -> User:
    ensure_role(actor, *USER_ADMINS, action=N_("manage accounts"))
    user = session.get(User, user_id)
    if user is None:
        raise NotFoundError(_("No user with id {id}.").format(id=user_id))
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
    ensure_role(actor, *USER_ADMINS, action=N_("manage accounts"))
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
        raise ValidationError(_role_problem(role))
    if user.role == role:
        return user
    if user.role == Role.ADMIN.value and user.active and _active_admins(session) <= 1:
        raise ValidationError(Problem(
            "role", role, _("{username} is the last active admin; make another admin first").format(
                username=user.username), label=_("role")))
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
    session.add(user)
    _forget_failures(session, user.username)
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
            raise ValidationError(Problem("active", user.username, _("you cannot deactivate your own account"),
                                          label=_("active")))
        if user.role == Role.ADMIN.value and _active_admins(session) <= 1:
            raise ValidationError(Problem("active", user.username,
                                          _("is the last active admin; make another admin first"), label=_("active")))
    _log(session, actor, user, "active", user.active, active)
    user.active = active
    session.add(user)
    if not active:
        revoke_user_sessions(session=session, user_id=user.id)
    return user


def _forget_failures(session: Session, username: str) -> int:
    """Delete every throttle row of ``username`` (delay and locks); how many were locks."""
    name_key = username_key(username)
    locks = session.exec(select(func.count()).select_from(SignInThrottle).where(
        SignInThrottle.username_sha256 == name_key, SignInThrottle.source != ACCOUNT_WIDE,
        SignInThrottle.locked_until > utcnow())).one()
    session.execute(sa.delete(SignInThrottle).where(SignInThrottle.username_sha256 == name_key))
    return locks


def locked_sources(*, session: Session, actor, usernames: list[str]) -> dict[str, int]:
    """Per username, from how many sources sign-in is locked now (0 when none)."""
    ensure_role(actor, *USER_ADMINS, action=N_("manage accounts"))
    keys = {username_key(name): name for name in usernames}
    counts = dict.fromkeys(usernames, 0)
    for name_key, count in session.exec(
        select(SignInThrottle.username_sha256, func.count())
        .where(SignInThrottle.username_sha256.in_(list(keys)), SignInThrottle.source != ACCOUNT_WIDE,
               SignInThrottle.locked_until > utcnow())
        .group_by(SignInThrottle.username_sha256)
    ).all():
        counts[keys[name_key]] = count
    return counts


def lift_sign_in_locks(*, session: Session, actor, user_id: int) -> int:
    """Lift every sign-in lock and delay of an account (logged); how many locks were lifted.

    For the owner who locked themselves out from their own address; a reset password does the
    same. Locks of other sources come back only if those sources keep guessing.
    """
    user = _get_for_admin(session, actor, user_id)
    lifted = _forget_failures(session, user.username)
    _log(session, actor, user, "sign_in_locks", lifted, 0)
    return lifted


def find_user_id(*, session: Session, username: str) -> int:
    """The id of the account with this username.

    Raises:
        NotFoundError: no such account.
    """
    user = get_user(session=session, username=username)
    if user is None:
        raise NotFoundError(_("No user named {username}.").format(username=repr(username)))
    return user.id


@functools.cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    """A hash of no one's password, checked for an unknown or deactivated name so that a refusal
    costs the same argon2 time as a wrong password. Made by the hasher in use (same parameters,
    same cost), on first use rather than at import, and kept."""
    return hasher.hash("not-a-real-password")


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
        raise ValidationError(Problem("sso_email", email, _("must be an e-mail address like name@example.org"),
                                      label=_("single sign-on e-mail")))
    links = _sso_links(session)
    if email and links.get(email, user.username) != user.username:
        raise ValidationError(Problem("sso_email", email, _("is already linked to {username}").format(
            username=links[email]), label=_("single sign-on e-mail")))
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


def set_user_language(*, session: Session, user_id: int, language: str | None) -> User:
    """Store the language the app speaks to this user ("nl", "en"; None: follow the browser).

    A person sets their own, from the app's language menu; the caller passes the signed-in
    user's id. A regional code (``nl-BE``) is stored as its language (``nl``).

    Raises:
        NotFoundError: no user with this id.
        ValidationError: a language Klantreis does not speak.
    """
    from journeys.language import LANGUAGES, gettext, supported  # here: the module's top is being translated elsewhere

    user = session.get(User, user_id)
    if user is None:
        raise NotFoundError(gettext("No user with id {user_id}.").format(user_id=user_id))
    code = supported(language) if language else None
    if language and code is None:
        raise ValidationError(Problem("language", language, gettext("must be one of {codes}").format(
            codes=", ".join(sorted(LANGUAGES)))))
    user.language = code
    session.add(user)
    session.flush()
    return user
