"""The ``klantreis`` Typer app and what every sub-command shares: consoles, exit codes, the one error
printer and the database the commands work on.

The sub-command modules import from here; ``cli.main`` registers them on ``app`` and runs it.

Exit codes: ``EXIT_OK`` (0) on success, ``EXIT_INVALID_INPUT`` (1) on input the user can correct
(an unknown user, a bad value in a file, database trouble) and ``EXIT_USAGE`` (2) on wrong usage (an
unknown option, a missing argument: click's own code). Every error reaches the user through ``fail``:
one ``error:`` line on stderr (a ValidationError adds one line per problem), as plain text. Text
the user typed or a file holds (a username, a file name, a brand) is never read as Rich markup, and
a user-facing error never prints a traceback, SQL or row data.

Language: ``--language nl|en`` before the sub-command, else the environment's (`LANG`,
`LC_MESSAGES`, `LC_ALL`; ``journeys.language.environment_language``), else the installation's
`KLANTREIS_LANGUAGE`. The commands' messages follow it; names of options, commands and the
columns of machine-readable output stay the same in every language.
"""

import sqlite3
from typing import NoReturn

import sqlalchemy as sa
import typer
from rich.console import Console
from rich.text import Text
from typer.core import TyperGroup

from data import db
from data.errors import driver_message, explain_operational_error
from journeys.errors import KlantreisError, ValidationError
from journeys.language import LANGUAGES, _, environment_language, ngettext, set_language, supported

EXIT_OK = 0
EXIT_INVALID_INPUT = 1
EXIT_USAGE = 2  # what click exits with on a usage error; also ours for a command that lacks a needed option

# markup=False, emoji=False: messages carry user text (names, file names, cells of a file), and "[/]"
# in a username must print as "[/]" (not raise a MarkupError), ":fire:" as ":fire:". Highlighting only
# colours, so it stays.
console = Console(markup=False, emoji=False)
err_console = Console(stderr=True, markup=False, emoji=False)



def fail(problem: str | KlantreisError, *, exit_code: int = EXIT_INVALID_INPUT) -> NoReturn:
    """Print a user-facing error on stderr as plain text and exit (1 unless told otherwise).

    A ValidationError with several problems prints a count, then every problem on its own line;
    anything else prints as one ``error:`` line (soft-wrapped, so it stays greppable).
    """
    problems = problem.problems if isinstance(problem, ValidationError) else []
    label = Text(_("error:"), style="bold red")
    if len(problems) > 1:
        heading = ngettext("{n} problem, nothing was written:", "{n} problems, nothing was written:", len(problems))
        err_console.print(label, heading.format(n=len(problems)), highlight=False)
        for each in problems:
            err_console.print(f"  {each}", highlight=False, soft_wrap=True)
    else:
        err_console.print(label, str(problem), highlight=False, soft_wrap=True)
    raise typer.Exit(exit_code)


class KlantreisCommands(TyperGroup):
    """The ``klantreis`` group: one error boundary around every sub-command.

    A KlantreisError raised anywhere in a command, and any database error, ends in ``fail``. It sits
    inside the click command (not in ``main``) so that ``CliRunner`` tests see exactly what a user sees.
    """

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except KlantreisError as exc:
            fail(exc)
        except (sa.exc.DBAPIError, sqlite3.Error) as exc:
            # SQLAlchemy's message quotes the statement and its parameters, and a driver's own text
            # can quote a value ('invalid input syntax for type integer: "..."'): only the sentence,
            # or the kind of error, is shown
            orig = getattr(exc, "orig", None) or exc
            fail(explain_operational_error(exc, db.database_url())
                 or _("the database refused the command ({kind}): run it again, and report it if it repeats").format(
                     kind=type(orig).__name__))


app = typer.Typer(
    cls=KlantreisCommands,
    help="Klantreis: cross-channel mystery shopping from the command line.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _choose_language(code: str | None) -> str | None:
    if code is not None and supported(code) is None:
        raise typer.BadParameter(f"{code!r} is not a language of Klantreis; choose one of {', '.join(LANGUAGES)}")
    return code


@app.callback()
def choose_language(
    language: str = typer.Option(
        None, "--language", metavar="nl|en", callback=_choose_language,
        help="Language of the messages (default: LANG / LC_MESSAGES, else KLANTREIS_LANGUAGE)."),
) -> None:
    """Klantreis: cross-channel mystery shopping from the command line."""
    set_language(language or environment_language())


def ready_engine():
    """The configured database (``KLANTREIS_DATABASE_URL``), migrated to the newest schema."""
    url = db.database_url()
    try:
        db.upgrade(url)
    except (sa.exc.DBAPIError, sqlite3.Error) as exc:  # connection refused, unwritable file...: say where and why
        fail(explain_operational_error(exc, url) or _("cannot open the database {database}: {reason}").format(
            database=db.describe_url(url), reason=driver_message(exc)))
    except Exception as exc:  # noqa: BLE001 - a bad URL, a missing driver...
        fail(_("cannot open the database {database}: {reason}").format(database=db.describe_url(url), reason=exc))
    return db.get_engine(url)
