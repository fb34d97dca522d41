"""Benchmark: `klantreis import contacts` of a 100,000-row file against floors measured in the same run.

Run: .venv/bin/python bench/bench_import.py [--rows 100000] [--url postgresql+psycopg://...]
Writes a contact file (3 checklist answers per row, every column filled), then times:

* the whole import as the command runs it: read + validate every row + write all contacts and
  answers in one transaction (SQLite file by default, or ``--url`` of an empty database);
* floor 1: reading the same file with the csv module alone (no validation);
* floor 2: inserting the same numbers of contact and answer rows with the standard library's
  sqlite3 executemany into bare tables (no types, no constraints, no indexes).

Target (issue 7): under 20 s at 100,000 rows on this machine.
"""

import argparse
import csv
import random
import sqlite3
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cli.users import OPERATOR  # the command line's operator, as `klantreis import` runs
from data import db
from journeys.accounts.users import create_user
from journeys.catalogue.journeys import CriterionIn, JourneyChannelIn, JourneyIn, create_journey
from journeys.catalogue.reference import ensure_builtin_channels, get_or_create_brand, get_or_create_wave
from journeys.interchange.contact_file import COLUMNS, read_table
from journeys.interchange.imports import import_contacts

CHANNELS = ("phone", "email", "webchat", "twitter", "store")


def write_file(path: Path, rows: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    start = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([*COLUMNS, "item:GREET", "item:ANSWER", "item:TONE"])
        for i in range(rows):
            began = start + timedelta(minutes=7 * i)
            first = began + timedelta(seconds=rng.randint(5, 20000))
            resolved = first + timedelta(seconds=rng.randint(0, 40000))
            writer.writerow([
                f"bench-{i}", f"Brand {i % 4}", f"Branch {i % 10}", "Ask about a delivery", CHANNELS[i % 5],
                f"auditor{i % 3 + 1}", "2026-Q1", began.isoformat(), "", first.isoformat(),
                resolved.isoformat() if i % 4 else "", "", str(rng.randint(0, 300)), str(i % 3), "",
                ("yes", "no", "")[i % 3], "Delayed at the depot", f"Note {i}, \"quoted\"\nsecond line",
                ("yes", "no")[i % 2], ("yes", "no", "na")[i % 3], str(rng.randint(1, 5)),
            ])


def prepare(url: str) -> None:
    db.upgrade(url)
    with db.session_scope(db.get_engine(url)) as session:
        ensure_builtin_channels(session=session)
        for b in range(4):
            brand = get_or_create_brand(session=session, name=f"Brand {b}")
            from journeys.models import Location

            for n in range(10):
                session.add(Location(brand_id=brand.id, name=f"Branch {n}"))
        get_or_create_wave(session=session, name="2026-Q1")
        for a in range(1, 4):
            create_user(session=session, username=f"auditor{a}", role="auditor", password=f"auditor{a}-pass")
        create_journey(session=session, journey_in=JourneyIn(
            name="Ask about a delivery", channels=[JourneyChannelIn(c) for c in CHANNELS],
            criteria=[CriterionIn("GREET", "Greets"), CriterionIn("ANSWER", "Answers"),
                      CriterionIn("TONE", "Tone", kind="scale", scale_min=1, scale_max=5)]))


def timed_import(url: str, path: Path) -> tuple[float, int, int]:
    engine = db.get_engine(url)
    started = time.perf_counter()
    header, rows, _ = read_table(path)
    with db.session_scope(engine) as session:
        result = import_contacts(session=session, actor=OPERATOR, header=header, rows=rows)
    return time.perf_counter() - started, result.added, result.answers


def csv_floor(path: Path) -> float:
    started = time.perf_counter()
    with path.open(newline="", encoding="utf-8-sig") as handle:
        for _ in csv.reader(handle):
            pass
    return time.perf_counter() - started


def sqlite_floor(path: Path, contacts: int, answers: int) -> float:
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("CREATE TABLE c (id INTEGER PRIMARY KEY, a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r)")
    connection.execute("CREATE TABLE ans (contact_id, criterion_id, value, is_na, comment)")
    row = ("2026-01-01 10:00:00",) * 5 + (1, 2, 3, 4, 5, 6, 7.0, 8, None, 1, "text", "note", "ext-1")
    started = time.perf_counter()
    with connection:
        connection.executemany(
            "INSERT INTO c (a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (row for _ in range(contacts)))
        connection.executemany("INSERT INTO ans VALUES (?,?,?,?,?)", ((i, 3, 1.0, 0, "") for i in range(answers)))
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--url", default=None, help="An empty database to import into (default: a temp SQLite file).")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        path = tmp / "contacts.csv"
        write_file(path, args.rows)
        url = args.url or f"sqlite:///{tmp / 'bench.db'}"
        prepare(url)
        elapsed, added, answers = timed_import(url, path)
        assert added == args.rows
        parse = csv_floor(path)
        floor = sqlite_floor(tmp / "floor.db", args.rows, answers)
        size_mb = path.stat().st_size / 1e6
        db.dispose_engines()
    print(f"contact file: {args.rows:,} rows, {answers:,} answers, {size_mb:.1f} MB; database {db.describe_url(url).split('/')[0]}")
    print(f"{'measure':<52}{'seconds':>9}{'rows/s':>11}")
    print(f"{'klantreis import (read + validate + write, 1 tx)':<52}{elapsed:>9.2f}{args.rows / elapsed:>11,.0f}")
    print(f"{'floor 1: csv.reader over the file, no validation':<52}{parse:>9.2f}{args.rows / parse:>11,.0f}")
    print(f"{'floor 2: raw sqlite3 executemany, bare tables':<52}{floor:>9.2f}{args.rows / floor:>11,.0f}")
    print(f"{'floor 1 + floor 2':<52}{parse + floor:>9.2f}")
    print(f"target: under 20 s at 100,000 rows -> {'met' if elapsed < 20 else 'NOT met'}")


if __name__ == "__main__":
    main()
