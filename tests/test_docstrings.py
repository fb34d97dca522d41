"""Module docstrings name only things that exist: every ``name`` or ``module.name`` in double backticks resolves.

A name resolves against the module itself (what it defines or imports, and their attributes), a
parameter of one of its functions, a dotted path importable from the project
(``journeys.accounts.access.JOURNEY_ADMINS``) or from a library under its usual alias (``st.error``), a
builtin, or a name the data itself carries: a table or column of the schema, or a value of one of
the project's constants (a column of the scoring contract such as ``first_response_target_s``). Pages and ``streamlit_app.py`` run Streamlit when imported, so
their own names are read from their source instead. Text in double backticks that is not a name
(``2025-10-26 02:30``, ``select(Contact).where(...)``) is not checked.
"""

import ast
import builtins
import importlib
import inspect
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("journeys", "data", "scoring", "ui", "pages", "cli")
MODULES = sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py")
                 if "migrations" not in p.relative_to(ROOT).parts) + [ROOT / "streamlit_app.py"]
RUN_ON_IMPORT = ("pages", "streamlit_app.py")  # scripts: read, never imported here

# A name, a dotted path, or a call of one without arguments: ``read_filter()``, ``Channel.is_live``.
NAME = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*(?:\(\))?")
MENTION = re.compile(r"``([^`]+)``")

ALIASES = {"st": "streamlit", "sa": "sqlalchemy", "pd": "pandas", "np": "numpy"}

# Words in double backticks that name something outside Python: each with why it is not a name.
NOT_NAMES: dict[str, str] = {
    "klantreis": "the installed command",
    "pg_dump": "PostgreSQL's backup program",
    "KLANTREIS_DATABASE_URL": "an environment variable",
    "Secure": "a cookie attribute",
    "HttpOnly": "a cookie attribute",
    "client.disableDataExport": "a Streamlit configuration option",
    "www.example.org": "a host name in an example",
    "www": "the literal text GitHub's autolinks start with (ui/text.py)",
    "format_func": "the parameter of Streamlit's choice widgets whose output ui/text.py escapes",
    "krippendorff": "a package scoring/agreement.py deliberately does not depend on",
}
# A repository path in double backticks (``docs/interchange.md``) must exist.
PATH = re.compile(r"[\w.-]+(?:/[\w.-]+)*\.(?:md|py|toml|ini|txt|json|csv)")


def _constant_strings(tree: ast.Module) -> set[str]:
    """The strings held by a module's upper-case constants: ``X = "a"`` or ``X = ("a", "b")``."""
    found: set[str] = set()
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        if not any(isinstance(t, ast.Name) and t.id.isupper() for t in targets) or node.value is None:
            continue
        found.update(n.value for n in ast.walk(node.value) if isinstance(n, ast.Constant) and isinstance(n.value, str))
    return found


def _data_names() -> set[str]:
    """Table and column names of the schema, and the strings of every project constant."""
    from sqlmodel import SQLModel

    importlib.import_module("journeys.models")
    names = {table.name for table in SQLModel.metadata.tables.values()}
    names.update(column.name for table in SQLModel.metadata.tables.values() for column in table.columns)
    for path in MODULES:
        names.update(_constant_strings(ast.parse(path.read_text())))
    return names


DATA_NAMES = _data_names()


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _source_names(tree: ast.Module) -> set[str]:
    """Top-level definitions and imports, and every function parameter, read from the source."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            arguments = node.args
            names.update(a.arg for a in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs))
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def _importable(dotted: str) -> bool:
    """Whether ``a.b.c`` is a module, or an attribute path under the longest importable module prefix."""
    parts = dotted.split(".")
    if parts[0] in ("pages", "streamlit_app"):
        return False  # scripts run when imported; their names are read from their source
    if parts[0] == "cli":
        importlib.import_module("cli.main")  # cli.main imports its subcommands in an order without cycles
    for cut in range(len(parts), 0, -1):
        try:
            target = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        return _has_path(target, parts[cut:])
    return False


def _has_path(target: object, attributes: list[str]) -> bool:
    for attribute in attributes:
        if not hasattr(target, attribute):
            return False
        target = getattr(target, attribute)
    return True


def _resolves(mention: str, path: Path, tree: ast.Module) -> bool:
    dotted = mention.removesuffix("()")
    first, *rest = dotted.split(".")
    if not rest and (first in _source_names(tree) or first in DATA_NAMES or hasattr(builtins, first)):
        return True
    if first in ALIASES and _importable(".".join((ALIASES[first], *rest))):
        return True
    if not path.relative_to(ROOT).as_posix().startswith(RUN_ON_IMPORT):
        if _module_name(path).startswith("cli"):
            importlib.import_module("cli.main")  # cli.main imports its subcommands in an order without cycles
        module = importlib.import_module(_module_name(path))
        if _has_path(module, [first, *rest]) or not rest and first in _parameters_of_exports(module):
            return True
    if path.name == "__init__.py" and _importable(f"{_module_name(path)}.{dotted}"):
        return True  # a package's docstring names its own modules
    return _importable(dotted)


def _parameters_of_exports(module) -> set[str]:
    """Parameter names of every function a module holds, its imports included (``scoring`` re-exports)."""
    names: set[str] = set()
    for value in vars(module).values():
        if inspect.isfunction(value):
            names.update(inspect.signature(value).parameters)
    return names


def _mentions(tree: ast.Module) -> list[str]:
    docstring = ast.get_docstring(tree) or ""
    return [m for m in MENTION.findall(docstring)
            if NAME.fullmatch(m) and not PATH.fullmatch(m) and m not in NOT_NAMES]


def _paths(tree: ast.Module) -> list[str]:
    """Repository paths a docstring names: any file name in double backticks (``streamlit_app.py``),
    and in plain text any path with a folder (docs/scoring.md)."""
    docstring = ast.get_docstring(tree) or ""
    quoted = [m for m in MENTION.findall(docstring) if PATH.fullmatch(m)]
    return quoted + [m for m in PATH.findall(MENTION.sub("", docstring)) if "/" in m]


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_module_docstring_names_exist(path):
    """Each name a module docstring puts in double backticks is defined, imported or importable;
    each repository path it names exists."""
    tree = ast.parse(path.read_text())
    missing = [m for m in _mentions(tree) if not _resolves(m, path, tree)]
    missing += [p for p in _paths(tree) if not ((ROOT / p).exists() or (path.parent / p).exists())]
    assert not missing, f"{path.relative_to(ROOT)} names what does not exist: {missing}"


def test_the_check_catches_a_missing_name():
    """A docstring naming a function nobody defines, or a document that is not there, fails the check."""
    script = ROOT / "pages" / "overview.py"  # a script: resolved from source, never imported
    tree = ast.parse('"""Uses ``read_filter()``, ``journeys.accounts.access.NO_SUCH_SET`` and docs/missing.md."""\n'
                     "import streamlit as st\n")
    assert [m for m in _mentions(tree) if not _resolves(m, script, tree)] == [
        "read_filter()", "journeys.accounts.access.NO_SUCH_SET"]
    assert _paths(tree) == ["docs/missing.md"] and not (ROOT / "docs/missing.md").exists()
