"""Benchmark: how long a refused sign-in takes for an existing account and for an unknown username.

Run: .venv/bin/python bench/bench_sign_in.py [--attempts 40] [--url sqlite:///...]
Alternates a wrong password for a real account and any password for a name nobody has, each from
its own fresh source and name so neither meets a delay or lock, and prints the median and spread
of each. Both paths run the same queries and one argon2 check (journeys.accounts.users.authenticate), so
the medians should differ by far less than their spread. Wall-clock timing depends on the
machine: this is a figure to look at, not a test.
"""

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from data import db
from journeys.accounts.users import SignInRefused, authenticate, create_user


def timed_refusal(engine, username: str, source: str) -> float:
    started = time.perf_counter()
    try:
        with db.session_scope(engine) as session:
            authenticate(session=session, username=username, password="not-the-password", source=source)
    except SignInRefused:
        pass
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--attempts", type=int, default=40)
    parser.add_argument("--url", default=None, help="database URL (default: a temporary SQLite file)")
    args = parser.parse_args()
    url = args.url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench-sign-in.db'}"
    db.upgrade(url)
    engine = db.get_engine(url)
    with db.session_scope(engine) as session:
        for n in range(args.attempts):
            create_user(session=session, username=f"real{n}", role="auditor", password="right-password")
    real, unknown = [], []
    for n in range(args.attempts):  # interleaved, so drift in machine load hits both alike
        real.append(timed_refusal(engine, f"real{n}", f"10.0.0.{n}"))
        unknown.append(timed_refusal(engine, f"nobody{n}", f"10.0.1.{n}"))
    for label, times in (("existing account, wrong password", real), ("unknown username", unknown)):
        print(f"{label:34} median {statistics.median(times) * 1000:7.1f} ms   "
              f"spread (stdev) {statistics.stdev(times) * 1000:6.1f} ms   n={len(times)}")
    gap = abs(statistics.median(real) - statistics.median(unknown)) * 1000
    print(f"{'difference of medians':34}        {gap:7.1f} ms")


if __name__ == "__main__":
    main()
