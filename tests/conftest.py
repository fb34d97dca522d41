"""Shared fixtures: a fresh, migrated database per test on SQLite and on PostgreSQL.

Database tests take the ``db_url`` (or ``engine``) fixture and run twice: once on a temporary
SQLite file and once on a throw-away PostgreSQL database created next to
``KLANTREIS_TEST_POSTGRES_URL``. Without that variable the PostgreSQL runs are skipped with a
visible reason; in CI (``CI=true``) a missing PostgreSQL is an error, never a skip.

Passwords are hashed with cheap argon2 parameters for the whole run (see ``CHEAP_HASHER``).

The migrations run once per kind and test run, into a template (``_MigratedTemplates``); each
test's database is a copy of it: a file copy on SQLite, ``CREATE DATABASE ... TEMPLATE`` on
PostgreSQL. Running the whole migration chain for every test was the largest single cost of the
suite, and grows with every migration. ``tests/test_migrations.py`` still upgrades real empty
databases step by step.
"""

import atexit
import contextlib
import os
import shutil
import tempfile
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from data import db
from journeys import language
from journeys.accounts import users

POSTGRES_ENV = "KLANTREIS_TEST_POSTGRES_URL"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

# argon2 at its production cost takes a fifth of a second per hash, which made seeding the demo
# accounts and every sign-in the slowest part of the suite. Tests only need a real argon2 hash,
# not a slow one: swapped in here, at import, before any test or fixture hashes a password, and
# only ever by the test suite (journeys.accounts.users keeps the production parameters in one place).
# The app's alert thread (ui.alert_worker) would outlive the AppTest runs that start it and poll
# their dropped databases; the tests that test it switch it on themselves.
os.environ["KLANTREIS_ALERT_WORKER"] = "0"
# Nor should the in-process app runs write frames snapshots into the user's cache folder (or
# start threads that outlive their databases); the tests of snapshots, and the browser tests'
# app server, give them a folder of their own.
os.environ["KLANTREIS_CACHE_DIR"] = "off"

CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
users._hasher = CHEAP_HASHER


LANGUAGE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG", language.LANGUAGE_ENV)


@pytest.fixture(autouse=True)
def english_unless_told(monkeypatch):
    """Each test starts in the installation default, English, whatever the machine's locale: a test
    that wants Dutch says so (``use_language("nl")``, ``--language nl``, a Dutch browser)."""
    for variable in LANGUAGE_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    with language.use_language(None):
        yield


def _postgres_admin_url() -> str | None:
    url = os.environ.get(POSTGRES_ENV, "").strip()
    if not url and IN_CI:
        pytest.fail(f"CI must test PostgreSQL but {POSTGRES_ENV} is not set", pytrace=False)
    return url or None


class _MigratedTemplates:
    """One migrated, empty database per kind for the run (made on first use, removed at exit)."""

    def __init__(self):
        self._sqlite: Path | None = None
        self._postgres: str | None = None

    def sqlite_file(self) -> Path:
        if self._sqlite is None:
            folder = Path(tempfile.mkdtemp(prefix="klantreis-template-"))
            atexit.register(shutil.rmtree, folder, ignore_errors=True)
            path = folder / "template.db"
            db.upgrade(f"sqlite:///{path}")
            db.dispose_engines()  # closed, so the file is whole and copies cleanly
            self._sqlite = path
        return self._sqlite

    def postgres_name(self, admin: sa.Engine, admin_url: str) -> str:
        if self._postgres is None:
            name = f"klantreis_template_{uuid.uuid4().hex[:12]}"
            with admin.connect() as connection:
                connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
            db.upgrade(sa.make_url(admin_url).set(database=name).render_as_string(hide_password=False))
            db.dispose_engines()  # CREATE DATABASE ... TEMPLATE needs the template without sessions

            def drop():
                engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
                with engine.connect() as connection:
                    connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                engine.dispose()

            atexit.register(drop)
            self._postgres = name
        return self._postgres


_TEMPLATES = _MigratedTemplates()


@contextlib.contextmanager
def _fresh_database(kind: str, folder: Path):
    """An empty, migrated database of ``kind`` ("sqlite": a file in ``folder``; "postgresql": a new
    database next to ``KLANTREIS_TEST_POSTGRES_URL``), dropped afterwards; yields its URL."""
    if kind == "sqlite":
        path = folder / "klantreis-test.db"
        shutil.copyfile(_TEMPLATES.sqlite_file(), path)
        url = f"sqlite:///{path}"
        try:
            yield url
        finally:
            db.dispose_engines()
        return
    admin_url = _postgres_admin_url()
    if admin_url is None:
        pytest.skip(f"PostgreSQL not configured: set {POSTGRES_ENV} to run the PostgreSQL variant")
    name = f"klantreis_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        template = _TEMPLATES.postgres_name(admin, admin_url)
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    except sa.exc.OperationalError as exc:
        if IN_CI:
            raise
        pytest.skip(f"PostgreSQL at {db.describe_url(admin_url)} unreachable: {exc.orig}")
    url = sa.make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        db.dispose_engines()
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """The URL of an empty, migrated database (SQLite file or a new PostgreSQL database)."""
    with _fresh_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def module_db_url(request, tmp_path_factory):
    """Like ``db_url``, but one database for all tests of a module: for data that is expensive to
    build (a seeded demo) and tests that only read it. A test that writes takes ``db_url``."""
    with _fresh_database(request.param, tmp_path_factory.mktemp("module-db")) as url:
        yield url


@pytest.fixture
def engine(db_url):
    return db.get_engine(db_url)


@pytest.fixture
def app_env(db_url, monkeypatch):
    """Point the app (and the CLI) at the test database and start with empty Streamlit caches."""
    from tests.apptest import app_pointed_at  # here, so that tests without the app never load Streamlit

    with app_pointed_at(db_url, monkeypatch) as url:
        yield url


def pytest_sessionfinish(session, exitstatus):
    """In CI a skipped test is a failure: everything the product promises must run there."""
    if not IN_CI or exitstatus != 0:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        reporter.write_line(f"CI: {len(skipped)} test(s) were skipped; in CI nothing may be skipped", red=True)
        session.exitstatus = 1
