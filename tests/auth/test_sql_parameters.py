"""SQL is built with bound parameters: no f-string or .format() handed to an execute call."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP_CODE = ["journeys", "data", "ui", "pages", "cli", "scoring", "streamlit_app.py"]
EXECUTORS = {"execute", "exec_driver_sql", "text", "exec", "executemany", "read_sql", "read_sql_query"}
# Reviewed interpolations of constants and of table names from our own SQLModel metadata
# (identifiers cannot be bound parameters); no user input can reach them.
REVIEWED = {
    ("data/db.py", "PRAGMA busy_timeout = {int(timeout)}"),  # whole numbers from the settings
    ("data/db.py", "PRAGMA busy_timeout = {int(wait)}"),
    ("data/db.py", "PRAGMA query_only = {int(read_only)}"),
    ("cli/backup.py", "SELECT setval(pg_get_serial_sequence('{table.name}', '{pk[0].name}')"),
    # DuckDB's ATTACH takes no parameter: the app's own database file, its quotes doubled
    ("data/columnar_worker.py", "ATTACH '{_quoted(database)}' AS store (TYPE sqlite, READ_ONLY)"),
}


def _python_files():
    for entry in APP_CODE:
        path = ROOT / entry
        yield from ([path] if path.is_file() else sorted(path.rglob("*.py")))


def _is_built_string(node: ast.expr) -> bool:
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod | ast.Add):
        return any(isinstance(side, ast.Constant) and isinstance(side.value, str) for side in (node.left, node.right))
    return isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "format"


def test_no_sql_is_built_from_interpolated_strings():
    """Every string handed to an execute-like call is a literal or a bound statement."""
    offenders = []
    for path in _python_files():
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith("data/migrations/"):
            continue
        for node in ast.walk(ast.parse(path.read_text(), filename=relative)):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
            if name in EXECUTORS and _is_built_string(node.args[0]):
                source = ast.unparse(node.args[0])
                if not any(relative == file and snippet in source for file, snippet in REVIEWED):
                    offenders.append(f"{relative}:{node.lineno}: {source}")
    assert offenders == []
