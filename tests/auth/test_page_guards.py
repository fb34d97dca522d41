"""Every page guards itself: registered, ``require_page`` first, and refusing roles it is not for."""

import ast
from pathlib import Path

import pytest

from journeys.models import Role
from tests.apptest import app_test, as_user
from ui.navigation import PAGES
from ui.session import SignedInUser

ROOT = Path(__file__).resolve().parents[2]
PAGE_FILES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "pages").glob("*.py"))


def _first_statement_after_imports(path: Path) -> ast.stmt:
    tree = ast.parse(path.read_text())
    body = [s for s in tree.body if not isinstance(s, ast.Import | ast.ImportFrom)]
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # the module docstring
    return body[0]


@pytest.mark.parametrize("page", PAGE_FILES)
def test_every_page_file_is_registered(page):
    """A file in pages/ that is not in ui.navigation.PAGES would have no role rule."""
    assert page in {spec.path for spec in PAGES}


@pytest.mark.parametrize("page", PAGE_FILES)
def test_every_page_starts_with_its_guard(page):
    """The first statement after the imports of each page is ``require_page(__file__)``."""
    statement = _first_statement_after_imports(ROOT / page)
    call = statement.value
    assert isinstance(call, ast.Call) and getattr(call.func, "id", None) == "require_page", ast.unparse(statement)
    assert [ast.unparse(a) for a in call.args] == ["__file__"]


FORBIDDEN = [(spec.path, role.value) for spec in PAGES for role in Role if role not in spec.roles]


@pytest.mark.parametrize(("page", "role"), FORBIDDEN)
def test_pages_refuse_roles_they_are_not_for(app_env, page, role):
    """Opened by a role it is not for (as a typed URL could), a page shows a refusal and no data."""
    at = as_user(app_test(page), SignedInUser(1, "someone", "Someone", role)).run()
    assert not at.exception
    assert f"Your role ({role}) does not give access" in at.error[0].value
    assert not at.dataframe and not at.metric and not at.table and not at.get("vega_lite_chart")
