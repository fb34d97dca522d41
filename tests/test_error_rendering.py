"""Pages (and the ui/ parts they draw) show a caught domain error through ui.actions, the one renderer,
never with an ``st.error`` of their own."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SURFACES = sorted((ROOT / "pages").glob("*.py")) + sorted(p for p in (ROOT / "ui").glob("*.py") if p.name != "actions.py")
DOMAIN_ERRORS = {"KlantreisError", "ValidationError", "PermissionDenied", "NotFoundError", "DatabaseUnavailable"}


def _caught(handler: ast.ExceptHandler) -> set[str]:
    kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return {ast.unparse(kind).split(".")[-1] for kind in kinds if kind is not None}


def _hand_written_errors(tree: ast.Module) -> list[str]:
    """``st.error(...)`` calls inside handlers of domain errors, as source lines."""
    found = []
    for handler in (n for n in ast.walk(tree) if isinstance(n, ast.ExceptHandler)):
        if not _caught(handler) & DOMAIN_ERRORS:
            continue
        for node in (n for statement in handler.body for n in ast.walk(statement)):
            if isinstance(node, ast.Call) and ast.unparse(node.func) == "st.error":
                found.append(f"line {node.lineno}: {ast.unparse(node)[:80]}")
    return found


@pytest.mark.parametrize("path", SURFACES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_pages_render_domain_errors_through_ui_actions(path):
    """A refusal caught on a page goes to show_refusal, show_problems, show_blocked or refuse_page."""
    assert not _hand_written_errors(ast.parse(path.read_text()))


def test_the_check_sees_a_hand_written_handler():
    """The scan finds ``st.error`` in a handler of a domain error (so the test above can fail)."""
    tree = ast.parse("try:\n    pass\nexcept (KeyError, KlantreisError) as e:\n    st.error(str(e))\n")
    assert _hand_written_errors(tree) == ["line 4: st.error(str(e))"]
