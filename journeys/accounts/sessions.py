"""Signed-in browsers: random session tokens, stored only as their SHA-256, with an expiry.

The browser keeps the token in a cookie so a reload or a typed URL stays signed in. The
database never holds the token itself, so a leaked database or backup cannot sign anyone in.
Signing out, deactivating an account, resetting its password or changing its role revokes
tokens; an expired or revoked token simply no longer finds a user.
"""

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from journeys.models import AuthSession, User, utcnow

# How long a browser stays signed in without signing in again.
SESSION_LIFETIME = timedelta(days=7)
TOKEN_BYTES = 32


def token_digest(token: str) -> str:
    """The SHA-256 of a token (a 256-bit random token needs no slow hash)."""
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(*, session: Session, user: User, method: str = "password") -> str:
    """Record a new signed-in browser for ``user`` and return its token (shown once, never stored)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = utcnow()
    session.add(AuthSession(
        user_id=user.id, token_sha256=token_digest(token), created_at=now,
        expires_at=now + SESSION_LIFETIME, method=method,
    ))
    session.flush()
    return token


def user_for_token(*, session: Session, token: str | None) -> User | None:
    """The active user a valid (known, unexpired, unrevoked) token belongs to, else None."""
    if not isinstance(token, str) or not token or len(token) > 200:
        return None
    return session.exec(
        select(User)
        .join(AuthSession, AuthSession.user_id == User.id)
        .where(
            AuthSession.token_sha256 == token_digest(token),
            AuthSession.revoked_at.is_(None),
            AuthSession.expires_at > utcnow(),
            User.active,
        )
    ).first()


def revoke_token(*, session: Session, token: str | None) -> None:
    """Sign this browser out (a no-op for an unknown or already revoked token)."""
    if not token:
        return
    session.execute(
        sa.update(AuthSession)
        .where(AuthSession.token_sha256 == token_digest(token), AuthSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def revoke_user_sessions(*, session: Session, user_id: int) -> None:
    """Sign an account out of every browser (after deactivation, password reset or role change)."""
    session.execute(
        sa.update(AuthSession)
        .where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
