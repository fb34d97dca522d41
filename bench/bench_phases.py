"""Benchmark: where the Dashboard's time goes, phase by phase, on one database.

Run: .venv/bin/python bench/bench_phases.py --db PATH [--saves 2] [--snapshot]
(e.g. a database filled by ``klantreis demo --contacts 1000000 --seed 1``; a copy is used, so
the saves below leave the file as it was)

The Dashboard page as an AppTest (``rerun_dashboard.manager_dashboard``, snapshots off:
``KLANTREIS_CACHE_DIR=off``): a first load, a rerun with nothing changed, then reruns each after
one contact saved elsewhere (``bench_scale.save_one_contact``). With ``--snapshot`` the first
load is a restarted app's: another process reads the frames and writes their snapshot
(``journeys.fieldwork.snapshot``) first, and the page starts from it. Each phase prints its time, the
process's peak memory so far and the time spent inside the app's heavy steps (``STEPS``:
inclusive, so a step that calls another counts both). ``bench_scale.py`` measures the goals;
this says which step to look at when one is missed.
"""

import argparse
import collections
import functools
import importlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT.parent))

# (module, function): what a dashboard load or a rerun after a save spends its time in
STEPS = (
    ("journeys.fieldwork.refresh", "read_contacts"), ("journeys.fieldwork.refresh", "_patched"),
    ("journeys.fieldwork.refresh", "changed_contacts"), ("ui.dashboard_data", "refresh_frames"),
    ("ui.dashboard_data", "_dashboard_rows"), ("ui.dashboard_data", "retimed_dashboard_frame"),
    ("ui.dashboard_data", "unsettled_ids"), ("ui.dashboard_data", "apply_filter"),
    ("ui.dashboard_data", "plan_coverage_of"), ("ui.dashboard_data", "_figures"),
    ("journeys.fieldwork.snapshot", "_read"),
)


def timed_steps(spent: collections.Counter, calls: collections.Counter) -> None:
    """Wrap each of ``STEPS`` where the app calls it, adding its seconds and calls to the counters."""
    for module_name, name in STEPS:
        module = importlib.import_module(module_name)
        function = getattr(module, name)
        label = f"{module_name.rsplit('.', 1)[-1]}.{name}"

        @functools.wraps(function)
        def timed(*args, _function=function, _label=label, **kwargs):
            started = time.perf_counter()
            try:
                return _function(*args, **kwargs)
            finally:
                spent[_label] += time.perf_counter() - started
                calls[_label] += 1

        setattr(module, name, timed)


# Run in a process of its own: the snapshot a process that read the frames in full leaves behind.
SNAPSHOT_WRITER = """
import sys
sys.path.insert(0, sys.argv[1])
from data.db import get_engine
from journeys.fieldwork.refresh import read_frames
from journeys.fieldwork.snapshot import SnapshotStore
engine = get_engine(sys.argv[2])
SnapshotStore.from_environment().save(engine, read_frames(engine))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--saves", type=int, default=2, help="reruns after one saved contact each")
    parser.add_argument("--snapshot", action="store_true",
                        help="a restarted app's first load: from a snapshot of the frames written by another process")
    args = parser.parse_args()
    os.environ["KLANTREIS_CACHE_DIR"] = "off"  # every first load reads in full, as a new database's does
    from bench_scale import peak_mb, save_one_contact
    from rerun_dashboard import manager_dashboard

    with tempfile.TemporaryDirectory(prefix="klantreis-phases-") as folder:
        db = Path(folder) / "phases.db"
        shutil.copyfile(args.db, db)
        if args.snapshot:
            os.environ["KLANTREIS_CACHE_DIR"] = str(Path(folder) / "cache")
            subprocess.run([sys.executable, "-c", SNAPSHOT_WRITER, str(ROOT.parent), f"sqlite:///{db.resolve()}"],
                           check=True)
        spent, calls = collections.Counter(), collections.Counter()
        timed_steps(spent, calls)
        at = manager_dashboard(db, timeout=1800)
        from ui.resources import get_engine

        def phase(label: str) -> None:
            spent.clear()
            calls.clear()
            started = time.perf_counter()
            at.run()
            seconds = time.perf_counter() - started
            if at.exception:
                raise SystemExit(f"{label}: the page failed: {at.exception}")
            print(f"{label:<28}{seconds:>8.2f} s   peak {peak_mb():>6,.0f} MB")
            for step, step_seconds in spent.most_common():
                print(f"    {step:<40}{step_seconds:>8.2f} s  x{calls[step]}")

        phase("first load")
        phase("rerun, nothing changed")
        for n in range(1, args.saves + 1):
            save_one_contact(get_engine())
            phase(f"rerun after save {n}")


if __name__ == "__main__":
    main()
