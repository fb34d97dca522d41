"""Every module of ``cli/`` imports on its own, and the command starts the ways it is started.

Each import runs in a fresh interpreter: in one shared process an earlier import would hide an
import cycle (``cli.report`` -> ``cli.main`` -> ``cli.report``) that a fresh one trips over.
"""

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import cli
from cli.app import EXIT_OK

ROOT = Path(__file__).resolve().parents[2]
MODULES = sorted(f"cli.{path.stem}" for path in Path(cli.__file__).parent.glob("*.py") if path.stem != "__init__")


def _python(*args: str) -> subprocess.CompletedProcess:
    """Run this interpreter on this checkout's code (not whatever ``cli`` is installed)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_the_modules_are_found():
    """The discovery below sees the command's modules (an empty list would pass every import test)."""
    assert {"cli.app", "cli.main", "cli.report", "cli.users"} <= set(MODULES)


@pytest.mark.parametrize("module", MODULES)
def test_a_module_imports_on_its_own(module):
    """``python -c "import cli.X"`` succeeds in a fresh interpreter, for every module in cli/."""
    result = _python("-c", f"import {module}")
    assert result.returncode == 0, result.stderr


def test_starting_the_command_does_not_import_scipy_stats():
    """scipy.stats costs most of a second at import: it is loaded when a figure needs it, not when
    the command starts (issue 20's measurement: the CLI paid ~1.8 s before any work)."""
    result = _python("-c", "import sys, cli.main; print('scipy.stats' in sys.modules)")
    assert result.returncode == 0 and result.stdout.strip() == "False", result.stderr


def test_python_m_cli_main_lists_every_command():
    """``python -m cli.main --help`` runs (main.py as __main__ registers nothing twice) and lists every command."""
    result = _python("-m", "cli.main", "--help")
    assert result.returncode == EXIT_OK, result.stderr
    for command in ("migrate", "demo", "agreement", "backup", "restore", "retention", "export", "import", "report",
                    "users"):
        assert f" {command} " in result.stdout, command


def test_the_console_script_entry_point_is_the_registered_app():
    """pyproject's ``klantreis = module:function`` names a function that runs the app with every command."""
    target = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]["klantreis"]
    module, function = target.split(":")
    result = _python("-c", f"import sys; sys.argv = ['klantreis', '--help']; from {module} import {function}; "
                           f"{function}()")
    assert result.returncode == EXIT_OK, result.stderr
    assert "Usage: klantreis" in result.stdout and " users " in result.stdout
