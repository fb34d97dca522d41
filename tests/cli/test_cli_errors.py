"""Database trouble at the command line ends in one ``error:`` line, exit 1, nothing written and no row data."""

import sqlite3

import psycopg
import pytest
import sqlalchemy as sa

from data import db
from data.errors import (
    BUSY,
    CANNOT_OPEN,
    DAMAGED,
    FULL,
    READ_ONLY,
    classify_database_error,
    explain_operational_error,
)
from journeys.models import Contact
from tests.cli.conftest import contact, csv_text
from tests.db_trouble import disk_full, read_only

SECRET = "SECRET-ROW-DATA"


def _contacts(url: str) -> int:
    with db.get_engine(url).connect() as connection:
        return connection.execute(sa.select(sa.func.count()).select_from(Contact)).scalar_one()


def _file(tmp_path, rows: int = 1, notes: str = SECRET):
    path = tmp_path / "contacts.csv"
    path.write_text(csv_text([contact(external_id=f"t-{i}", notes=f"{notes} {i}") for i in range(rows)]))
    return path


def _one_error_line(result) -> str:
    """The result's stderr, asserted to be exactly one ``error:`` line after a clean exit 1."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)  # not an escaped traceback
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert SECRET not in result.output + result.stderr
    return lines[0]


# PostgreSQL cannot be filled on demand; its disk_full SQLSTATE is classified below.
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_disk_full_during_an_import(cli, world, db_url, tmp_path):
    """A full disk mid-import (SQLite's own SQLITE_FULL) says so in one line; not one contact is written."""
    path = _file(tmp_path, 200, notes=SECRET + " " + "x" * 2000)
    with disk_full(db_url):
        line = _one_error_line(cli("import", "contacts", path))
    assert "the disk holding the database is full" in line and "free some space" in line
    assert _contacts(db_url) == 0
    assert cli("import", "contacts", path).exit_code == 0  # with space again the same file goes in
    assert _contacts(db_url) == 200


def test_read_only_database(cli, world, db_url, tmp_path):
    """A database that refuses writes is named as read-only, in one line, and nothing is written."""
    with read_only(db_url):
        line = _one_error_line(cli("import", "contacts", _file(tmp_path, 3)))
        assert cli("report", "--by", "brand", "--format", "csv").exit_code == 0  # reading still works
    where = sa.make_url(db_url).database if db.is_sqlite(db_url) else db.describe_url(db_url)
    expected = "the database file is read-only: " if db.is_sqlite(db_url) else "the database is read-only: "
    assert expected + where in line
    assert _contacts(db_url) == 0


def test_an_unforeseen_database_error_shows_no_sql_or_row_data(cli, world, tmp_path, monkeypatch):
    """An error nobody foresaw is still one line naming its kind, never the statement, parameters or message
    (a driver's message can quote a value: "invalid input syntax for type integer: ...")."""
    def broken(**_kwargs):
        raise sa.exc.OperationalError("INSERT INTO contact (notes) VALUES (?)", (SECRET,),
                                      sqlite3.OperationalError("something nobody foresaw"))

    monkeypatch.setattr("cli.imports.import_contacts", broken)
    line = _one_error_line(cli("import", "contacts", _file(tmp_path)))
    assert "OperationalError" in line and "please report it" in line
    assert SECRET not in line and "INSERT" not in line


def _sqlite_error(sql: str, setup: str = "") -> sqlite3.Error:
    connection = sqlite3.connect(":memory:")
    if setup:
        connection.execute(setup)
    try:
        connection.execute(sql)
    except sqlite3.Error as exc:
        return exc
    raise AssertionError(f"{sql} did not fail")


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (_sqlite_error("CREATE TABLE t (x)", "PRAGMA query_only = ON"), READ_ONLY),
        (sqlite3.OperationalError("database or disk is full"), FULL),
        (sqlite3.OperationalError("database is locked"), BUSY),
        (sqlite3.DatabaseError("database disk image is malformed"), DAMAGED),
        (sqlite3.OperationalError("unable to open database file"), CANNOT_OPEN),
        (psycopg.errors.DiskFull("could not extend file"), FULL),
        (psycopg.errors.ReadOnlySqlTransaction("cannot execute INSERT in a read-only transaction"), READ_ONLY),
        (psycopg.errors.LockNotAvailable("could not obtain lock"), BUSY),
        (psycopg.errors.DataCorrupted("invalid page in block 4"), DAMAGED),
        (psycopg.OperationalError("connection refused"), CANNOT_OPEN),
        (psycopg.errors.UniqueViolation("duplicate key"), None),
        (sqlite3.OperationalError("no such table: x"), None),
        (ValueError("not a database error"), None),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else str(value),
)
def test_database_errors_are_classified(error, kind):
    """Driver errors of both databases, raw or wrapped by SQLAlchemy, map to the kind of trouble (or to none)."""
    wrapped = sa.exc.OperationalError("SELECT 1", {}, error)
    assert classify_database_error(error) == classify_database_error(wrapped) == kind
    explained = explain_operational_error(wrapped, "postgresql+psycopg://klantreis:secret@db:5432/klantreis")
    assert (explained is None) == (kind is None)
    assert "secret" not in (explained or "")
