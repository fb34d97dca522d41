"""Crash safety of `klantreis import contacts`: a `kill -9` in the middle of writing 100,000 rows.

The import promises "all rows or none" (one transaction). These tests hold it to that under the
crudest fault there is: the importing process is killed with SIGKILL while it is writing. The kill
is aimed, not timed: the command runs with its progress bar switched on (rich's TTY_COMPATIBLE), the
test waits until the bar says half of the contacts are written, freezes the process (SIGSTOP),
proves it is frozen mid-write (the write phase is reported, another connection still sees the old
count, on SQLite the -wal file holds megabytes of uncommitted pages, on PostgreSQL the client's
backend is inside a transaction), and only then sends SIGKILL. A frozen process cannot commit, so
the kill lands during the write phase by construction.

After the crash the database must hold exactly what it held before (every table), pass SQLite's
integrity and foreign-key checks, and work: migrations run, a normal import adds rows, an auditor
logs a contact through the services, and a manager signs in and opens the dashboard (AppTest).
"""

import csv
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from data import db
from journeys.accounts.users import get_user
from journeys.demo import demo_password, seed_demo
from journeys.fieldwork.contacts import AnswerIn, ContactStart, applicable_criteria, save_contact, start_contact
from journeys.interchange.contact_file import COLUMNS, Catalogue
from journeys.models import Contact, CriterionKind
from tests.apptest import sign_in

ROOT = Path(__file__).resolve().parents[2]
ROWS = 100_000
DEMO_SEED = 5
DEMO_CONTACTS = 150
# Freeze and kill once the progress bar reports this many contacts written: well inside the write
# phase (more than a chunk written, more than a chunk and all answers still to go).
KILL_AT_WRITTEN = ROWS // 2
# Generous: the machine is shared; the import reaches the write phase in ~10 s when idle.
WRITE_PHASE_DEADLINE_S = 240
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_WRITTEN = re.compile(r"writing contacts\D*?(\d+)/\d+")


# ------------------------------------------------------------------------------ the contact file


def _names(session) -> dict:
    """The demo catalogue as names: what a contact file may mention."""
    catalogue = Catalogue.load(session)
    channel_names = {i: name for name, i in catalogue.channels.items()}
    brand_names = {i: name for name, i in catalogue.brands.items()}
    locations: dict[str, list[str]] = {}
    for brand_id, name in sorted(catalogue.locations):
        locations.setdefault(brand_names[brand_id], []).append(name)
    return {
        "catalogue": catalogue, "channel_names": channel_names, "locations": locations,
        "auditors": sorted(u for u in catalogue.users if u.startswith("auditor")),
        "waves": sorted(catalogue.waves),
        "codes": sorted({code for journey in catalogue.journeys.values() for code in journey.criteria}),
    }


def write_contact_file(path: Path, names: dict, rows: int, seed: int = 9) -> None:
    """A valid contact file of ``rows`` rows over every demo brand, journey and channel.

    Same names and seed, same bytes. Three checklist answers per row (like bench/bench_import.py)
    keep the file and the read phase small; they rotate so every criterion is used.
    """
    rng = random.Random(seed)
    catalogue = names["catalogue"]
    journeys = sorted(catalogue.journeys.items())
    brands = sorted(names["locations"])
    header = [*COLUMNS, *(f"item:{code}" for code in names["codes"])]
    start = datetime(2026, 4, 1, 8, 0, tzinfo=UTC)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for i in range(rows):
            journey_name, journey = journeys[i % len(journeys)]
            channel_ids = sorted(journey.channel_ids)
            channel_id = channel_ids[rng.randrange(len(channel_ids))]
            brand = brands[i % len(brands)]
            began = start + timedelta(seconds=97 * i)
            first = began + timedelta(seconds=rng.randint(5, 20_000))
            resolved = first + timedelta(seconds=rng.randint(0, 40_000))
            cells = {
                "external_id": f"crash-{i}", "brand": brand, "location": rng.choice(names["locations"][brand]),
                "journey": journey_name, "channel": names["channel_names"][channel_id],
                "auditor": names["auditors"][i % len(names["auditors"])], "wave": names["waves"][i % len(names["waves"])],
                "started_at": began.isoformat(), "first_response_at": first.isoformat(),
                "resolved_at": resolved.isoformat() if i % 4 else "", "wait_seconds": str(rng.randint(0, 300)),
                "transfers": str(i % 3), "answer_correct": ("yes", "no", "")[i % 3],
                "answer_text": "Delayed at the depot", "notes": f"Note {i}",
            }
            applicable = [(code, c) for code, c in sorted(journey.criteria.items())
                          if not c.channel_ids or channel_id in c.channel_ids]
            for k in range(min(3, len(applicable))):
                code, criterion = applicable[(i + k) % len(applicable)]
                if criterion.kind == CriterionKind.SCALE:
                    value = str(rng.randint(int(criterion.scale_min), int(criterion.scale_max)))
                else:
                    value = ("yes", "no", "na" if criterion.na_allowed else "yes")[rng.randrange(3)]
                cells[f"item:{code}"] = value
            writer.writerow([cells.get(column, "") for column in header])


