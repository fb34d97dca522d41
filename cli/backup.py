"""``klantreis backup FILE`` and ``klantreis restore FILE``: consistent snapshots.

Three file kinds, recognised on restore by their first bytes:

* SQLite: a copy made with SQLite's online backup API (a consistent snapshot even while the
  app writes), restored the same way.
* PostgreSQL with ``pg_dump`` on PATH: its custom format (one consistent snapshot
  transaction), restored with ``pg_restore --single-transaction``.
* portable (``--portable``, or PostgreSQL without ``pg_dump``): gzipped JSON, every table read
  inside one REPEATABLE READ transaction; restores into SQLite or PostgreSQL alike.

Restore only fills an empty database (no rows in any table), so it never mixes two datasets,
and checks the whole file first: a damaged or cut-off backup is refused in one line with the
database untouched.

A backup never takes the write lock and never blocks a reader: the SQLite backup API reads in
one read transaction (WAL lets writers and readers go on), and a portable backup of SQLite is
exported from such a private copy. The file appears only when complete (written beside FILE,
then renamed), and FILE may not be the live database itself, however it is spelled.
"""

import base64
import errno
import gzip
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

import sqlalchemy as sa
import typer
from alembic import command
from sqlmodel import SQLModel

import journeys.models  # noqa: F401  - registers every table on SQLModel.metadata
from cli.app import console, fail, ready_engine
from data import db
from data.errors import FULL, classify_database_error, driver_message
from journeys.errors import KlantreisError
from journeys.language import N_, _, ngettext, number

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


def _sqlite_copy(source_path: str | Path, target_path: Path, *, read_only: bool = False) -> None:
    """Copy a SQLite database with the online backup API: one step, so one read transaction.

    ``read_only`` opens the source so that nothing (not even a WAL recovery) can change it.
    """
    source = (sqlite3.connect(f"{Path(source_path).resolve().as_uri()}?mode=ro", uri=True) if read_only
              else sqlite3.connect(source_path))
    target = sqlite3.connect(target_path)
    try:
        source.backup(target)  # a consistent copy while others read and write; no write lock on the source
    finally:
        target.close()
        source.close()


def portable_backup(engine, path: Path) -> int:
    """Write every table as gzipped JSON from one consistent snapshot; returns the row count.

    PostgreSQL reads in one REPEATABLE READ transaction. SQLite is first copied with the backup
    API and exported from the copy: a transaction on the live file would take the write lock
    (see data.db) and keep every saving auditor waiting for the whole export.
    """
    if not db.is_sqlite(engine):
        return _portable_dump(engine, path)
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".klantreis-snapshot-") as folder:
        copy = Path(folder) / "snapshot.db"
        _sqlite_copy(engine.url.database, copy)
        private = sa.create_engine(f"sqlite:///{copy}", poolclass=sa.pool.NullPool)
        try:
            with private.begin() as connection:  # the copy, not the live file, is brought to the newest schema
                config = db.alembic_config(str(private.url))
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
            return _portable_dump(private, path)
        finally:
            private.dispose()


def _portable_dump(engine, path: Path) -> int:
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


def _damaged(path: Path, reason: str) -> None:
    fail(_("{file} is damaged or incomplete ({reason}): nothing was restored; restore another backup").format(
        file=path, reason=reason))


def _read_portable(path: Path) -> dict:
    """The whole portable snapshot, checked table by table before anything is written."""
    try:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            snapshot = json.load(handle)
    except (EOFError, OSError, ValueError) as exc:  # cut off, bad CRC, not gzip, not JSON, not UTF-8
        # click turns an EOFError that reaches it into a bare "Aborted."
        _damaged(path, str(exc) or type(exc).__name__)
    if not isinstance(snapshot, dict) or snapshot.get("format") != PORTABLE_FORMAT:
        fail(_("{file} is not a Klantreis backup").format(file=path))
    head = db.head_revision()
    if snapshot.get("revision") != head:
        fail(_("{file} was made at schema revision {revision}, this version is at {head}: "
               "restore it with the version that made it, then upgrade").format(
            file=path, revision=snapshot.get("revision"), head=head))
    tables = snapshot.get("tables")
    if not isinstance(tables, dict):
        _damaged(path, _("it lists no tables"))
    known = {table.name: table for table in _tables()}
    for name, data in tables.items():
        table = known.get(name)
        if table is None:
            _damaged(path, _("unknown table {table}").format(table=repr(name)))
        columns = data.get("columns") if isinstance(data, dict) else None
        rows = data.get("rows") if isinstance(data, dict) else None
        if not isinstance(columns, list) or not isinstance(rows, list):
            _damaged(path, _("table {table} has no columns or rows").format(table=name))
        unknown = [c for c in columns if c not in table.c]
        if unknown:
            _damaged(path, _("table {table} has unknown columns {columns}").format(
                table=name, columns=", ".join(map(str, unknown))))
        if any(not isinstance(row, list) or len(row) != len(columns) for row in rows):
            _damaged(path, _("table {table} has a row with a wrong number of cells").format(table=name))
    return snapshot


