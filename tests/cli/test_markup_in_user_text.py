"""User text that looks like Rich markup prints as it was typed, in a real ``klantreis`` process.

A username, a role, a file name or a cell of a file can hold ``[/]``, ``[red]`` or ``:fire:``; the
command prints it literally (never a MarkupError traceback, never a colour or an emoji) and exits
with ``cli.app``'s documented code. Runs on SQLite only: printing does not depend on the database.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cli.app import EXIT_INVALID_INPUT, EXIT_OK
from data import db
from tests.cli.conftest import contact, csv_text

ROOT = Path(__file__).resolve().parents[2]
MARKUP_LIKE = ["[/]", "[red]x", "[bold]x[/]", "[link=https://example.org]x", ":fire:"]

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def _klantreis(url: str, *args) -> subprocess.CompletedProcess:
    """``klantreis ARGS`` as a user runs it: a process of its own on this checkout's code and the test database."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), db.DATABASE_URL_ENV: url, "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "cli.main", *map(str, args)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def _error(result: subprocess.CompletedProcess) -> str:
    """stderr of a clean user error: exit 1, no traceback, starting with ``error:``."""
    assert result.returncode == EXIT_INVALID_INPUT, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and "MarkupError" not in result.stderr, result.stderr
    assert result.stderr.startswith("error: "), result.stderr
    return result.stderr


@pytest.mark.parametrize("username", MARKUP_LIKE)
def test_an_unknown_username_is_printed_as_typed(db_url, username):
    """``users deactivate '[/]'`` says there is no user named '[/]' (the text as typed) and exits 1."""
    assert _error(_klantreis(db_url, "users", "deactivate", username)) == f"error: No user named {username!r}.\n"


def test_a_role_is_printed_as_typed(db_url, world):
    """A role ``[red]x`` is refused with the text itself, not red text or a crash."""
    assert "(got '[red]x')" in _error(_klantreis(db_url, "users", "set-role", "auditor1", "[red]x"))


def test_a_display_name_is_printed_as_typed(db_url):
    """A display name ``[/]`` is saved and echoed literally; before, the echo raised a MarkupError and the
    account was rolled back."""
    added = _klantreis(db_url, "users", "add", "mara", "--name", "[/] :fire:", "--password", "long-enough-pw")
    assert added.returncode == EXIT_OK, added.stderr
    assert added.stdout == "added auditor 'mara' ([/] :fire:)\n"
    assert "[/] :fire:" in _klantreis(db_url, "users", "list").stdout


def test_a_missing_file_is_named_as_typed(db_url, tmp_path):
    """``import contacts '[bold]x[/].csv'`` for a file that is not there names that path, markup and all."""
    path = tmp_path / "[bold]x[" / "].csv"
    assert str(path).endswith("[bold]x[/].csv")
    assert f"(got '{path}')" in _error(_klantreis(db_url, "import", "contacts", path))


def test_values_from_a_file_are_printed_as_they_stand_in_it(db_url, world, tmp_path):
    """A file named ``[bold]x[/].csv`` whose cells read ``[/]`` and ``[red]x``: every problem quotes the cell
    literally, and nothing is written."""
    path = tmp_path / "[bold]x[" / "].csv"
    path.parent.mkdir()
    path.write_text(csv_text([contact(brand="[/]"), contact(auditor="[red]x", channel=":fire:")]))
    stderr = _error(_klantreis(db_url, "import", "contacts", path))
    assert stderr.startswith("error: 3 problems, nothing was written:\n"), stderr
    assert "(got '[/]')" in stderr and "(got '[red]x')" in stderr and "(got ':fire:')" in stderr
