"""Only Streamlit's documented modules are imported: an upgrade may change anything else without notice."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Streamlit's public Python API: the package itself plus its documented sub-modules.
PUBLIC_STREAMLIT = {"streamlit", "streamlit.testing.v1", "streamlit.components.v1"}


def python_files() -> list[Path]:
    skipped = {".venv", ".lock-tools", "venv", "__pycache__"}
    return [p for p in ROOT.rglob("*.py") if not skipped & set(p.relative_to(ROOT).parts)]


def streamlit_imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return [(line, name) for line, name in found if name == "streamlit" or name.startswith("streamlit.")]


def test_no_file_imports_streamlit_internals():
    private = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in python_files()
        for line, name in streamlit_imports(path)
        if name not in PUBLIC_STREAMLIT
    ]
    assert not private, "\n".join(private)


def test_the_checker_sees_a_private_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from streamlit.runtime.pages_manager import PagesManager\n")
    assert streamlit_imports(sample) == [(2, "streamlit.runtime.pages_manager")]