def portable_restore(engine, path: Path) -> int:
    snapshot = _read_portable(path)
    rows = 0
    with db.write_engine(engine).begin() as connection:
        for table in _tables():
            data = snapshot["tables"].get(table.name)
            if not data or not data["rows"]:
                continue
            columns = [table.c[name] for name in data["columns"]]
            records = [{c.name: _decode(c, v) for c, v in zip(columns, row, strict=True)} for row in data["rows"]]
            try:
                connection.execute(sa.insert(table), records)
            except sa.exc.IntegrityError as exc:  # the driver's text would quote the rows' values
                raise KlantreisError(_(
                    "{file}: table {table} holds rows that break the database's rules (the same key twice, "
                    "or a reference to a missing row): the backup is damaged or was edited; nothing was restored"
                ).format(file=path, table=table.name)) from exc
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


def _live_files(engine) -> set[Path]:
    """The live SQLite file and its journal companions, with every symlink and ``..`` resolved."""
    database = engine.url.database if db.is_sqlite(engine) else None
    if not database or database == ":memory:" or database.startswith("file:"):
        return set()
    live = Path(database).resolve()
    return {live, *(live.with_name(live.name + suffix) for suffix in ("-wal", "-shm", "-journal"))}


def _is_live_database(file: Path, engine) -> bool:
    """Whether ``file`` is the live database (another spelling, a symlink or a hard link of it)."""
    live = _live_files(engine)
    if file.resolve() in live:
        return True
    return file.exists() and any(path.exists() and os.path.samefile(file, path) for path in live)


@contextmanager
def _written_whole(file: Path) -> Iterator[Path]:
    """A temporary path beside ``file`` that becomes ``file`` only when the block succeeds.

    A full disk or an error mid-way leaves neither a half-written backup nor a damaged older
    FILE; the rename is atomic within one folder.
    """
    handle, name = tempfile.mkstemp(dir=file.parent, prefix=f".{file.name}.", suffix=".partial")
    os.close(handle)
    partial = Path(name)
    try:
        yield partial
        os.replace(partial, file)
    except OSError as exc:
        full = exc.errno == errno.ENOSPC
        fail(_("the backup {file} was not written ({reason}): free some space or choose another folder, "
               "then try again").format(file=file, reason=_("the disk is full") if full else exc.strerror or exc))
    except sqlite3.Error as exc:
        reason = _("the disk is full") if classify_database_error(exc) == FULL else driver_message(exc)
        fail(_("the backup {file} was not written ({reason}): free some space or choose another folder, "
               "then try again").format(file=file, reason=reason))
    finally:
        partial.unlink(missing_ok=True)


BACKUP_HELP = N_("Write a consistent snapshot of the whole database to FILE.")
RESTORE_HELP = N_("Restore a snapshot into the configured database, which must be empty.")


def _cannot_write(file: Path) -> str:
    return _("cannot write {file}: folder {folder} does not exist").format(file=file, folder=file.parent)


def _exists(file: Path) -> str:
    return _("{file} already exists (use --force to overwrite it)").format(file=file)


def _portable_written(rows: int, file: Path) -> str:
    return ngettext("portable backup of {n} row written to {file}", "portable backup of {n} rows written to {file}",
                    rows).format(n=number(rows), file=file)


def backup(
    file: Path = typer.Argument(..., help=N_("The snapshot file to write."), dir_okay=False),
    portable: bool = typer.Option(False, "--portable", help=N_("Database-independent gzipped JSON.")),
    force: bool = typer.Option(False, "--force", help=N_("Overwrite FILE if it exists.")),
) -> None:
    """Write a consistent snapshot of the whole database to FILE."""
    if not file.parent.is_dir():
        fail(_cannot_write(file))
    url = db.database_url()
    if db.is_sqlite(url):
        # No ready_engine: its schema upgrade is a write transaction that would wait for (and
        # then hold up) a saving auditor. The file is copied as it is; a portable export
        # upgrades its private copy instead.
        engine = db.get_engine(url)
        live = engine.url.database
        if _is_live_database(file, engine):  # checked before --force: that would overwrite the data itself
            fail(_("{file} is the live database {database}: write the backup to another file").format(
                file=file, database=live))
        if not live or live == ":memory:" or not Path(live).is_file():
            fail(_("there is no database file at {database}: nothing to back up").format(database=live))
        if file.exists() and not force:
            fail(_exists(file))
        with _written_whole(file) as partial:
            if portable:
                rows = portable_backup(engine, partial)
            else:
                _sqlite_copy(live, partial)
        console.print(_portable_written(rows, file) if portable
                      else _("SQLite backup written to {file}").format(file=file), highlight=False)
        return
    engine = ready_engine()
    if file.exists() and not force:
        fail(_exists(file))
    if portable or shutil.which("pg_dump") is None:
        with _written_whole(file) as partial:
            rows = portable_backup(engine, partial)
        console.print(_portable_written(rows, file), highlight=False)
        return
    with _written_whole(file) as partial:
        completed = subprocess.run(
            ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={partial}",
             f"--dbname={_libpq_url(engine)}"],
            capture_output=True, text=True, check=False)
        if completed.returncode != 0:
            fail(_("pg_dump failed (no backup written): {reason}").format(reason=completed.stderr.strip()))
    console.print(_("PostgreSQL backup (pg_dump custom format) written to {file}").format(file=file), highlight=False)


