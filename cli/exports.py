"""``klantreis export contacts``: contacts in the interchange format (CSV or XLSX)."""

from pathlib import Path

import typer

from cli.common import (
    BRAND_OPTION,
    CHANNEL_OPTION,
    FROM_OPTION,
    JOURNEY_OPTION,
    TIMEZONE_OPTION,
    TO_OPTION,
    WAVE_OPTION,
    contact_filter,
    exit_with,
)
from cli.main import app, console, fail, ready_engine
from journeys.errors import KlantreisError
from journeys.exports import FORMATS, export_contacts

export_app = typer.Typer(help="Write data files in the interchange format (docs/interchange.md).", no_args_is_help=True)
app.add_typer(export_app, name="export")


@export_app.command("contacts")
def export_contacts_command(
    output: Path = typer.Option(..., "-o", "--output", help="File to write.", dir_okay=False),
    file_format: str = typer.Option(None, "--format", help="csv or xlsx (default: from the file name, else csv)."),
    brand: list[str] = BRAND_OPTION,
    wave: list[str] = WAVE_OPTION,
    journey: list[str] = JOURNEY_OPTION,
    channel: list[str] = CHANNEL_OPTION,
    start: str = FROM_OPTION,
    end: str = TO_OPTION,
    timezone: str = TIMEZONE_OPTION,
) -> None:
    """Export contacts (with their checklist answers) in the format ``import contacts`` reads."""
    file_format = (file_format or ("xlsx" if output.suffix.lower() == ".xlsx" else "csv")).lower()
    if file_format not in FORMATS:
        raise typer.BadParameter(f"must be one of {', '.join(FORMATS)}", param_hint="--format")
    if not output.parent.exists():
        fail(f"cannot write {output}: folder {output.parent} does not exist")
    try:
        flt = contact_filter(brand=brand, wave=wave, journey=journey, channel=channel, start=start, end=end,
                             timezone=timezone)
    except KlantreisError as exc:
        exit_with(exc)
    engine = ready_engine()
    try:
        with engine.connect() as connection:
            result = export_contacts(connection=connection, path=output, file_format=file_format, flt=flt)
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror}")
    console.print(f"{result.contacts:,} contacts written to {result.path} ({file_format})", highlight=False)
