"""``klantreis export contacts``: contacts in the interchange format (CSV or XLSX)."""

from pathlib import Path

import typer

from cli.app import console, fail, ready_engine
from cli.options import Timezone, with_contact_filter
from journeys.fieldwork.frames import ContactFilter
from journeys.interchange.exports import FORMATS, export_contacts
from journeys.local_time import LOCAL_ZONE_NAME
from journeys.wording import counted

export_app = typer.Typer(help="Write data files in the interchange format (docs/interchange.md).", no_args_is_help=True)


def _check_file_format(value: str | None) -> str | None:
    if value and value.lower() not in FORMATS:
        raise typer.BadParameter(f"must be one of {', '.join(FORMATS)}", param_hint="--format")
    return value


@export_app.command("contacts")
@with_contact_filter()
def export_contacts_command(
    *,
    output: Path = typer.Option(..., "-o", "--output", help="File to write.", dir_okay=False),
    # checked while the command line is parsed, so a wrong format is a usage error before anything runs
    file_format: str = typer.Option(None, "--format", help="csv or xlsx (default: from the file name, else csv).",
                                    callback=_check_file_format),
    flt: ContactFilter,
    timezone: Timezone = LOCAL_ZONE_NAME,  # the zone of --from and --to
) -> None:
    """Export contacts (with their checklist answers) in the format ``import contacts`` reads."""
    file_format = (file_format or ("xlsx" if output.suffix.lower() == ".xlsx" else "csv")).lower()
    if not output.parent.exists():
        fail(f"cannot write {output}: folder {output.parent} does not exist")
    engine = ready_engine()
    try:
        with engine.connect() as connection:
            result = export_contacts(connection=connection, path=output, file_format=file_format, flt=flt)
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror}")
    console.print(f"{counted(result.contacts, 'contact')} written to {result.path} ({file_format})", highlight=False)
