"""Choosing the language and writing numbers, dates and plurals in it (``journeys.language``)."""

import shutil
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from journeys import language
from journeys.language import (
    _,
    current_language,
    day_text,
    environment_language,
    negotiate,
    ngettext,
    number,
    percent,
    set_language,
    supported,
    use_language,
    weekday_time,
)


@pytest.mark.parametrize(("code", "expected"), [
    ("nl", "nl"), ("nl-BE", "nl"), ("nl_NL.UTF-8", "nl"), ("NL", "nl"), ("en-GB", "en"),
    ("fr", None), ("", None), (None, None), ("C", None),
])
def test_supported_reads_locale_codes(code, expected):
    assert supported(code) == expected


def test_negotiate_takes_the_first_supported_preference(monkeypatch):
    monkeypatch.delenv(language.LANGUAGE_ENV, raising=False)
    assert negotiate(None, "fr-FR", "nl-BE") == "nl"
    assert negotiate("en", "nl") == "en"
    assert negotiate(None, "de") == "en"  # nothing supported: the installation's default
    monkeypatch.setenv(language.LANGUAGE_ENV, "nl")
    assert negotiate("de") == "nl"
    monkeypatch.setenv(language.LANGUAGE_ENV, "klingon")  # a misspelt default falls back, never stops the app
    assert negotiate() == "en"


def test_the_command_line_follows_the_posix_variables(monkeypatch):
    monkeypatch.delenv(language.LANGUAGE_ENV, raising=False)
    assert environment_language({"LANG": "nl_BE.UTF-8"}) == "nl"
    assert environment_language({"LANG": "nl_NL.UTF-8", "LC_MESSAGES": "en_US.UTF-8"}) == "en"
    assert environment_language({"LANG": "en_US.UTF-8", "LC_ALL": "nl_NL.UTF-8"}) == "nl"
    assert environment_language({"LANG": "C.UTF-8"}) == "en"
    assert environment_language({"LANGUAGE": "fy:nl", "LANG": "en_US.UTF-8"}) == "nl"


def test_use_language_restores_the_previous_language():
    set_language("en")
    with use_language("nl"):
        assert current_language() == "nl" and _("yes") == "ja"
    assert current_language() == "en" and _("yes") == "yes"


def test_plural_forms_in_both_languages():
    one, many = "{username}: {n} sign-in lock lifted", "{username}: {n} sign-in locks lifted"
    with use_language("nl"):
        assert ngettext(one, many, 1).format(username="a", n=1) == "a: 1 aanmeldblokkade opgeheven"
        assert ngettext(one, many, 2).format(username="a", n=2) == "a: 2 aanmeldblokkades opgeheven"
        assert ngettext(one, many, 0).format(username="a", n=0) == "a: 0 aanmeldblokkades opgeheven"
    with use_language("en"):
        assert ngettext(one, many, 1).format(username="a", n=1) == "a: 1 sign-in lock lifted"


def test_numbers_and_dates_in_both_languages():
    moment = datetime(2026, 12, 7, 14, 5, tzinfo=ZoneInfo("Europe/Amsterdam"))
    with use_language("nl"):
        assert (number(54.94, 1), number(1234), number(1234567.25, 2)) == ("54,9", "1.234", "1.234.567,25")
        assert percent(0.8977, 1) == "89,8%"
        assert day_text(date(2026, 12, 1)) == "1 dec 2026"
        assert weekday_time(moment) == "ma 14:05"
    with use_language("en"):
        assert (number(54.94, 1), number(1234)) == ("54.9", "1,234")
        assert percent(0.8977, 1) == "89.8%"
        assert day_text(date(2026, 12, 1)) == "1 Dec 2026"
        assert weekday_time(moment) == "Mon 14:05"
    assert number(float("nan")) == "–" and percent(None) == "–"


def test_a_catalog_without_its_compiled_file_is_compiled_on_first_use(tmp_path, monkeypatch):
    """A checkout run without ``make`` (no ``.mo``) still speaks Dutch, and never writes a half file."""
    shutil.copytree(language.LOCALE_DIR, tmp_path / "locales", ignore=shutil.ignore_patterns("*.mo", "*.tmp"))
    monkeypatch.setattr(language, "LOCALE_DIR", tmp_path / "locales")
    language.translations.cache_clear()
    try:
        with use_language("nl"):
            assert _("yes") == "ja"
        folder = tmp_path / "locales" / "nl" / "LC_MESSAGES"
        assert sorted(p.name for p in folder.iterdir()) == ["klantreis.mo", "klantreis.po"]
    finally:
        language.translations.cache_clear()


def test_a_huge_typed_number_is_written_in_powers_of_ten_not_refused():
    """Babel rounds in 28 digits; a typed 1e30 (a fuzzed scale minimum) must still read back."""
    from journeys.language import number, percent

    assert number(1e30) == "1E30" and number(-1e22, 1) == "-1E22"
    assert percent(1e30) == "1E32%"
    assert number(float("inf")) == "∞"
    with use_language("nl"):
        assert number(1234.5, 1) == "1.234,5"


def test_a_plain_number_drops_trailing_zeros_and_survives_huge_values():
    from journeys.language import plain_number

    assert plain_number(4.0) == "4" and plain_number(3.5) == "3.5"
    assert plain_number(1e22) == "1E22"
    with use_language("nl"):
        assert plain_number(3.5) == "3,5"
