"""``klantreis retention`` without ``--months`` and without the admin's setting is a usage error."""

from cli.app import EXIT_USAGE


def test_retention_without_a_period_is_one_error_line_and_exit_2(cli):
    """No period anywhere: one ``error:`` line on stderr naming the fix, exit 2, nothing on stdout."""
    result = cli("retention", "--dry-run")
    assert result.exit_code == EXIT_USAGE, result.output
    assert result.stderr == "error: no retention period set: pass --months N (or set it on the admin page)\n"
    assert result.stdout == ""
