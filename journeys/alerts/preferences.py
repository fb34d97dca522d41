"""Each user's alert preferences (e-mail address, which mails) and the admins' view of the queue.

Everyone sets their own address and alert mode (``AlertMode``: all, digest only, off =
unsubscribed); an admin (``ALERT_ADMINS``) may set anyone's, e.g. for a client who asks by
phone. Anyone else's preferences are refused with the same sentence whether the account exists
or not. A user without an address gets no mail: ``waiting`` counts the notifications that wait
for one (they are sent once an address is set, nothing is lost).
"""

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session

from journeys.accounts.access import ALERT_ADMINS, SIGNED_IN, Actor, ensure_role, has_role
from journeys.alerts.config import is_address
from journeys.errors import PermissionDenied, Problem, ValidationError
from journeys.language import _
from journeys.models import AlertMode, MailStatus, Notification, OutboxMail, User


@dataclass(frozen=True)
class AlertPreferences:
    user_id: int
    email: str
    alerts: str
    waiting: int  # notifications not yet in a mail (waiting for the digest, or for an address)


@dataclass(frozen=True)
class QueueSummary:
    """The mail queue: mails per status, and those waiting to retry with their last error."""

    counts: dict[str, int]
    retrying: list[dict] = field(default_factory=list)
    waiting_for_address: int = 0


def _own_or_admin(session: Session, actor: Actor, user_id: int | None) -> User:
    ensure_role(actor, *SIGNED_IN, action="do this")
    target = actor.id if user_id is None else user_id
    if target != actor.id and not has_role(actor, *ALERT_ADMINS):
        raise PermissionDenied(_("You may only change your own alert settings."))
    user = session.get(User, target) if target is not None else None
    if user is None:
        raise PermissionDenied(_("You may only change your own alert settings."))
    return user


def alert_preferences(session: Session, *, actor: Actor, user_id: int | None = None) -> AlertPreferences:
    """The preferences of ``user_id`` (default: the actor's own).

    Raises:
        PermissionDenied: another user's, and the actor is no admin.
    """
    user = _own_or_admin(session, actor, user_id)
    waiting = session.execute(sa.select(sa.func.count()).select_from(Notification).where(
        Notification.user_id == user.id, Notification.mail_id.is_(None))).scalar_one()
    return AlertPreferences(user_id=user.id, email=user.email, alerts=user.alerts, waiting=waiting)


def email_problem(email: str) -> Problem | None:
    """What is wrong with ``email`` as an alert address ("" is fine: no mail)."""
    if email and not is_address(email):
        return Problem(field="email", value=email, label=_("E-mail address"),
                       message=_("must be one address such as name@example.org, or empty for none"))
    return None


def set_alert_preferences(session: Session, *, actor: Actor, user_id: int | None, email: str,
                          alerts: str) -> AlertPreferences:
    """Store ``email`` (trimmed; "" none) and ``alerts`` (an ``AlertMode`` value) in the
    caller's one transaction.

    Raises:
        PermissionDenied: another user's, and the actor is no admin.
        ValidationError: the address or the mode is not valid (each problem named).
    """
    user = _own_or_admin(session, actor, user_id)
    email = (email or "").strip()
    problems = [p for p in [email_problem(email)] if p]
    if alerts not in {m.value for m in AlertMode}:
        problems.append(Problem(field="alerts", value=alerts, label=_("Alert mails"),
                                message=_("must be one of: {allowed}").format(
                                    allowed=", ".join(m.value for m in AlertMode))))
    if problems:
        raise ValidationError(problems)
    user.email, user.alerts = email, alerts
    session.add(user)
    session.flush()
    return alert_preferences(session, actor=actor, user_id=user.id)


def queue_summary(session: Session, *, actor: Actor, limit: int = 50) -> QueueSummary:
    """Mails per status, the ones waiting to retry (oldest first, with their last error), and the
    notifications waiting for an e-mail address.

    Raises:
        PermissionDenied: the actor may not manage the mail queue.
    """
    ensure_role(actor, *ALERT_ADMINS, action="manage the mail queue")
    counts = {s.value: 0 for s in MailStatus}
    counts.update(dict(session.execute(sa.select(OutboxMail.status, sa.func.count()).group_by(OutboxMail.status)).all()))
    retrying = [dict(id=m.id, to=m.to_address, subject=m.subject, attempts=m.attempts,
                     next_attempt_at=m.next_attempt_at, last_error=m.last_error)
                for m in session.execute(sa.select(OutboxMail).where(
                    OutboxMail.status != MailStatus.SENT.value, OutboxMail.attempts > 0)
                    .order_by(OutboxMail.id).limit(limit)).scalars()]
    waiting = session.execute(sa.select(sa.func.count()).select_from(Notification).join(
        User, User.id == Notification.user_id).where(Notification.mail_id.is_(None), User.email == "",
                                                    User.active.is_(True), User.alerts != AlertMode.OFF.value)
    ).scalar_one()
    return QueueSummary(counts=counts, retrying=retrying, waiting_for_address=waiting)
