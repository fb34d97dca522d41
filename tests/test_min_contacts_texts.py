"""The "too few contacts" threshold is written once (``scoring.metrics.MIN_CONTACTS``): code builds its texts
from it, and the documents state the same number."""

import ast
import re
from pathlib import Path

import pytest

from scoring.metrics import MIN_CONTACTS

ROOT = Path(__file__).resolve().parents[1]
SURFACES = [p for folder in ("ui", "pages", "cli") for p in sorted((ROOT / folder).rglob("*.py"))]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

# "fewer than 5", "< 5", "at least 5", "n ≥ 5" written out in a text, in code or in a document.
WRITTEN_THRESHOLD = re.compile(r"(?:fewer than|at least|less than|under|<|≥|>=)\s*(\d+)\b")
# min_contacts=5 and "contacts < `min_contacts` (5)" in docs/scoring.md
DOCUMENTED_DEFAULT = re.compile(r"min_contacts(?:=|`\s*\()\s*(\d+)")


def _texts(path: Path) -> list[tuple[int, str]]:
    """The string literals of a module (f-string parts included), with their lines."""
    return [(node.lineno, node.value) for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)]


@pytest.mark.parametrize("path", SURFACES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_text_writes_the_threshold_as_a_number(path):
    """A page, the brand report or the CLI says "fewer than {MIN_CONTACTS}", never a literal 5."""
    written = [(line, text) for line, text in _texts(path)
               if any(int(n) == MIN_CONTACTS for n in WRITTEN_THRESHOLD.findall(text)) and "contact" in text.lower()
               or re.search(rf"fewer than {MIN_CONTACTS}\b", text)]
    assert not written, written


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_documents_state_the_threshold_the_code_uses(path):
    """Where a document names the threshold ("fewer than N contacts", ``min_contacts=N``), N is MIN_CONTACTS."""
    text = path.read_text()
    stated = re.findall(r"fewer than (\d+)(?= contacts|\))", text) + DOCUMENTED_DEFAULT.findall(text)
    assert all(int(n) == MIN_CONTACTS for n in stated), stated


def test_the_documents_do_state_it():
    """The README and docs/scoring.md say what "too few" means, so the check above has something to check."""
    for name in ("README.md", "docs/scoring.md"):
        text = (ROOT / name).read_text()
        assert re.search(r"fewer than (\d+)(?= contacts|\))", text) or DOCUMENTED_DEFAULT.search(text), name
