"""The assignment benchmark script runs end to end on a small wave (figures printed, none asserted on time)."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_assign_runs(tmp_path):
    """bench/bench_assign.py prints auto_assign beside its round-robin floor and writes the JSON figures."""
    out = tmp_path / "bench.json"
    result = subprocess.run(
        [sys.executable, "bench/bench_assign.py", "--items", "600", "--auditors", "8", "--locations", "40",
         "--repeat", "1", "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, check=True, timeout=300,
    )
    assert "floor: round_robin (no rules)" in result.stdout and "auto_assign / floor:" in result.stdout
    assert "assigned:" in result.stdout and "target:" in result.stdout
    figures = json.loads(out.read_text())
    assert figures["items"] == 600 and figures["lockout"] == {"waves": 2, "days": 0}
    assert figures["assigned"] + sum(figures["unassigned_by_reason"].values()) == 600
    assert 0 < figures["assigned_share"] <= 1
    assert set(figures["measures"]) == {"floor: round_robin (no rules)", "auto_assign (lockout 2 waves / 0 days)"}
