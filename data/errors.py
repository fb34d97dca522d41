"""What a database error means for the user: one sentence instead of a driver traceback.

A full disk, a read-only file, a held lock, a damaged file or a server that is down are not
bugs: the user (or an admin) can act on them. ``explain_operational_error`` turns such a
driver error (SQLite or PostgreSQL, raw or wrapped by SQLAlchemy) into a sentence that says
what happened and what to do, and ``DatabaseUnavailable`` carries that sentence as a
``KlantreisError``, so every surface that already shows a refusal (the CLI's top level, the
app's action wrapper) shows it too. Anything it does not recognise is left alone: a bug.

The sentences never quote SQL or parameters, so a user's row data never reaches a terminal
or a page through an error.
"""

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from journeys.errors import KlantreisError
from journeys.language import N_, _

# The kinds of trouble, each with a sentence; ``{where}`` is the SQLite file or the server URL.
# Where the sentence names the database, a SQLite file and a server read differently ("the
# database file is read-only" / "the database is read-only"): one whole sentence each, so a
# translation never has to fit a word into another sentence.
FULL = "full"
READ_ONLY = "read_only"
BUSY = "busy"
DAMAGED = "damaged"
CANNOT_OPEN = "cannot_open"
DISK_ERROR = "disk_error"

# kind -> (the sentence for a SQLite file, the sentence for a server or an unknown database);
# marked here, translated when a sentence is made (the language is only known then).
_SENTENCES = {
    FULL: (N_("the disk holding the database is full ({where}): free some space, then try again"),) * 2,
    READ_ONLY: (
        N_("the database file is read-only: {where}; make it writable (or ask an admin to), then try again"),
        N_("the database is read-only: {where}; make it writable (or ask an admin to), then try again"),
    ),
    BUSY: (N_("the database is busy (another program is writing to it, or every connection is in use): "
              "try again in a moment"),) * 2,
    DAMAGED: (
        N_("the database file is damaged ({where}): restore it from a backup with `klantreis restore`"),
        N_("the database is damaged ({where}): restore it from a backup with `klantreis restore`"),
    ),
    CANNOT_OPEN: (N_("cannot open the database {where}: check that it exists, is reachable and that you may use it"),) * 2,
    DISK_ERROR: (N_("the disk reported an error reading or writing the database ({where}): check the disk, "
                    "then try again"),) * 2,
}

# SQLite primary result codes (https://sqlite.org/rescode.html): the low byte of the extended code.
_SQLITE_CODES = {
    3: READ_ONLY,  # SQLITE_PERM
    5: BUSY,  # SQLITE_BUSY
    6: BUSY,  # SQLITE_LOCKED
    8: READ_ONLY,  # SQLITE_READONLY
    10: DISK_ERROR,  # SQLITE_IOERR
    11: DAMAGED,  # SQLITE_CORRUPT
    13: FULL,  # SQLITE_FULL
    14: CANNOT_OPEN,  # SQLITE_CANTOPEN
    26: DAMAGED,  # SQLITE_NOTADB
}
# The same by message, for errors that carry no code.
_SQLITE_MESSAGES = {
    "database or disk is full": FULL,
    "readonly database": READ_ONLY,
    "database is locked": BUSY,
    "table is locked": BUSY,
    "malformed": DAMAGED,
    "file is not a database": DAMAGED,
    "unable to open database file": CANNOT_OPEN,
    "disk i/o error": DISK_ERROR,
}
# PostgreSQL SQLSTATEs (https://www.postgresql.org/docs/current/errcodes-appendix.html);
# a two-character key matches the whole class.
_POSTGRES_STATES = {
    "53100": FULL,  # disk_full
    "25006": READ_ONLY,  # read_only_sql_transaction
    "55P03": BUSY,  # lock_not_available
    "40P01": BUSY,  # deadlock_detected
    "40001": BUSY,  # serialization_failure
    "57014": BUSY,  # query_canceled (statement or lock timeout)
    "53300": BUSY,  # too_many_connections
    "XX001": DAMAGED,  # data_corrupted
    "XX002": DAMAGED,  # index_corrupted
    "08": CANNOT_OPEN,  # connection exceptions
    "28": CANNOT_OPEN,  # invalid authorisation
    "3D000": CANNOT_OPEN,  # invalid_catalog_name: the database does not exist
    "57P": CANNOT_OPEN,  # the server is shutting down or starting
}


