"""User accounts: argon2 password hashes, creation and sign-in checks."""

import re
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, select

from journeys.errors import Problem, ValidationError
from journeys.models import Role, User, utcnow

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
    if not problems and session.exec(select(User).where(User.username == username)).first():
        problems.append(Problem("username", username, "is already taken"))
    if problems:
        raise ValidationError(problems)
    user = User(
        username=username,
        display_name=(display_name or "").strip() or username,
        role=role,
        password_hash=hash_password(password),
    )
    session.add(user)
    session.flush()
    return user


def get_user(*, session: Session, username: str) -> User | None:
    return session.exec(select(User).where(User.username == (username or "").strip().lower())).first()


def is_locked(user: User) -> bool:
    return user.locked_until is not None and user.locked_until > utcnow()


class SignInRefused(Exception):
    """Sign-in failed; the message is safe to show (it never says which part was wrong)."""


def authenticate(*, session: Session, username: str, password: str) -> User:
    """The active user with this username and password, counting failures towards a lock.

    Raises:
        SignInRefused: unknown user, wrong password, deactivated or locked account.
    """
    user = get_user(session=session, username=username)
    if user is None or not user.active:
        # Hash anyway so a wrong username costs as much time as a wrong password.
        password_matches(_DUMMY_HASH, password or "")
        raise SignInRefused("Unknown username or wrong password.")
    if is_locked(user):
        minutes = max(1, round((user.locked_until - utcnow()).total_seconds() / 60))
        raise SignInRefused(f"This account is locked after too many failed attempts; try again in {minutes} min.")
    if not password_matches(user.password_hash, password or ""):
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until = utcnow() + LOCK_DURATION
            user.failed_logins = 0
            session.add(user)
            session.commit()  # the failed attempt must count even though sign-in fails
            raise SignInRefused(
                f"Too many failed attempts: the account is locked for {int(LOCK_DURATION.total_seconds() // 60)} min."
            )
        session.add(user)
        session.commit()  # the failed attempt must count even though sign-in fails
        left = MAX_FAILED_LOGINS - user.failed_logins
        raise SignInRefused(f"Unknown username or wrong password ({left} attempt{'s' if left != 1 else ''} left before a lock).")
    if user.failed_logins or user.locked_until:
        user.failed_logins = 0
        user.locked_until = None
        session.add(user)
    return user


_DUMMY_HASH = hash_password("not-a-real-password")
