"""An import the database refuses ends in one line, exit 1, nothing written (issue 13 item 11).

Parallel imports of one file really run in parallel here (two threads meeting at a barrier
once both have read the file) and the "disk full" is real too: SQLite's ``max_page_count``
makes the test database full a few pages after its current size.
"""

import threading
import time

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from data import db
from journeys.interchange.imports import import_contacts
from journeys.models import Answer, Brand, Contact
from tests.cli.conftest import contact, csv_text
from tests.factories import make_contact, make_world

ROWS = 400
SECRET = "SECRET-NOTE-7f3a"  # row data that must never reach the terminal


def _count(engine, model) -> int:
    with engine.connect() as connection:
        return connection.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


def _file(brand="Koopklik") -> tuple[list[str], list[tuple[int, list[str]]]]:
    rows = [contact(external_id=f"P-{n}", brand=brand, notes=SECRET) for n in range(ROWS)]
    header = list(rows[0])
    return header, [(n + 2, list(r.values())) for n, r in enumerate(rows)]


def _one_line_error(result, message: str) -> None:
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr
    assert "Traceback" not in result.output + result.stderr
    assert SECRET not in result.output + result.stderr and "P-0" not in result.stderr


@pytest.mark.parametrize("create_missing", [False, True], ids=["known-brand", "create-missing"])
def test_parallel_imports_of_one_file_add_each_contact_once(engine, world, create_missing):
    """Two imports of one file at the same moment: each contact once; on PostgreSQL the loser says so, in a sentence."""
    header, rows = _file(brand="Parallel" if create_missing else "Koopklik")
    postgres = engine.dialect.name == "postgresql"
    # On SQLite the first import holds the write lock from its first read, so the second waits at
    # BEGIN and then updates what the first added; only PostgreSQL lets both read before writing.
    barrier = threading.Barrier(2, timeout=60) if postgres else None
    outcomes: list = []

    def run():
        def on_progress(phase, done):
            if barrier is not None and phase == "read" and done == ROWS:
                barrier.wait()  # both have read the catalogue and every row: now both write

        try:
            with db.session_scope(engine) as session:
                import_contacts(session=session, actor=None, header=header, rows=rows,
                                create_missing=create_missing, on_progress=on_progress)
            outcomes.append("ok")
        except Exception as exc:  # noqa: BLE001 - the test inspects what each import raised
            outcomes.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert len(outcomes) == 2
    failures = [o for o in outcomes if o != "ok"]
    if postgres:
        assert len(failures) == 1, outcomes
        assert "another import" in str(failures[0]) and "nothing was written" in str(failures[0]), repr(failures[0])
        from journeys.interchange.imports import ImportAborted

        assert isinstance(failures[0], ImportAborted)
        assert SECRET not in str(failures[0])
    else:
        assert failures == []
    assert _count(engine, Contact) == ROWS and _count(engine, Answer) == 3 * ROWS  # nothing twice, nothing half
    with engine.connect() as connection:
        brands = connection.execute(sa.select(Brand.name)).scalars().all()
    assert sorted(brands) == sorted({"Koopklik", "Parallel" if create_missing else "Koopklik"})


def test_cli_import_that_loses_a_race_is_one_line(cli, engine, world, tmp_path):
    """Another writer commits the same external_id while the CLI import waits: one line, exit 1 (PostgreSQL);
    on SQLite the import waits for the lock and then updates that contact."""
    path = tmp_path / "contacts.csv"
    path.write_text(csv_text([contact(external_id=f"P-{n}", notes=SECRET) for n in range(ROWS)]))
    postgres = engine.dialect.name == "postgresql"
    holding, done = threading.Event(), threading.Event()

    def other_writer():
        with Session(engine) as session:
            session.add(make_contact(world, external_id="P-0", notes="the other import"))
            session.flush()  # the row (and on SQLite the write lock) is held, not committed
            holding.set()
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and not done.is_set():
                if postgres and _waiting_on_a_lock(engine):
                    break  # the CLI's COPY waits for this transaction: let it see the commit
                if not postgres and time.monotonic() > deadline - 29.5:
                    break  # SQLite: the CLI waits at BEGIN IMMEDIATE meanwhile
                time.sleep(0.05)
            session.commit()

    thread = threading.Thread(target=other_writer)
    thread.start()
    assert holding.wait(30)
    result = cli("import", "contacts", path)
    done.set()
    thread.join(30)
    if postgres:
        _one_line_error(result, "another import wrote the same contacts")
        assert _count(engine, Contact) == 1  # only the other writer's contact
    else:
        assert result.exit_code == 0 and "updated 1" in result.output, result.output
        assert _count(engine, Contact) == ROWS


def _waiting_on_a_lock(engine) -> bool:
    with engine.connect() as connection:
        return connection.execute(sa.text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )).scalar_one() > 0


@pytest.fixture
def full_sqlite(tmp_path, monkeypatch):
    """A migrated SQLite database with the test world whose file cannot grow past a few more pages."""
    url = f"sqlite:///{tmp_path / 'full.db'}"
    db.upgrade(url)
    engine = db.get_engine(url)
    with db.session_scope(engine) as session:
        make_world(session)
    with engine.connect() as connection:
        pages = connection.exec_driver_sql("PRAGMA page_count").scalar_one()

    @sa.event.listens_for(engine, "connect")
    def _limit(dbapi_connection, _record):
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages + 3}")

    engine.dispose()  # every connection from now on has the limit
    monkeypatch.setenv(db.DATABASE_URL_ENV, url)
    yield engine
    db.dispose_engines()


def test_disk_full_during_an_import_is_one_line_and_writes_nothing(full_sqlite, tmp_path):
    """'database or disk is full' mid-import: one line saying so, exit 1, not one contact written."""
    from typer.testing import CliRunner

    from cli.main import app

    path = tmp_path / "contacts.csv"
    path.write_text(csv_text([contact(external_id=f"P-{n}", notes=SECRET * 20) for n in range(2000)]))
    result = CliRunner().invoke(app, ["import", "contacts", str(path)])
    _one_line_error(result, "the disk holding the database is full")
    assert _count(full_sqlite, Contact) == 0


def test_postgresql_disk_full_and_unknown_errors_are_named_without_row_data():
    """PostgreSQL's disk-full state and a lock timeout are recognised; other errors are not (a bug: re-raised)."""
    import psycopg.errors

    from journeys.interchange.imports import write_failure

    disk = sa.exc.OperationalError("INSERT ...", {"notes": SECRET}, psycopg.errors.DiskFull("could not extend file"))
    assert "disk holding the database is full" in str(write_failure(disk))
    race = psycopg.errors.UniqueViolation(f'duplicate key value... DETAIL: Key (brand_id, external_id)=(1, {SECRET})')
    assert SECRET not in str(write_failure(race)) and "another import" in str(write_failure(race))
    assert write_failure(ValueError(SECRET)) is None


def test_cli_never_prints_row_data_of_an_unexpected_database_error(cli, world, tmp_path, monkeypatch):
    """An error the import does not recognise still ends in one line without the driver's text (row data)."""
    import journeys.interchange.imports

    def broken(*args, **kwargs):
        raise sa.exc.DataError("INSERT INTO contact ...", {"notes": SECRET}, Exception(f"value too long: {SECRET}"))

    monkeypatch.setattr(journeys.interchange.imports, "_bulk_insert", broken)
    path = tmp_path / "contacts.csv"
    path.write_text(csv_text([contact(external_id="P-0", notes=SECRET)]))
    _one_line_error(cli("import", "contacts", path), "unexpected error (Exception)")
