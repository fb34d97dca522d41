"""Helpers shared by the sub-commands: problem reports, filters and output of frames."""

import json
import math

import pandas as pd
import typer

from cli.main import EXIT_INVALID_INPUT, err_console
from data.frames import ContactFilter
from journeys.errors import KlantreisError, ValidationError
from journeys.exports import neutralise_frame
from journeys.interchange import DEFAULT_TIMEZONE, parse_timestamp

OUTPUT_FORMATS = ("table", "csv", "json")


def exit_with(exc: KlantreisError) -> None:
    """Print a user-facing error (every problem of a ValidationError on its own line) and exit 1."""
    if isinstance(exc, ValidationError) and len(exc.problems) > 1:
        err_console.print(f"[bold red]error:[/] {len(exc.problems)} problems, nothing was written:", highlight=False)
        for problem in exc.problems:
            err_console.print(f"  {problem}", highlight=False, markup=False, soft_wrap=True)
    else:
        err_console.print("[bold red]error:[/] ", end="", highlight=False)
        err_console.print(str(exc), highlight=False, markup=False, soft_wrap=True)
    raise typer.Exit(EXIT_INVALID_INPUT)


def split_names(values: list[str] | None) -> tuple[str, ...]:
    """Repeated and comma-separated option values as one tuple of names."""
    names: list[str] = []
    for value in values or ():
        names += [v.strip() for v in value.split(",") if v.strip()]
    return tuple(names)


def contact_filter(*, brand, wave, journey, channel, start, end, timezone=DEFAULT_TIMEZONE) -> ContactFilter:
    """The ContactFilter of the common filter options (``--from`` inclusive, ``--to`` exclusive)."""
    return ContactFilter(
        brands=split_names(brand), waves=split_names(wave), journeys=split_names(journey),
        channels=tuple(c.lower() for c in split_names(channel)),
        started_from=parse_timestamp(start, timezone, "--from") if start else None,
        started_before=parse_timestamp(end, timezone, "--to") if end else None,
    )


BRAND_OPTION = typer.Option(None, "--brand", help="Only these brands (repeat or comma-separate).")
WAVE_OPTION = typer.Option(None, "--wave", help="Only these waves.")
JOURNEY_OPTION = typer.Option(None, "--journey", help="Only these journeys.")
CHANNEL_OPTION = typer.Option(None, "--channel", help="Only these channels.")
FROM_OPTION = typer.Option(None, "--from", help="Contacts started at or after this time (YYYY-MM-DD or ISO 8601).")
TO_OPTION = typer.Option(None, "--to", help="Contacts started before this time.")
TIMEZONE_OPTION = typer.Option(DEFAULT_TIMEZONE, "--timezone", help="Zone of times given without an offset.")


def _plain(value):
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return _plain(value.item())
    return value


def frame_text(frame: pd.DataFrame, output_format: str, title: str = "") -> str | None:
    """``frame`` as CSV or JSON text (empty cells / null where a figure does not exist).

    CSV is opened in spreadsheets, so its text cells (brand, journey, channel names...) pass
    through ``journeys.exports.neutralise_frame`` like every other CSV the product writes.
    Returns None for ``table``: the caller prints a rich table via ``print_table``.
    """
    if output_format == "csv":
        return neutralise_frame(frame).to_csv(index=False, na_rep="", lineterminator="\n")
    if output_format == "json":
        records = [{k: _plain(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]
        return json.dumps(records, indent=2, ensure_ascii=False, default=str)
    return None


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 120:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 120:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes:02d}"
    return f"{hours / 24:.1f} d"


def _cell(column: str, value) -> str:
    value = _plain(value)
    if value is None:
        return "–"  # the figure does not exist (no denominator), which is not zero
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if column.endswith("_s"):
            return _duration(value)
        if column.endswith("_rate") or column in ("score_parity", "answer_agreement", "timing_on_norm"):
            return f"{100 * value:.1f} %"
        if column.endswith("_p"):
            return f"{value:.3g}"
        return f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def print_table(console, frame: pd.DataFrame, title: str = "") -> None:
    """``frame`` as a rich table: durations readable, rates in percent, "–" where no figure exists."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    if not console.is_terminal:
        # piped output has no width; do not fold numbers into unreadable columns
        console = Console(width=max(200, 18 * len(frame.columns)), file=console.file)
    table = Table(title=title or None)
    for column in frame.columns:
        numeric = pd.api.types.is_numeric_dtype(frame[column]) and not pd.api.types.is_bool_dtype(frame[column])
        label = str(column).removesuffix("_s").replace("_", " ")
        widest = max([len(_cell(str(column), v)) for v in frame[column]] or [1])
        table.add_column(label, justify="right" if numeric else "left", min_width=min(widest, 24),
                         overflow="fold")
    for row in frame.itertuples(index=False):
        # Text, not str: rich would read "[link=...]" in a brand name as console markup
        table.add_row(*(Text(_cell(str(c), v)) for c, v in zip(frame.columns, row, strict=True)))
    console.print(table)
