"""The ``klantreis`` command speaks the user's language: ``--language``, else ``LANG``/``LC_MESSAGES``."""

from typer.testing import CliRunner

from cli.main import app


def test_language_option_gives_dutch_messages(app_env):
    runner = CliRunner()
    result = runner.invoke(app, ["--language", "nl", "users", "list"])
    assert result.exit_code == 0, result.output
    assert "gebruikersnaam" in result.output and "username" not in result.output
    english = runner.invoke(app, ["--language", "en", "users", "list"])
    assert "username" in english.output


def test_the_environment_chooses_when_no_option_is_given(app_env, monkeypatch):
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.delenv("LANGUAGE", raising=False)
    monkeypatch.setenv("LANG", "nl_BE.UTF-8")
    result = CliRunner().invoke(app, ["users", "unlock", "nobody"])
    assert result.exit_code == 1
    assert result.output.startswith("fout:")


def test_an_unknown_language_is_a_usage_error_naming_the_choices(app_env):
    result = CliRunner().invoke(app, ["--language", "fr", "users", "list"])
    assert result.exit_code == 2
    assert "'fr' is not a language of Klantreis" in result.output and "nl, en" in result.output
