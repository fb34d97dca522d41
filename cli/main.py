"""The ``klantreis`` command: registers every sub-command on ``cli.app.app`` and runs it.

The registrations below are the list of commands (``klantreis --help`` prints it, in this order);
each command lives in the module it is registered from. The commands work on
``KLANTREIS_DATABASE_URL`` (default: the SQLite file in ``data/``), brought to the newest schema
first (``cli.app.ready_engine``), and exit as ``cli.app`` describes: 0 on success, 1 on invalid
input (the message on stderr), 2 on wrong usage; a user-facing error never prints a traceback,
SQL or row data.
"""

from cli import agreement, backup, demo, exports, imports, migrate, report, retention, users
from cli.app import app

app.command("migrate")(migrate.migrate)
app.command("demo")(demo.demo)
app.command("agreement")(agreement.agreement)
app.command("backup")(backup.backup)
app.command("restore")(backup.restore)
app.add_typer(exports.export_app, name="export")
app.add_typer(imports.import_app, name="import")
app.add_typer(report.report_app, name="report")
app.command("retention")(retention.retention)
app.add_typer(users.users_app, name="users")


def main() -> None:
    """Entry point of the ``klantreis`` command."""
    app()  # errors are reported by cli.app.KlantreisCommands.invoke


if __name__ == "__main__":
    main()
