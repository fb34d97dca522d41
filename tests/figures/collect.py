"""Collecting every figure the product shows, as shown, for the figure snapshot.

``collect_all(db_url)`` seeds nothing itself: it reads a database that holds the demo data
(``seed_demo(engine, contacts=DEMO_CONTACTS, seed=DEMO_SEED)``) and returns, per surface
(``overview``, ``dashboard``, ``consistency``, ``trends``, ``explore``, ``contact_detail``,
``brand_report``, ``cli_report``), a JSON-ready dict of scenario → what the user sees:

* the analysis pages run in ``streamlit.testing.v1.AppTest`` for a manager, with the sidebar
  filters and the pages' own controls set through their widgets: every metric (label, value,
  delta, help), caption, markdown, info and warning text, subheader, selectbox option (their
  labels carry counts), every dataframe and table as records, and the datasets of every
  Vega-Lite chart (decoded from the Arrow data the page sends to the browser);
* one contact in full as the Explore drill-down shows it (a row of the list selected): its
  score, first-response time, timings and checklist, for a few contacts per channel;
* the CSV files of figures the Explore page offers for download ("Metrics as CSV");
* the printable brand report per brand × wave, built by clicking "Build report" on the
  Explore page: its visible text (tiles, table rows; the SVG markup stripped) and the datasets
  of its charts, taken from the specs on their way to the SVG renderer;
* ``klantreis report`` and ``report consistency`` CSV output, run in-process with Typer's
  CliRunner and a fixed ``--as-of``, kept cell by cell exactly as printed.

Figures are taken as displayed (formatted strings stay strings). Raw numbers that reach the
user unformatted in this process (dataframe cells, chart data) are rounded to
``SIGNIFICANT_DIGITS`` so the last bits of a float sum, which may differ with row order, do
not count as a change.

What would differ from run to run is fixed or left out: the moment figures are computed for is
``AS_OF`` everywhere (the caller freezes ``ui.dashboard_data.current_as_of``; the CLI gets
``--as-of``); the only other "now" on these pages, the time stamp in download file names, is not
collected. Contact ids (Explore list, contact detail) are database ids shown to the user: a
fresh database numbers the demo contacts 1…N in insertion order on both engines, so they are
kept as shown; the index of a dataframe the page hides (row positions in a cached frame) is
dropped.

Not collected: chart specs beyond their data (marks, encodings, formats), the display formats
``column_config`` applies to dataframe cells, files built only on a click (contacts CSV/XLSX),
XLSX files, the SVG of the brand report, the CLI's table and JSON formats, the date-range,
journey and location filters, other roles' views and the pages without figures.
"""

import csv
import html.parser
import io
import json
import math
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
from streamlit.testing.v1 import AppTest

from data import db
from data.db import read_scope
from journeys.accounts.users import get_user
from ui.session import FRAME_KEY, USER_KEY, SignedInUser

ROOT = Path(__file__).resolve().parents[2]
# The one fixed "now" of the snapshot: after the last demo wave, so open contacts are censored here.
AS_OF = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)
DEMO_CONTACTS = 600
DEMO_SEED = 7
SIGNIFICANT_DIGITS = 9

ANALYSIS_PAGES = ("dashboard", "consistency", "trends", "explore")
# Sidebar filters a manager sets, by scenario name (widget key suffix → selected options).
FILTER_SCENARIOS = {
    "all contacts": {},
    "wave 2026-Q3": {"waves": ["2026-Q3"]},  # a single wave: the tiles show the change since 2026-Q2
    "wave 2026-Q2": {"waves": ["2026-Q2"]},  # the first wave: nothing to compare with
    "channel phone": {"channels": ["phone"]},
    "brand Koopklik": {"brands": ["Koopklik"]},
    "brand Belnet, wave 2026-Q3": {"brands": ["Belnet"], "waves": ["2026-Q3"]},
}
FILTER_WIDGETS = ("brands", "waves", "journeys", "channels", "locations")
# The pages' own controls, each option shown once on all contacts (the default option is in the
# scenarios above already).
PAGE_CONTROLS = {
    "consistency": [("cons_level", "Brand × journey"), ("cons_level", "Brand × journey × wave"),
                    ("cons_rank", "location")],
    "trends": [("trend_series", "brand")],
    "explore": [("explore_level", "brand"), ("explore_level", "location")],
}
CLI_REPORTS = {
    "report --by channel": ["report", "--by", "channel"],
    "report --by brand,wave": ["report", "--by", "brand,wave"],
    "report --by channel --all-columns": ["report", "--by", "channel", "--all-columns"],
    "report --by journey,location --brand Koopklik": ["report", "--by", "journey,location", "--brand", "Koopklik"],
    "report consistency": ["report", "consistency"],
    "report consistency --by brand,journey,wave": ["report", "consistency", "--by", "brand,journey,wave"],
}


