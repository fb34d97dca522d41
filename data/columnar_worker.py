"""Run by ``data.columnar`` as a process of its own: one SELECT (on standard input) over a SQLite
file, read by DuckDB's SQLite scanner and written to standard output as an Arrow IPC stream.

Its own process because the scanner brings its own copy of SQLite: two copies in one process
on one WAL file release each other's POSIX locks (seen with another such reader: stale reads
and "disk I/O error"). It imports DuckDB and Arrow only, so it starts in a few tenths of a second.

Arguments: the database file, the scanner extension file (``data.columnar.scanner_extension``).
"""

import sys

import duckdb
import pyarrow as pa

ROWS_PER_BATCH = 122_880  # DuckDB's row group: batches as the scan makes them


def main(database: str, extension: str) -> None:
    sql = sys.stdin.read()
    # nothing fetched from the network: the extension comes from the installed package
    connection = duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
    connection.load_extension(extension)
    # ATTACH takes no bound parameter; the path is the app's own database file (its quotes doubled).
    # (sqlite_attach(?) would: its views read a million contacts in 11 s, not 3.)
    connection.execute(f"ATTACH '{_quoted(database)}' AS store (TYPE sqlite, READ_ONLY)")
    connection.execute("USE store")
    reader = connection.execute(sql).fetch_record_batch(ROWS_PER_BATCH)
    with pa.ipc.new_stream(sys.stdout.buffer, reader.schema) as stream:
        for batch in reader:
            stream.write_batch(batch)


def _quoted(text: str) -> str:
    return text.replace("'", "''")


if __name__ == "__main__":
    try:
        main(*sys.argv[1:3])
    except duckdb.Error as error:  # its first line says what (the rest repeats the SQL)
        print(f"error: {str(error).splitlines()[0]}", file=sys.stderr)
        sys.exit(1)
