"""A cold dashboard and a report never import scipy.stats.

Importing it costs most of a second (issue 20's measurements); every figure takes its
quantiles and tests from ``scipy.special`` (``scoring.stats``). Each check runs in a fresh
interpreter, where nothing imported earlier can hide the import.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from data import db
from journeys.demo import seed_demo

ROOT = Path(__file__).resolve().parents[2]

# the Dashboard's figures and the default views of every analysis page, on the scored frame
FIGURES = """
import sys
from datetime import UTC, datetime
from data.db import get_engine
from journeys.fieldwork.refresh import read_frames
from ui.dashboard_data import DASHBOARD_FIGURES, DEFAULT_VIEWS, AS_OF, _dashboard_rows
engine = get_engine(sys.argv[1])
as_of = datetime.now(UTC)
frame = _dashboard_rows(read_frames(engine).contacts, engine, as_of)
for function, *args in DASHBOARD_FIGURES + DEFAULT_VIEWS:
    function(frame, *(as_of if a is AS_OF else a for a in args))
print("scipy.stats" in sys.modules)
"""

REPORT = """
import sys
from cli.main import main
sys.argv = ["klantreis", *sys.argv[2:]]
try:
    main()
except SystemExit as done:
    assert not done.code, done.code
print("scipy.stats" in sys.modules, file=sys.stderr)
"""


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('no-scipy-stats') / 'demo.db'}"
    db.upgrade(url)
    seed_demo(db.get_engine(url), contacts=300, seed=3)
    return url


def _run(script: str, *args: str, url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "KLANTREIS_DATABASE_URL": url, "KLANTREIS_CACHE_DIR": "off"}
    return subprocess.run([sys.executable, "-c", script, url, *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)


def test_the_dashboard_figures_do_not_import_scipy_stats(demo_url):
    result = _run(FIGURES, url=demo_url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False"


@pytest.mark.parametrize("command", [["report", "--by", "channel", "--format", "csv"],
                                     ["report", "consistency", "--format", "csv"]])
def test_the_reports_do_not_import_scipy_stats(demo_url, command):
    result = _run(REPORT, *command, url=demo_url)
    assert result.returncode == 0, result.stderr
    assert "mean_quality" in result.stdout.splitlines()[0]  # the report was written: its CSV header
    assert result.stderr.strip().splitlines()[-1] == "False", result.stderr
