"""Database trouble on demand: a full disk and a read-only database, made by the databases themselves.

Both act on the cached engine of ``url`` (the one the CLI and the app use) and are lifted when
the block ends, so a test can show that a retry afterwards succeeds.
"""

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from data import db


@contextmanager
def disk_full(url: str) -> Iterator[None]:
    """SQLite may not grow the file by one page (``max_page_count``): SQLITE_FULL, "database or disk is full"."""
    engine = db.get_engine(url)

    def limit(dbapi_connection, _record):
        pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    sa.event.listen(engine, "connect", limit)
    engine.dispose()  # pooled connections were opened without the limit
    try:
        yield
    finally:
        sa.event.remove(engine, "connect", limit)
        engine.dispose()


@contextmanager
def read_only(url: str) -> Iterator[None]:
    """Reads work, every write is refused by the database.

    PostgreSQL: ``default_transaction_read_only`` on the database (SQLSTATE 25006). SQLite:
    ``PRAGMA query_only`` inside every transaction, which refuses a write with SQLITE_READONLY
    exactly as a file without write permission does (this runs as root here, where chmod 444
    would not stop a write).
    """
    engine = db.get_engine(url)
    if db.is_sqlite(url):
        def on(connection):
            connection.exec_driver_sql("PRAGMA query_only = ON")

        def off(connection):
            connection.exec_driver_sql("PRAGMA query_only = OFF")

        hooks = [("begin", on), ("commit", off), ("rollback", off)]
        for name, hook in hooks:
            sa.event.listen(engine, name, hook)
        try:
            yield
        finally:
            for name, hook in hooks:
                sa.event.remove(engine, name, hook)
        return
    parsed = sa.make_url(url)
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'ALTER DATABASE "{parsed.database}" SET default_transaction_read_only = on')
    engine.dispose()
    try:
        yield
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'ALTER DATABASE "{parsed.database}" RESET default_transaction_read_only')
        admin.dispose()
        engine.dispose()
