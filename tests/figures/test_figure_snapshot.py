"""Every figure the product shows equals the snapshot taken before the refactoring of issue 14.

The snapshot (``tests/figures/snapshots/*.json``, one file per surface) holds what a manager
sees on the Overview, Dashboard, Consistency, Trends and Explore pages (several sidebar filters
and each page control), the printable brand report per brand × wave, and the CSV of
``klantreis report`` and ``klantreis report consistency``, for the demo data
(``seed_demo(contacts=600, seed=7)``) as of 2026-11-15 12:00 UTC (``tests.figures.collect``
says exactly what is collected). The test runs on SQLite and on PostgreSQL against the same
files: both databases must show the same figures.

Regenerating the snapshot is deliberate: run

    KLANTREIS_UPDATE_FIGURE_SNAPSHOT=1 python -m pytest tests/figures -k sqlite

It rewrites the files from the code as it is and then FAILS, saying so, so that an update can
never pass silently; review ``git diff tests/figures/snapshots`` and commit it with a reason.
Without the variable the test only compares, and a failure lists, per page or report and
scenario, each figure that changed with its old and new value (the full new figures are
written next to the test's temporary files for a closer look).
"""

import json
import os
from pathlib import Path

import pytest

from data import db
from journeys.demo import seed_demo
from tests.figures.collect import AS_OF, DEMO_CONTACTS, DEMO_SEED, collect_all
from ui import dashboard_data

SNAPSHOT_DIR = Path(__file__).resolve().parent / "snapshots"
UPDATE_ENV = "KLANTREIS_UPDATE_FIGURE_SNAPSHOT"
SHOWN_DIFFERENCES = 40


def _json(value, depth: int = 0) -> str:
    """``value`` as JSON with sorted keys, one key per line and a list of plain values (a table
    row, a line of text) on one line, so a changed figure is a one-line diff."""
    pad, inner = " " * depth, " " * (depth + 1)
    if isinstance(value, dict) and value:
        items = [f"{inner}{json.dumps(str(k), ensure_ascii=False)}: {_json(value[k], depth + 1)}"
                 for k in sorted(value)]
        return "{\n" + ",\n".join(items) + f"\n{pad}}}"
    if isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value):
        return "[\n" + ",\n".join(f"{inner}{_json(v, depth + 1)}" for v in value) + f"\n{pad}]"
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _dump(figures: dict) -> str:
    return _json(figures) + "\n"


def _row_name(row: list) -> str:
    """A table row as a difference names it: its first cell (the group it is about)."""
    return repr(row[0]) if row else ""


def _flatten(value, path: str, out: dict) -> dict:
    """``{path: leaf}`` of the nested figures, with paths a reader can follow: the surface and
    scenario, then e.g. ``metrics[0 'Quality'].value`` or ``dataframes[0].rows[3 'email'].mean_quality``."""
    if isinstance(value, dict) and set(value) == {"columns", "rows"}:
        columns = value["columns"]
        _flatten(columns, f"{path}.columns", out)
        for index, row in enumerate(value["rows"]):
            for column, cell in zip(columns, row, strict=False):
                out[f"{path}.rows[{index} {_row_name(row)}].{column}"] = cell
            if len(row) != len(columns):
                out[f"{path}.rows[{index} {_row_name(row)}]"] = row
        if not value["rows"]:
            out[f"{path}.rows"] = []
    elif isinstance(value, dict) and value:
        for key in sorted(value):
            _flatten(value[key], f"{path}.{key}" if path.count("›") >= 2 else f"{path} › {key}", out)
    elif isinstance(value, list) and value:
        for index, item in enumerate(value):
            label = f" {item['label']!r}" if isinstance(item, dict) and "label" in item else ""
            _flatten(item, f"{path}[{index}{label}]", out)
    else:
        out[path] = value
    return out


def differences(expected: dict, actual: dict) -> list[str]:
    """One readable line per figure that differs, is missing or is new."""
    old, new = _flatten(expected, "", {}), _flatten(actual, "", {})
    lines = []
    for path in sorted(old.keys() | new.keys()):
        if path not in new:
            lines.append(f"{path.lstrip(' ›')}: {old[path]!r} is no longer shown")
        elif path not in old:
            lines.append(f"{path.lstrip(' ›')}: new {new[path]!r}")
        elif old[path] != new[path]:
            lines.append(f"{path.lstrip(' ›')}: was {old[path]!r}, now {new[path]!r}")
    return lines


@pytest.fixture
def frozen_demo(app_env, monkeypatch):
    """The demo data in a fresh database, the app and CLI pointed at it, the pages' "now" fixed."""
    seed_demo(db.get_engine(app_env), contacts=DEMO_CONTACTS, seed=DEMO_SEED)
    monkeypatch.setattr(dashboard_data, "current_as_of", lambda: AS_OF)
    return app_env


def test_every_figure_equals_the_snapshot(frozen_demo, tmp_path):
    """Pages, brand reports and CLI reports show exactly the figures of the snapshot."""
    figures = collect_all(frozen_demo)
    if os.environ.get(UPDATE_ENV) == "1":
        SNAPSHOT_DIR.mkdir(exist_ok=True)
        for surface, shown in figures.items():
            (SNAPSHOT_DIR / f"{surface}.json").write_text(_dump(shown), encoding="utf-8")
        pytest.fail(f"{UPDATE_ENV}=1: rewrote {len(figures)} snapshot files in {SNAPSHOT_DIR}; "
                    "review and commit them, then run the test without the variable", pytrace=False)
    stored = sorted(SNAPSHOT_DIR.glob("*.json"))
    assert stored, f"no snapshot in {SNAPSHOT_DIR}: generate it with {UPDATE_ENV}=1"
    expected = {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in stored}
    actual = json.loads(_dump(figures))  # the same JSON round trip the stored files went through
    lines = differences(expected, actual)
    if lines:
        (tmp_path / "figures-now.json").write_text(_dump(figures), encoding="utf-8")
        shown = "\n".join(f"  {line}" for line in lines[:SHOWN_DIFFERENCES])
        more = f"\n  … and {len(lines) - SHOWN_DIFFERENCES} more" if len(lines) > SHOWN_DIFFERENCES else ""
        pytest.fail(f"{len(lines)} figure(s) differ from the snapshot ({SNAPSHOT_DIR}):\n{shown}{more}\n"
                    f"All figures as shown now: {tmp_path / 'figures-now.json'}", pytrace=False)


def test_a_changed_figure_is_named_with_its_page_and_both_values():
    """The failure message names surface, scenario, figure, row and column, and old and new value."""
    before = {"dashboard": {"wave 2026-Q3": {
        "metrics": [{"label": "Quality", "value": "53.3", "delta": "-0.9"}],
        "dataframes": [{"columns": ["channel", "contacts"], "rows": [["email", 63], ["phone", 64]]}]}}}
    after = json.loads(json.dumps(before))
    after["dashboard"]["wave 2026-Q3"]["metrics"][0]["value"] = "53.4"
    after["dashboard"]["wave 2026-Q3"]["dataframes"][0]["rows"][1][1] = 65
    del after["dashboard"]["wave 2026-Q3"]["metrics"][0]["delta"]
    assert differences(before, after) == [
        "dashboard › wave 2026-Q3.dataframes[0].rows[1 'phone'].contacts: was 64, now 65",
        "dashboard › wave 2026-Q3.metrics[0 'Quality'].delta: '-0.9' is no longer shown",
        "dashboard › wave 2026-Q3.metrics[0 'Quality'].value: was '53.3', now '53.4'",
    ]
    assert differences(before, json.loads(_dump(before))) == []
