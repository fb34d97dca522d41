"""Untrusted text never reaches the browser as HTML: no raw-HTML switches in the app code."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
UI_CODE = [ROOT / "streamlit_app.py", *sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "ui").glob("*.py"))]


def test_no_unsafe_html_or_javascript_switches():
    """No call passes unsafe_allow_html=True or unsafe_allow_javascript=True, and st.html gets only literals."""
    offenders = []
    for path in UI_CODE:
        relative = path.relative_to(ROOT).as_posix()
        for node in ast.walk(ast.parse(path.read_text(), filename=relative)):
            if not isinstance(node, ast.Call):
                continue
            for keyword in node.keywords:
                if keyword.arg in {"unsafe_allow_html", "unsafe_allow_javascript"} and not (
                    isinstance(keyword.value, ast.Constant) and keyword.value.value is False
                ):
                    offenders.append(f"{relative}:{node.lineno}: {keyword.arg}")
            if getattr(node.func, "attr", None) == "html" and node.args and not isinstance(node.args[0], ast.Constant):
                offenders.append(f"{relative}:{node.lineno}: st.html with a computed argument")
    assert offenders == []
