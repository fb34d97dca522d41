"""Benchmark: `klantreis demo --contacts N` against a raw sqlite3 insert of the same rows.

Run: .venv/bin/python bench/bench_demo.py [--contacts 100000] [--seed 1]
Prints the demo seeding time beside a floor measured in the same run: inserting the same
number of contact and answer rows with the standard library's sqlite3 executemany into bare
tables (no ORM, no constraints, no data generation). Target (issue 2): under 60 s at 100k.
"""

import argparse
import sqlite3
import tempfile
import time
from pathlib import Path

from data import db
from journeys.demo import seed_demo
from journeys.fieldwork.frames import read_answers, read_contacts


def raw_floor(path: Path, contacts: int, answers: int) -> float:
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("CREATE TABLE c (id INTEGER PRIMARY KEY, a, b, c, d, e, f, g, h, i, j, k, l, m, n, o)")
    connection.execute("CREATE TABLE ans (contact_id, criterion_id, value, is_na, comment)")
    row = ("2026-01-01 10:00:00",) * 5 + (1, 2, 3, 4, 5, 6, 7.0, 8.0, "text", "")
    started = time.perf_counter()
    with connection:
        connection.executemany("INSERT INTO c (a,b,c,d,e,f,g,h,i,j,k,l,m,n,o) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                               (row for _ in range(contacts)))
        connection.executemany("INSERT INTO ans VALUES (?,?,?,?,?)", ((i, 3, 1.0, 0, "") for i in range(answers)))
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        db.upgrade(url)
        engine = db.get_engine(url)
        started = time.perf_counter()
        summary = seed_demo(engine, contacts=args.contacts, seed=args.seed)
        seeding = time.perf_counter() - started
        n_answers = len(read_answers(engine))
        assert len(read_contacts(engine)) == summary["added"] == args.contacts
        floor = raw_floor(Path(tmp) / "floor.db", args.contacts, n_answers)
    print(f"demo data: {args.contacts:,} contacts + {n_answers:,} answers (seed {args.seed})")
    print(f"{'measure':<44}{'seconds':>10}{'rows/s':>12}")
    total_rows = args.contacts + n_answers
    print(f"{'klantreis demo (generate + validate + write)':<44}{seeding:>10.2f}{total_rows / seeding:>12,.0f}")
    print(f"{'floor: raw sqlite3 executemany, bare tables':<44}{floor:>10.2f}{total_rows / floor:>12,.0f}")
    print(f"target: under 60 s at 100,000 contacts -> {'met' if seeding < 60 else 'NOT met'}")


if __name__ == "__main__":
    main()
