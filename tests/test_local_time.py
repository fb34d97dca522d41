"""journeys.local_time is the one home of the local zone and of how times and durations read on screen."""

import ast
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from journeys.local_time import (
    DATED_SECOND,
    DAY_MINUTE,
    LOCAL_ZONE,
    LOCAL_ZONE_NAME,
    MINUTE,
    duration,
    local_column,
    local_text,
)
from scoring.calendar import BUSINESS_TIMEZONE, BusinessCalendar

ROOT = Path(__file__).resolve().parents[1]
PROJECT_CODE = [p for folder in ("journeys", "data", "scoring", "ui", "pages", "cli")
                for p in sorted((ROOT / folder).rglob("*.py")) if "migrations" not in p.parts]
PROJECT_CODE.append(ROOT / "streamlit_app.py")


def test_local_zone_is_the_business_calendars_zone():
    """The app shows times in the zone whose office hours the business clock counts."""
    assert LOCAL_ZONE_NAME == BUSINESS_TIMEZONE == BusinessCalendar().timezone == LOCAL_ZONE.key


def _string_constants(path: Path) -> list[tuple[int, str]]:
    """Every string literal of a module outside its docstrings, with its line."""
    tree = ast.parse(path.read_text())
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
                  and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant)}
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings]


@pytest.mark.parametrize("path", PROJECT_CODE, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_the_zone_name_is_written_once(path):
    """Only scoring/calendar.py spells the zone out in code; everything else imports it."""
    if path.relative_to(ROOT).as_posix() == "scoring/calendar.py":
        return
    written = [(line, text) for line, text in _string_constants(path) if text == LOCAL_ZONE_NAME]
    assert not written, f"{path.name} writes {LOCAL_ZONE_NAME!r} itself at lines {[line for line, _ in written]}"


@pytest.mark.parametrize(("seconds", "shown"), [
    (None, "–"), (float("nan"), "–"), (0, "0 s"), (45, "45 s"), (119.4, "119 s"), (120, "2 min"),
    (7199, "120 min"), (7200, "2.0 h"), (12600, "3.5 h"), (172800, "2.0 d"), (181440, "2.1 d"),
])
def test_duration_reads_as_before(seconds, shown):
    """Durations keep the wording the pages have always shown."""
    assert duration(seconds) == shown


def test_local_text_in_winter_and_summer_and_when_missing():
    """A UTC time reads one hour later in winter, two in summer; a missing time is a dash."""
    assert local_text(datetime(2026, 1, 5, 8, 30, tzinfo=UTC)) == "Mon 05 Jan 09:30:00"
    assert local_text(datetime(2026, 7, 6, 8, 30, 5, tzinfo=UTC), DATED_SECOND) == "Mon 06 Jul 2026 10:30:05"
    assert local_text(pd.Timestamp("2026-07-06 08:30", tz="UTC"), MINUTE) == "2026-07-06 10:30"
    assert local_text(None) == "–" and local_text(pd.NaT) == "–"


def test_local_column_keeps_missing_times_missing():
    """A column of UTC times reads in local time; NaT stays missing rather than becoming text."""
    times = pd.Series(pd.to_datetime(["2026-03-28 23:30", None, "2026-03-29 23:30"], utc=True))
    shown = local_column(times, DAY_MINUTE)
    assert shown[0] == "29 Mar 00:30" and pd.isna(shown[1]) and shown[2] == "30 Mar 01:30"
