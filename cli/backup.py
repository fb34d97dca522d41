"""``klantreis backup FILE`` and ``klantreis restore FILE``: consistent snapshots.

Three file kinds, recognised on restore by their first bytes:

* SQLite: a copy made with SQLite's online backup API (a consistent snapshot even while the
  app writes), restored the same way.
* PostgreSQL with ``pg_dump`` on PATH: its custom format (one consistent snapshot
  transaction), restored with ``pg_restore --single-transaction``.
* portable (``--portable``, or PostgreSQL without ``pg_dump``): gzipped JSON, every table read
  inside one REPEATABLE READ transaction; restores into SQLite or PostgreSQL alike.

Restore only fills an empty database (no rows in any table), so it never mixes two datasets.
"""

import base64
import gzip
import json
import shutil
import sqlite3
import subprocess
from datetime import date, datetime
from pathlib import Path

import sqlalchemy as sa
import typer
from sqlmodel import SQLModel

import journeys.models  # noqa: F401  - registers every table on SQLModel.metadata
from cli.main import app, console, fail, ready_engine
from data import db

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
GZIP_MAGIC = b"\x1f\x8b"
PORTABLE_FORMAT = "klantreis-portable-backup"


def _tables() -> list[sa.Table]:
    return list(SQLModel.metadata.sorted_tables)  # parents before children


def _row_counts(connection) -> dict[str, int]:
    return {t.name: connection.execute(sa.select(sa.func.count()).select_from(t)).scalar_one() for t in _tables()}


def _libpq_url(engine) -> str:
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def _encode(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return {"b64": base64.b64encode(bytes(value)).decode()}
    return value


def _decode(column: sa.Column, value):
    if value is None:
        return None
    if isinstance(value, dict) and "b64" in value:
        return base64.b64decode(value["b64"])
    python_type = None
    try:
        python_type = column.type.python_type
    except NotImplementedError:
        pass
    if isinstance(column.type, journeys.models.UTCDateTime) or python_type is datetime:
        return datetime.fromisoformat(value)
    if python_type is date:
        return date.fromisoformat(value)
    return value


def portable_backup(engine, path: Path) -> int:
    """Write every table as gzipped JSON from one REPEATABLE READ snapshot; returns the row count."""
    snapshot = {"format": PORTABLE_FORMAT, "revision": None, "tables": {}}
    rows = 0
    options = {} if db.is_sqlite(engine) else {"isolation_level": "REPEATABLE READ"}
    with engine.connect().execution_options(**options) as connection, connection.begin():
        snapshot["revision"] = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
        for table in _tables():
            result = connection.execute(sa.select(table))
            records = [[_encode(v) for v in row] for row in result]
            snapshot["tables"][table.name] = {"columns": list(result.keys()), "rows": records}
            rows += len(records)
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        json.dump(snapshot, handle)
    return rows


def portable_restore(engine, path: Path) -> int:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        snapshot = json.load(handle)
    if snapshot.get("format") != PORTABLE_FORMAT:
        fail(f"{path} is not a Klantreis backup")
    head = db.head_revision()
    if snapshot.get("revision") != head:
        fail(f"{path} was made at schema revision {snapshot.get('revision')}, this version is at {head}: "
             "restore it with the version that made it, then upgrade")
    rows = 0
    with db.write_engine(engine).begin() as connection:
        for table in _tables():
            data = snapshot["tables"].get(table.name)
            if not data or not data["rows"]:
                continue
            columns = [table.c[name] for name in data["columns"]]
            records = [{c.name: _decode(c, v) for c, v in zip(columns, row, strict=True)} for row in data["rows"]]
            connection.execute(sa.insert(table), records)
            rows += len(records)
        if not db.is_sqlite(engine):
            # explicit ids were inserted: move each id sequence past the restored maximum
            for table in _tables():
                pk = list(table.primary_key.columns)
                if len(pk) == 1 and pk[0].autoincrement is not False and isinstance(pk[0].type, sa.Integer):
                    connection.execute(sa.text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', '{pk[0].name}'), "
                        f"COALESCE((SELECT MAX({pk[0].name}) FROM {table.name}), 0) + 1, false)"))
    return rows


@app.command()
def backup(
    file: Path = typer.Argument(..., help="The snapshot file to write.", dir_okay=False),
    portable: bool = typer.Option(False, "--portable", help="Database-independent gzipped JSON."),
    force: bool = typer.Option(False, "--force", help="Overwrite FILE if it exists."),
) -> None:
    """Write a consistent snapshot of the whole database to FILE."""
    if file.exists() and not force:
        fail(f"{file} already exists (use --force to overwrite it)")
    if not file.parent.is_dir():
        fail(f"cannot write {file}: folder {file.parent} does not exist")
    engine = ready_engine()
    if portable or (not db.is_sqlite(engine) and shutil.which("pg_dump") is None):
        rows = portable_backup(engine, file)
        console.print(f"portable backup of {rows:,} rows written to {file}", highlight=False)
        return
    if db.is_sqlite(engine):
        source = sqlite3.connect(engine.url.database)
        target = sqlite3.connect(file)
        try:
            source.backup(target)  # SQLite's online backup: a consistent copy while others write
        finally:
            target.close()
            source.close()
        console.print(f"SQLite backup written to {file}", highlight=False)
        return
    completed = subprocess.run(
        ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={file}", f"--dbname={_libpq_url(engine)}"],
        capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        fail(f"pg_dump failed: {completed.stderr.strip()}")
    console.print(f"PostgreSQL backup (pg_dump custom format) written to {file}", highlight=False)


@app.command()
def restore(file: Path = typer.Argument(..., help="A file written by `klantreis backup`.", dir_okay=False)) -> None:
    """Restore a snapshot into the configured database, which must be empty."""
    if not file.is_file():
        fail(f"{file} does not exist or is not a file")
    magic = file.read_bytes()[:16]
    engine = ready_engine()
    with engine.connect() as connection:
        filled = {name: n for name, n in _row_counts(connection).items() if n}
    if filled:
        shown = ", ".join(f"{name} ({n:,})" for name, n in sorted(filled.items()))
        fail(f"the database {db.describe_url(str(engine.url))} is not empty: {shown}; restore only into an empty one")
    if magic.startswith(GZIP_MAGIC):
        rows = portable_restore(engine, file)
        console.print(f"restored {rows:,} rows from the portable backup {file}", highlight=False)
    elif magic.startswith(SQLITE_MAGIC):
        if not db.is_sqlite(engine):
            fail(f"{file} is a SQLite backup; restore it into SQLite, or make a --portable backup for PostgreSQL")
        path = engine.url.database
        db.dispose_engines()
        source = sqlite3.connect(f"file:{file}?mode=ro", uri=True)
        target = sqlite3.connect(path)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        console.print(f"restored the SQLite backup {file} into {path}", highlight=False)
    elif magic.startswith(PG_DUMP_MAGIC):
        if db.is_sqlite(engine):
            fail(f"{file} is a PostgreSQL (pg_dump) backup; restore it into PostgreSQL, or make a --portable backup")
        if shutil.which("pg_restore") is None:
            fail("pg_restore is not on PATH")
        url = _libpq_url(engine)
        db.dispose_engines()
        completed = subprocess.run(
            ["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
             f"--dbname={url}", str(file)], capture_output=True, text=True, check=False)
        if completed.returncode != 0:
            fail(f"pg_restore failed (nothing was restored): {completed.stderr.strip()}")
        console.print(f"restored the PostgreSQL backup {file}", highlight=False)
    else:
        fail(f"{file} is not a Klantreis backup (neither SQLite, pg_dump nor portable)")
