"""Benchmark: Klantreis at 10k, 100k and 1M contacts, every figure beside a floor from the same run.

Run: .venv/bin/python bench/bench_scale.py [--sizes 10000,100000,1000000] [--workdir DIR] [--json PATH]
(``make bench`` runs it with the defaults and writes ``bench/results.json``.)

For each size it fills a SQLite database with ``klantreis demo --contacts N --seed 1`` (kept in
``--workdir`` and reused by later runs, since a million demo contacts take minutes), then
measures, each stage in its own process so its peak memory (max RSS) is its own:

==============================  ============================================================
measure                         floor, measured in the same run
==============================  ============================================================
import rows/s                   raw ``sqlite3`` executemany of as many contact and answer
(``klantreis import`` of an     rows into bare tables (no validation, types or indexes)
N-row contact file, 1 tx)
scoring (``score_contacts``     a plain pandas groupby mean of the answer values per contact
of every contact)               (the least any per-contact score must do)
``klantreis report`` (channel   DuckDB running the same report query (per-channel counts,
report, whole command)          response rate, median first response, and mean quality as the
                                app computes it: per-channel applicability and knock-outs,
                                checked equal to the app's within 1e-9 in the run) on the
                                same rows already loaded into it: the
                                practical limit of the aggregation alone; and raw ``sqlite3``
                                fetch of the rows the report reads + that DuckDB query: the
                                practical limit for a report that starts from the database
dashboard first load            raw ``sqlite3`` fetchall of every contact with its stored
(whole page, AppTest)           score (the per-contact facts the frame is built from)
dashboard filter change         a plain pandas groupby mean of the score per channel over
(whole page rerun, new filter)  the same filtered rows
dashboard rerun after one       the same rerun once more with nothing changed (cache hits:
saved contact (another session) what any rerun costs)
first load after a restart      the same fetch as the first load; the new process starts from
(new process, AppTest)          the frames snapshot the dashboard stage's process wrote
peak memory, two managers       (absolute goal) a second manager's session on another filter
                                in the same process; taken before the floor's fetch in that
                                process (its fetchall holds every row at once; the app's reads do not)
``klantreis report`` on the     DuckDB running the same per-channel report over the stored
stored facts                    facts (loaded; sqlite3 fetch + query; and DuckDB's SQLite
                                scanner reading the facts from the file in a child process, as
                                the app's columnar reader does, + query)
``klantreis report consistency``DuckDB: the per brand x channel aggregates it compares
auditor's log page rerun        the rerun of a one-line Streamlit page
8 auditors saving at once       one save alone (start + complete save through the services)
import on PostgreSQL (``--      psycopg COPY of as many rows into bare tables
postgres URL``, sizes <= 100k)
==============================  ============================================================

``goals`` prints issue 20's goals, each beside its floor with met / NOT met. ``--stages`` picks
stages (e.g. the 1M run without the import: ``--stages report,dashboard,log_page,saves``).
Never part of ``make test``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
AS_OF = "2027-01-01T00:00:00+00:00"  # after every demo contact: the report and DuckDB see the same events
# Fresh filters (never seen before in the run) and one revisit, as a manager clicks them.
FILTER_STEPS = [
    ("new", {"flt_brands": ["Koopklik"]}),  # a quarter of the contacts
    ("new", {"flt_waves": ["2026-Q3"]}),  # one brand in one wave, compared with the wave before
    ("new", {"flt_brands": [], "flt_waves": [], "flt_channels": ["email"]}),
    ("new", {"flt_channels": ["phone", "webchat"]}),
    ("new", {"flt_channels": [], "flt_brands": ["Belnet", "Koopklik", "Stroomkracht"]}),  # three quarters
    ("revisit", {"flt_brands": []}),  # back to all contacts
    ("revisit", {"flt_brands": ["Koopklik"]}),
]


def peak_mb() -> float:
    """This process's peak resident memory so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def median_time(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


# ----------------------------------------------------------------------------- stages (child processes)


def raw_fetch(path: Path) -> tuple[float, int, int]:
    """Floor: the standard library's sqlite3 fetching the contact and answer rows the app reads."""
    started = time.perf_counter()
    connection = sqlite3.connect(path)
    contacts = connection.execute(
        "SELECT id, brand_id, location_id, journey_id, checklist_version_id, wave_id, channel_id, auditor_id, "
        "started_at, acknowledged_at, first_response_at, resolved_at, due_at, wait_seconds, handling_seconds, "
        "transfers, redirected_to_channel_id, answer_correct, external_id FROM contact").fetchall()
    answers = connection.execute("SELECT contact_id, criterion_id, value, is_na, comment FROM answer").fetchall()
    connection.close()
    return time.perf_counter() - started, len(contacts), len(answers)


FACTS_QUERY = (
    "SELECT c.id, brand_id, location_id, journey_id, checklist_version_id, wave_id, channel_id, auditor_id, "
    "started_at, acknowledged_at, first_response_at, resolved_at, due_at, wait_seconds, handling_seconds, "
    "transfers, redirected_to_channel_id, answer_correct, external_id, review_status, released_at, "
    "s.raw_score, s.final_score, s.critical_fail, s.knockout, s.possible_points, s.earned_points, "
    "s.bonus_points, s.applicable_items, s.scored_items, s.na_items, s.missing_items "
    "FROM contact c LEFT JOIN contact_score s ON s.contact_id = c.id WHERE NOT c.is_draft")


