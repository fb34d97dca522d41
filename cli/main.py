"""The ``klantreis`` command: registers every sub-command on ``cli.app.app`` and runs it.

The registrations below are the list of commands (``klantreis --help`` prints it, in this order);
each command lives in the module it is registered from. The commands work on
``KLANTREIS_DATABASE_URL`` (default: the SQLite file in ``data/``), brought to the newest schema
first (``cli.app.ready_engine``), and exit as ``cli.app`` describes: 0 on success, 1 on invalid
input (the message on stderr), 2 on wrong usage; a user-facing error never prints a traceback,
SQL or row data.

Each command's help is given here (or where the command is declared) as an ``N_`` message, the
English text the catalog translates: ``cli.app`` shows it in the run's language.
"""

from cli import actions, agreement, alerts, backup, demo, exports, imports, migrate, report, retention, users
from cli.app import app
from journeys.language import N_

app.command("migrate", help=N_("Upgrade the database schema to the newest migration."))(migrate.migrate)
app.command("rescore", help=N_("Recompute the stored score of every contact (after a change to the scoring "
                               "rules)."))(migrate.rescore)
app.command("demo", help=N_("Fill the database with demo data (four brands, five journeys, two waves).\n\n"
                            "Running it again with the same seed adds nothing that is already there."))(demo.demo)
app.command("agreement", help=agreement.AGREEMENT_HELP)(agreement.agreement)
app.command("backup", help=backup.BACKUP_HELP)(backup.backup)
app.command("restore", help=backup.RESTORE_HELP)(backup.restore)
app.add_typer(exports.export_app, name="export")
app.add_typer(imports.import_app, name="import")
app.add_typer(report.report_app, name="report")
app.command("retention", help=N_("Delete evidence files older than N months (contacts and scores stay)."))(
    retention.retention)
app.add_typer(users.users_app, name="users")
app.add_typer(actions.actions_app, name="actions")
app.add_typer(alerts.alerts_app, name="alerts")


def main() -> None:
    """Entry point of the ``klantreis`` command."""
    app()  # errors are reported by cli.app.KlantreisCommands.invoke


if __name__ == "__main__":
    main()
