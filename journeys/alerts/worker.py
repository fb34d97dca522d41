"""One pass of the alert machinery: apply the action rules, collect, compose, deliver, each in its
own transaction.

Called by ``klantreis alerts send`` (cron), by the app's background thread
(``ui.alert_worker``) and by an admin's "Send now". Collecting and composing always run, so
alerts are queued also while mail is not set up; delivering needs the SMTP settings (None:
nothing is sent, the mails wait in the queue). Separate transactions keep the write lock short
and let a failed send never undo a queued mail. A failure of the rules (a bad rule, a scoring
error) is logged and reported in ``RunReport.rules_error`` while the alerts already due are
still collected and sent: one broken stage never holds up the mail of the others.
"""

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.engine import Engine

from data.db import write_scope
from journeys.accounts.access import ALERT_ADMINS, Actor, ensure_role
from journeys.actions.generate import apply_rules
from journeys.alerts import config
from journeys.alerts.collect import collect_notifications
from journeys.alerts.compose import ComposeReport, compose_mails
from journeys.alerts.delivery import DeliveryReport, deliver_due, error_text

log = logging.getLogger(__name__)


@dataclass
class RunReport:
    """What one pass did; ``delivery`` is None when mail is not set up (nothing was sent)."""

    actions: int = 0  # action items the rules created in this pass
    collected: int = 0
    composed: ComposeReport = field(default_factory=ComposeReport)
    delivery: DeliveryReport | None = None
    rules_error: str = ""  # why the action rules could not be applied in this pass ("" when they were)


def run_alerts(engine: Engine, *, now: datetime | None = None, settings: config.MailSettings | None = None,
               digest: bool | None = None, apply_rules_first: bool = True) -> RunReport:
    """Apply the action rules (new findings become actions), collect the notifications due at ``now``, compose the mails due (``digest`` as in
    ``compose_mails``) and, when ``settings`` is given, send the due mails. ``apply_rules_first``
    False skips the rules (the app's thread, when no result changed since it last applied them)."""
    now = now or datetime.now(UTC)
    created, rules_error = 0, ""
    if apply_rules_first:
        try:
            created = apply_rules(engine, as_of=now).created_count
        except Exception as exc:  # noqa: BLE001 - the queued alerts are still collected and sent
            log.exception("applying the action rules failed")
            rules_error = error_text(exc)
    with write_scope(engine) as session:
        collected = collect_notifications(session, now=now)
    app_url = settings.app_url if settings else config.app_url()
    hour = settings.digest_hour if settings else config.digest_hour()
    with write_scope(engine) as session:
        composed = compose_mails(session, now=now, digest=digest, app_url=app_url, digest_hour=hour)
    delivery = deliver_due(engine, settings, now=now) if settings is not None else None
    return RunReport(actions=created, collected=collected, composed=composed, delivery=delivery,
                     rules_error=rules_error)


def send_now(engine: Engine, *, actor: Actor, now: datetime | None = None, digest: bool | None = None,
             settings: config.MailSettings | None = None) -> RunReport:
    """An admin's "Send now": one pass at once, with the environment's settings unless given.

    Raises:
        PermissionDenied: the actor may not manage the mail queue.
    """
    ensure_role(actor, *ALERT_ADMINS, action="manage the mail queue")
    return run_alerts(engine, now=now, settings=settings or config.mail_settings(), digest=digest)
