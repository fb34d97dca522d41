"""``klantreis demo``: fill the database with deterministic demo data (``journeys.demo``)."""

import time

import typer
from rich.table import Table

from cli.app import console, ready_engine
from data import db
from journeys.language import N_, _, number


def demo(
    contacts: int = typer.Option(3000, "--contacts", min=0, help=N_("How many contacts to generate.")),
    seed: int = typer.Option(7, "--seed", help=N_("Same seed, same data.")),
    if_empty: bool = typer.Option(False, "--if-empty", help=N_("Only when the database has no users and no contacts yet.")),
) -> None:
    """Fill the database with demo data (four brands, five journeys, two waves).

    The contacts carry review states over time (one wave released, one in review) and a few
    appeals of the demo client users (``journeys.demo``). Running it again with the same seed adds nothing that is already there.
    """
    # imported here, not at the top: journeys.demo loads Faker, which every other command (and --help) can do without
    from journeys.demo import database_is_empty, seed_demo

    engine = ready_engine()
    if if_empty:
        with db.read_scope(engine) as session:
            if not database_is_empty(session):
                console.print(_("database already holds data: no demo data added"))
                return
    started = time.perf_counter()
    summary = seed_demo(engine, contacts=contacts, seed=seed, review=True)
    elapsed = time.perf_counter() - started
    console.print(_("demo data (seed {seed}): {added} contacts added, {skipped} already present, in {seconds} s").format(
        seed=seed, added=number(summary["added"]), skipped=number(summary["skipped"]), seconds=number(elapsed, 1)))
    if summary["accounts"]:
        table = Table(title=_("Demo accounts (shown once; change them before real use)"))
        for column in (_("username"), _("role"), _("password")):
            table.add_column(column)
        for row in summary["accounts"]:
            table.add_row(*row)
        console.print(table)
