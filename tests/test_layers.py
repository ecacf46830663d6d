"""The layers as the folders say (docs/DESIGN.md): each package imports only the layers below it.

    settings  <-  data_pipeline  <-  indicators  <-  dashboard  <-  pages/, app.py

data_pipeline knows nothing of indicators, the dashboard or Streamlit; indicators nothing of the dashboard or
Streamlit; a page reaches the data only through the dashboard's access layer (dashboard.*), never the pipeline or
the indicator engine directly; settings imports nothing of the project.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# layer -> top-level packages it must not import
FORBIDDEN = {
    "settings.py": {"data_pipeline", "indicators", "dashboard", "pages", "streamlit"},
    "data_pipeline": {"indicators", "dashboard", "pages", "streamlit"},
    "indicators": {"dashboard", "pages", "streamlit"},
    "dashboard": {"pages"},
    "pages": {"data_pipeline", "indicators"},
    "app.py": {"data_pipeline", "indicators"},
}


def imported_packages(path: Path) -> list[tuple[int, str]]:
    """(line, top-level package) of every absolute import in a file, wherever it sits (functions included)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name.split(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module.split(".")[0]))
    return found


def files_of(layer: str) -> list[Path]:
    path = ROOT / layer
    return [path] if path.is_file() else sorted(p for p in path.rglob("*.py") if "__pycache__" not in p.parts)


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_a_layer_imports_only_the_layers_below_it(layer):
    breaches = [
        f"{path.relative_to(ROOT)}:{line} imports {package}"
        for path in files_of(layer)
        for line, package in imported_packages(path)
        if package in FORBIDDEN[layer]
    ]
    assert not breaches, "\n".join(breaches)


def test_every_layer_has_files_to_check():
    assert all(files_of(layer) for layer in FORBIDDEN)


def test_the_checker_sees_an_import_inside_a_function(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("import os\n\ndef f():\n    from dashboard.data import values\n")
    assert imported_packages(sample) == [(1, "os"), (4, "dashboard")]