def database_url(db: Path | str) -> str:
    """A stage's database as a URL: a SQLite file (a path), or a PostgreSQL URL as given."""
    return db if isinstance(db, str) else f"sqlite:///{db.resolve()}"


def facts_fetch(db: Path | str) -> tuple[float, list, list[str]]:
    """Floor: the driver fetching every contact with its stored score (the per-contact facts the
    dashboards and the report read); the seconds, rows and column names. A SQLite file: the
    standard library's sqlite3 (fetchall); PostgreSQL: the ADBC driver's Arrow fetch (rows: its table)."""
    started = time.perf_counter()
    if isinstance(db, str):
        import adbc_driver_postgresql.dbapi as adbc

        with adbc.connect(db.replace("postgresql+psycopg://", "postgresql://")) as connection, \
                connection.cursor() as cursor:
            cursor.execute(FACTS_QUERY)
            table = cursor.fetch_arrow_table()
        return time.perf_counter() - started, table, table.column_names
    connection = sqlite3.connect(db)
    cursor = connection.execute(FACTS_QUERY)
    rows = cursor.fetchall()
    connection.close()
    return time.perf_counter() - started, rows, [d[0] for d in cursor.description]


def facts_floor_name(db: Path | str) -> str:
    return "ADBC fetch of the stored per-contact facts" if isinstance(db, str) else \
        "raw sqlite3 fetchall of the stored per-contact facts"


def stage_import(size: int, workdir: Path, url: str | None = None) -> dict:
    """``klantreis import`` of an N-row file (read + validate + write in one transaction)."""
    from bench_import import prepare, sqlite_floor, timed_import, write_file

    from data import db

    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        tmp = Path(tmp)
        path = tmp / "contacts.csv"
        write_file(path, size)
        if url is None:
            target = f"sqlite:///{tmp / 'import.db'}"
            prepare(target)
            seconds, added, answers = timed_import(target, path)
            db.dispose_engines()
            floor_name, floor = "raw sqlite3 executemany, bare tables", sqlite_floor(tmp / "floor.db", size, answers)
        else:
            with fresh_postgres(url) as target:
                prepare(target)
                seconds, added, answers = timed_import(target, path)
                db.dispose_engines()
                floor_name, floor = "psycopg COPY into bare tables", postgres_copy_floor(target, size, answers)
        assert added == size, (added, size)
    return {"rows": size, "answers": answers, "seconds": seconds, "rows_per_s": size / seconds,
            "floor": floor_name, "floor_seconds": floor, "floor_rows_per_s": size / floor, "peak_mb": peak_mb()}


@contextmanager
def fresh_postgres(url: str):
    """A new, empty PostgreSQL database beside the one ``url`` names (dropped afterwards)."""
    import sqlalchemy as sa

    name = f"klantreis_bench_{os.getpid()}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        from data import db

        db.dispose_engines()
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def postgres_copy_floor(url: str, contacts: int, answers: int) -> float:
    """Floor: psycopg's COPY of as many contact-sized and answer-sized rows into bare tables."""
    import psycopg

    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    row = ("2026-01-01 10:00:00+00",) * 5 + (1, 2, 3, 4, 5, 6, 7.0, 8, None, 1, "text", "note", "ext-1")
    with psycopg.connect(dsn) as connection:
        connection.execute("CREATE TABLE c (id serial PRIMARY KEY, a timestamptz, b timestamptz, c timestamptz, "
                           "d timestamptz, e timestamptz, f int, g int, h int, i int, j int, k int, l float, "
                           "m int, n int, o int, p text, q text, r text)")
        connection.execute("CREATE TABLE ans (contact_id int, criterion_id int, value float, is_na bool, "
                           "comment text)")
        started = time.perf_counter()
        with connection.cursor() as cursor:
            with cursor.copy("COPY c (a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r) FROM STDIN") as copy:
                for _ in range(contacts):
                    copy.write_row(row)
            with cursor.copy("COPY ans FROM STDIN") as copy:
                for i in range(answers):
                    copy.write_row((i, 3, 1.0, False, ""))
        connection.commit()
        return time.perf_counter() - started


def stage_score(db_path: Path) -> dict:
    """Reading the frames, then ``score_contacts`` over all of them, beside a pandas groupby."""
    from data import db
    from journeys.fieldwork.frames import read_answers, read_contacts, read_criteria
    from scoring.quality import score_contacts

    engine = db.get_engine(f"sqlite:///{db_path}")
    started = time.perf_counter()
    contacts, answers, criteria = read_contacts(engine), read_answers(engine), read_criteria(engine)
    read_seconds = time.perf_counter() - started
    score_contacts(contacts, answers, criteria)  # warm-up: first touch of fresh memory is slow on a VM
    seconds = median_time(lambda: score_contacts(contacts, answers, criteria))
    floor = median_time(lambda: answers.groupby("contact_id")["value"].mean())
    return {"contacts": len(contacts), "answers": len(answers), "read_seconds": read_seconds,
            "seconds": seconds, "floor": "pandas groupby mean of answer values per contact",
            "floor_seconds": floor, "peak_mb": peak_mb()}


