"""Fixtures of the release tests: the command line run in-process on the test database."""

import pytest
from typer.testing import CliRunner


@pytest.fixture
def cli(app_env):
    """Run `klantreis ...` in-process against the test database (SQLite and PostgreSQL)."""
    from cli.main import app

    runner = CliRunner()
    return lambda *args: runner.invoke(app, [str(a) for a in args])
