"""Printing result frames: a Rich table for people, CSV or JSON for programs.

Shared by the commands that print frames (``klantreis report``, ``report consistency``).
"""

import json
import math

import pandas as pd
from rich.console import Console
from rich.table import Table
from rich.text import Text

from journeys.interchange.exports import neutralise_frame
from journeys.language import _, number, pgettext
from journeys.local_time import duration

# The heading a person reads above a column of a table (``print_table``), by the column's name with
# "_s" dropped and "_" as a space (the English heading). CSV and JSON keep the column names.
_HEADINGS = {
    "contacts": lambda: pgettext("report column", "contacts"),
    "responded": lambda: pgettext("report column", "responded"),
    "response rate": lambda: pgettext("report column", "response rate"),
    "response rate ci low": lambda: pgettext("report column", "response rate ci low"),
    "response rate ci high": lambda: pgettext("report column", "response rate ci high"),
    "median first response": lambda: pgettext("report column", "median first response"),
    "km median first response": lambda: pgettext("report column", "km median first response"),
    "with response target": lambda: pgettext("report column", "with response target"),
    "km share within target": lambda: pgettext("report column", "km share within target"),
    "with deadline": lambda: pgettext("report column", "with deadline"),
    "late": lambda: pgettext("report column", "late"),
    "pending": lambda: pgettext("report column", "pending"),
    "on time rate": lambda: pgettext("report column", "on time rate"),
    "on time rate ci low": lambda: pgettext("report column", "on time rate ci low"),
    "on time rate ci high": lambda: pgettext("report column", "on time rate ci high"),
    "scored": lambda: pgettext("report column", "scored"),
    "mean quality": lambda: pgettext("report column", "mean quality"),
    "mean quality ci low": lambda: pgettext("report column", "mean quality ci low"),
    "mean quality ci high": lambda: pgettext("report column", "mean quality ci high"),
    "passed": lambda: pgettext("report column", "passed"),
    "pass rate": lambda: pgettext("report column", "pass rate"),
    "redirected": lambda: pgettext("report column", "redirected"),
    "redirect rate": lambda: pgettext("report column", "redirect rate"),
    "judged": lambda: pgettext("report column", "judged"),
    "correct": lambda: pgettext("report column", "correct"),
    "accuracy rate": lambda: pgettext("report column", "accuracy rate"),
    "accuracy rate ci low": lambda: pgettext("report column", "accuracy rate ci low"),
    "accuracy rate ci high": lambda: pgettext("report column", "accuracy rate ci high"),
    "insufficient": lambda: pgettext("report column", "insufficient"),
    "channels": lambda: pgettext("report column", "channels"),
    "best channel": lambda: pgettext("report column", "best channel"),
    "worst channel": lambda: pgettext("report column", "worst channel"),
    "channel gap": lambda: pgettext("report column", "channel gap"),
    "consistency index": lambda: pgettext("report column", "consistency index"),
    "answer agreement": lambda: pgettext("report column", "answer agreement"),
    "consistent all channels": lambda: pgettext("report column", "consistent all channels"),
    "kruskal p": lambda: pgettext("report column", "kruskal p"),
    "gap to best": lambda: pgettext("report column", "gap to best"),
    "channel": lambda: pgettext("report column", "channel"),
    "brand": lambda: pgettext("report column", "brand"),
    "location": lambda: pgettext("report column", "location"),
    "journey": lambda: pgettext("report column", "journey"),
    "wave": lambda: pgettext("report column", "wave"),
}


def column_heading(column: str) -> str:
    """The heading of ``column`` in a table for people, in the current language."""
    label = str(column).removesuffix("_s").replace("_", " ")
    heading = _HEADINGS.get(label)
    return heading() if heading else label


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
    through ``journeys.interchange.exports.neutralise_frame`` like every other CSV the product writes.
    Returns None for ``table``: the caller prints a rich table via ``print_table``.
    """
    if output_format == "csv":
        return neutralise_frame(frame).to_csv(index=False, na_rep="", lineterminator="\n")
    if output_format == "json":
        records = [{k: _plain(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]
        return json.dumps(records, indent=2, ensure_ascii=False, default=str)
    return None


def _cell(column: str, value) -> str:
    value = _plain(value)
    if value is None:
        return "–"  # the figure does not exist (no denominator), which is not zero
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, float):
        if column.endswith("_s"):
            return duration(value)
        if column.endswith("_rate") or column in ("score_parity", "answer_agreement", "timing_on_norm"):
            return f"{number(100 * value, 1)} %"
        if column.endswith("_p"):
            return _significant(value)
        return number(value, 1)
    if isinstance(value, int):
        return number(value)
    return str(value)


def _significant(value: float) -> str:
    """A p-value with three significant digits (``0.0123``; ``0,0123`` in Dutch)."""
    written = f"{value:.3g}"
    if "e" in written:
        return written  # a tiny p-value: 1.2e-05 reads the same in both languages
    return number(value, len(written.partition(".")[2]))


def print_table(console, frame: pd.DataFrame, title: str = "") -> None:
    """``frame`` as a rich table: durations readable, rates in percent, "–" where no figure exists."""
    if not console.is_terminal:
        # piped output has no width; do not fold numbers into unreadable columns
        console = Console(width=max(200, 18 * len(frame.columns)), file=console.file, markup=False, emoji=False)
    table = Table(title=title or None)
    for column in frame.columns:
        numeric = pd.api.types.is_numeric_dtype(frame[column]) and not pd.api.types.is_bool_dtype(frame[column])
        label = column_heading(column)
        widest = max([len(_cell(str(column), v)) for v in frame[column]] or [1])
        table.add_column(label, justify="right" if numeric else "left", min_width=min(widest, 24),
                         overflow="fold")
    for row in frame.itertuples(index=False):
        # Text, not str: rich would read "[link=...]" in a brand name as markup (on any console)
        table.add_row(*(Text(_cell(str(c), v)) for c, v in zip(frame.columns, row, strict=True)))
    console.print(table)