# The report's figures in SQL, for DuckDB: quality exactly as ``scoring.quality.score_contacts``
# defines it (docs/scoring.md): a criterion counts for a contact only when it belongs to the
# contact's checklist version and applies to its channel; an item's fraction f is its value
# (a scale item: (value - min) / (max - min)) clipped to [0, 1], N/A not scored; earned = weight
# × f, possible = weight (bonus items: 0); knock-outs: a failed (f = 0) zero_section item drops
# its section's earned points, a failed zero_contact item makes the score 0; the score is
# min(100, 100 × earned / possible). ``stage_report`` checks that its per-channel mean equals the
# app's before it times anything. The timing columns are counts and plain medians (the app's
# median is Kaplan–Meier): cheaper than ours, so the ratio is, if anything, flattering DuckDB.
DUCKDB_REPORT = """
WITH applicable AS (
    SELECT a.contact_id, a.value, a.is_na, cr.weight, cr.kind, cr.scale_min, cr.scale_max, cr.bonus,
           coalesce(cr.critical_policy, 'none') AS policy, coalesce(cr.section, '') AS section
    FROM answers a
    JOIN contacts c USING (contact_id)
    JOIN criteria cr ON cr.criterion_id = a.criterion_id AND cr.version_id = c.version_id
    WHERE NOT EXISTS (SELECT 1 FROM criterion_channels r WHERE r.criterion_id = a.criterion_id)
       OR EXISTS (SELECT 1 FROM criterion_channels r WHERE r.criterion_id = a.criterion_id AND r.channel = c.channel)
), items AS (
    SELECT contact_id, section, policy, bonus, weight,
           CASE WHEN is_na OR value IS NULL THEN NULL
                WHEN kind = 'scale' THEN greatest(0.0, least(1.0, (value - scale_min) / (scale_max - scale_min)))
                ELSE greatest(0.0, least(1.0, value)) END AS f
    FROM applicable
), sections AS (
    SELECT contact_id, section,
           sum(coalesce(weight * f, 0.0)) AS earned,
           sum(CASE WHEN f IS NOT NULL AND NOT bonus THEN weight ELSE 0.0 END) AS possible,
           bool_or(policy = 'zero_section' AND f <= 0.0) AS section_knocked,
           bool_or(policy = 'zero_contact' AND f <= 0.0) AS contact_knocked
    FROM items GROUP BY contact_id, section
), scores AS (
    SELECT contact_id,
           CASE WHEN sum(possible) > 0 THEN
                CASE WHEN bool_or(contact_knocked) THEN 0.0
                     ELSE least(100.0, 100.0 * (sum(earned) - sum(CASE WHEN section_knocked THEN earned ELSE 0.0 END))
                                        / sum(possible)) END
           END AS score
    FROM sections GROUP BY contact_id
), timed AS (
    SELECT c.channel, s.score,
           least(c.first_response_at, c.resolved_at) AS answered_at, c.started_at, c.due_at, c.resolved_at
    FROM contacts c LEFT JOIN scores s USING (contact_id)
)
SELECT channel,
       count(*) AS contacts,
       count(answered_at) AS responded,
       count(answered_at) / count(*) AS response_rate,
       median(epoch(answered_at - started_at)) AS median_first_response_s,
       count(due_at) AS with_deadline,
       count(*) FILTER (WHERE due_at IS NOT NULL AND coalesce(resolved_at, TIMESTAMPTZ '2027-01-01') > due_at) AS late,
       avg(score) AS mean_quality, stddev_samp(score) AS sd_quality, count(score) AS scored
FROM timed GROUP BY channel ORDER BY channel
"""


# The same report over the stored per-contact facts (what ``klantreis report`` reads now).
FACTS_REPORT = """
SELECT channel_id, count(*) AS contacts, count(least(first_response_at, resolved_at)) AS responded,
       count(least(first_response_at, resolved_at)) / count(*) AS response_rate,
       median(epoch(least(first_response_at, resolved_at) - started_at)) AS median_first_response_s,
       count(due_at) AS with_deadline,
       count(*) FILTER (WHERE due_at IS NOT NULL AND coalesce(resolved_at, TIMESTAMPTZ '2027-01-01') > due_at) AS late,
       avg(final_score) AS mean_quality, stddev_samp(final_score) AS sd_quality, count(final_score) AS scored
FROM facts WHERE review_status = 'released' GROUP BY channel_id ORDER BY channel_id
"""
# What the consistency table starts from: per brand and channel, counts, mean and spread of the
# score, the answer accuracy and the median first response (the table then compares the channels).
FACTS_CONSISTENCY = """
SELECT brand_id, channel_id, count(*) AS contacts, avg(final_score) AS mean_quality,
       stddev_samp(final_score) AS sd_quality, avg(CASE WHEN answer_correct THEN 1.0 ELSE 0.0 END)
           FILTER (WHERE answer_correct IS NOT NULL) AS accuracy,
       median(epoch(least(first_response_at, resolved_at) - started_at)) AS median_first_response_s
FROM facts WHERE review_status = 'released' GROUP BY brand_id, channel_id ORDER BY brand_id, channel_id
"""


