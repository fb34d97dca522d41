"""The user's language: gettext catalogs for the words, Babel's locale data for numbers and dates.

Klantreis speaks Dutch (``nl``) and English (``en``). Every user-facing string is written in
English in the code and marked for translation with ``gettext`` (``_``), ``ngettext`` (plurals:
"1 contact", "2 contacten") or ``pgettext`` (a context where one English word has two Dutch
ones); ``pybabel extract`` (`babel.cfg`) collects them into ``locales/klantreis.pot`` and the
translations live in ``locales/<language>/LC_MESSAGES/klantreis.po``. ``tests/language``
fails when a message lacks its Dutch translation, is fuzzy, or the catalog is out of date with
the code.

What lives here:

- ``LANGUAGES`` (the supported codes, with their names in their own language),
  ``installation_language`` (`KLANTREIS_LANGUAGE`, else English), ``negotiate`` (the best
  supported language for a browser's or an environment's locale, e.g. ``nl-BE`` → ``nl``) and
  ``environment_language`` (the command line's `LC_ALL`/`LC_MESSAGES`/`LANG`).
- The current language of this run, a context variable: ``set_language``, ``use_language``
  (a `with` block), ``current_language``. A Streamlit run and a CLI command each set it once;
  threads and tasks keep their own.
- ``_`` / ``gettext``, ``ngettext``, ``pgettext``, ``npgettext``: the current language's words.
- ``N_``: marks a message where it is defined at import time (a module-level table of labels),
  so the catalog holds it; the code translates it where it is shown, ``_(LABELS[key])``,
  because the language is only known then.
- ``set_language_source``: where a run without its own language finds one. The app registers
  the signed-in session's choice, so a fragment's rerun, which does not run
  the page from the top, still speaks the user's language.
- Locale formats: ``number`` (``54,9`` / ``54.9``, ``1.234`` / ``1,234``), ``percent``,
  ``day_text`` (``1 dec 2026``) and ``weekday_time`` (``ma 14:05``).

The catalogs are compiled when the project is installed (`make install`); a catalog whose
``.mo`` is missing or older than its ``.po`` (a fresh checkout run without `make`, a
translation just edited) is compiled on first use, so a user never sees English because a
build step was skipped.
"""

from __future__ import annotations

import contextlib
import gettext as _gettext
import os
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import date, datetime
from functools import cache
from pathlib import Path

from babel import Locale, UnknownLocaleError, negotiate_locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_scientific
from babel.numbers import format_percent as _format_percent

LOCALE_DIR = Path(__file__).resolve().parents[1] / "locales"
DOMAIN = "klantreis"
LANGUAGE_ENV = "KLANTREIS_LANGUAGE"

# The supported languages, each named as its speakers name it (for the language menu).
LANGUAGES: dict[str, str] = {"nl": "Nederlands", "en": "English"}
SOURCE_LANGUAGE = "en"  # the language the code's messages are written in
# From here on a number is written in powers of ten: Babel rounds in 28 significant digits and
# refuses more, and no figure of ours is that large (only a typed value can be).
HUGE = 1e15

_current: ContextVar[str | None] = ContextVar("klantreis_language", default=None)
_source: list = []  # at most one callable returning the language of the running session, or None


def set_language_source(source) -> None:
    """Register ``source()`` (no arguments, a language code or None) as the language of runs
    that set none themselves; the app registers its session's choice. None unregisters."""
    _source.clear()
    if source is not None:
        _source.append(source)


def supported(code: str | None) -> str | None:
    """``code`` as a supported language (``"nl-BE"``, ``"nl_NL.UTF-8"`` → ``"nl"``), or None."""
    if not code:
        return None
    base = code.replace("-", "_").split(".")[0].split("@")[0].split("_")[0].lower()
    return base if base in LANGUAGES else None


def installation_language() -> str:
    """The installation's default: ``KLANTREIS_LANGUAGE`` when it names a supported language,
    else English. A misspelt value falls back rather than stopping the app."""
    return supported(os.environ.get(LANGUAGE_ENV)) or SOURCE_LANGUAGE


def negotiate(*preferences: str | None) -> str:
    """The first supported language among ``preferences`` (most preferred first: the user's
    stored choice, then the browser's locale, ...), else the installation's default."""
    for preference in preferences:
        if not preference:
            continue
        found = supported(preference) or supported(
            negotiate_locale([preference.replace("-", "_")], list(LANGUAGES), sep="_"))
        if found:
            return found
    return installation_language()


def environment_language(environ: dict[str, str] | None = None) -> str:
    """The command line's language from the POSIX variables (``LC_ALL`` overrides
    ``LC_MESSAGES``, which overrides ``LANG``); ``C`` or ``POSIX`` and unknown ones skip on."""
    env = os.environ if environ is None else environ
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        for value in (env.get(variable) or "").split(":"):  # LANGUAGE may list several
            if supported(value):
                return supported(value)
    return installation_language()