class DatabaseUnavailable(KlantreisError):
    """The database cannot do what was asked now (full, read-only, busy, damaged, unreachable).

    Nothing of the failed unit of work was written. ``kind`` is one of the module's kinds.
    """

    def __init__(self, message: str, *, kind: str):
        super().__init__(message)
        self.kind = kind


def _driver_error(exc: BaseException) -> BaseException:
    return exc.orig if isinstance(exc, sa.exc.DBAPIError) and exc.orig is not None else exc


def classify_database_error(exc: BaseException) -> str | None:
    """The kind of trouble behind ``exc`` (one of FULL, READ_ONLY, ...), or None for anything else."""
    error = _driver_error(exc)
    code = getattr(error, "sqlite_errorcode", None)
    if isinstance(code, int) and (code & 0xFF) in _SQLITE_CODES:
        return _SQLITE_CODES[code & 0xFF]
    state = getattr(error, "sqlstate", None) or getattr(getattr(error, "diag", None), "sqlstate", None)
    if state:
        for prefix in (state, state[:3], state[:2]):
            if prefix in _POSTGRES_STATES:
                return _POSTGRES_STATES[prefix]
        return None
    module = type(error).__module__ or ""
    if module.startswith("sqlite3"):
        text = str(error).lower()
        return next((kind for fragment, kind in _SQLITE_MESSAGES.items() if fragment in text), None)
    if module.startswith("psycopg") and type(error).__name__ in ("OperationalError", "InterfaceError"):
        return CANNOT_OPEN  # no SQLSTATE: the connection itself failed (refused, reset, timed out)
    return None


def explain_kind(kind: str, url: str | sa.URL | None = None) -> str:
    """The sentence for one kind of trouble (FULL, READ_ONLY, BUSY, ...), naming ``url`` if given."""
    return _sentence(kind, url)


def _sentence(kind: str, url: str | sa.URL | None) -> str:
    """The sentence of ``kind`` in the current language, naming the database at ``url``."""
    parsed = None if url is None else sa.make_url(url)
    if parsed is None:
        is_file, where = False, _("the configured database")
    elif parsed.get_backend_name() == "sqlite":
        is_file, where = True, parsed.database or _("in memory")
    else:
        is_file, where = False, parsed.render_as_string(hide_password=True)
    for_file, for_server = _SENTENCES[kind]
    return _(for_file if is_file else for_server).format(where=where)


def explain_operational_error(exc: BaseException, url: str | sa.URL | None = None) -> str | None:
    """One sentence saying what happened and what to do, or None when ``exc`` is not such trouble.

    Args:
        exc: a driver error (``sqlite3.Error``, ``psycopg.Error``) or SQLAlchemy's wrapper of one.
        url: the database's URL, named in the sentence (a password is hidden).
    """
    kind = classify_database_error(exc)
    return None if kind is None else _sentence(kind, url)


def database_unavailable(exc: BaseException, url: str | sa.URL | None = None) -> DatabaseUnavailable | None:
    """``exc`` as a ``DatabaseUnavailable`` when it is trouble a user can act on, else None."""
    kind = classify_database_error(exc)
    return None if kind is None else DatabaseUnavailable(_sentence(kind, url), kind=kind)


def driver_message(exc: BaseException) -> str:
    """The driver's own first line (``UniqueViolation: duplicate key value ...``), without SQL or parameters."""
    error = _driver_error(exc)
    lines = str(error).strip().splitlines()
    return f"{type(error).__name__}: {lines[0] if lines else 'no message'}"


@contextmanager
def explained_database_errors(url: str | sa.URL | None = None) -> Iterator[None]:
    """Re-raise a recognised database error of the block as ``DatabaseUnavailable``; others pass."""
    try:
        yield
    except (sa.exc.DBAPIError, sqlite3.Error) as exc:
        unavailable = database_unavailable(exc, url)
        if unavailable is None:
            raise
        raise unavailable from exc

