"""The scoring benchmark script runs end to end on a small frame."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_scoring_runs(tmp_path):
    """bench/bench_scoring.py prints its table and writes the JSON figures for a small run."""
    out = tmp_path / "bench.json"
    result = subprocess.run(
        [sys.executable, "bench/bench_scoring.py", "--contacts", "3000", "--repeat", "1", "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, check=True, timeout=300,
    )
    assert "floor: answers.groupby(contact_id).value.mean()" in result.stdout
    assert "score_contacts" in result.stdout and "target:" in result.stdout
    figures = json.loads(out.read_text())
    assert figures["answers"] == 3000 * 20 and figures["target_met"] is True
    assert set(figures["measures"]) >= {"consistency by brand", "channel_metrics by brand x channel"}
