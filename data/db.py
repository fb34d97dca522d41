"""Database plumbing: where the data lives, engines, sessions and schema upgrades.

SQLite under ``data/klantreis.db`` is the zero-configuration default;
``KLANTREIS_DATABASE_URL`` (e.g. ``postgresql+psycopg://user@host:5432/db``) switches to
PostgreSQL. The same code runs on both; the only dialect-specific code is here.

No engine is created at import time: callers ask ``get_engine(url)`` (cached per URL).
"""

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine
from sqlmodel import Session

from data import constraints
from journeys.errors import ValidationError

DATA_DIR = Path(__file__).resolve().parent
MIGRATIONS_DIR = DATA_DIR / "migrations"
DEFAULT_SQLITE_PATH = DATA_DIR / "klantreis.db"
DATABASE_URL_ENV = "KLANTREIS_DATABASE_URL"

# How long a SQLite writer waits for another writer before giving up (milliseconds).
SQLITE_BUSY_TIMEOUT_MS = 30_000
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
    """WAL, a busy timeout, foreign keys and ``BEGIN IMMEDIATE`` on every SQLite connection.

    pysqlite's own transaction handling starts transactions lazily (deferred), which loses
    updates or fails with "database is locked" under several writers; taking the write lock
    at BEGIN and letting other writers wait (busy timeout) serialises them safely.
    """

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")


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


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One unit of work: commit on success, roll back everything on any error.

    Every user action or import runs in exactly one of these, so nothing is half-written.
    A violated database constraint surfaces as a ``ValidationError`` naming the field.
    """
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except sa.exc.IntegrityError as exc:
            session.rollback()
            raise ValidationError(constraints.explain(exc)) from exc
        except BaseException:
            session.rollback()
            raise


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
    config = alembic_config(url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def current_revision(url: str | None = None) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with get_engine(url or database_url()).connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
