"""The public API of scoring/ is pinned, pure, and the one-call pipeline joins score and timing."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

import scoring
from scoring.quality import QUALITY_COLUMNS
from scoring.timeliness import TIMELINESS_COLUMNS

from .builders import answers_frame, contacts_frame, criteria_frame, ts

ROOT = Path(__file__).resolve().parents[2]

PUBLIC_API = [
    "METRIC_COLUMNS", "QUALITY_COLUMNS", "TIMELINESS_COLUMNS", "BusinessCalendar", "ConsistencyReport",
    "ConsistencyWeights", "HeadlineFigures", "ItemScores", "PassBand", "answer_scores", "auditor_bias",
    "brand_mean_consistency", "calibration_alpha", "channel_metrics", "coefficient_of_variation", "consistency",
    "consistency_table", "criterion_channel_table", "criterion_spread", "dashboard_frame", "headline_figures",
    "item_scores", "kaplan_meier", "km_median", "km_share_within", "krippendorff_alpha", "mean_ci", "metrics_of_timed",
    "metrics_table", "response_time_table", "score_contacts", "scored_contacts", "section_scores", "survival_table",
    "timeliness", "wilson_interval",
]


def test_public_api_is_pinned():
    """scoring.__all__ lists exactly the documented public names, and each of them exists."""
    assert sorted(scoring.__all__) == sorted(PUBLIC_API)
    for name in PUBLIC_API:
        assert hasattr(scoring, name), name


def test_every_public_name_is_in_the_docs():
    """docs/scoring.md mentions every public name, so the reference and the code cannot drift apart."""
    docs = (ROOT / "docs" / "scoring.md").read_text(encoding="utf-8")
    missing = [name for name in PUBLIC_API if name not in docs]
    assert not missing


def test_scoring_imports_nothing_else_of_the_project():
    """Importing scoring loads no Streamlit, no database layer and no other project package."""
    code = ("import sys, json, scoring; "
            "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
            "{'streamlit','sqlalchemy','sqlmodel','psycopg','data','journeys','ui','cli','pages','krippendorff'})))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert json.loads(result.stdout) == []


def test_scored_contacts_pipeline():
    """scored_contacts adds every quality and timeliness column to the contacts, row for row."""
    contacts = contacts_frame({"first_response_at": "2026-03-02 10:00", "first_response_target_s": 7200.0}, {})
    contacts.index = [7, 3]  # a caller's index is kept
    criteria = criteria_frame({}, {})
    out = scoring.scored_contacts(contacts, answers_frame({1: {1: 1, 2: 0}, 2: {1: 1}}), criteria,
                                  as_of=ts("2026-03-04 09:00"))
    assert list(out.index) == [7, 3]
    assert set(QUALITY_COLUMNS) | set(TIMELINESS_COLUMNS) <= set(out.columns)
    assert list(out["final_score"]) == [50.0, 100.0]
    assert list(out["first_response_status"]) == ["within", "no_target"]


@pytest.mark.parametrize("module", ["contract", "quality", "calendar", "timeliness", "stats", "metrics",
                                    "consistency", "agreement", "pipeline", "headline", "response_times",
                                    "criterion_channel"])
def test_every_module_documents_itself(module):
    """Each module has a docstring and an __all__ whose names all exist."""
    mod = __import__(f"scoring.{module}", fromlist=["__all__"])
    assert mod.__doc__ and len(mod.__doc__) > 80
    for name in mod.__all__:
        assert hasattr(mod, name), f"{module}.{name}"
