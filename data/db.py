"""Database plumbing: where the data lives, engines, sessions and schema upgrades.

SQLite under ``data/klantreis.db`` is the zero-configuration default;
``KLANTREIS_DATABASE_URL`` (e.g. ``postgresql+psycopg://user@host:5432/db``) switches to
PostgreSQL. The same code runs on both; the only dialect-specific code is here.

No engine is created at import time: callers ask ``get_engine(url)`` (cached per URL).

Units of work come in two kinds::

    with read_scope(engine) as session:    # a page showing data: never waits for a writer
        ...
    with write_scope(engine) as session:   # a save, an import: takes the write lock at BEGIN
        ...

On SQLite a read is a plain deferred transaction (WAL readers never wait for a writer and
never block one) with ``PRAGMA query_only`` on, so a read scope that tries to write fails
loudly instead of quietly taking the lock. A write starts with ``BEGIN IMMEDIATE``: writers
queue for the lock (busy timeout) instead of losing updates. A writer that waits longer than
the busy timeout raises ``DatabaseBusy``: the page keeps what was typed and says to try again.
Plain ``Engine.connect()`` (the dashboard frames, exports) reads deferred as well.
"""

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine
from sqlmodel import Session

from data import constraints
from data.errors import BUSY, DatabaseUnavailable, classify_database_error, explain_kind
from journeys.errors import ValidationError

DATA_DIR = Path(__file__).resolve().parent
MIGRATIONS_DIR = DATA_DIR / "migrations"
DEFAULT_SQLITE_PATH = DATA_DIR / "klantreis.db"
DATABASE_URL_ENV = "KLANTREIS_DATABASE_URL"

# How long a SQLite writer waits for another writer before giving up (milliseconds); a test
# (or a site with long backups) sets KLANTREIS_SQLITE_BUSY_TIMEOUT_MS.
SQLITE_BUSY_TIMEOUT_MS = 30_000
BUSY_TIMEOUT_ENV = "KLANTREIS_SQLITE_BUSY_TIMEOUT_MS"
# The connection execution option that marks a transaction as a write (BEGIN IMMEDIATE) or a
# checked read (query_only); without either, a SQLite transaction is a plain deferred read.
WRITE_OPTION = "klantreis_write"
READ_ONLY_OPTION = "klantreis_read_only"
BUSY_TIMEOUT_OPTION = "klantreis_busy_timeout_ms"  # a shorter wait for one write (autosave)
# The same sentence every page and command shows for a held lock (data.errors' BUSY kind), as made at
# import; ``DatabaseBusy`` makes it afresh, in the language of the moment it is raised.
BUSY_MESSAGE = explain_kind(BUSY)


class DatabaseBusy(DatabaseUnavailable):
    """Another process held the write lock longer than the busy timeout: nothing was written.

    A ``DatabaseUnavailable`` of kind BUSY, so every page and CLI command shows it as the same
    one sentence as any other database trouble; the caller's input is untouched and the same
    action can simply be retried.
    """

    def __init__(self, message: str | None = None):
        super().__init__(message or explain_kind(BUSY), kind=BUSY)


def busy_timeout_ms() -> int:
    """``KLANTREIS_SQLITE_BUSY_TIMEOUT_MS`` (a whole number of milliseconds, 0 or more) or 30 000."""
    text = os.environ.get(BUSY_TIMEOUT_ENV, "").strip()
    if not text:
        return SQLITE_BUSY_TIMEOUT_MS
    if not text.isdigit():
        raise ValueError(f"{BUSY_TIMEOUT_ENV} must be a whole number of milliseconds, got {text!r}")
    return int(text)


def is_busy_error(exc: BaseException) -> bool:
    """Whether ``exc`` means "another writer holds the lock" (SQLite busy/locked, PostgreSQL lock
    or statement timeout, deadlock): ``data.errors``' classification, one list for every caller."""
    return isinstance(exc, sa.exc.DBAPIError) and classify_database_error(exc) == BUSY


# Streamlit runs every browser session as a thread of one server process, all sharing one engine.
# SQLAlchemy's pool does not hand connections to waiting threads in turn: with more sessions
# mid-transaction than connections (the default is 5 + 10 overflow), a thread that just returned
# a connection takes it straight back and a waiting one can lose every hand-over until
# ``pool_timeout`` ends its action with an error (seen with 16 auditors saving at once). So
# there is a connection for every session that can be busy at once (up to 30), and the first 20
# stay open rather than being closed and reopened (a new PostgreSQL backend) for every action.
# PostgreSQL allows 100 connections by default; they are opened only as sessions need them.
# Running several app processes against one PostgreSQL server, lower it per process with
# KLANTREIS_DB_POOL_SIZE (the overflow is half of it).
POOL_SIZE_ENV = "KLANTREIS_DB_POOL_SIZE"


def pool_sizes() -> tuple[int, int]:
    """``(pool_size, max_overflow)``: ``KLANTREIS_DB_POOL_SIZE`` (a whole number >= 1) or 20."""
    text = os.environ.get(POOL_SIZE_ENV, "").strip() or "20"
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"{POOL_SIZE_ENV} must be a whole number of at least 1, got {text!r}")
    size = int(text)
    return size, size // 2

_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


def database_url() -> str:
    """The configured database URL: ``KLANTREIS_DATABASE_URL`` or the SQLite file in ``data/``."""
    url = os.environ.get(DATABASE_URL_ENV, "").strip()
    return url or f"sqlite:///{DEFAULT_SQLITE_PATH}"


