"""``klantreis export contacts``: contacts in the interchange format (CSV or XLSX), released ones only
unless ``--include-unreleased``; ``export plan``: the fieldwork plan; ``export trail``: the audit trail of
review, release and appeals (docs/review.md)."""

import csv
from pathlib import Path

import sqlalchemy as sa
import typer
from sqlmodel import select

from cli.app import console, fail, ready_engine
from cli.options import Timezone, release_note, with_contact_filter
from cli.users import OPERATOR
from data import db
from journeys.fieldwork.contact_filter import contact_conditions
from journeys.fieldwork.frames import ContactFilter
from journeys.interchange.exports import FORMATS, export_contacts, neutralise_formula
from journeys.interchange.plan_file import export_plan
from journeys.language import N_, _, ngettext, number
from journeys.local_time import LOCAL_ZONE_NAME
from journeys.models import Contact, ReviewStatus, Wave
from journeys.review.workflow import trail_frame

# The columns of ``export trail``, in order (docs/review.md): stable names a script can read.
TRAIL_EXPORT_COLUMNS = ("contact_id", "wave", "brand", "occurred_at", "user", "action", "step", "comment")

export_app = typer.Typer(help=N_("Write data files in the interchange format (docs/interchange.md)."),
                         no_args_is_help=True)


def _check_file_format(value: str | None) -> str | None:
    if value and value.lower() not in FORMATS:
        raise typer.BadParameter(_("must be one of {choices}").format(choices=", ".join(FORMATS)), param_hint="--format")
    return value


def _unreleased(engine, flt: ContactFilter) -> int:
    """How many of the contacts ``flt`` picks are not yet released (0 unless it includes them)."""
    if not flt.include_unreleased:
        return 0
    query = sa.select(sa.func.count(Contact.id)).where(
        *contact_conditions(flt), Contact.review_status != ReviewStatus.RELEASED.value)
    with engine.connect() as connection:
        return int(connection.execute(query).scalar_one())


@export_app.command(
    "contacts", help=N_("Export contacts (with their checklist answers) in the format ``import contacts`` reads; "
                        "released contacts only unless --include-unreleased."))
@with_contact_filter()
def export_contacts_command(
    *,
    output: Path = typer.Option(..., "-o", "--output", help=N_("File to write."), dir_okay=False),
    # checked while the command line is parsed, so a wrong format is a usage error before anything runs
    file_format: str = typer.Option(None, "--format", help=N_("csv or xlsx (default: from the file name, else csv)."),
                                    callback=_check_file_format),
    flt: ContactFilter,
    timezone: Timezone = LOCAL_ZONE_NAME,  # the zone of --from and --to
) -> None:
    """Export contacts (with their checklist answers) in the format ``import contacts`` reads."""
    file_format = (file_format or ("xlsx" if output.suffix.lower() == ".xlsx" else "csv")).lower()
    if not output.parent.exists():
        fail(_("cannot write {file}: folder {folder} does not exist").format(file=output, folder=output.parent))
    engine = ready_engine()
    try:
        with engine.connect() as connection:
            result = export_contacts(connection=connection, path=output, file_format=file_format, flt=flt)
    except OSError as exc:
        fail(_("cannot write {file}: {reason}").format(file=output, reason=exc.strerror))
    written = ngettext("{n} contact written to {file} ({format})", "{n} contacts written to {file} ({format})",
                       result.contacts)
    console.print(written.format(n=number(result.contacts), file=result.path, format=file_format), highlight=False,
                  soft_wrap=True)  # one line: greppable
    console.print(release_note(flt, _unreleased(engine, flt)), highlight=False, soft_wrap=True)


@export_app.command("plan", help=N_("Export the fieldwork plan (one wave or all) in the format ``import plan`` reads."))
def export_plan_command(
    output: Path = typer.Option(..., "-o", "--output", help=N_("File to write: .xlsx for XLSX, else CSV."),
                                dir_okay=False),
    wave: str = typer.Option(None, "--wave", help=N_("Only this wave (its name); default: every wave.")),
) -> None:
    """Export the fieldwork plan in the format ``import plan`` reads."""
    file_format = "xlsx" if output.suffix.lower() == ".xlsx" else "csv"
    if not output.parent.exists():
        fail(_("cannot write {file}: folder {folder} does not exist").format(file=output, folder=output.parent))
    engine = ready_engine()
    with db.read_scope(engine) as session:
        wave_id = None
        if wave is not None:
            wave_id = session.exec(select(Wave.id).where(Wave.name == wave)).first()
            if wave_id is None:
                raise typer.BadParameter(_("unknown wave {name}").format(name=repr(wave)), param_hint="--wave")
        try:
            lines = export_plan(session=session, actor=OPERATOR, path=output, file_format=file_format,
                                wave_id=wave_id)
        except OSError as exc:
            fail(_("cannot write {file}: {reason}").format(file=output, reason=exc.strerror))
    written = ngettext("{n} plan line written to {file} ({format})", "{n} plan lines written to {file} ({format})",
                       lines)
    console.print(written.format(n=number(lines), file=output, format=file_format), highlight=False, soft_wrap=True)


@export_app.command("trail", help=N_("Export the audit trail (every review, release and appeal step, with who, when "
                                     "and the comment) of one wave or all, as CSV or XLSX."))
def export_trail_command(
    output: Path = typer.Option(..., "-o", "--output", help=N_("File to write: .xlsx for XLSX, else CSV."),
                                dir_okay=False),
    wave: str = typer.Option(None, "--wave", help=N_("Only this wave (its name); default: every wave.")),
) -> None:
    """Export the audit trail; every cell is formula-safe (``journeys.interchange.exports.neutralise_formula``)."""
    file_format = "xlsx" if output.suffix.lower() == ".xlsx" else "csv"
    if not output.parent.exists():
        fail(_("cannot write {file}: folder {folder} does not exist").format(file=output, folder=output.parent))
    engine = ready_engine()
    with db.read_scope(engine) as session:
        wave_id = None
        if wave is not None:
            wave_id = session.exec(select(Wave.id).where(Wave.name == wave)).first()
            if wave_id is None:
                raise typer.BadParameter(_("unknown wave {name}").format(name=repr(wave)), param_hint="--wave")
        trail = trail_frame(session=session, actor=OPERATOR, wave_id=wave_id)
    rows = [[neutralise_formula(value) for value in (
        int(event["contact_id"]), event["wave"] or "", event["brand"], event["occurred_at"].isoformat(), event["user"],
        event["action"], event["action_label"], event["comment"] or "")] for event in trail.to_dict("records")]
    try:
        if file_format == "csv":
            with output.open("w", encoding="utf-8-sig", newline="") as handle:  # the BOM: Excel reads UTF-8
                writer = csv.writer(handle)
                writer.writerow(TRAIL_EXPORT_COLUMNS)
                writer.writerows(rows)
        else:
            import openpyxl  # lazy: a heavy import only XLSX needs

            workbook = openpyxl.Workbook(write_only=True)
            sheet = workbook.create_sheet("trail")
            sheet.append(list(TRAIL_EXPORT_COLUMNS))
            for row in rows:
                sheet.append(row)
            workbook.save(output)
    except OSError as exc:
        fail(_("cannot write {file}: {reason}").format(file=output, reason=exc.strerror))
    written = ngettext("{n} trail step written to {file} ({format})", "{n} trail steps written to {file} ({format})",
                       len(rows))
    console.print(written.format(n=number(len(rows)), file=output, format=file_format), highlight=False,
                  soft_wrap=True)
