"""The one-page report per brand and wave: print-ready HTML with the tiles and main charts as SVG.

A manager downloads it and prints it (or saves it as PDF from the browser's print dialog).
Charts are rendered to SVG with vl-convert, so the file is self-contained and works offline.
Every text that comes from the database is escaped. The report states on its face what it
covers (``scope``: every filter it applies) and the as-of time in local time, the zone named.
It is written in the current language (``journeys.language``): its words, its numbers ("54,9"
in Dutch) and its charts' formats (``ui.charts.localized``).
"""

import html
from dataclasses import dataclass
from datetime import datetime

import altair as alt
import pandas as pd

from journeys.language import _, current_language, number
from journeys.local_time import LOCAL_ZONE_NAME, MINUTE, local_text
from scoring.metrics import MIN_CONTACTS
from ui import charts

_STYLE = """
body { font-family: -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2937; margin: 24px; }
h1 { font-size: 22px; margin: 0 0 4px; } .scope { font-size: 13px; margin-bottom: 4px; } .sub { color: #6b7280; font-size: 12px; margin-bottom: 16px; }
.tiles { display: grid; grid-template-columns: repeat(5, 1fr); gap: 8px; margin-bottom: 16px; }
.tile { border: 1px solid #d1d5db; border-radius: 6px; padding: 8px; }
.tile .label { font-size: 11px; color: #6b7280; } .tile .value { font-size: 20px; font-weight: 600; }
.tile .n { font-size: 10px; color: #6b7280; }
.charts { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; }
.chart svg { max-width: 100%; height: auto; } h2 { font-size: 14px; margin: 8px 0 4px; }
table { border-collapse: collapse; font-size: 11px; width: 100%; margin-top: 12px; }
th, td { border-bottom: 1px solid #e5e7eb; padding: 3px 6px; text-align: right; }
th:first-child, td:first-child { text-align: left; }
@media print { body { margin: 8mm; } .charts { break-inside: avoid; } }
"""


def chart_svg(chart: alt.TopLevelMixin) -> str:
    """An Altair chart as an inline SVG string (no browser, no network)."""
    import vl_convert  # lazy: its renderer loads only when a report is downloaded

    return vl_convert.vegalite_to_svg(charts.localized(chart).to_dict())


def cell_text(value) -> str:
    """A cell of the report's table as the current language writes it: "1.234" and "89,8" in
    Dutch, "1,234" and "89.8" in English (floats with one decimal); "–" where no figure exists."""
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value):
        return "–"
    if isinstance(value, bool):
        return str(value)
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, float):
        return number(value, 1)
    if isinstance(value, int):
        return number(value)
    return str(value)


def _tile(label: str, value: str, n: int | None) -> str:
    n_text = f'<div class="n">n = {html.escape(number(n))}</div>' if n is not None else ""
    return (f'<div class="tile"><div class="label">{html.escape(label)}</div>'
            f'<div class="value">{html.escape(value)}</div>{n_text}</div>')


@dataclass(frozen=True)
class ActionsSection:
    """The report's "Actions" section: ``open`` (open or in progress) and ``overdue`` of ``n``
    actions of the brand (and wave), a short table of the open ones, and the items fixed since
    the previous wave (its actions whose follow-up in this wave is "yes")."""

    n: int
    open: int
    overdue: int
    open_table: pd.DataFrame
    fixed_table: pd.DataFrame


def actions_html(section: ActionsSection) -> str:
    """The "Actions" section as HTML; every cell escaped."""
    parts = [f"<h2>{html.escape(_('Actions'))}</h2>",
             "<p>" + html.escape(_("Open: {open} · overdue: {overdue} · n = {n} actions").format(
                 open=number(section.open), overdue=number(section.overdue), n=number(section.n))) + "</p>"]
    if len(section.open_table):
        parts.append(section.open_table.astype(object).map(cell_text).to_html(index=False, escape=True, na_rep="–"))
    parts.append(f"<h3>{html.escape(_('Fixed since the previous wave'))}</h3>")
    if len(section.fixed_table):
        parts.append(section.fixed_table.astype(object).map(cell_text).to_html(index=False, escape=True, na_rep="–"))
    else:
        parts.append("<p>" + html.escape(_("None yet.")) + "</p>")
    return "".join(parts)


def brand_report_html(*, brand: str, wave: str | None, as_of: datetime, scope: str, tiles: list[tuple[str, str, int | None]],
                      chart_sections: list[tuple[str, alt.TopLevelMixin]], table: pd.DataFrame,
                      actions: ActionsSection | None = None) -> str:
    """Assemble the report.

    Args:
        brand, wave: what the report is about (shown in the title).
        as_of: the instant the figures were computed for (printed in local time).
        scope: which contacts the report covers, every filter it applies (printed under the title).
        tiles: (label, formatted value, n) per KPI tile.
        chart_sections: (title, chart) pairs, rendered as SVG side by side.
        table: the per-channel metric table printed under the charts.
        actions: the "Actions" section (None: the report has none, e.g. for a reader of no action plan).
    """
    title = f"{brand} — {wave}" if wave else brand
    subtitle = _("Klantreis cross-channel report · figures as of {moment} ({zone}) · n = number of contacts "
                 "each figure rests on; fewer than {min} is marked as too few.").format(
        moment=local_text(as_of, MINUTE), zone=LOCAL_ZONE_NAME, min=number(MIN_CONTACTS))
    parts = [
        f"<!doctype html><html lang='{current_language()}'><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)} · Klantreis</title><style>{_STYLE}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        f"<div class='scope'>{html.escape(scope)}</div>",
        f"<div class='sub'>{html.escape(subtitle)}</div>",
        "<div class='tiles'>", *(_tile(*t) for t in tiles), "</div>",
        "<div class='charts'>",
    ]
    for section_title, chart in chart_sections:
        parts.append(f"<div class='chart'><h2>{html.escape(section_title)}</h2>{chart_svg(chart)}</div>")
    parts.append("</div>")
    parts.append(table.astype(object).map(cell_text).to_html(index=False, escape=True, na_rep="–"))
    if actions is not None:
        parts.append(actions_html(actions))
    parts.append("</body></html>")
    return "".join(parts)


__all__ = ["ActionsSection", "actions_html", "brand_report_html", "chart_svg", "charts"]
