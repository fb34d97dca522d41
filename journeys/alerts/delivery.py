"""Sending queued mails over SMTP: each exactly once, none ever lost.

``deliver_due`` claims the due mails in a short transaction of its own (pending ones whose
``next_attempt_at`` has come, or sending ones whose claim is older than ``STALE_CLAIM``: a
worker that died mid-send), one ``UPDATE ... WHERE id = ? AND status = ...`` per mail whose
row count says whether this worker won it, so two workers never take the same mail. The claim's
``claimed_at`` is the worker's token: right before each send the worker renews it
(``UPDATE ... WHERE claimed_at = <its token>``), so a mail far down a slow batch is not taken
as stale by another worker, and a mail another worker did take over is skipped, never sent
twice. It sends each with ``smtplib`` outside any transaction, then marks it sent (a
transaction per mail, again only under its token), or, on any failure (the server, or a mail
that cannot be built), puts it back to pending with ``attempts + 1``, the error as text, and
``next_attempt_at`` after a back-off of ``BACKOFF_FIRST`` × 2^(attempts − 1), at most
``BACKOFF_MAX``. A failed mail is retried for ever, never dropped.

Every mail carries the Message-ID ``<key@klantreis>`` (its idempotency key), so the one window
left, a crash after the server accepted a mail and before "sent" was stored, yields a
retry that a mail system recognises as the same message.
"""

import email.policy
import smtplib
import ssl
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from data.db import write_scope
from journeys.alerts.config import MailSettings
from journeys.models import MailStatus, OutboxMail

PENDING = MailStatus.PENDING.value
STALE_CLAIM = timedelta(minutes=10)
BACKOFF_FIRST = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=6)
ERROR_LENGTH = 1000
# Headers folded at 200 rather than 78 characters: a subject with a long word would otherwise
# fold right after "Subject:" and read with a leading space in some mail programs.
MAIL_POLICY = email.policy.SMTP.clone(max_line_length=200)


@dataclass
class DeliveryReport:
    """What one delivery run did: mails sent, and the keys and errors of those that failed."""

    sent: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)

    @property
    def errors(self) -> list[str]:
        return [error for _, error in self.failed]


