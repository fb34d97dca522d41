"""Benchmark: the manager dashboard's first load and filter-change rerun at scale.

Run: .venv/bin/python bench/bench_dashboard.py [--db PATH | --contacts N] [--json PATH]

With ``--db`` it measures an existing SQLite database (e.g. one filled by
``klantreis demo --contacts 1000000 --seed 1``); otherwise it seeds N demo contacts into a
temporary database first. It times, on the code the pages run (the figure functions of
``scoring/`` the pages call through ``ui.dashboard_data.figure``, on the frame
``ui.dashboard_data`` caches):

* first load: reading contacts, answers and criteria and scoring them (cached afterwards);
* filter change: filtering the cached frame and computing everything the Dashboard page
  shows (tiles incl. consistency and the previous-wave delta, metrics per channel, the
  response-time and survival tables), for several filters;

beside floors measured in the same run: a raw ``sqlite3`` fetch of the contact rows, and a
plain pandas groupby mean of the score by channel over the same frame. Target (issue 6):
a filter change under 1 s at 1,000,000 contacts.
"""

import argparse
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from data import db  # noqa: E402
from journeys.fieldwork.frames import ContactFilter, read_answers, read_contacts, read_criteria  # noqa: E402
from scoring.headline import headline_figures  # noqa: E402
from scoring.metrics import metrics_table  # noqa: E402
from scoring.pipeline import dashboard_frame, scored_contacts  # noqa: E402
from scoring.response_times import response_time_table, survival_table  # noqa: E402
from ui.dashboard_data import apply_filter, current_as_of  # noqa: E402


def timed(fn, repeat: int = 3) -> tuple[float, object]:
    results, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        results.append(time.perf_counter() - started)
    return statistics.median(results), result


def dashboard_rerun(frame, flt, as_of) -> None:
    """What pages/dashboard.py computes after a filter change (no rendering)."""
    contacts = apply_filter(frame, flt)
    headline_figures(contacts, as_of)
    if flt.waves:
        headline_figures(apply_filter(frame, replace(flt, waves=("2026-Q2",))), as_of)
    metrics_table(contacts, ["channel"])
    response_time_table(contacts)
    survival_table(contacts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, help="an existing SQLite database to measure")
    parser.add_argument("--contacts", type=int, default=100_000, help="demo contacts to seed when no --db is given")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args()
    tmp = None
    if args.db:
        path = args.db
    else:
        from journeys.demo import seed_demo

        tmp = tempfile.TemporaryDirectory()
        path = Path(tmp.name) / "bench.db"
        db.upgrade(f"sqlite:///{path}")
        seed_demo(db.get_engine(f"sqlite:///{path}"), contacts=args.contacts, seed=1)
    url = f"sqlite:///{path}"
    db.upgrade(url)
    engine = db.get_engine(url)
    as_of = current_as_of()

    started = time.perf_counter()
    contacts, answers, criteria = read_contacts(engine), read_answers(engine), read_criteria(engine)
    read_s = time.perf_counter() - started
    started = time.perf_counter()
    frame = dashboard_frame(scored_contacts(contacts, answers, criteria, as_of))
    score_s = time.perf_counter() - started

    raw_s, _ = timed(lambda: sqlite3.connect(path).execute(
        "SELECT id, brand_id, channel_id, journey_id, wave_id, started_at, first_response_at, resolved_at FROM contact"
    ).fetchall(), repeat=1)
    groupby_s, _ = timed(lambda: frame.groupby("channel", observed=True)["final_score"].mean())

    filters = {
        "no filter": ContactFilter(),
        "one brand": ContactFilter(brands=("Koopklik",)),
        "one brand, one wave": ContactFilter(brands=("Koopklik",), waves=("2026-Q3",)),
        "two channels": ContactFilter(channels=("email", "twitter")),
    }
    rerun = {name: timed(lambda f=flt: dashboard_rerun(frame, f, as_of))[0] for name, flt in filters.items()}

    n = len(frame)
    print(f"dashboard benchmark: {n:,} contacts, {len(answers):,} answers ({path})")
    print(f"{'measure':<52}{'seconds':>10}")
    print(f"{'first load: read contacts, answers, criteria':<52}{read_s:>10.2f}")
    print(f"{'first load: score + timeliness (then cached)':<52}{score_s:>10.2f}")
    print(f"{'floor: raw sqlite3 fetchall of the contact rows':<52}{raw_s:>10.2f}")
    for name, seconds in rerun.items():
        print(f"{'filter change: ' + name:<52}{seconds:>10.2f}")
    print(f"{'floor: pandas groupby mean of the score by channel':<52}{groupby_s:>10.3f}")
    worst = max(rerun.values())
    print(f"target: filter change under 1 s -> {'met' if worst < 1 else 'NOT met'} (slowest {worst:.2f} s)")
    if args.json:
        args.json.write_text(json.dumps({"contacts": n, "read_s": read_s, "score_s": score_s, "raw_fetch_s": raw_s,
                                         "groupby_floor_s": groupby_s, "filter_change_s": rerun}, indent=2))
    if tmp:
        tmp.cleanup()


if __name__ == "__main__":
    main()