def app_mean_quality(contacts, answers, criteria) -> dict[str, float]:
    """The app's mean final score per channel (``scoring.quality.score_contacts``)."""
    from scoring.quality import score_contacts

    scored = score_contacts(contacts, answers, criteria)
    channels = contacts.set_index("contact_id")["channel"]
    return scored["final_score"].groupby(channels.reindex(scored.index).to_numpy()).mean().to_dict()


def stage_report(db_path: Path | str) -> dict:
    """The whole ``klantreis report`` command, beside DuckDB running the same report query."""
    import duckdb
    import pandas as pd

    from data import columnar, db
    from journeys.fieldwork.frames import read_answers, read_contacts, read_criteria

    env = dict(os.environ, KLANTREIS_DATABASE_URL=database_url(db_path))
    command = [str(ROOT / ".venv" / "bin" / "klantreis"), "report", "--by", "channel", "--as-of", AS_OF,
               "--format", "csv"]
    times = []
    for _ in range(2):
        started = time.perf_counter()
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - started)
        if done.returncode != 0:
            raise SystemExit(f"klantreis report failed: {done.stderr}")
    report_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

    engine = db.get_engine(database_url(db_path))
    contacts = read_contacts(engine)[["contact_id", "version_id", "channel", "started_at", "first_response_at",
                                      "resolved_at", "due_at"]]
    answers = read_answers(engine)[["contact_id", "criterion_id", "value", "is_na"]]
    criteria = read_criteria(engine)
    restrictions = pd.DataFrame([(c, ch) for c, chans in zip(criteria["criterion_id"], criteria["channels"],
                                                              strict=True) for ch in chans],
                                columns=["criterion_id", "channel"])
    con = duckdb.connect()
    for name, frame in (("contacts", contacts), ("answers", answers),
                        ("criteria", criteria.drop(columns=["channels", "text", "code"])),
                        ("criterion_channels", restrictions)):
        con.register(f"{name}_df", frame)
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM {name}_df")  # DuckDB's own columnar storage
    rows = con.execute(DUCKDB_REPORT).fetchall()  # warm-up, and the check that it is the same computation
    ours = app_mean_quality(contacts, answers, criteria)
    theirs = {row[0]: row[7] for row in rows}
    difference = max(abs(ours[channel] - theirs[channel]) for channel in ours)
    if set(ours) != set(theirs) or not difference <= 1e-9:
        raise SystemExit(f"the DuckDB floor is not the app's computation: mean quality {theirs} vs {ours}")
    duck = median_time(lambda: con.execute(DUCKDB_REPORT).fetchall())
    # the rows the report reads now: every contact with its stored score
    fetch, rows, columns = facts_fetch(db_path)
    facts = rows.to_pandas() if isinstance(db_path, str) else pd.DataFrame.from_records(rows, columns=columns)
    for column in ("started_at", "first_response_at", "resolved_at", "due_at"):
        facts[column] = pd.to_datetime(facts[column], utc=True, format="ISO8601")
    con.register("facts_df", facts)
    con.execute("CREATE TABLE facts AS SELECT * FROM facts_df")
    on_facts = median_time(lambda: con.execute(FACTS_REPORT).fetchall())
    consistency_times = []
    for _ in range(2):
        started = time.perf_counter()
        done = subprocess.run([str(ROOT / ".venv" / "bin" / "klantreis"), "report", "consistency", "--as-of", AS_OF,
                               "--format", "csv"], env=env, capture_output=True, text=True, check=False)
        consistency_times.append(time.perf_counter() - started)
        if done.returncode != 0:
            raise SystemExit(f"klantreis report consistency failed: {done.stderr}")
    consistency_floor = median_time(lambda: con.execute(FACTS_CONSISTENCY).fetchall())
    # the same facts read from the file by DuckDB's SQLite scanner (as the app's reader does, in a
    # process of its own), then the same queries
    scan = None if isinstance(db_path, str) else median_time(lambda: columnar.read_arrow(str(db_path), FACTS_QUERY),
                                                             repeat=2)
    return {"seconds": statistics.median(times), "runs": times, "peak_mb": report_peak,
            "floor": "DuckDB, quality computed from the answers as the app does it, rows loaded",
            "floor_seconds": duck, "floor_mean_quality_max_difference": difference,
            "facts_floor": "DuckDB, the same report over the stored facts, rows loaded", "facts_floor_seconds": on_facts,
            "facts_fetch_seconds": fetch, "floor_from_database_seconds": fetch + on_facts,
            "consistency_seconds": statistics.median(consistency_times),
            "consistency_floor": "DuckDB, per brand x channel aggregates over the stored facts, rows loaded",
            "consistency_floor_seconds": consistency_floor,
            "consistency_floor_from_database_seconds": fetch + consistency_floor,
            "facts_fetch_floor": facts_floor_name(db_path),
            "facts_scan_seconds": scan, "floor_scanned_seconds": None if scan is None else scan + on_facts,
            "consistency_floor_scanned_seconds": None if scan is None else scan + consistency_floor}


