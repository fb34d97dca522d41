"""The Dutch catalog follows the glossary (``docs/glossary.md``): one thing, one Dutch word.

Every English term in the glossary's tables whose exact text is a message of the catalog
(``locales/nl/LC_MESSAGES/klantreis.po``) must be translated with the glossary's Dutch term. A
capital first letter is not a difference ("Username" / "username", "Gebruikersnaam" /
"gebruikersnaam"): a label and a word in a sentence are the same term.

How a table row is read: a cell may name several terms, separated by commas. When both cells
name as many, they pair up in order ("action plan, action item" → "verbeterplan, actiepunt");
when the Dutch cell names one, every English term maps to it ("customer journey, journey" →
"klantreis"). "(pl. …)" gives a plural: "criterion (pl. criteria)" → "criterium (pl. criteria)"
pairs both forms; a Dutch plural beside an English term without one pairs with the English
"-s" plural ("contact" → "contact (pl. contacten)": "contacts" → "contacten"). Messages with a
context (``pgettext``) are left out: a context is there because the word means something else.
"""

import re
import shutil
from pathlib import Path

from babel.messages.pofile import read_po, write_po

from journeys.language import DOMAIN, LOCALE_DIR

ROOT = Path(__file__).resolve().parents[2]
GLOSSARY = ROOT / "docs" / "glossary.md"
DUTCH_CATALOG = LOCALE_DIR / "nl" / "LC_MESSAGES" / f"{DOMAIN}.po"
PLURAL = re.compile(r"\s*\(pl\.\s*([^)]*)\)")


def _terms(cell: str) -> list[tuple[str, str | None]]:
    """A cell's terms, each with its plural when the cell gives one: ``[("criterion", "criteria")]``."""
    found = []
    for part in re.split(r",\s*(?![^()]*\))", cell):  # commas, not those inside "(pl. …)"
        plural = PLURAL.search(part)
        term = PLURAL.sub("", part).strip()
        if term:
            found.append((term, plural.group(1).strip() if plural else None))
    return found


def glossary_pairs(path: Path = GLOSSARY) -> dict[str, str]:
    """English term → Dutch term, from every table of the glossary whose header is English | Nederlands."""
    pairs: dict[str, str] = {}
    in_table = False
    for line in path.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.lstrip().startswith("|") else None
        if cells is None:
            in_table = False
            continue
        if cells[:2] == ["English", "Nederlands"]:
            in_table = True
            continue
        if not in_table or set(cells[0]) <= set("-: ") or len(cells) < 2:
            continue
        english, dutch = _terms(cells[0]), _terms(cells[1])
        if len(dutch) == len(english):
            matched = list(zip(english, dutch, strict=True))
        elif len(dutch) == 1:
            matched = [(term, dutch[0]) for term in english]
        else:
            raise AssertionError(f"glossary row cannot be paired: {line.strip()}")
        for (en, en_plural), (nl, nl_plural) in matched:
            pairs[en] = nl
            if nl_plural:
                pairs[en_plural or f"{en}s"] = nl_plural
            elif en_plural:
                pairs[en_plural] = nl
    return pairs


def _same(a: str, b: str) -> bool:
    """Equal, but for the case of the first letter."""
    return a[:1].lower() + a[1:] == b[:1].lower() + b[1:]


def glossary_problems(catalog_path: Path = DUTCH_CATALOG, glossary_path: Path = GLOSSARY) -> list[str]:
    """Each catalog message that is a glossary term and is translated otherwise than the glossary says."""
    with catalog_path.open("rb") as handle:
        catalog = read_po(handle, locale="nl")
    pairs = glossary_pairs(glossary_path)
    problems = []
    for message in catalog:
        if not message.id or message.context or not isinstance(message.id, str) or not message.string:
            continue
        for english, dutch in pairs.items():
            if _same(message.id, english) and not _same(message.string, dutch):
                problems.append(f"{message.id!r} is {message.string!r} in the catalog, {dutch!r} in the glossary")
    return sorted(problems)


def test_the_glossary_tables_are_read():
    pairs = glossary_pairs()
    assert len(pairs) > 80
    assert pairs["wave"] == "meetronde"
    assert pairs["journey"] == pairs["customer journey"] == "klantreis"
    assert pairs["action plan"] == "verbeterplan" and pairs["action item"] == "actiepunt"
    assert pairs["criteria"] == "criteria" and pairs["contacts"] == "contacten"
    assert pairs["Sign in"] == "Inloggen" and pairs["SMS"] == "Sms"


def test_the_dutch_catalog_follows_the_glossary():
    assert glossary_problems() == []


def test_a_translation_against_the_glossary_would_be_found(tmp_path):
    """In a copy of the catalog (never the repository's), "Sign in" translated as "Aanmelden" and a
    message "Wave" as "Golf" are both reported; a capital letter alone is not."""
    copy = tmp_path / "klantreis.po"
    shutil.copy(DUTCH_CATALOG, copy)
    with copy.open("rb") as handle:
        catalog = read_po(handle, locale="nl")
    catalog.delete("Sign in")
    catalog.add("Sign in", "Aanmelden")
    catalog.delete("Wave")
    catalog.add("Wave", "Golf")
    catalog.delete("Username")
    catalog.add("Username", "gebruikersnaam")  # a lower-case first letter is the same term
    with copy.open("wb") as handle:
        write_po(handle, catalog)
    assert glossary_problems(copy) == [
        "'Sign in' is 'Aanmelden' in the catalog, 'Inloggen' in the glossary",
        "'Wave' is 'Golf' in the catalog, 'meetronde' in the glossary",
    ]