def current_language() -> str:
    """The language of this run (set by ``set_language`` or ``use_language``), else the
    registered source's (the app's session), else the installation's default."""
    language = _current.get()
    if language:
        return language
    if _source:
        return supported(_source[0]()) or installation_language()
    return installation_language()


def set_language(code: str | None) -> str:
    """Make ``code`` (a supported language, or None for the default) this run's language."""
    language = supported(code) or installation_language()
    _current.set(language)
    return language


@contextlib.contextmanager
def use_language(code: str | None) -> Iterator[str]:
    """Run a block in ``code``'s language, restoring the previous one after it."""
    token = _current.set(supported(code) or installation_language())
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def _compiled(language: str) -> Path | None:
    """The ``.mo`` file of ``language``, compiled from its ``.po`` when missing or stale."""
    folder = LOCALE_DIR / language / "LC_MESSAGES"
    po, mo = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
    if not po.exists():
        return mo if mo.exists() else None
    if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        with po.open("rb") as source:
            catalog = read_po(source, locale=language)
        partial = mo.with_name(f"{mo.name}.{os.getpid()}.tmp")  # never a half-written catalog
        with partial.open("wb") as target:
            write_mo(target, catalog)
        partial.replace(mo)
    return mo


@cache
def translations(language: str) -> _gettext.NullTranslations:
    """The gettext catalog of ``language`` (the source language needs none: its messages are
    the msgids, and plural forms follow English rules)."""
    if language == SOURCE_LANGUAGE or _compiled(language) is None:
        return _gettext.NullTranslations()
    return _gettext.translation(DOMAIN, localedir=str(LOCALE_DIR), languages=[language])


def gettext(message: str) -> str:
    """``message`` in the current language."""
    return translations(current_language()).gettext(message)


_ = gettext


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for ``n`` in the current language; format ``n`` in after:
    ``ngettext("{n} contact", "{n} contacts", n).format(n=number(n))``."""
    return translations(current_language()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """``message`` in the current language, where ``context`` tells two meanings apart."""
    return translations(current_language()).pgettext(context, message)


def npgettext(context: str, singular: str, plural: str, n: int) -> str:
    """``ngettext`` with a context."""
    return translations(current_language()).npgettext(context, singular, plural, n)


def N_(message: str) -> str:
    """Mark ``message`` for the catalog without translating it (yet): for labels defined at
    import time, translated with ``_`` where they are shown."""
    return message


@cache
def _locale(language: str) -> Locale:
    try:
        return Locale.parse(language)
    except (UnknownLocaleError, ValueError):
        return Locale.parse(SOURCE_LANGUAGE)


def current_locale() -> Locale:
    """Babel's locale of the current language (for formats this module has no function for)."""
    return _locale(current_language())


def number(value, digits: int = 0) -> str:
    """A number as the current language writes it, with ``digits`` decimals and grouping
    (``1.234,5`` in Dutch, ``1,234.5`` in English); "–" when missing."""
    if value is None or value != value:
        return "–"
    if HUGE <= abs(value) < float("inf"):  # typed nonsense (1e22): Babel cannot round it; say it in powers of ten
        return format_scientific(value, "0.###E0", locale=_locale(current_language()))
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return format_decimal(value, pattern, locale=_locale(current_language()))


def plain_number(value) -> str:
    """A number without grouping or trailing zeros, as the current language writes it: a point
    on a scale, a bound in a message ("4", "3.5" / "3,5"); powers of ten when huge."""
    if HUGE <= abs(value) < float("inf"):
        return format_scientific(value, "0.###E0", locale=_locale(current_language()))
    return format_decimal(value, "0.######", locale=_locale(current_language()))


def percent(share, digits: int = 0) -> str:
    """A share (0.8977) as a percentage in the current language (``89,8%`` / ``89.8%``)."""
    if share is None or share != share:
        return "–"
    if HUGE <= abs(share) < float("inf"):
        return format_scientific(share * 100, "0.###E0", locale=_locale(current_language())) + "%"
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "") + "%"
    return _format_percent(share, pattern, locale=_locale(current_language()))


def day_text(day: date | datetime) -> str:
    """A date as people write it: ``1 dec 2026`` in Dutch, ``1 Dec 2026`` in English."""
    return format_date(day, "d MMM y", locale=_locale(current_language()))


def weekday_time(moment: datetime) -> str:
    """A weekday and a time of day, for recent moments: ``ma 14:05`` / ``Mon 14:05``."""
    return format_datetime(moment, "EEE HH:mm", tzinfo=moment.tzinfo, locale=_locale(current_language()))
