"""The ``klantreis`` command line.

    klantreis migrate            bring the database schema to the newest version
    klantreis demo               fill the database with deterministic demo data
    klantreis users add|list|passwd|set-role|deactivate|activate   manage accounts
    klantreis retention --months N [--dry-run]                    delete old evidence files

Every command upgrades the schema first, works on ``KLANTREIS_DATABASE_URL`` (default: the
SQLite file in ``data/``) and exits 0 on success, 1 on invalid input (message on stderr) and
2 on wrong usage. A user-facing error never prints a traceback, and a database error
(full disk, read-only file, busy, damaged, unreachable, or one not foreseen) never prints SQL
or row data: every sub-command runs inside ``KlantreisCommands.invoke``, which turns them into
one ``error:`` line and exit 1.
"""

import sqlite3
import time

import sqlalchemy as sa
import typer
from rich.console import Console
from rich.table import Table
from typer.core import TyperGroup

from data import db
from data.errors import driver_message, explain_operational_error
from journeys.errors import KlantreisError


class KlantreisCommands(TyperGroup):
    """The ``klantreis`` group: one error boundary around every sub-command.

    It sits inside the click command (not in ``main``) so that ``CliRunner`` tests see exactly
    what a user sees.
    """

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except KlantreisError as exc:
            from cli.common import exit_with  # cli.common imports this module

            exit_with(exc)
        except (sa.exc.DBAPIError, sqlite3.Error) as exc:
            # SQLAlchemy's message quotes the statement and its parameters, and a driver's own text
            # can quote a value ('invalid input syntax for type integer: "..."'): only the sentence,
            # or the kind of error, is shown
            orig = getattr(exc, "orig", None) or exc
            fail(explain_operational_error(exc, db.database_url())
                 or f"the database refused the command ({type(orig).__name__}): run it again, and report it if it repeats")


app = typer.Typer(
    cls=KlantreisCommands,
    help="Klantreis: cross-channel mystery shopping from the command line.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)

EXIT_INVALID_INPUT = 1


def fail(message: str) -> None:
    """Print a user-facing error on stderr and exit with the invalid-input code."""
    err_console.print("[bold red]error:[/] ", end="", highlight=False)
    err_console.print(message, highlight=False, markup=False, soft_wrap=True)  # one greppable line
    raise typer.Exit(EXIT_INVALID_INPUT)


def ready_engine():
    """The configured database, migrated to the newest schema."""
    url = db.database_url()
    try:
        db.upgrade(url)
    except (sa.exc.DBAPIError, sqlite3.Error) as exc:  # connection refused, unwritable file...: say where and why
        fail(explain_operational_error(exc, url) or f"cannot open the database {db.describe_url(url)}: {driver_message(exc)}")
    except Exception as exc:  # noqa: BLE001 - a bad URL, a missing driver...
        fail(f"cannot open the database {db.describe_url(url)}: {exc}")
    return db.get_engine(url)


@app.command()
def migrate() -> None:
    """Upgrade the database schema to the newest migration."""
    url = db.database_url()
    before = None
    try:
        before = db.current_revision(url)
    except Exception:  # noqa: BLE001 - an unreachable database is reported by ready_engine
        pass
    ready_engine()
    after = db.current_revision(url)
    state = "already up to date" if before == after else f"upgraded {before or 'empty'} → {after}"
    console.print(f"{db.describe_url(url)}: schema {state}")


@app.command()
def demo(
    contacts: int = typer.Option(3000, "--contacts", min=0, help="How many contacts to generate."),
    seed: int = typer.Option(7, "--seed", help="Same seed, same data."),
    if_empty: bool = typer.Option(False, "--if-empty", help="Only when the database has no users and no contacts yet."),
) -> None:
    """Fill the database with demo data (four brands, five journeys, two waves).

    Running it again with the same seed adds nothing that is already there.
    """
    from data.demo import database_is_empty, seed_demo

    engine = ready_engine()
    if if_empty:
        with db.read_scope(engine) as session:
            if not database_is_empty(session):
                console.print("database already holds data: no demo data added")
                return
    started = time.perf_counter()
    summary = seed_demo(engine, contacts=contacts, seed=seed)
    elapsed = time.perf_counter() - started
    console.print(
        f"demo data (seed {seed}): {summary['added']:,} contacts added, "
        f"{summary['skipped']:,} already present, in {elapsed:.1f} s"
    )
    if summary["accounts"]:
        table = Table(title="Demo accounts (shown once; change them before real use)")
        for column in ("username", "role", "password"):
            table.add_column(column)
        for row in summary["accounts"]:
            table.add_row(*row)
        console.print(table)


# Sub-command modules register themselves on ``app`` (imported here, after ``app`` exists).
from cli import agreement, backup, exports, imports, report, retention, users  # noqa: E402,F401


def main() -> None:
    """Entry point of the ``klantreis`` command."""
    app()  # errors are reported by KlantreisCommands.invoke


if __name__ == "__main__":
    main()
