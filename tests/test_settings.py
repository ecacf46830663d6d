"""One place for configuration: every SP_* variable is declared in settings.py, read nowhere else, and listed in the
README; the reference tables' folder is named only there too."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import settings

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ["app.py", "settings.py", "pages", "dashboard", "data_pipeline", "indicators", "bench"]
SP_NAME = re.compile(r"\bSP_[A-Z][A-Z0-9_]*\b")
REFERENCE_FILES = {f"{t}.csv" for t in ("provinces", "districts", "province_aliases", "district_aliases")}


def python_files(*tops: str) -> list[Path]:
    files = []
    for top in tops:
        path = ROOT / top
        files += [path] if path.is_file() else sorted(p for p in path.rglob("*.py") if "__pycache__" not in p.parts)
    return files


def string_constants(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [(n.lineno, n.value) for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def environment_reads(path: Path) -> list[int]:
    """Lines that touch os.environ or os.getenv (or import them from os)."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in {"environ", "getenv", "environb"}
            and isinstance(node.value, ast.Name)
            and node.value.id == "os"
        ):
            lines.append(node.lineno)
        elif (
            isinstance(node, ast.ImportFrom)
            and node.module == "os"
            and {a.name for a in node.names} & {"environ", "getenv"}
        ):
            lines.append(node.lineno)
    return lines


def test_every_sp_variable_named_anywhere_is_declared_in_settings():
    declared = {s.name for s in settings.ALL}
    named = {}
    for path in python_files(*PRODUCT, "tests"):
        for line, text in string_constants(path):
            for name in SP_NAME.findall(text):
                named.setdefault(name, f"{path.relative_to(ROOT)}:{line}")
    for script in [*sorted((ROOT / "scripts").glob("*.sh")), ROOT / ".ci" / "run"]:
        for name in re.findall(r"\$\{?(SP_[A-Z][A-Z0-9_]*)", script.read_text(encoding="utf-8")):
            named.setdefault(name, str(script.relative_to(ROOT)))
    undeclared = {name: where for name, where in named.items() if name not in declared}
    assert not undeclared, f"SP_ variables not declared in settings.py: {undeclared}"
    assert len(declared) == len(settings.ALL)


def test_only_settings_reads_the_environment():
    # Benchmarks may set variables for the processes they start; the product itself only asks settings.
    product = [top for top in PRODUCT if top != "bench"]
    readers = [
        f"{p.relative_to(ROOT)}:{line}"
        for p in python_files(*product)
        if p != ROOT / "settings.py"
        for line in environment_reads(p)
    ]
    assert not readers, f"read the environment outside settings.py: {readers}"


def test_the_checker_sees_an_environment_read(tmp_path):
    sample = tmp_path / "sample.py"
    new = "SP_" + "NEW"  # spelt in two parts, or this file would name an undeclared variable
    sample.write_text(f"import os\nfrom os import getenv\nX = os.environ.get('{new}')\n")
    assert sorted(environment_reads(sample)) == [2, 3]
    assert SP_NAME.findall(string_constants(sample)[0][1]) == [new]


def test_the_readme_lists_every_setting_as_settings_declares_it():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert settings.readme_table() in readme, (
        "regenerate the README's table: python -c 'import settings; print(settings.readme_table())'"
    )


def test_the_reference_folder_and_files_are_named_in_one_place():
    allowed = {ROOT / "settings.py", ROOT / "data_pipeline" / "reference.py"}
    naming = [
        f"{p.relative_to(ROOT)}:{line} {text!r}"
        for p in python_files(*PRODUCT)
        if p not in allowed
        for line, text in string_constants(p)
        if text == "reference" or Path(text).name in REFERENCE_FILES
    ]
    assert not naming, f"read the reference tables through data_pipeline.reference: {naming}"
    assert settings.REFERENCE_DIR.is_dir() and REFERENCE_FILES <= {p.name for p in settings.REFERENCE_DIR.iterdir()}
