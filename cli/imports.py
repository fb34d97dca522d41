"""``klantreis import contacts FILE``, ``import locations FILE`` and ``import plan FILE``: load a contact
file, a locations file or a fieldwork plan, all rows or none."""

from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from cli.app import console, err_console, ready_engine
from cli.options import Timezone
from cli.users import OPERATOR
from data import db
from journeys.errors import KlantreisError
from journeys.interchange.contact_file import parse_timezone, read_table
from journeys.interchange.imports import IMPORT_STATUSES, ImportAborted, import_contacts, summary_lines, write_failure
from journeys.interchange.location_file import import_locations
from journeys.interchange.location_file import summary_lines as location_summary_lines
from journeys.interchange.plan_file import import_plan, plan_summary_lines
from journeys.language import N_, _
from journeys.local_time import LOCAL_ZONE_NAME
from journeys.models import ReviewStatus

import_app = typer.Typer(help=N_("Load data files in the interchange format (docs/interchange.md)."),
                         no_args_is_help=True)

# Below this many rows a progress bar only flickers.
PROGRESS_FROM_ROWS = 5000


def _unexpected(exc: Exception, engine) -> Exception:
    """The one line an import prints when the database refused its commit, or on a bug: never the
    exception's text (a driver's message would print file data on the terminal)."""
    return write_failure(exc, engine.url) or ImportAborted(
        _("the import stopped on an unexpected error ({kind}); it was rolled back, nothing was written; "
          "please report it").format(kind=type(getattr(exc, "orig", None) or exc).__name__))


@import_app.command(
    "contacts", help=N_("Import contacts: if any row is invalid nothing is written and every bad row is listed."))
def import_contacts_command(
    file: Path = typer.Argument(..., help=N_("CSV (UTF-8) or XLSX contact file."), dir_okay=False),
    timezone: Timezone = LOCAL_ZONE_NAME,
    create_missing: bool = typer.Option(
        False, "--create-missing",
        help=N_("Create unknown brands, locations, journeys, channels, auditors and waves instead of refusing the row.")),
    default_targets: bool = typer.Option(
        False, "--default-targets",
        help=N_("Give the journey channels --create-missing adds the built-in response targets of their channel "
                "(phone: answer in 20 s, resolve in 15 min); without it they get none. Never a resolution target "
                "when the file has a due_at column.")),
    dry_run: bool = typer.Option(False, "--dry-run", help=N_("Validate and count only; write nothing.")),
    status: str = typer.Option(
        ReviewStatus.RELEASED.value, "--status",
        help=N_("Review status of the added contacts: released (they come finished from another system; counted "
                "at once) or submitted (they wait for review; docs/release.md).")),
) -> None:
    """Import contacts: if any row is invalid nothing is written and every bad row is listed."""
    if status not in IMPORT_STATUSES:
        raise typer.BadParameter(_("must be one of {choices}").format(choices=", ".join(IMPORT_STATUSES)),
                                 param_hint="--status")
    if default_targets and not create_missing:
        raise typer.BadParameter(_("only applies to what --create-missing creates"), param_hint="--default-targets")
    parse_timezone(timezone)
    header, rows, approximate = read_table(file)
    engine = ready_engine()
    show_progress = (approximate or 0) >= PROGRESS_FROM_ROWS and err_console.is_terminal
    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=err_console, transient=True, disable=not show_progress)
    tasks = {}

    def on_progress(phase: str, done: int) -> None:
        if phase not in tasks:
            tasks[phase] = progress.add_task(_("checking rows") if phase == "read" else _("writing contacts"),
                                             total=approximate)
        progress.update(tasks[phase], completed=done)

    try:
        with progress, db.session_scope(engine) as session:
            result = import_contacts(
                session=session, actor=OPERATOR, header=header, rows=rows, timezone=timezone,
                create_missing=create_missing, default_targets=default_targets, dry_run=dry_run,
                on_progress=on_progress, status=status,
            )
    except KlantreisError:
        raise  # a bad row, a bad value: the app prints it
    except Exception as exc:  # noqa: BLE001 - the database refused the commit, or a bug
        # The transaction has rolled back. One line, never the exception's text: a driver's message
        # (a duplicate key, a COPY line, SQL parameters) would print contact data on the terminal.
        raise _unexpected(exc, engine) from exc
    # records against lines: a quote left open merges lines into one record, and this shows it
    console.print(rows.describe(), highlight=False, markup=False)
    for line in summary_lines(result):
        console.print(line, highlight=False, markup=False, soft_wrap=True)  # one line each: greppable
    if dry_run:
        console.print(_("dry run: nothing was written"), highlight=False)


@import_app.command(
    "plan", help=N_("Import a wave's fieldwork plan: each row sets one plan line's quantity; if any row is invalid "
                    "nothing is written and every bad row is listed."))
def import_plan_command(
    file: Path = typer.Argument(..., help=N_("CSV (UTF-8) or XLSX plan file."), dir_okay=False),
    dry_run: bool = typer.Option(False, "--dry-run", help=N_("Validate and count only; write nothing.")),
) -> None:
    """Import a wave's fieldwork plan, all rows or none."""
    header, rows, _approximate = read_table(file)
    engine = ready_engine()
    try:
        with db.session_scope(engine) as session:
            result = import_plan(session=session, actor=OPERATOR, header=header, rows=rows, dry_run=dry_run)
    except KlantreisError:
        raise
    except Exception as exc:  # noqa: BLE001 - the database refused the commit, or a bug
        raise _unexpected(exc, engine) from exc
    for line in plan_summary_lines(result):
        console.print(line, highlight=False, markup=False, soft_wrap=True)
    if dry_run:
        console.print(_("dry run: nothing was written"), highlight=False)


@import_app.command(
    "locations",
    help=N_("Import brands' locations: if any row is invalid nothing is written and every bad row is listed."))
def import_locations_command(
    file: Path = typer.Argument(..., help=N_("CSV (UTF-8) or XLSX locations file."), dir_okay=False),
    create_missing: bool = typer.Option(
        False, "--create-missing", help=N_("Create unknown brands instead of refusing the row.")),
    dry_run: bool = typer.Option(False, "--dry-run", help=N_("Validate and count only; write nothing.")),
) -> None:
    """Import brands' locations: if any row is invalid nothing is written and every bad row is listed."""
    header, rows, _approximate = read_table(file)
    engine = ready_engine()
    try:
        with db.session_scope(engine) as session:
            result = import_locations(session=session, actor=OPERATOR, header=header, rows=rows,
                                      create_missing=create_missing, dry_run=dry_run)
    except KlantreisError:
        raise
    except Exception as exc:  # noqa: BLE001 - the database refused the commit, or a bug
        raise _unexpected(exc, engine) from exc
    console.print(rows.describe(), highlight=False, markup=False)
    for line in location_summary_lines(result):
        console.print(line, highlight=False, markup=False, soft_wrap=True)
    if dry_run:
        console.print(_("dry run: nothing was written"), highlight=False)
