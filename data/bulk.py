"""Many rows into one table by the database driver's own bulk path, inside the caller's transaction.

SQLAlchemy converts every bound value on its way in; at a hundred thousand rows that costs more
than the database itself. So the rows arrive here as plain tuples, already in the driver's types,
and go in by the fastest path each driver has: ``COPY ... FROM STDIN`` on PostgreSQL (psycopg:
one stream instead of a statement per row; an import of 100,000 contacts and 300,000 answers took
63 s through executemany), the driver's executemany on SQLite, ``sa.insert`` elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection


def slices(items: Sequence, size: int) -> Iterator[Sequence]:
    """``items`` ``size`` at a time: ids for ``IN (...)`` lists, each well inside the databases'
    limit on bound parameters in one statement (PostgreSQL's driver: 65,535)."""
    for start in range(0, len(items), size):
        yield items[start:start + size]


def insert_tuples(connection: Connection, table: sa.Table, columns: Sequence[str], rows: Sequence[tuple]) -> None:
    """INSERT ``rows`` (tuples of ``columns``' values, as the driver takes them) into ``table``."""
    if not rows:
        return
    dialect = connection.dialect
    if dialect.name == "postgresql" and dialect.driver == "psycopg":
        cursor = connection.connection.driver_connection.cursor()
        with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    elif dialect.paramstyle == "qmark":
        # the bare columns (no defaults of the model's table join the statement), in the rows' order
        bare = sa.table(table.name, *(sa.column(column) for column in columns))
        statement = bare.insert().values({column: sa.bindparam(column) for column in columns}).compile(dialect=dialect)
        connection.exec_driver_sql(str(statement), list(rows))
    else:
        connection.execute(sa.insert(table), [dict(zip(columns, row, strict=True)) for row in rows])
