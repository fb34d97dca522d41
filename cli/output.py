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
from journeys.local_time import duration


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
        return "yes" if value else "no"
    if isinstance(value, float):
        if column.endswith("_s"):
            return duration(value)
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
    if not console.is_terminal:
        # piped output has no width; do not fold numbers into unreadable columns
        console = Console(width=max(200, 18 * len(frame.columns)), file=console.file, markup=False, emoji=False)
    table = Table(title=title or None)
    for column in frame.columns:
        numeric = pd.api.types.is_numeric_dtype(frame[column]) and not pd.api.types.is_bool_dtype(frame[column])
        label = str(column).removesuffix("_s").replace("_", " ")
        widest = max([len(_cell(str(column), v)) for v in frame[column]] or [1])
        table.add_column(label, justify="right" if numeric else "left", min_width=min(widest, 24),
                         overflow="fold")
    for row in frame.itertuples(index=False):
        # Text, not str: rich would read "[link=...]" in a brand name as markup (on any console)
        table.add_row(*(Text(_cell(str(c), v)) for c, v in zip(frame.columns, row, strict=True)))
    console.print(table)