def _check_sqlite_backup(file: Path) -> None:
    """Refuse a cut-off or damaged SQLite file, or one that is no Klantreis database, before restoring it."""
    with file.open("rb") as handle:
        header = handle.read(100)
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    # the page count in the header is valid when its "version-valid-for" matches the change counter
    if len(header) == 100 and header[24:28] == header[92:96] and file.stat().st_size < page_size * pages:
        _damaged(file, _("it holds {size} of its {total} bytes: a copy that was cut off").format(
            size=number(file.stat().st_size), total=number(page_size * pages)))
    source = sqlite3.connect(f"{file.resolve().as_uri()}?mode=ro", uri=True)
    try:
        problems = [" ".join(str(row[0]).replace("*** in database main ***", "").split())
                    for row in source.execute("PRAGMA quick_check").fetchall()]
        if problems != ["ok"]:
            _damaged(file, "; ".join(problems[:3]))
        if source.execute("SELECT 1 FROM sqlite_master WHERE name = 'alembic_version'").fetchone() is None:
            fail(_("{file} is a SQLite database but not a Klantreis backup (it has no schema version)").format(
                file=file))
    except sqlite3.DatabaseError as exc:
        _damaged(file, str(exc))
    finally:
        source.close()


def restore(file: Path = typer.Argument(..., help=N_("A file written by `klantreis backup`."), dir_okay=False)) -> None:
    """Restore a snapshot into the configured database, which must be empty."""
    if not file.is_file():
        fail(_("{file} does not exist or is not a file").format(file=file))
    with file.open("rb") as handle:
        magic = handle.read(16)
    engine = ready_engine()
    if _is_live_database(file, engine):
        fail(_("{file} is the live database {database} itself: restore another file").format(
            file=file, database=engine.url.database))
    with engine.connect() as connection:
        filled = {name: n for name, n in _row_counts(connection).items() if n}
    if filled:
        shown = ", ".join(f"{name} ({number(n)})" for name, n in sorted(filled.items()))
        fail(_("the database {database} is not empty: {tables}; restore only into an empty one").format(
            database=db.describe_url(str(engine.url)), tables=shown))
    if magic.startswith(GZIP_MAGIC):
        rows = portable_restore(engine, file)
        console.print(ngettext("restored {n} row from the portable backup {file}",
                               "restored {n} rows from the portable backup {file}", rows).format(
            n=number(rows), file=file), highlight=False)
    elif magic.startswith(SQLITE_MAGIC):
        if not db.is_sqlite(engine):
            fail(_("{file} is a SQLite backup; restore it into SQLite, or make a --portable backup for PostgreSQL").format(
                file=file))
        _check_sqlite_backup(file)
        path = engine.url.database
        db.dispose_engines()
        try:
            _sqlite_copy(file, Path(path), read_only=True)  # a failed copy is rolled back: the empty database stays as it was
        except sqlite3.DatabaseError as exc:
            _damaged(file, str(exc))
        console.print(_("restored the SQLite backup {file} into {database}").format(file=file, database=path),
                      highlight=False)
    elif magic.startswith(PG_DUMP_MAGIC):
        if db.is_sqlite(engine):
            fail(_("{file} is a PostgreSQL (pg_dump) backup; restore it into PostgreSQL, or make a --portable backup").format(
                file=file))
        if shutil.which("pg_restore") is None:
            fail(_("pg_restore is not on PATH"))
        url = _libpq_url(engine)
        db.dispose_engines()
        completed = subprocess.run(
            ["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
             f"--dbname={url}", str(file)], capture_output=True, text=True, check=False)
        if completed.returncode != 0:
            fail(_("pg_restore failed (nothing was restored): {reason}").format(reason=completed.stderr.strip()))
        console.print(_("restored the PostgreSQL backup {file}").format(file=file), highlight=False)
    else:
        fail(_("{file} is not a Klantreis backup (neither SQLite, pg_dump nor portable)").format(file=file))
