"""Imports point one way: the layers of the code, highest first, checked on every module.

A module may import modules of its own layer or of a lower one, never of a higher one; packages
named together in one layer as *independent* may not import each other either (the app and the
command line are two front ends over the same domain). Every module of the project must belong to
a layer, so a new package has to be placed here before it can land.

Imports are read from the source (every ``import`` statement, also those inside functions: an
upward import is upward wherever it stands), so the check needs no import of the project.
"""

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("cli", "data", "journeys", "pages", "scoring", "ui")
TOP_MODULES = ("streamlit_app",)


@dataclass(frozen=True)
class Layer:
    """Module prefixes of one layer (a prefix names a module and everything below it), modules it
    holds by their exact name only, and whether its prefixes may import each other."""

    prefixes: tuple[str, ...]
    independent: bool = False
    exact: tuple[str, ...] = ()


LAYERS = (
    Layer(("streamlit_app", "pages")),         # the router and the page scripts
    Layer(("ui", "cli"), independent=True),    # the two front ends: Streamlit widgets, the `klantreis` command
    Layer(("journeys.demo",)),                 # demo data drives every area below
    Layer(("journeys.interchange",)),          # files in and out
    Layer(("journeys.alerts",)),               # alert mails: notifications, the outbox, SMTP, the worker
    Layer(("journeys.actions",)),              # action rules, action items and their follow-up
    Layer(("journeys.review",)),               # review, release, appeals and the audit trail
    Layer(("journeys.fieldwork",)),            # contacts, evidence, frames for scoring
    Layer(("journeys.catalogue",)),            # brands, locations, waves, journeys and checklists
    Layer(("journeys.accounts",)),             # users, sessions, roles and access
    Layer(("data",)),                          # storage plumbing: engine, transactions, migrations
    # the domain's bottom: what every area and storage share
    Layer(("journeys.models", "journeys.errors", "journeys.limits", "journeys.local_time", "journeys.wording",
           "journeys.language"),
          exact=("journeys",)),
    Layer(("scoring",)),                       # pure analytics: imports nothing of ours
)


def project_modules(root: Path = ROOT) -> dict[str, Path]:
    """Every module of the project by dotted name (packages by their ``__init__``)."""
    modules = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            modules[name] = path
    for name in TOP_MODULES:
        if (root / f"{name}.py").is_file():
            modules[name] = root / f"{name}.py"
    return modules


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The project module ``name`` refers to (its longest importable prefix), or None."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def imports_of(module: str, path: Path, modules: dict[str, Path]) -> set[tuple[str, int]]:
    """``(imported project module, line)`` for every import statement in ``path``."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # `from pkg import sub` imports the submodule when there is one
            names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names]
        else:
            continue
        for name in names:
            target = _resolve(name, modules)
            if target is not None and target != module:
                found.add((target, node.lineno))
    return found


def layer_of(module: str) -> tuple[int, str] | None:
    """``(layer index, prefix)`` of the longest prefix that names the module."""
    best = None
    for index, layer in enumerate(LAYERS):
        if module in layer.exact:
            return index, module
        for prefix in layer.prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and (best is None or len(prefix) > len(best[1])):
                best = (index, prefix)
    return best


def violations(root: Path = ROOT) -> list[str]:
    """Every import that points up (or across independent packages), and every unplaced module."""
    modules = project_modules(root)
    problems = []
    for module, path in modules.items():
        own = layer_of(module)
        if own is None:
            problems.append(f"{module} belongs to no layer: add it to LAYERS in {Path(__file__).name}")
            continue
        for target, line in sorted(imports_of(module, path, modules)):
            theirs = layer_of(target)
            if theirs is None:
                continue  # reported as unplaced on its own
            where = f"{path.relative_to(root)}:{line}: {module} imports {target}"
            if theirs[0] < own[0]:
                problems.append(f"{where}, a higher layer ({theirs[1]} is above {own[1]})")
            elif theirs[0] == own[0] and LAYERS[own[0]].independent and theirs[1] != own[1]:
                problems.append(f"{where}: {own[1]} and {theirs[1]} are independent of each other")
    return problems


def cycles(root: Path = ROOT) -> list[list[str]]:
    """Groups of modules that import each other in a circle (strongly connected components)."""
    modules = project_modules(root)
    graph = {m: sorted({t for t, _ in imports_of(m, p, modules)}) for m, p in modules.items()}
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):  # Tarjan's algorithm; the graph has a few hundred nodes
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_every_import_points_down():
    """No module imports a higher layer, ui and cli never import each other, every module is placed."""
    assert violations() == []


def test_no_import_cycles():
    """No two modules import each other, directly or around a circle (also through imports in functions)."""
    assert cycles() == []


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_the_check_sees_an_upward_import(tmp_path):
    """A scoring module importing ui, and cli importing ui, are both reported with file and line."""
    root = _write(tmp_path, {
        "scoring/__init__.py": "", "scoring/stats.py": "import math\n\nfrom ui.text import as_plain_text\n",
        "ui/__init__.py": "", "ui/text.py": "from scoring import stats\n",
        "cli/__init__.py": "", "cli/report.py": "def run():\n    from ui import text\n",
    })
    found = violations(root)
    assert found == [
        "cli/report.py:2: cli.report imports ui.text: cli and ui are independent of each other",
        "scoring/stats.py:3: scoring.stats imports ui.text, a higher layer (ui is above scoring)",
    ]
    assert cycles(root) == [["scoring.stats", "ui.text"]]


def test_the_check_resolves_relative_and_package_imports(tmp_path):
    """``from . import x`` and ``from pkg import module`` count as imports of those modules."""
    root = _write(tmp_path, {
        "journeys/__init__.py": "", "journeys/models.py": "from .fieldwork import contacts\n",
        "journeys/fieldwork/__init__.py": "", "journeys/fieldwork/contacts.py": "from journeys import models\n",
    })
    assert violations(root) == [
        "journeys/models.py:1: journeys.models imports journeys.fieldwork.contacts, a higher layer "
        "(journeys.fieldwork is above journeys.models)",
    ]


def test_an_unplaced_package_is_reported(tmp_path):
    """A new top-level area of journeys/ must be given a layer before it lands."""
    root = _write(tmp_path, {"journeys/__init__.py": "", "journeys/unplaced/__init__.py": ""})
    assert violations(root) == ["journeys.unplaced belongs to no layer: add it to LAYERS in test_import_layers.py"]