@pytest.fixture(scope="module")
def contact_file(tmp_path_factory) -> Path:
    """The 100,000-row file, built once from the catalogue of a small demo database.

    Demo data is deterministic, so every test database seeded with DEMO_SEED knows the same names.
    """
    folder = tmp_path_factory.mktemp("crash-file")
    url = f"sqlite:///{folder / 'catalogue.db'}"
    db.upgrade(url)
    seed_demo(db.get_engine(url), contacts=0, seed=DEMO_SEED)
    with db.session_scope(db.get_engine(url)) as session:
        names = _names(session)
    db.dispose_engines()
    path = folder / "contacts-100k.csv"
    write_contact_file(path, names, ROWS)
    return path


# -------------------------------------------------------------------------------- helpers


def _klantreis() -> list[str]:
    """The installed `klantreis` command of this interpreter's environment."""
    script = Path(sys.executable).with_name("klantreis")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from cli.main import main; main()"]


def _env(url: str, **extra) -> dict:
    return {**os.environ, db.DATABASE_URL_ENV: url, "PYTHONUNBUFFERED": "1", **extra}


def table_counts(url: str) -> dict[str, int]:
    """Rows per table, read on a connection of its own (not the app's cached engine)."""
    engine = sa.create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            names = sorted(sa.inspect(connection).get_table_names())
            return {name: connection.exec_driver_sql(f'SELECT count(*) FROM "{name}"').scalar_one()
                    for name in names}
    finally:
        engine.dispose()