def is_sqlite(url_or_engine: str | Engine) -> bool:
    url = url_or_engine.url if isinstance(url_or_engine, Engine) else sa.make_url(url_or_engine)
    return url.get_backend_name() == "sqlite"


def describe_url(url: str) -> str:
    """The URL with any password hidden, for messages and logs."""
    return sa.make_url(url).render_as_string(hide_password=True)


def _configure_sqlite(engine: Engine) -> None:
    """WAL, a busy timeout, foreign keys and our own BEGIN on every SQLite connection.

    pysqlite's own transaction handling starts transactions lazily (deferred), which loses
    updates or fails with "database is locked" under several writers; taking the write lock
    at BEGIN and letting other writers wait (busy timeout) serialises them safely. Reads do
    not need that lock — in WAL mode a reader sees the last committed snapshot and never
    waits — so only transactions marked as writes (``WRITE_OPTION``) begin IMMEDIATE.
    """
    timeout = busy_timeout_ms()

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(timeout)}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection):
        options = connection.get_execution_options()
        read_only = bool(options.get(READ_ONLY_OPTION))
        info = connection.info  # per DBAPI connection: the pragma outlives the transaction
        if info.get("query_only", False) != read_only:
            connection.exec_driver_sql(f"PRAGMA query_only = {int(read_only)}")
            info["query_only"] = read_only
        wait = options.get(BUSY_TIMEOUT_OPTION, timeout)
        if info.get("busy_timeout", timeout) != wait:
            connection.exec_driver_sql(f"PRAGMA busy_timeout = {int(wait)}")
            info["busy_timeout"] = wait
        connection.exec_driver_sql("BEGIN IMMEDIATE" if options.get(WRITE_OPTION) else "BEGIN")


def get_engine(url: str | None = None) -> Engine:
    """The engine for ``url`` (default: ``database_url()``), created once per URL."""
    url = url or database_url()
    with _engines_lock:
        engine = _engines.get(url)
        if engine is None:
            if is_sqlite(url):
                path = sa.make_url(url).database
                pool = {}  # an in-memory database lives in one connection (SingletonThreadPool)
                if path and path != ":memory:":
                    Path(path).parent.mkdir(parents=True, exist_ok=True)
                    size, overflow = pool_sizes()
                    pool = dict(pool_size=size, max_overflow=overflow)
                engine = sa.create_engine(url, connect_args={"check_same_thread": False}, **pool)
                _configure_sqlite(engine)
            else:
                size, overflow = pool_sizes()
                engine = sa.create_engine(url, pool_pre_ping=True, pool_size=size, max_overflow=overflow)
            _engines[url] = engine
        return engine


def dispose_engines() -> None:
    """Close every cached engine (tests, restore, shutdown)."""
    with _engines_lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


def write_engine(engine: Engine) -> Engine:
    """``engine`` with its transactions marked as writes (``BEGIN IMMEDIATE`` on SQLite), for
    code that writes through ``engine.begin()`` rather than a session (restore, migrations)."""
    return engine.execution_options(**{WRITE_OPTION: True})


@contextmanager
def _scope(engine: Engine, options: dict) -> Iterator[Session]:
    # The options go on the session's engine, so every transaction of the scope has its kind, also
    # one begun after a commit inside the scope (sign-in commits before it checks a password).
    with Session(engine.execution_options(**options), expire_on_commit=False) as session:
        try:
            # Start the transaction now: a writer that cannot get the lock fails here, before the
            # action has done anything.
            session.connection()
            yield session
            session.commit()
        except sa.exc.IntegrityError as exc:
            session.rollback()
            raise ValidationError(constraints.explain(exc)) from exc
        except sa.exc.OperationalError as exc:
            session.rollback()
            if is_busy_error(exc):
                raise DatabaseBusy() from exc
            raise
        except BaseException:
            session.rollback()
            raise


@contextmanager
def write_scope(engine: Engine, *, busy_timeout_ms: int | None = None) -> Iterator[Session]:
    """One unit of work that writes: commit on success, roll back everything on any error.

    Every user action or import runs in exactly one of these, so nothing is half-written.
    A violated database constraint surfaces as a ``ValidationError`` naming the field; a write
    lock not obtained within the busy timeout as ``DatabaseBusy`` (nothing written).
    ``busy_timeout_ms`` waits less than the configured timeout for this one write (SQLite), for
    background writes such as an autosave that must not hold up the page.
    """
    options = {WRITE_OPTION: True}
    if busy_timeout_ms is not None:
        options[BUSY_TIMEOUT_OPTION] = busy_timeout_ms
    with _scope(engine, options) as session:
        yield session


@contextmanager
def read_scope(engine: Engine) -> Iterator[Session]:
    """A consistent read that never takes (or waits for) the write lock.

    On SQLite the connection is ``query_only`` for the duration, so a write slipped into a read
    scope fails at once ("attempt to write a readonly database") instead of queueing for the lock.
    """
    with _scope(engine, {READ_ONLY_OPTION: True}) as session:
        yield session


# Every existing caller of ``session_scope`` is a writer or was audited and moved to
# ``read_scope``; the old name stays a writer so new code cannot lose the lock by accident.
session_scope = write_scope


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser interpolation would choke on "%" in URL-encoded passwords.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str | None = None) -> None:
    """Bring the schema of ``url`` to the newest migration (a no-op when already there)."""
    url = url or database_url()
    engine = get_engine(url)
    if current_revision(url) == head_revision():
        return  # already there: no write lock, so a command that only reads never waits for a writer
    config = alembic_config(url)
    with write_engine(engine).begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def current_revision(url: str | None = None) -> str | None:
    with get_engine(url or database_url()).connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
