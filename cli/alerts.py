"""``klantreis alerts send [--digest/--no-digest]`` (for cron) and ``klantreis alerts queue``.

The send command runs one pass (``journeys.alerts.worker.run_alerts``): collect, compose, deliver, and
says what happened in words ("3 mails sent, 1 waiting to retry (connection refused), 0
composed"). Without ``KLANTREIS_SMTP_HOST`` it still queues the alerts and says mail is not set
up; it exits 1 then when mails are waiting, so cron's own mail tells the operator. A failed send
exits 0: the mail stays queued and the next run retries it. The queue command lists the mails per status
and those waiting to retry with their last error.
"""

import typer
from sqlmodel import Session

from cli.app import console, fail, ready_engine
from cli.users import OPERATOR
from journeys.alerts import config
from journeys.alerts.preferences import queue_summary
from journeys.alerts.worker import run_alerts
from journeys.language import N_, _, ngettext, number
from journeys.local_time import MINUTE, local_text

alerts_app = typer.Typer(help=N_("Send alert mails and show the mail queue."), no_args_is_help=True)


@alerts_app.command("send", help=N_("Apply the action rules, collect and compose the due alerts and send the queued mails (for cron)."))
def alerts_send(
    digest: bool | None = typer.Option(
        None, "--digest/--no-digest",
        help=N_("Compose the daily digest now (--digest) or not at all (--no-digest); default: after the digest hour.")),
) -> None:
    """Apply the action rules, collect and compose the due alerts and send the queued mails (for cron)."""
    settings = config.mail_settings()  # a bad value: a ValidationError naming it, exit 1
    engine = ready_engine()
    report = run_alerts(engine, settings=settings, digest=digest)
    _print_run(engine, report)
    if report.rules_error:  # after the mails went out: cron sees the failure in the exit code
        fail(_("the action rules could not be applied: {error}").format(error=report.rules_error))


def _print_run(engine, report) -> None:
    if report.actions:
        console.print(ngettext("{n} new action", "{n} new actions", report.actions).format(n=number(report.actions)))
    composed = ngettext("{n} mail composed", "{n} mails composed", report.composed.mails).format(
        n=number(report.composed.mails))
    if report.delivery is None:
        console.print(config.not_configured_text())
        console.print(composed)
        with Session(engine) as session:
            waiting = queue_summary(session, actor=OPERATOR).counts
        if waiting.get("pending", 0) or waiting.get("sending", 0):
            fail(ngettext("{n} mail waiting in the queue", "{n} mails waiting in the queue",
                          waiting["pending"] + waiting["sending"]).format(n=number(waiting["pending"] +
                                                                                  waiting["sending"])))
        return
    sent = ngettext("{n} mail sent", "{n} mails sent", report.delivery.sent).format(n=number(report.delivery.sent))
    failed = len(report.delivery.failed)
    retry = ngettext("{n} waiting to retry", "{n} waiting to retry", failed).format(n=number(failed))
    if failed:
        retry += f" ({report.delivery.failed[0][1]})"
    console.print(f"{sent}, {retry}, {composed}")
    if report.composed.waiting_for_address:
        console.print(ngettext("{n} alert waits for its user's e-mail address",
                               "{n} alerts wait for their users' e-mail addresses",
                               report.composed.waiting_for_address).format(
                                   n=number(report.composed.waiting_for_address)))


@alerts_app.command("queue", help=N_("Show the mail queue: mails per status, and those waiting to retry."))
def alerts_queue() -> None:
    """Show the mail queue: mails per status, and those waiting to retry."""
    settings = config.mail_settings()  # a bad value: a ValidationError naming it, exit 1
    console.print(config.configured_text(settings) if settings else config.not_configured_text())
    with Session(ready_engine()) as session:
        summary = queue_summary(session, actor=OPERATOR)
    console.print(_("pending: {pending}, sending: {sending}, sent: {sent}").format(
        **{k: number(v) for k, v in summary.counts.items()}))
    if summary.waiting_for_address:
        console.print(ngettext("{n} alert waits for its user's e-mail address",
                               "{n} alerts wait for their users' e-mail addresses",
                               summary.waiting_for_address).format(n=number(summary.waiting_for_address)))
    for mail in summary.retrying:
        console.print(_("mail {id} to {to}, {attempts} attempts, next at {when}: {error}").format(
            id=mail["id"], to=mail["to"], attempts=number(mail["attempts"]),
            when=local_text(mail["next_attempt_at"], MINUTE), error=mail["last_error"]), soft_wrap=True)
