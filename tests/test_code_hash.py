"""The indicator code's hash stamped on stored figures covers the modules that compute them, and only those."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from indicators import published, stored_figures

CODE = Path(published.__file__).parent


@pytest.fixture
def code_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "indicators"
    shutil.copytree(CODE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def _edited(code: Path, module: str) -> str:
    """The hash of ``code`` after a line is added to ``module`` (a fresh path: the hash is kept per folder)."""
    moved = code.with_name(f"edited-{module.replace('/', '-')}")
    code.rename(moved)
    with (moved / module).open("a", encoding="utf-8") as file:
        file.write("\n# edited\n")
    return published.code_hash_of(moved)


def test_the_computing_set_holds_the_engine_the_catalogue_and_what_derive_imports():
    names = {path.relative_to(CODE).as_posix() for path in published.computing_modules()}
    assert {"published.py", "engine.py", "disclosure.py", "supporting.py", "parameters.py"} <= names
    # The catalogue finds its modules itself (pkgutil): every one of them counts, base included.
    catalogue = {f"catalogue/{path.name}" for path in (CODE / "catalogue").glob("*.py")}
    assert len(catalogue) > 2 and catalogue <= names
    # Modules reached only through the engine's own imports.
    assert {"sql_helpers.py", "survival.py", "status.py", "pci.py", "equations.py"} <= names
    assert not {"api.py", "export.py", "preview.py", "__main__.py", "stored_figures.py"} & names


def test_the_hash_is_the_same_for_an_identical_copy(code_copy):
    assert published.code_hash_of(code_copy) == published.code_hash()


@pytest.mark.parametrize("module", ["engine.py", "catalogue/delivery.py", "survival.py", "published.py"])
def test_a_change_to_a_computing_module_changes_the_hash(code_copy, module):
    assert _edited(code_copy, module) != published.code_hash()


@pytest.mark.parametrize("module", ["api.py", "export.py", "preview.py", "stored_figures.py"])
def test_a_change_to_a_reading_module_keeps_the_hash(code_copy, module):
    assert _edited(code_copy, module) == published.code_hash()


def test_a_new_module_the_engine_imports_joins_the_set(code_copy):
    (code_copy / "helper_for_test.py").write_text("VALUE = 1\n", encoding="utf-8")
    engine = code_copy / "engine.py"
    engine.write_text(engine.read_text(encoding="utf-8") + "\nfrom . import helper_for_test\n", encoding="utf-8")
    assert code_copy.resolve() / "helper_for_test.py" in published.computing_modules(code_copy)


def _version_with_derived(root: Path, code: str) -> Path:
    folder = root / "versions" / "v0001"
    (folder / "derived").mkdir(parents=True)
    for name in published.FILES.values():
        (folder / "derived" / name).write_bytes(b"")
    entry = {name: {"path": f"derived/{file}", "rows": 0} for name, file in published.FILES.items()}
    manifest = {"derived": {"parameters_hash": "p1", "code_hash": code, **entry}}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder / "manifest.json"


def test_the_stored_entry_reads_the_manifest_once_until_the_file_changes(tmp_path, monkeypatch):
    manifest = _version_with_derived(tmp_path, published.code_hash())
    reads = []
    real = stored_figures.warehouse_access.read_manifest
    monkeypatch.setattr(stored_figures.warehouse_access, "read_manifest", lambda *a: reads.append(a) or real(*a))
    first = stored_figures.stored_entry("v0001", tmp_path, "p1")
    assert first["code_hash"] == published.code_hash()
    first["pci"]["rows"] = 99  # the caller's copy: the next caller still gets the manifest's entry
    assert stored_figures.stored_entry("v0001", tmp_path, "p1")["pci"]["rows"] == 0
    assert stored_figures.stored_entry("v0001", tmp_path, "other parameters") is None
    assert len(reads) == 1
    rewritten = json.loads(manifest.read_text(encoding="utf-8"))
    rewritten["derived"]["code_hash"] = "older code"
    manifest.write_text(json.dumps(rewritten), encoding="utf-8")
    assert stored_figures.stored_entry("v0001", tmp_path, "p1") is None  # another size: read again
    assert len(reads) == 2