def save_one_contact(engine) -> int:
    """The demo's auditor1 logs one complete e-mail contact through the services (as its page does)."""
    from datetime import timedelta

    from sqlmodel import Session, select

    from data.db import write_scope
    from journeys.fieldwork.contacts import AnswerIn, ContactStart, applicable_criteria, save_contact, start_contact
    from journeys.models import Brand, Channel, Journey, User, Wave

    now = datetime.now(UTC)
    with Session(engine) as s:
        auditor = s.exec(select(User).where(User.username == "auditor1")).one()
        journey = s.exec(select(Journey).order_by(Journey.id)).first()
        brand = s.exec(select(Brand).order_by(Brand.id)).first()
        wave = s.exec(select(Wave).where(Wave.closed_at.is_(None)).order_by(Wave.id.desc())).first()
        email = s.exec(select(Channel).where(Channel.name == "email")).one()
    with write_scope(engine) as s:
        contact = start_contact(session=s, actor=auditor, now=now, start=ContactStart(
            journey_id=journey.id, brand_id=brand.id, channel_id=email.id, wave_id=wave.id,
            started_at=now - timedelta(hours=5)))
        answers = [AnswerIn(criterion_id=c.id, value=1.0 if c.kind != "scale" else c.scale_max)
                   for c in applicable_criteria(s, contact)]
        save_contact(session=s, actor=auditor, contact_id=contact.id, now=now, complete=True, answers=answers,
                     changes={"first_response_at": now - timedelta(hours=4)})
        return contact.id


def stage_dashboard(db_path: Path | str) -> dict:
    """Whole Dashboard page runs (AppTest, in-process): first load, then filter changes."""
    from rerun_dashboard import manager_dashboard

    from journeys.fieldwork.frames import ContactFilter
    from ui.dashboard_data import apply_filter, scored_data
    from ui.resources import get_engine

    at = manager_dashboard(db_path, timeout=1800)  # also points the app at db_path
    started = time.perf_counter()
    at.run()
    first_load = time.perf_counter() - started
    assert not at.exception, at.exception
    frame = scored_data(get_engine())["contacts"]
    reruns, floors, picked = [], [], {}
    for kind, state in FILTER_STEPS:
        for key, value in state.items():
            at.session_state[key] = value
            picked[key.removeprefix("flt_")] = tuple(value)
        started = time.perf_counter()
        at.run()
        reruns.append({"kind": kind, "filter": dict(state), "seconds": time.perf_counter() - started})
        assert not at.exception, at.exception
        # only the two columns the floor groups: a copy of all would count toward the app's peak
        rows = apply_filter(frame, ContactFilter(**picked), columns=("channel", "final_score"))
        floors.append(median_time(lambda rows=rows: rows.groupby("channel", observed=True)["final_score"].mean()))
    new = [r["seconds"] for r in reruns if r["kind"] == "new"]
    # one auditor saves one contact elsewhere; the manager's next rerun, beside a rerun with no change
    save_one_contact(get_engine())
    started = time.perf_counter()
    at.run()
    after_save = time.perf_counter() - started
    assert not at.exception, at.exception
    unchanged = median_time(at.run)
    # a second manager on another filter in the same process: the frame is shared, not copied
    other = manager_dashboard(db_path, timeout=1800)
    other.session_state["flt_channels"] = ["phone"]
    other.run()
    assert not other.exception, other.exception
    at.session_state["flt_channels"] = ["email"]
    at.run()
    app_peak = peak_mb()  # before the floor: its fetchall holds every row's tuple at once, the app never does
    fetch, _, _ = facts_fetch(db_path)
    return {"two_managers_peak_mb": app_peak, "after_one_save_seconds": after_save, "after_one_save_floor": "the same rerun with nothing changed",
            "after_one_save_floor_seconds": unchanged, "first_load_seconds": first_load, "first_load_floor": facts_floor_name(db_path),
            "first_load_floor_seconds": fetch, "reruns": reruns,
            "filter_change_median_seconds": statistics.median(new), "filter_change_max_seconds": max(new),
            "filter_change_floor": "pandas groupby mean of the score per channel over the filtered rows",
            "filter_change_floor_seconds": statistics.median(floors), "peak_mb": app_peak}


def stage_restart(db_path: Path) -> dict:
    """The Dashboard's first load in a restarted app process (AppTest, in a new process): it starts
    from the frames snapshot the dashboard stage's process wrote (``journeys.fieldwork.snapshot``)
    and re-reads what was saved after it (that stage's one saved contact)."""
    from rerun_dashboard import manager_dashboard

    from ui import dashboard_data
    from ui.resources import get_engine

    at = manager_dashboard(db_path, timeout=1800)
    started = time.perf_counter()
    at.run()
    first_load = time.perf_counter() - started
    assert not at.exception, at.exception
    app_peak = peak_mb()  # before the floor, as in stage_dashboard
    fetch, _, _ = facts_fetch(db_path)
    frames = dashboard_data._live_frames(str(get_engine().url)).frames
    return {"first_load_seconds": first_load, "first_load_floor": "raw sqlite3 fetchall of the stored per-contact facts",
            "first_load_floor_seconds": fetch, "from_snapshot": frames.patched > 0, "patched": frames.patched,
            "peak_mb": app_peak}


