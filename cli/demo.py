"""``klantreis demo``: fill the database with deterministic demo data (``journeys.demo``)."""

import time

import typer
from rich.table import Table

from cli.app import console, ready_engine
from data import db


def demo(
    contacts: int = typer.Option(3000, "--contacts", min=0, help="How many contacts to generate."),
    seed: int = typer.Option(7, "--seed", help="Same seed, same data."),
    if_empty: bool = typer.Option(False, "--if-empty", help="Only when the database has no users and no contacts yet."),
) -> None:
    """Fill the database with demo data (four brands, five journeys, two waves).

    Running it again with the same seed adds nothing that is already there.
    """
    # imported here, not at the top: journeys.demo loads Faker, which every other command (and --help) can do without
    from journeys.demo import database_is_empty, seed_demo

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
