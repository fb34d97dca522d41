"""The translation catalogs (``locales/``) are complete, consistent and up to date with the code.

- every message of the code has a Dutch translation, none fuzzy, with the same ``{placeholders}``;
- the catalogs of ``nl`` and ``en`` hold exactly the messages of the template;
- the template holds exactly what ``pybabel extract`` finds in the code today (``make messages``
  brings it up to date), so a string marked for translation cannot slip through untranslated.
"""

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from journeys.language import DOMAIN, LANGUAGES, LOCALE_DIR

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def _catalog(path: Path, locale: str | None = None):
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def _keys(catalog) -> set:
    return {(m.context, m.id) for m in catalog if m.id}


def _placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


TEMPLATE = LOCALE_DIR / f"{DOMAIN}.pot"


def test_the_template_is_up_to_date_with_the_code():
    """Extracting the messages from the code now gives exactly the template's (run ``make messages``)."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found = set()
    for _filename, _lineno, message, _comments, context in extract_from_dir(
            str(ROOT), method_map, options_map):
        found.add((context, message if isinstance(message, str) else tuple(message)))
    stored = _keys(_catalog(TEMPLATE))
    assert found, "nothing extracted: is babel.cfg right?"
    assert found - stored == set(), "marked in the code but not in the template: run `make messages`"
    assert stored - found == set(), "in the template but no longer in the code: run `make messages`"


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_each_language_catalog_holds_exactly_the_template(language):
    catalog = _catalog(LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po", language)
    assert _keys(catalog) == _keys(_catalog(TEMPLATE)), "run `make messages`"
    assert not catalog.fuzzy, "the catalog's header is marked fuzzy: gettext would skip the whole file"


def test_every_message_has_a_dutch_translation_with_the_same_placeholders():
    catalog = _catalog(LOCALE_DIR / "nl" / "LC_MESSAGES" / f"{DOMAIN}.po", "nl")
    assert catalog.num_plurals == 2 and catalog.plural_expr == "(n != 1)"
    problems = []
    for message in catalog:
        if not message.id:
            continue
        sources = message.id if isinstance(message.id, tuple) else (message.id,)
        translations = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            problems.append(f"fuzzy: {sources[0]!r}")
        if not all(t.strip() for t in translations):
            problems.append(f"untranslated: {sources[0]!r}")
            continue
        for translation in translations:
            if _placeholders(translation) != _placeholders(sources[0]):
                problems.append(f"placeholders differ: {sources[0]!r} → {translation!r}")
    assert problems == []


def test_a_wrong_placeholder_would_be_found():
    """The placeholder check itself: a translation that renames ``{n}`` is caught."""
    assert _placeholders("{n} problemen") != _placeholders("{count} problems")
    assert _placeholders("{username}: {n} lock") == _placeholders("{username}: {n} blokkade")


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_each_catalog_passes_the_checks_of_its_compiler(language):
    """`pybabel compile` (run by `make install`) refuses a catalog its checkers find fault with,
    e.g. a message holding a bare "%" that the extractor took for a printf placeholder."""
    catalog = _catalog(LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po", language)
    problems = [f"{message.id!r}: {', '.join(map(str, errors))}" for message, errors in catalog.check()]
    assert problems == []