# ---------------------------------------------------------------- plain JSON values


def plain(value):
    """``value`` as plain JSON data: numpy/pandas scalars unwrapped, floats rounded, NaN as None."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [plain(v) for v in value]
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        number = float(value)
        if math.isnan(number):
            return None
        if math.isinf(number):
            return "inf" if number > 0 else "-inf"
        return float(f"{number:.{SIGNIFICANT_DIGITS}g}")
    if isinstance(value, (pd.Timestamp, datetime, date)):
        return value.isoformat()
    if isinstance(value, pd.Timedelta):
        return value.total_seconds()
    return str(value)


def records(frame: pd.DataFrame, *, index: bool = True) -> dict:
    """A frame as ``{columns, rows}`` (rows as lists: one short line per row in the JSON file);
    a meaningful ``index`` (not 0, 1, 2, …) becomes the first columns."""
    if index and not isinstance(frame.index, pd.RangeIndex):
        frame = frame.reset_index()
    return {"columns": [str(c) for c in frame.columns],
            "rows": [plain(list(row)) for row in frame.itertuples(index=False, name=None)]}


# ---------------------------------------------------------------- app pages


def _chart_datasets(chart) -> list[dict]:
    """The data a Vega-Lite chart element carries: its named Arrow datasets and any inline values."""
    out = []
    for named in chart.proto.datasets:
        table = pa.ipc.open_stream(io.BytesIO(named.data.data)).read_all()
        out.append(records(table.to_pandas()))
    if chart.proto.HasField("data") and chart.proto.data.data:
        out.append(records(pa.ipc.open_stream(io.BytesIO(chart.proto.data.data)).read_all().to_pandas()))
    spec = json.loads(chart.proto.spec)
    for part in [spec, *spec.get("layer", [])]:
        inline = part.get("data", {}).get("values") if isinstance(part.get("data"), dict) else None
        if inline:
            out.append({"inline": plain(inline)})
    return out


def _dataframe(element) -> dict:
    """A dataframe element's content as records, without its index when the page hides it
    (its values are row positions in a cached frame, never shown)."""
    config = json.loads(element.proto.columns or "{}")
    return records(element.value, index=not config.get("_index", {}).get("hidden", False))


# Contents of the files the pages offer for download, by their media URL (see recorded_downloads).
_DOWNLOADS: dict[str, bytes] = {}


@contextmanager
def recorded_downloads():
    """Keep the bytes of every file a page hands to a download button, so the CSV of figures a
    manager downloads can be compared too (AppTest keeps only the file's URL)."""
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    original = MemoryMediaFileStorage.load_and_get_id

    def recording(self, path_or_data, mimetype, kind, filename=None):
        file_id = original(self, path_or_data, mimetype, kind, filename)
        _DOWNLOADS[self.get_url(file_id)] = self.get_file(file_id).content
        return file_id

    MemoryMediaFileStorage.load_and_get_id = recording
    try:
        yield _DOWNLOADS
    finally:
        MemoryMediaFileStorage.load_and_get_id = original
        _DOWNLOADS.clear()


def _csv_downloads(at: AppTest) -> dict[str, dict]:
    """The CSV files whose content the page built (not those built only on a click), by label."""
    out = {}
    for button in at.get("download_button"):
        content = _DOWNLOADS.get(button.proto.url)
        if content is not None and button.proto.label.endswith("as CSV"):
            out[button.proto.label] = csv_cells(content.decode("utf-8-sig"))
    return out


def page_figures(at: AppTest) -> dict:
    """Everything with a figure in it on one rendered page, in page order."""
    assert not at.exception, [e.value for e in at.exception]
    shown = {
        "title": [t.value for t in at.title],
        "subheaders": [s.value for s in at.subheader],
        "metrics": [{"label": m.label, "value": m.value, "delta": m.proto.delta or None,
                     "help": m.proto.help or None} for m in at.metric],
        "captions": [c.value for c in at.caption],
        "markdown": [m.value for m in at.markdown],
        "info": [i.value for i in at.info],
        "warning": [w.value for w in at.warning],
        "selectboxes": [{"label": s.label, "options": list(s.options)} for s in at.selectbox],
        "dataframes": [_dataframe(d) for d in at.dataframe],
        "tables": [records(t.value) for t in at.table],
        "charts": [_chart_datasets(c) for c in at.get("vega_lite_chart")],
        "csv_downloads": _csv_downloads(at),
    }
    return {key: value for key, value in shown.items() if value}


def open_page(name: str, manager: SignedInUser) -> AppTest:
    """``pages/<name>.py`` run once for ``manager``, the frame counted as run (as the app does)."""
    at = AppTest.from_file(str(ROOT / "pages" / f"{name}.py"), default_timeout=120)
    at.session_state[USER_KEY] = manager
    at.session_state[FRAME_KEY] = True
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def set_filters(at: AppTest, picks: dict[str, list[str]]) -> None:
    """Set the sidebar filters as a manager would (unset ones back to "All") and rerun."""
    for name in FILTER_WIDGETS:
        at.multiselect(key=f"flt_{name}").set_value(picks.get(name, []))
    at.run()


def analysis_page(name: str, manager: SignedInUser) -> dict:
    """One analysis page under every filter scenario and each of its own controls."""
    at = open_page(name, manager)
    shown = {}
    for scenario, picks in FILTER_SCENARIOS.items():
        set_filters(at, picks)
        shown[scenario] = page_figures(at)
    set_filters(at, {})
    for key, option in PAGE_CONTROLS.get(name, []):
        control = at.segmented_control(key=key)
        default = control.value
        control.set_value(option).run()
        shown[f"all contacts, {key} = {option}"] = page_figures(at)
        at.segmented_control(key=key).set_value(default)  # back to the default with the next run
    return shown


def contact_details(manager: SignedInUser) -> dict:
    """One contact in full, opened from the Explore drill-down (a row selected in the list): for
    each channel its newest contact and its newest unanswered one. Only the contact's own part
    of the page is kept (the list itself is in the ``explore`` surface)."""
    at = open_page("explore", manager)
    shown = {}
    for index, channel in enumerate(at.selectbox(key="explore_group").options):
        at.selectbox(key="explore_group").select_index(index).run()
        listing = at.dataframe[0].value.reset_index(drop=True)
        unanswered = listing.index[listing["first response"] == "unanswered"].tolist()
        listed = page_figures(at)  # the page without a contact: what is not in it is the contact's
        for position in dict.fromkeys([0, *unanswered[:1]]):
            at.session_state["explore_table"] = {"selection": {"rows": [position], "columns": [], "cells": []}}
            at.run()
            figures = page_figures(at)
            contact = int(listing.loc[position, "contact"])
            shown[f"{channel}: contact {contact}"] = {
                key: [item for item in figures.get(key, []) if item not in listed.get(key, [])]
                for key in ("subheaders", "captions", "metrics", "tables", "dataframes")
            }
        at.session_state["explore_table"] = {"selection": {"rows": [], "columns": [], "cells": []}}
    return shown


# ---------------------------------------------------------------- brand report


class _VisibleText(html.parser.HTMLParser):
    """The text a reader sees in the report: one line per text run, one line per table row
    (cells joined by " | "); nothing inside <svg> or <style>."""

    def __init__(self):
        super().__init__()
        self.lines: list[str] = []
        self._hidden = 0
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag in ("svg", "style"):
            self._hidden += 1
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("svg", "style"):
            self._hidden -= 1
        elif tag in ("td", "th") and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.lines.append(" | ".join(self._row))
            self._row = None

    def handle_data(self, data):
        if self._hidden:
            return
        if self._cell is not None:
            self._cell.append(data)
        elif data.strip():
            self.lines.append(" ".join(data.split()))


def visible_text(page: str) -> list[str]:
    parser = _VisibleText()
    parser.feed(page)
    parser.close()
    return parser.lines


@contextmanager
def recorded_chart_specs():
    """Record the data of every chart the report hands to the SVG renderer (``vl_convert``).

    The renderer is not run: its markup is stripped from the text anyway, and rendering two
    charts for each of a dozen reports would take most of the test's time (that the charts
    render is tested in tests/dashboard).
    """
    import vl_convert

    original = vl_convert.vegalite_to_svg
    seen: list[list] = []

    def recording(spec, *args, **kwargs):
        spec_dict = json.loads(spec) if isinstance(spec, str) else spec
        seen.append([{"rows": plain(rows)} for rows in (spec_dict.get("datasets") or {}).values()])
        return "<svg></svg>"

    vl_convert.vegalite_to_svg = recording
    try:
        yield seen
    finally:
        vl_convert.vegalite_to_svg = original


def brand_reports(manager: SignedInUser) -> dict:
    """The report of every brand × wave (and "all waves"), built from the Explore page's button."""
    at = open_page("explore", manager)
    shown = {}
    brands = list(at.selectbox(key="report_brand").options)
    waves = list(at.selectbox(key="report_wave").options)
    for brand in brands:
        for wave in waves:
            at.selectbox(key="report_brand").set_value(brand)
            at.selectbox(key="report_wave").set_value(wave)
            with recorded_chart_specs() as charts:
                at.button(key="report_build").click().run()
            assert not at.exception, [e.value for e in at.exception]
            built_brand, built_wave, page = at.session_state["report_html"]
            assert (built_brand, built_wave) == (brand, wave)
            shown[f"{brand} · {wave}"] = {"text": visible_text(page), "charts": charts}
    return shown


# ---------------------------------------------------------------- command line


def csv_cells(text: str) -> dict:
    """CSV text as ``{columns, rows}`` with every cell exactly as written (nothing parsed or
    rounded): a difference then names its row and column."""
    header, *rows = csv.reader(io.StringIO(text))
    return {"columns": header, "rows": rows}


def cli_reports() -> dict:
    """``klantreis report`` CSV output per command, cell by cell as printed."""
    from typer.testing import CliRunner

    from cli.main import app

    runner = CliRunner()
    shown = {}
    for name, args in CLI_REPORTS.items():
        result = runner.invoke(app, [*args, "--as-of", AS_OF.isoformat(), "--format", "csv"])
        assert result.exit_code == 0, (name, result.output)
        shown[name] = csv_cells(result.stdout)
    return shown


# ---------------------------------------------------------------- all together


def demo_manager(db_url: str) -> SignedInUser:
    """The demo's manager account as the pages see a signed-in user."""
    with read_scope(db.get_engine(db_url)) as session:
        user = get_user(session=session, username="manager")
        return SignedInUser(user.id, user.username, user.display_name, str(user.role))


def collect_all(db_url: str) -> dict[str, dict]:
    """Every surface's figures for the demo database at ``db_url`` (see the module docstring).

    The caller points the app and the CLI at ``db_url`` and freezes ``current_as_of``.
    """
    manager = demo_manager(db_url)
    with recorded_downloads():
        surfaces = {"overview": {"manager": page_figures(open_page("overview", manager))}}
        for name in ANALYSIS_PAGES:
            surfaces[name] = analysis_page(name, manager)
        surfaces["contact_detail"] = contact_details(manager)
        surfaces["brand_report"] = brand_reports(manager)
    surfaces["cli_report"] = cli_reports()
    return surfaces
