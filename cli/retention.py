"""``klantreis retention --months N [--dry-run]``: delete evidence files older than N months."""

import typer

from cli.app import EXIT_USAGE, console, fail, ready_engine
from data import db
from journeys.fieldwork.retention import purge_evidence, retention_months
from journeys.language import N_, _, ngettext, number


def retention(
    months: int = typer.Option(
        None, "--months", help=N_("Delete evidence uploaded more than this many months ago (default: the app's setting).")
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help=N_("Only count what would be deleted.")),
) -> None:
    """Delete evidence files older than N months (contacts and scores stay)."""
    with db.session_scope(ready_engine()) as session:
        if months is None:
            months = retention_months(session=session)
            if months is None:
                fail(_("no retention period set: pass --months N (or set it on the admin page)"), exit_code=EXIT_USAGE)
        report = purge_evidence(session=session, months=months, dry_run=dry_run)
    if report.dry_run:
        what = ngettext("would delete {n} evidence file, {mb} MB, uploaded before {cutoff} UTC ({months} months)",
                        "would delete {n} evidence files, {mb} MB, uploaded before {cutoff} UTC ({months} months)",
                        report.files)
    else:
        what = ngettext("deleted {n} evidence file, {mb} MB, uploaded before {cutoff} UTC ({months} months)",
                        "deleted {n} evidence files, {mb} MB, uploaded before {cutoff} UTC ({months} months)",
                        report.files)
    console.print(what.format(n=number(report.files), mb=number(report.bytes / 1_000_000, 1),
                              cutoff=f"{report.cutoff:%Y-%m-%d %H:%M}", months=report.months))