class ImportProcess:
    """`klantreis import contacts FILE` in a child process, with its progress bar captured."""

    def __init__(self, url: str, path: Path):
        # rich draws the progress bar only on a terminal; TTY_COMPATIBLE makes it draw into our pipe
        env = _env(url, TTY_COMPATIBLE="1", TTY_INTERACTIVE="1", COLUMNS="120")
        self.process = subprocess.Popen([*_klantreis(), "import", "contacts", str(path)], cwd=ROOT, env=env,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self._stderr = bytearray()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while chunk := self.process.stderr.read1(65536):
            self._stderr += chunk

    @property
    def stderr(self) -> str:
        return _ANSI.sub("", bytes(self._stderr).decode("utf-8", "replace"))

    def written(self) -> int:
        """Contacts the progress bar says are written so far (0 before the write phase)."""
        counts = [int(n) for n in _WRITTEN.findall(self.stderr)]
        return max(counts, default=0)

    def wait_until_written(self, at_least: int, deadline_s: float) -> None:
        """Poll the progress bar (not a fixed sleep) until ``at_least`` contacts are written."""
        started = time.monotonic()
        while self.written() < at_least:
            if self.process.poll() is not None:
                pytest.fail(f"the import ended (exit {self.process.returncode}) before writing {at_least:,} "
                            f"contacts:\n{self.process.stdout.read().decode()}\n{self.stderr[-2000:]}")
            if time.monotonic() - started > deadline_s:
                pytest.fail(f"no write progress to {at_least:,} within {deadline_s} s:\n{self.stderr[-2000:]}")
            time.sleep(0.02)

    def freeze(self) -> None:
        os.kill(self.process.pid, signal.SIGSTOP)

    def kill(self) -> tuple[int, str]:
        """SIGKILL; the exit status and whatever it printed on stdout."""
        os.kill(self.process.pid, signal.SIGKILL)
        returncode = self.process.wait(timeout=30)
        self._reader.join(timeout=10)
        return returncode, self.process.stdout.read().decode()

    def cleanup(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)


def _run_cli(url: str, *args) -> subprocess.CompletedProcess:
    return subprocess.run([*_klantreis(), *map(str, args)], cwd=ROOT, env=_env(url), capture_output=True,
                          text=True, timeout=300)


# -------------------------------------------------------------------------- after the crash


def _works_after_restart(url: str, before: dict[str, int], tmp_path: Path) -> None:
    """Migrations, a normal import, logging a contact, and the dashboard all work again."""
    db.upgrade(url)  # what the app and every command do on start
    assert db.current_revision(url) == db.head_revision()

    # the first 50 rows of the same file: nothing of them was committed, so they are added
    engine = db.get_engine(url)
    with db.session_scope(engine) as session:
        names = _names(session)
    small = tmp_path / "after-crash.csv"
    write_contact_file(small, names, 50)
    result = _run_cli(url, "import", "contacts", small)
    assert result.returncode == 0, result.stderr
    assert "added 50 contacts" in result.stdout, result.stdout
    assert table_counts(url)["contact"] == before["contact"] + 50

    # an auditor logs a contact through the services (start, then the assessment)
    now = datetime.now(UTC)
    catalogue = names["catalogue"]
    journey = catalogue.journeys[sorted(catalogue.journeys)[0]]
    with db.session_scope(engine) as session:
        auditor = get_user(session=session, username="auditor1")
        contact = start_contact(session=session, actor=auditor, now=now, start=ContactStart(
            journey_id=journey.id, brand_id=sorted(catalogue.brands.values())[0],
            channel_id=sorted(journey.channel_ids)[0], started_at=now - timedelta(minutes=30)))
        criteria = applicable_criteria(session, contact)
        answers = [AnswerIn(c.id, is_na=True) if c.na_allowed else
                   AnswerIn(c.id, c.scale_max if c.kind == CriterionKind.SCALE else 1.0) for c in criteria]
        save_contact(session=session, actor=auditor, contact_id=contact.id, now=now, complete=True,
                     answers=answers, changes={"first_response_at": now - timedelta(minutes=10)})
        logged = contact.id
    with db.session_scope(engine) as session:
        assert session.get(Contact, logged).first_response_at is not None
    assert table_counts(url)["contact"] == before["contact"] + 51

    # a manager signs in (a write: the session token) and the dashboard renders
    at = sign_in("manager", demo_password("manager"))
    at.switch_page("pages/dashboard.py").run()
    assert not at.exception, at.exception
    assert "Dashboard" in [t.value for t in at.title]
    assert {"Quality", "Response rate"} <= {m.label for m in at.metric}


# ----------------------------------------------------------------------------------- the tests


def test_kill_9_during_the_write_phase_leaves_nothing_and_the_app_works(app_env, contact_file, tmp_path):
    """SIGKILL mid-write: the database holds exactly what it held before and the app works after restart."""
    url = app_env
    seed_demo(db.get_engine(url), contacts=DEMO_CONTACTS, seed=DEMO_SEED)
    before = table_counts(url)
    assert before["contact"] == DEMO_CONTACTS
    # the importer is the only process with the database open, as after a restart
    db.dispose_engines()
    sqlite_path = Path(sa.make_url(url).database) if db.is_sqlite(url) else None
    wal = sqlite_path.with_name(sqlite_path.name + "-wal") if sqlite_path else None
    wal_before = wal.stat().st_size if wal and wal.exists() else 0

    importer = ImportProcess(url, contact_file)
    try:
        importer.wait_until_written(KILL_AT_WRITTEN, WRITE_PHASE_DEADLINE_S)
        importer.freeze()
        # frozen: prove it is inside the write phase and has not committed
        written = importer.written()
        assert written >= KILL_AT_WRITTEN
        assert table_counts(url) == before  # another connection still sees the old database
        if wal is not None:
            wal_at_kill = wal.stat().st_size
            # megabytes of uncommitted pages are on disk in the WAL: the crash hits a real half-write
            assert wal_at_kill > wal_before + 5_000_000, (wal_before, wal_at_kill)
        else:
            in_transaction = _backends_in_transaction(url)
            assert in_transaction >= 1  # the importer's PostgreSQL session is mid-transaction
        returncode, stdout = importer.kill()
    finally:
        importer.cleanup()
    assert returncode == -signal.SIGKILL
    assert "added" not in stdout  # it never reported success

    if sqlite_path is not None:
        # a fresh connection recovers from the WAL; the uncommitted frames must be ignored
        connection = sqlite3.connect(sqlite_path)
        try:
            assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        finally:
            connection.close()
    else:
        _wait_for_no_backends(url)
    after = table_counts(url)
    # all or nothing: exactly the old database, in every table (the frozen process could not commit)
    assert after == before
    assert after["contact"] in (before["contact"], before["contact"] + ROWS)

    _works_after_restart(url, before, tmp_path)


# ------------------------------------------------------------------------- PostgreSQL helpers


def _other_backends(url: str) -> list[tuple]:
    """Sessions on this test database other than the one asking."""
    engine = sa.create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return connection.execute(sa.text(
                "SELECT pid, state, xact_start FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()")).all()
    finally:
        engine.dispose()


def _backends_in_transaction(url: str) -> int:
    return sum(1 for _pid, _state, xact_start in _other_backends(url) if xact_start is not None)


def _wait_for_no_backends(url: str, timeout_s: float = 60) -> None:
    """The server notices the dead client (socket closed) and rolls its transaction back."""
    started = time.monotonic()
    while backends := _other_backends(url):
        if time.monotonic() - started > timeout_s:
            pytest.fail(f"PostgreSQL still has the killed client's sessions after {timeout_s} s: {backends}")
        time.sleep(0.1)
