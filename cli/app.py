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

The help texts (``help=`` of commands and options) are written in English and marked with
``N_`` where they are registered, at import time, when the language is not known yet.
``KlantreisCommands.main`` decides the language from the arguments and the environment before
click parses anything (``--help`` is eager: it prints before any callback runs) and translates
the help of the whole command tree, which Typer builds afresh for every run
(``translate_help``). So `klantreis --language nl --help` and `LANG=nl_NL.UTF-8 klantreis
import contacts --help` are Dutch, in a subprocess and in a `CliRunner` test alike.
"""

import sqlite3
import sys
import types
from typing import NoReturn

import click
import sqlalchemy as sa
import typer
import typer.rich_utils
from rich.console import Console
from rich.text import Text
from typer.core import TyperGroup

from data import db
from data.errors import driver_message, explain_operational_error
from journeys.errors import KlantreisError, Problem, ValidationError
from journeys.language import (
    LANGUAGES,
    N_,
    _,
    environment_language,
    ngettext,
    number,
    pgettext,
    set_language,
    supported,
)

EXIT_OK = 0
EXIT_INVALID_INPUT = 1
EXIT_USAGE = 2  # what click exits with on a usage error; also ours for a command that lacks a needed option

# markup=False, emoji=False: messages carry user text (names, file names, cells of a file), and "[/]"
# in a username must print as "[/]" (not raise a MarkupError), ":fire:" as ":fire:". Highlighting only
# colours, so it stays.
console = Console(markup=False, emoji=False)
err_console = Console(stderr=True, markup=False, emoji=False)


# Problems that concern the file, its header or a whole row, not a column: named in the user's words.
_WHOLE_PARTS = {
    "file": lambda: pgettext("problem field", "file"),
    "header": lambda: pgettext("problem field", "header"),
    "row": lambda: pgettext("problem field", "row"),
}


def problem_text(problem: Problem) -> str:
    """One problem as a sentence in the current language: ``row 12, first_response_at: is not ...
    (got '25:00')``. The column (or field) name and the value are the file's own words and stay as
    they are; the message was translated where it was made."""
    field = problem.label or _WHOLE_PARTS.get(problem.field, lambda: problem.field)()
    if problem.value is None:
        text = _("{field}: {message}").format(field=field, message=problem.message)
    else:
        text = _("{field}: {message} (got {value})").format(
            field=field, message=problem.message, value=repr(problem.value))
    if problem.row is None:
        return text
    return _("row {row}, {problem}").format(row=problem.row, problem=text)


def fail(problem: str | KlantreisError, *, exit_code: int = EXIT_INVALID_INPUT) -> NoReturn:
    """Print a user-facing error on stderr as plain text and exit (1 unless told otherwise).

    A ValidationError with several problems prints a count, then every problem on its own line;
    anything else prints as one ``error:`` line (soft-wrapped, so it stays greppable).
    """
    problems = problem.problems if isinstance(problem, ValidationError) else []
    label = Text(_("error:"), style="bold red")
    if len(problems) > 1:
        heading = ngettext("{n} problem, nothing was written:", "{n} problems, nothing was written:", len(problems))
        err_console.print(label, heading.format(n=number(len(problems))), highlight=False)
        for each in problems:
            err_console.print(f"  {problem_text(each)}", highlight=False, soft_wrap=True)
    elif len(problems) == 1:
        err_console.print(label, problem_text(problems[0]), highlight=False, soft_wrap=True)
    else:
        err_console.print(label, str(problem), highlight=False, soft_wrap=True)
    raise typer.Exit(exit_code)


# ----------------------------------------------------------------------------------- help texts

# What Typer's help screens write around the commands' own texts (read at the time they are drawn).
_TYPER_WORDS = {
    "ARGUMENTS_PANEL_TITLE": lambda: pgettext("command line help", "Arguments"),
    "OPTIONS_PANEL_TITLE": lambda: pgettext("command line help", "Options"),
    "COMMANDS_PANEL_TITLE": lambda: pgettext("command line help", "Commands"),
    "ERRORS_PANEL_TITLE": lambda: pgettext("command line help", "Error"),
    "DEFAULT_STRING": lambda: pgettext("command line help", "[default: {}]"),
    "REQUIRED_LONG_STRING": lambda: pgettext("command line help", "[required]"),
    "RICH_HELP": lambda: pgettext("command line help", "Try [blue]'{command_path} {help_option}'[/] for help."),
}
HELP_OPTION_TEXT = N_("Show this message and exit.")


def language_of_arguments(args: list[str], environ=None) -> str:
    """The language a run speaks, decided before click parses: ``--language X`` (or
    ``--language=X``) before the sub-command, else the environment's. An unsupported value is left
    to the option's check, which refuses it (the environment's language meanwhile)."""
    for position, arg in enumerate(args):
        value = None
        if arg == "--language" and position + 1 < len(args):
            value = args[position + 1]
        elif arg.startswith("--language="):
            value = arg.partition("=")[2]
        elif arg == "--" or not arg.startswith("-"):
            break  # the sub-command: --language belongs before it
        if value is not None:
            return supported(value) or environment_language(environ)
    return environment_language(environ)


def _translated_help_option(command: click.Command, ctx: click.Context):
    option = type(command).get_help_option(command, ctx)
    if option is not None:
        option.help = _(HELP_OPTION_TEXT)
    return option


def translate_help(command: click.Command) -> None:
    """Translate the help texts of ``command`` and everything under it, in place, into the current
    language (the English texts are the catalog's msgids, marked with ``N_`` where registered)."""
    for name in ("help", "short_help", "epilog"):
        text = getattr(command, name, None)
        if isinstance(text, str) and text:
            setattr(command, name, _(text))
    for param in command.params:
        if isinstance(getattr(param, "help", None), str) and param.help:
            param.help = _(param.help)
    command.get_help_option = types.MethodType(_translated_help_option, command)
    for sub in getattr(command, "commands", {}).values():
        translate_help(sub)
    for attribute, word in _TYPER_WORDS.items():
        setattr(typer.rich_utils, attribute, word())


class KlantreisCommands(TyperGroup):
    """The ``klantreis`` group: one error boundary around every sub-command.

    A KlantreisError raised anywhere in a command, and any database error, ends in ``fail``. It sits
    inside the click command (not in ``main``) so that ``CliRunner`` tests see exactly what a user sees.
    ``main`` sets the run's language and translates the help texts before click parses anything
    (see the module docstring).
    """

    def main(self, args=None, *extra, **options):
        arguments = list(sys.argv[1:] if args is None else args)
        set_language(language_of_arguments(arguments))
        translate_help(self)
        return super().main(arguments, *extra, **options)

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
    help=N_("Klantreis: cross-channel mystery shopping from the command line."),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _choose_language(code: str | None) -> str | None:
    if code is not None and supported(code) is None:
        raise typer.BadParameter(_("{code} is not a language of Klantreis; choose one of {languages}").format(
            code=repr(code), languages=", ".join(LANGUAGES)))
    return code


@app.callback()
def choose_language(
    language: str = typer.Option(
        None, "--language", metavar="nl|en", callback=_choose_language,
        help=N_("Language of the messages (default: LANG / LC_MESSAGES, else KLANTREIS_LANGUAGE).")),
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
