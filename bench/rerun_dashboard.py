"""Benchmark: full reruns of the Dashboard page (AppTest, in-process) at scale, per filter change.

Run: .venv/bin/python bench/rerun_dashboard.py --db PATH   (e.g. a database filled by
``klantreis demo --contacts 1000000 --seed 1``)

Unlike bench_dashboard.py (the computations alone), this times the whole page script:
the filter bar, the cached frame lookup, the figure tables and the chart serialisation, as a
manager's click would. First a cold load, then a sequence of filter changes, some new and
some revisited (cache hits). Target (issue 6): a filter change under 1 s at 1,000,000 contacts.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

STEPS = [
    ("new: brand Koopklik", {"flt_brands": ["Koopklik"]}),
    ("new: + wave 2026-Q3", {"flt_waves": ["2026-Q3"]}),
    ("new: channel email only", {"flt_brands": [], "flt_waves": [], "flt_channels": ["email"]}),
    ("revisit: all contacts", {"flt_channels": []}),
    ("revisit: brand Koopklik", {"flt_brands": ["Koopklik"]}),
]


def manager_dashboard(db: Path | str, timeout: float):
    """The Dashboard page as an AppTest, signed in as a manager, on the SQLite file ``db`` (or the
    database of the URL ``db``; not run yet)."""
    os.environ["KLANTREIS_DATABASE_URL"] = db if isinstance(db, str) else f"sqlite:///{db.resolve()}"
    from streamlit.testing.v1 import AppTest

    from ui.session import FRAME_KEY, USER_KEY, SignedInUser

    at = AppTest.from_file(str(ROOT / "pages" / "dashboard.py"), default_timeout=timeout)
    at.session_state[USER_KEY] = SignedInUser(0, "bench", "Bench", "manager")
    at.session_state[FRAME_KEY] = True
    return at


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, required=True)
    args = parser.parse_args()
    at = manager_dashboard(args.db, timeout=900)
    started = time.perf_counter()
    at.run()
    print(f"{'first load (read, score, default views)':<44}{time.perf_counter() - started:>8.2f} s")
    for label, state in STEPS:
        for key, value in state.items():
            at.session_state[key] = value
        started = time.perf_counter()
        at.run()
        assert not at.exception, at.exception
        print(f"{'rerun ' + label:<44}{time.perf_counter() - started:>8.2f} s")


if __name__ == "__main__":
    main()