def stage_log_page(db_path: Path) -> dict:
    """The auditor's log page (AppTest, in-process) with a contact open: its reruns, beside the
    rerun of a page that shows one line (what any Streamlit rerun costs)."""
    os.environ["KLANTREIS_DATABASE_URL"] = f"sqlite:///{db_path.resolve()}"
    os.environ["KLANTREIS_ALERT_WORKER"] = "0"
    from sqlmodel import Session, select
    from streamlit.testing.v1 import AppTest

    from journeys.models import User
    from ui.resources import get_engine
    from ui.session import FRAME_KEY, USER_KEY, SignedInUser

    engine = get_engine()
    contact_id = save_one_contact(engine)
    with Session(engine) as session:
        auditor = session.exec(select(User).where(User.username == "auditor1")).one()
    at = AppTest.from_file(str(ROOT / "pages" / "contact_log.py"), default_timeout=600)
    at.session_state[USER_KEY] = SignedInUser(auditor.id, auditor.username, auditor.display_name, "auditor")
    at.session_state[FRAME_KEY] = True
    at.query_params["contact"] = str(contact_id)
    at.run()
    assert not at.exception, at.exception
    seconds = median_time(at.run, repeat=5)
    trivial = AppTest.from_string("import streamlit as st\nst.write('one line')")
    trivial.run()
    floor = median_time(trivial.run, repeat=5)
    return {"rerun_seconds": seconds, "floor": "rerun of a one-line Streamlit page", "floor_seconds": floor}