def backoff(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed try (1 → 1 min, 2 → 2 min, … ≤ 6 h)."""
    return min(BACKOFF_FIRST * 2 ** min(max(attempts - 1, 0), 20), BACKOFF_MAX)


def message_id(key: str) -> str:
    """The Message-ID of the mail with ``key`` (``:`` is not allowed in its left part)."""
    return f"<{key.replace(':', '.')}@klantreis>"


def _due(now: datetime):
    return sa.or_(
        sa.and_(OutboxMail.status == MailStatus.PENDING.value, OutboxMail.next_attempt_at <= now),
        sa.and_(OutboxMail.status == MailStatus.SENDING.value, OutboxMail.claimed_at < now - STALE_CLAIM))


def claim_due(engine: Engine, *, now: datetime, limit: int = 100) -> list[OutboxMail]:
    """Claim up to ``limit`` due mails for this worker (status sending), in one short transaction."""
    claimed = []
    with write_scope(engine) as session:
        ids = session.execute(sa.select(OutboxMail.id).where(_due(now)).order_by(OutboxMail.id).limit(limit)).scalars()
        for mail_id in list(ids):
            won = session.execute(sa.update(OutboxMail).where(OutboxMail.id == mail_id, _due(now))
                                  .values(status=MailStatus.SENDING.value, claimed_at=now)).rowcount
            if won == 1:
                claimed.append(mail_id)
        mails = [session.get(OutboxMail, mail_id) for mail_id in claimed]
    return mails


def build_message(mail: OutboxMail, settings: MailSettings) -> EmailMessage:
    """The mail as plain text with an HTML alternative (multipart/alternative)."""
    message = EmailMessage(policy=MAIL_POLICY)
    message["Subject"] = " ".join(mail.subject.split())  # one header line, whatever the row holds
    message["From"] = settings.sender
    message["To"] = mail.to_address
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = message_id(mail.key)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(mail.body_text)
    message.add_alternative(mail.body_html, subtype="html")
    return message


def connect(settings: MailSettings) -> smtplib.SMTP:
    """An SMTP connection as the settings say (plain, STARTTLS or SSL), logged in when a user is set."""
    if settings.security == "ssl":
        smtp = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout,
                                context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    try:
        if settings.security == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        if settings.user:
            smtp.login(settings.user, settings.password)
    except BaseException:
        smtp.close()
        raise
    return smtp


def error_text(exc: BaseException) -> str:
    """A failure as one line for ``last_error`` ("connection refused", the server's reply...)."""
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, smtplib.SMTPResponseException):
        reply = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return f"{exc.smtp_code} {reply}"[:ERROR_LENGTH]
    text = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {text}"[:ERROR_LENGTH]


def _renew(engine: Engine, mail: OutboxMail, token: datetime) -> bool:
    """Renew this worker's claim on ``mail`` to ``token``; False when another worker has taken it
    over (its claim went stale) or it is no longer being sent."""
    with write_scope(engine) as session:
        won = session.execute(sa.update(OutboxMail).where(
            OutboxMail.id == mail.id, OutboxMail.status == MailStatus.SENDING.value,
            OutboxMail.claimed_at == mail.claimed_at).values(claimed_at=token)).rowcount
    if won == 1:
        mail.claimed_at = token
    return won == 1


def _mark_sent(engine: Engine, mail: OutboxMail, now: datetime) -> None:
    with write_scope(engine) as session:
        session.execute(sa.update(OutboxMail).where(
            OutboxMail.id == mail.id, OutboxMail.status == MailStatus.SENDING.value,
            OutboxMail.claimed_at == mail.claimed_at)
            .values(status=MailStatus.SENT.value, sent_at=now, attempts=OutboxMail.attempts + 1,
                    last_error="", claimed_at=None))


def _mark_failed(engine: Engine, mail: OutboxMail, now: datetime, error: str) -> None:
    attempts = mail.attempts + 1
    with write_scope(engine) as session:
        session.execute(sa.update(OutboxMail).where(
            OutboxMail.id == mail.id, OutboxMail.status == MailStatus.SENDING.value,
            OutboxMail.claimed_at == mail.claimed_at)
            .values(status=PENDING, attempts=attempts, last_error=error,
                    next_attempt_at=now + backoff(attempts), claimed_at=None))


def deliver_due(engine: Engine, settings: MailSettings, *, now: datetime | None = None, limit: int = 100) -> DeliveryReport:
    """Send the mails due at ``now`` (default: the clock), at most ``limit``; see the module."""
    now = now or datetime.now(UTC)
    started = time.monotonic()
    report = DeliveryReport()
    mails = claim_due(engine, now=now, limit=limit)
    smtp = None
    connect_error = None

    def failed(mail: OutboxMail, error: str) -> None:
        _mark_failed(engine, mail, now, error)
        report.failed.append((mail.key, error))

    try:
        for mail in mails:
            if connect_error is not None:
                failed(mail, connect_error)
                continue
            # the claim renewed to the time this send starts: ``now`` plus the time the batch took
            if not _renew(engine, mail, now + timedelta(seconds=time.monotonic() - started)):
                continue  # taken over by another worker: it sends it
            try:
                message = build_message(mail, settings)
            except Exception as exc:  # noqa: BLE001 - one mail that cannot be built must not stop the queue
                failed(mail, error_text(exc))
                continue
            try:
                if smtp is None:
                    smtp = connect(settings)
                smtp.send_message(message, to_addrs=[mail.to_address])
            except (OSError, smtplib.SMTPException) as exc:
                error = error_text(exc)
                if smtp is None:  # no connection: the others would fail the same way; do not wait for each
                    connect_error = error
                else:
                    _close(smtp)
                    smtp = None
                failed(mail, error)
                continue
            _mark_sent(engine, mail, now)
            report.sent += 1
    finally:
        if smtp is not None:
            _close(smtp)
    return report


def _close(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()
