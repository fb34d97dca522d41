"""Large SQLite reads as Arrow columns, by DuckDB's SQLite scanner in a process of its own.

Python's sqlite3 hands every value over as a Python object: a million contacts with their
stored scores took 14-16 s to become a frame here (``data.fetch.frame_of_cursor``), of which building the
row tuples alone was 4-5 s. DuckDB's scanner reads the same SELECT straight into typed columns
(timestamps parsed, several threads) in about 3 s. It carries its own copy of SQLite, so it runs
in a child process (``data/columnar_worker.py``, the reasons there) and hands the columns back
as an Arrow stream over a pipe. Starting that process costs a few tenths of a second, so only
reads of many rows come this way (the caller decides: ``journeys.fieldwork.frames``).

The scanner is the ``duckdb-ext-sqlite`` package's extension file for the installed DuckDB
(``scanner_extension``); without it, or when the child fails, ``read_arrow`` raises
``ColumnarUnavailable`` and the caller reads in-process as before.
"""

from __future__ import annotations

import functools
import importlib.metadata
import subprocess
import sys
import tempfile
from pathlib import Path

import pyarrow as pa
import sqlalchemy as sa

WORKER = Path(__file__).with_name("columnar_worker.py")


class ColumnarUnavailable(RuntimeError):
    """The columnar reader cannot read this (no scanner installed, or the child process failed)."""


@functools.cache
def scanner_extension() -> Path | None:
    """The SQLite scanner extension file for the installed DuckDB, or None when there is none."""
    try:
        version = importlib.metadata.version("duckdb")
        files = importlib.metadata.files("duckdb-ext-sqlite") or ()
    except importlib.metadata.PackageNotFoundError:
        return None
    for file in files:
        # extensions/v<duckdb version>/<platform>/sqlite_scanner.duckdb_extension
        if file.name == "sqlite_scanner.duckdb_extension" and f"v{version}" in file.parts:
            path = Path(file.locate())
            if path.is_file():
                return path
    return None


def literal_sql(query: sa.Select, dialect: sa.Dialect) -> str | None:
    """``query`` as SQLite text with its parameters written in, or None when a parameter is of
    a type not safe to write as a literal (only integers and texts are: a timestamp's literal
    would not be the text SQLAlchemy stores)."""
    compiled = query.compile(dialect=dialect)
    if any(not isinstance(value, int | str) for value in compiled.params.values()):
        return None
    return str(query.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


def read_arrow(database: str, sql: str) -> pa.Table:
    """The rows of ``sql`` (SQLite text, no parameters) over the SQLite file ``database``, as an
    Arrow table typed by the columns' declared types. Raises ``ColumnarUnavailable``."""
    extension = scanner_extension()
    if extension is None:
        raise ColumnarUnavailable("DuckDB's SQLite scanner (duckdb-ext-sqlite) is not installed for this DuckDB")
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen([sys.executable, str(WORKER), database, str(extension)],
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors)
        try:
            process.stdin.write(sql.encode())
            process.stdin.close()
            table = pa.ipc.open_stream(process.stdout).read_all()
        except (OSError, pa.ArrowException):
            table = None
        finally:
            process.stdout.close()
            returncode = process.wait()
        if returncode != 0 or table is None:
            errors.seek(0)
            lines = errors.read().decode(errors="replace").strip().splitlines()
            said = [line.removeprefix("error: ") for line in lines if line.startswith("error: ")]
            raise ColumnarUnavailable(f"the columnar reader stopped (exit {returncode}): "
                                      f"{(said or lines or ['no message'])[-1]}")
    return table