def stage_saves(db_path: Path) -> dict:
    """Saving a complete contact (start + save, as the log page's services do): alone, and eight
    auditors at once (threads of one process, as eight sessions of one app server)."""
    os.environ["KLANTREIS_DATABASE_URL"] = f"sqlite:///{db_path.resolve()}"
    from data import db

    engine = db.get_engine(f"sqlite:///{db_path.resolve()}")
    save_one_contact(engine)  # warm-up
    single = median_time(lambda: save_one_contact(engine), repeat=5)
    times: list[float] = []
    lock = threading.Lock()
    start = threading.Barrier(8)

    def auditor() -> None:
        start.wait()
        for _ in range(3):
            began = time.perf_counter()
            save_one_contact(engine)
            with lock:
                times.append(time.perf_counter() - began)

    workers = [threading.Thread(target=auditor) for _ in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return {"single_seconds": single, "eight_median_seconds": statistics.median(times),
            "eight_max_seconds": max(times), "saves": len(times)}


# ----------------------------------------------------------------------------- orchestration


def run_stage(name: str, *args: str) -> dict:
    """One stage in a fresh Python process; it prints its figures as JSON on the last line."""
    done = subprocess.run([sys.executable, __file__, "--stage", name, *args], capture_output=True, text=True,
                          check=False)
    if done.returncode != 0:
        raise SystemExit(f"stage {name} {args} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def demo_database(size: int, workdir: Path) -> tuple[Path, dict | None]:
    """The demo database of ``size`` contacts, seeded now unless an earlier run left it."""
    path = workdir / f"demo_{size}.db"
    if path.exists():
        return path, None
    env = dict(os.environ, KLANTREIS_DATABASE_URL=f"sqlite:///{path}")
    started = time.perf_counter()
    subprocess.run([str(ROOT / ".venv" / "bin" / "klantreis"), "demo", "--contacts", str(size), "--seed", "1"],
                   env=env, check=True, capture_output=True)
    return path, {"seconds": time.perf_counter() - started,
                  "peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}


def machine() -> dict:
    model = ""
    try:
        model = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                     if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {"platform": platform.platform(), "python": platform.python_version(), "cpu": model,
            "cores": os.cpu_count(), "memory_gib": round(memory, 1), "sqlite": sqlite3.sqlite_version}


def goals(sizes: dict, database: str = "sqlite") -> list[dict]:
    """Issue 20's goals, each with what was measured, its floor from the same run and met/NOT met
    (``database`` "postgresql": the figures of ``--postgres-analytics``, each goal marked so)."""
    out = []
    fetch = "sqlite3 fetch" if database == "sqlite" else "ADBC fetch"

    def goal(size, text, ours, floor_name, floor, met):
        text = text if database == "sqlite" else f"PostgreSQL: {text}"
        out.append({"contacts": size, "database": database, "goal": text, "ours": ours, "floor": floor_name, "floor_value": floor,
                    "met": bool(met), "line": f"{int(size):>10,}  {text:<70}{ours:>14}  {floor_name:<52}{floor:>12}  "
                                              f"{'met' if met else 'NOT met'}"})

    for size, r in sizes.items():
        n = int(size)
        if "dashboard" in r:
            d = r["dashboard"]
            limit = 5.0 if n >= 1_000_000 else 1.0
            load, floor = d["first_load_seconds"], d["first_load_floor_seconds"]
            goal(size, f"dashboard first load <= {limit:.0f} s and <= 2x floor", f"{load:.2f} s",
                 f"{fetch} of the stored facts", f"{floor:.2f} s", load <= limit and load <= 2 * floor)
            after = d["after_one_save_seconds"]
            goal(size, "rerun after one saved contact <= 1 s", f"{after:.2f} s", "same rerun, nothing changed",
                 f"{d['after_one_save_floor_seconds']:.2f} s", after <= 1.0)
            peak = d.get("two_managers_peak_mb", d["peak_mb"])
            goal(size, "peak memory, two managers on two filters <= 1.5 GB", f"{peak:,.0f} MB",
                 "(no floor: an absolute goal)", "-", peak <= 1536)
        if "restart" in r:
            d = r["restart"]
            limit = 5.0 if n >= 1_000_000 else 1.0
            load, floor = d["first_load_seconds"], d["first_load_floor_seconds"]
            source = "from the snapshot" if d["from_snapshot"] else "NO snapshot: read in full"
            goal(size, f"first load after a restart ({source}) <= {limit:.0f} s, <= 2x", f"{load:.2f} s",
                 "sqlite3 fetch of the stored facts", f"{floor:.2f} s",
                 d["from_snapshot"] and load <= limit and load <= 2 * floor)
            goal(size, "peak memory after a restart <= 1.5 GB", f"{d['peak_mb']:,.0f} MB",
                 "(no floor: an absolute goal)", "-", d["peak_mb"] <= 1536)
        if "report" in r:
            rep = r["report"]
            for label, ours, floor_name, floor in (
                    ("report --by channel <= 3x DuckDB (facts, loaded)", rep["seconds"], rep["facts_floor"],
                     rep["facts_floor_seconds"]),
                    ("report --by channel <= 3x DuckDB (facts, from the db)", rep["seconds"],
                     f"{fetch} of the facts + the DuckDB query", rep["floor_from_database_seconds"]),
                    ("report --by channel <= 3x DuckDB (from the answers)", rep["seconds"], rep["floor"],
                     rep["floor_seconds"]),
                    ("report --by channel <= 3x DuckDB (facts, scanned file)", rep["seconds"],
                     "DuckDB's SQLite scanner on the facts + the query", rep.get("floor_scanned_seconds")),
                    ("report consistency <= 3x DuckDB (facts, from the db)", rep["consistency_seconds"],
                     f"{fetch} of the facts + per brand x channel", rep["consistency_floor_from_database_seconds"]),
                    ("report consistency <= 3x DuckDB (facts, scanned file)", rep["consistency_seconds"],
                     "DuckDB's SQLite scanner on the facts + per brand x", rep.get("consistency_floor_scanned_seconds"))):
                if floor is None:  # results from before the scanner floor was measured
                    continue
                goal(size, label, f"{ours:.2f} s", floor_name[:52], f"{floor:.2f} s", ours <= 3 * floor)
        if "log_page" in r:
            lp = r["log_page"]
            goal(size, "auditor's log page rerun <= 0.3 s", f"{lp['rerun_seconds']:.3f} s", lp["floor"],
                 f"{lp['floor_seconds']:.3f} s", lp["rerun_seconds"] <= 0.3)
        if "saves" in r:
            sv = r["saves"]
            goal(size, "8 saving at once: median <= 1.5x a single save", f"{sv['eight_median_seconds']:.3f} s",
                 "a single save, alone", f"{sv['single_seconds']:.3f} s",
                 sv["eight_median_seconds"] <= 1.5 * sv["single_seconds"])
        if "import_postgres" in r:
            ip = r["import_postgres"]
            goal(size, f"import of {n:,} rows on PostgreSQL" + (" < 20 s" if n == 100_000 else ""),
                 f"{ip['seconds']:.1f} s", ip["floor"], f"{ip['floor_seconds']:.1f} s",
                 ip["seconds"] < 20 if n == 100_000 else True)
    return out


def postgres_analytics(url: str, workdir: Path) -> dict:
    """The report and dashboard stages on an already filled PostgreSQL database, by its size."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.connect() as connection:
        size = connection.execute(sa.text("SELECT count(*) FROM contact")).scalar()
    engine.dispose()
    snapshots = workdir / "snapshots_postgresql"
    shutil.rmtree(snapshots, ignore_errors=True)
    os.environ["KLANTREIS_CACHE_DIR"] = str(snapshots)  # a first start: no snapshot to start from
    entry = {}
    for name in ("report", "dashboard"):
        print(f"PostgreSQL, {size:,} contacts: {name}…", file=sys.stderr, flush=True)
        entry[name] = run_stage(name, "--url", url, "--workdir", str(workdir))
    return {str(size): entry}


def print_table(results: dict) -> None:
    print(f"\nmachine: {results['machine']['cpu']} · {results['machine']['cores']} cores · "
          f"{results['machine']['memory_gib']} GiB · {results['machine']['platform']}")
    print(f"{'contacts':>10}  {'measure':<34}{'ours':>12}  {'floor (same run)':<44}{'floor':>10}{'ratio':>8}{'peak MB':>9}")

    def row(size, measure, ours, floor_name, floor, unit="s", peak=None):
        fmt = (lambda v: f"{v:,.0f}/s") if unit == "rows/s" else (lambda v: f"{v:.2f} s")
        ratio = (floor / ours if unit == "rows/s" else ours / floor) if floor else float("nan")
        print(f"{size:>10,}  {measure:<34}{fmt(ours):>12}  {floor_name[:43]:<44}{fmt(floor):>10}{ratio:>7.1f}x"
              f"{'' if peak is None else f'{peak:>9,.0f}'}")

    for size, r in results["sizes"].items():
        size = int(size)
        if not all(name in r for name in ("import", "score", "report", "dashboard")):
            continue  # a partial run (--stages): its goals are below
        i, s, rep, d = r["import"], r["score"], r["report"], r["dashboard"]
        row(size, "import", i["rows_per_s"], i["floor"], i["floor_rows_per_s"], "rows/s", i["peak_mb"])
        row(size, "scoring (score_contacts)", s["seconds"], s["floor"], s["floor_seconds"], peak=s["peak_mb"])
        row(size, "klantreis report --by channel", rep["seconds"], rep["floor"], rep["floor_seconds"],
            peak=rep["peak_mb"])
        row(size, "", rep["seconds"], "raw sqlite3 fetch + the DuckDB query", rep["floor_from_database_seconds"])
        row(size, "dashboard first load", d["first_load_seconds"], d["first_load_floor"],
            d["first_load_floor_seconds"], peak=d["peak_mb"])
        row(size, "dashboard filter change (median)", d["filter_change_median_seconds"], d["filter_change_floor"],
            d["filter_change_floor_seconds"])
        row(size, "dashboard filter change (worst)", d["filter_change_max_seconds"], d["filter_change_floor"],
            d["filter_change_floor_seconds"])
        row(size, "dashboard rerun after one save", d["after_one_save_seconds"], d["after_one_save_floor"],
            d["after_one_save_floor_seconds"])
    print(f"\n{'contacts':>10}  {'goal':<70}{'ours':>14}  {'floor (same run)':<52}{'floor':>12}  verdict")
    for line in results["targets"]:
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default=",".join(str(s) for s in DEFAULT_SIZES))
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "klantreis-bench",
                        help="where the demo databases are kept between runs")
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results.json")
    parser.add_argument("--postgres", default=os.environ.get("KLANTREIS_BENCH_POSTGRES_URL"),
                        help="a PostgreSQL URL: the import is also measured there, in a new database beside it "
                             "(default: $KLANTREIS_BENCH_POSTGRES_URL)")
    parser.add_argument("--postgres-analytics", metavar="URL",
                        help="a PostgreSQL database already holding demo data (e.g. `klantreis demo --contacts "
                             "1000000` run against it): the report and dashboard stages are measured on it too")
    parser.add_argument("--stages", default="import,score,report,dashboard,restart,log_page,saves",
                        help="which stages to run (comma-separated)")
    parser.add_argument("--stage", help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)  # a stage on PostgreSQL: its database
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)

    if args.stage:  # child process: one stage, figures as JSON
        if args.url:
            args.db = args.url
        figures = {"import": lambda: stage_import(args.size, args.workdir), "score": lambda: stage_score(args.db),
                   "report": lambda: stage_report(args.db), "dashboard": lambda: stage_dashboard(args.db),
                   "restart": lambda: stage_restart(args.db),
                   "log_page": lambda: stage_log_page(args.db), "saves": lambda: stage_saves(args.db),
                   "import_postgres": lambda: stage_import(args.size, args.workdir, args.postgres)}
        print(json.dumps(figures[args.stage]()))
        return

    sizes = [int(s) for s in args.sizes.split(",") if s]
    results = {"measured_at": datetime.now(UTC).isoformat(timespec="seconds"), "machine": machine(), "sizes": {}}
    for size in sizes:
        print(f"{size:,} contacts: demo database…", file=sys.stderr, flush=True)
        path, seeding = demo_database(size, args.workdir)
        entry = {"demo_seed": seeding}
        # the app's frames snapshots, empty at each size's start: the dashboard stage's first load
        # finds none (a first start), the restart stage finds the one that stage's process wrote
        snapshots = args.workdir / f"snapshots_{size}"
        shutil.rmtree(snapshots, ignore_errors=True)
        os.environ["KLANTREIS_CACHE_DIR"] = str(snapshots)
        wanted = [name for name in args.stages.split(",") if name]
        if args.postgres and size <= 100_000 and "import" in wanted:
            wanted.append("import_postgres")
        for name in wanted:
            stage_args = ["--size", str(size)] if name.startswith("import") else ["--db", str(path)]
            if name == "import_postgres":
                stage_args += ["--postgres", args.postgres]
            print(f"{size:,} contacts: {name}…", file=sys.stderr, flush=True)
            entry[name] = run_stage(name, *stage_args, "--workdir", str(args.workdir))
        results["sizes"][str(size)] = entry
    results["goals"] = goals(results["sizes"])
    if args.postgres_analytics:
        results["postgresql"] = postgres_analytics(args.postgres_analytics, args.workdir)
        results["goals"] += goals(results["postgresql"], database="postgresql")
    results["targets"] = [g["line"] for g in results["goals"]]
    args.json.write_text(json.dumps(results, indent=2) + "\n")
    print_table(results)
    print(f"\nwritten to {args.json}")


if __name__ == "__main__":
    main()
