"""A version's indicators, computed once when it is published and stored inside it (docs/DESIGN.md §4).

``derive`` is the hook ``data_pipeline.warehouse.publish(derive=...)`` calls before the version's manifest is
written, so a version never exists without its tidy table, PCI table and public (suppressed) table, and the first
page after a publish reads them instead of computing the catalogue and the disclosure decision. They are stamped
with the parameters file's hash and the indicator code's hash (the modules ``derive`` runs, ``computing_modules``):
``stored_figures`` reads them back only while both still match, otherwise the caller computes on demand (``api``).
Reading lives in that module, not here, so that an edit of it leaves every version's stored figures valid.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import json
import shutil
from pathlib import Path

import pandas as pd

from . import disclosure, engine, supporting, warehouse_access
from .parameters import load_parameters

_CODE = Path(__file__).parent
FILES = {"indicators": "indicators.parquet", "pci": "pci.parquet"}
PUBLIC_FILE = "public.parquet"
SUPPORTING_FOLDER = "supporting"  # derived/supporting/<name>.parquet: every aggregate table the pages chart
# The supporting tables that join the public table (their figures are hidden with the indicators').
PUBLIC_SUPPORTING = ("referral_funnel", "days_late_distribution")
REUSE_STAMP = "reuse.json"  # beside the derived tables a preview keeps for the publish that follows it
KEPT_FOLDER = "derived"


def code_hash() -> str:
    """Hash of the modules that compute the stored figures (``computing_modules``): a change to one of them never
    serves figures of the old code; a change to a module that only reads them (api, export ...) keeps them. Hashed
    once per process (the code does not change under a running process)."""
    return code_hash_of(_CODE)


@functools.cache
def code_hash_of(code: Path) -> str:
    """``code_hash`` of the indicator layer in the folder ``code`` (a copy of it in the tests)."""
    digest = hashlib.sha256()
    for path in computing_modules(code):
        digest.update(path.relative_to(code).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def computing_modules(code: Path = _CODE) -> tuple[Path, ...]:
    """The indicator modules ``derive`` runs: this module and every module of the indicator layer it reaches by its
    imports (function-level ones included), followed through them; a package counts with its ``__init__`` (run on
    import) and, when that ``__init__`` finds its modules itself (``pkgutil``, as the catalogue does), with every
    module in it. Computed from the code, so a new computing module is covered without a list to keep up."""
    code = Path(code).resolve()
    found: set[Path] = set()
    pending = [code / Path(__file__).name]
    while pending:
        path = pending.pop()
        if path in found:
            continue
        found.add(path)
        pending += _imported_modules(path, code)
    return tuple(sorted(found))


def _imported_modules(path: Path, code: Path) -> list[Path]:
    """The indicator-layer files that importing ``path`` runs: its packages' ``__init__`` and what it imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    # The layer is imported as ``indicators`` whatever the folder is called (a copy in the tests).
    package = (_CODE.name, *path.parent.relative_to(code).parts)
    names: list[tuple[str, ...]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [tuple(alias.name.split(".")) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else ()
            module = (*base, *(node.module or "").split(".")) if node.module else base
            names.append(module)
            names += [(*module, alias.name) for alias in node.names]  # ``from . import engine``: a module
    files = [code / "__init__.py"]
    for parts in names:
        if parts[:1] != (_CODE.name,):
            continue
        for depth in range(2, len(parts) + 1):  # each package on the way is run, then the module itself
            folder = code.joinpath(*parts[1:depth])
            files += [f for f in (folder / "__init__.py", folder.with_suffix(".py")) if f.is_file()]
    if path.name == "__init__.py" and any(_imports_pkgutil(node) for node in ast.walk(tree)):
        files += sorted(path.parent.rglob("*.py"))
    return [f.resolve() for f in files]


def _imports_pkgutil(node: ast.AST) -> bool:
    return isinstance(node, ast.Import) and any(alias.name == "pkgutil" for alias in node.names)


def compute(con, version: str, params: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The tidy indicator table and the PCI table of the version ``con`` shows."""
    tidy = engine.compute_all(con, version, params)
    return tidy, engine.prepared_connection(con).execute("SELECT * FROM ind_pci").df()


def public_of(tidy: pd.DataFrame, tables: dict[str, pd.DataFrame], params: dict) -> pd.DataFrame:
    """The version's one public table (``disclosure.public_table``) from its tidy table and the supporting tables
    ``PUBLIC_SUPPORTING`` (by name)."""
    threshold = int(params["general"]["small_cell_threshold"])
    return disclosure.public_table(
        tidy, threshold, funnel=tables["referral_funnel"], days_late=tables["days_late_distribution"]
    )


def derive(open_tables, folder: Path, version: str) -> dict:
    """Compute the catalogue and the public table on the tables being published and write them into ``folder``
    (the manifest entry)."""
    params = load_parameters()
    con = open_tables()
    try:
        frames = dict(zip(FILES, compute(con, version, params)))
        # Every supporting table, on the connection the catalogue prepared: a page's first view reads them
        # instead of preparing a connection of its own (seconds on national data).
        prepared = engine.prepared_connection(con)
        tables = {name: prepared.execute(query).df() for name, query in supporting.QUERIES.items()}
    finally:
        engine.close(con)
    public = public_of(frames["indicators"], tables, params)
    folder.mkdir(parents=True, exist_ok=True)
    entry = {"parameters_hash": params["_hash"], "code_hash": code_hash()}
    for name, frame in frames.items():
        frame.to_parquet(folder / FILES[name], index=False)
        entry[name] = {"path": f"{folder.name}/{FILES[name]}", "rows": len(frame)}
    public.to_parquet(folder / PUBLIC_FILE, index=False)
    (folder / SUPPORTING_FOLDER).mkdir(exist_ok=True)
    entry["supporting"] = {}
    for name, frame in tables.items():
        path = f"{SUPPORTING_FOLDER}/{name}.parquet"
        frame.to_parquet(folder / path, index=False)
        entry["supporting"][name] = {"path": f"{folder.name}/{path}", "rows": len(frame)}
    entry["public"] = {
        "path": f"{folder.name}/{PUBLIC_FILE}",
        "rows": len(public),
        "suppressed": int(public["suppressed"].sum()),
    }
    return entry


def reuse_stamp(
    *, root, parent: str | None, version: str, staged: dict, replace_whole_periods: bool, hash_key_fingerprint: str
) -> dict | None:
    """What the derived tables of a publish depend on besides the code and the parameters (stamped apart): the
    warehouse and its current version (the rows kept), the id the new version gets (inside every tidy row), the
    staged tables (each Parquet file by path, size, modification time and inode) and how they merge. None when a
    staged table is held in memory (nothing identifies it)."""
    files = {}
    for name, table in sorted(staged.items()):
        if not isinstance(table, (str, Path)):
            return None
        info = Path(table).stat()
        files[name] = [str(Path(table).resolve()), info.st_size, info.st_mtime_ns, info.st_ino]
    return {
        "root": str(Path(root).resolve()),
        "parent": parent,
        "version": version,
        "staged": files,
        "replace_whole_periods": bool(replace_whole_periods),
        "hash_key_fingerprint": hash_key_fingerprint,
    }


def keep_for_publish(kept: Path, stamp: dict, entry: dict) -> None:
    """Record that ``kept``/derived holds what ``derive`` wrote (``entry``) for the publish ``stamp`` describes."""
    stamped = {**stamp, "parameters_hash": entry["parameters_hash"], "code_hash": entry["code_hash"], "entry": entry}
    (Path(kept) / REUSE_STAMP).write_text(json.dumps(stamped), encoding="utf-8")


def derive_reusing(kept: Path | None, *, root, staged: dict, replace_whole_periods: bool, hash_key_fingerprint: str):
    """A ``derive`` hook for the publish that follows a preview: the preview's derived tables (``kept``, see
    ``preview.preview_indicator_changes(keep_derived=...)``) are copied into the version when they were computed for
    exactly this publish (same warehouse and current version, same new version id, same staged files and merge,
    same key, parameters and code); otherwise ``derive`` computes them as any publish does. It runs under the
    publish's lock, so the current version it reads is the one the publish merges with."""

    def hook(open_tables, folder: Path, version: str) -> dict:
        expected = reuse_stamp(
            root=root,
            parent=warehouse_access.current_version(root),
            version=version,
            staged=staged,
            replace_whole_periods=replace_whole_periods,
            hash_key_fingerprint=hash_key_fingerprint,
        )
        stamp = _read_stamp(kept)
        if expected is not None and stamp is not None:
            entry = stamp.pop("entry")
            now = {"parameters_hash": load_parameters()["_hash"], "code_hash": code_hash()}
            if stamp == {**expected, **now} and _entry_files_exist(Path(kept) / KEPT_FOLDER, entry):
                shutil.copytree(Path(kept) / KEPT_FOLDER, folder)
                return entry
        return derive(open_tables, folder, version)

    return hook


def _read_stamp(kept: Path | None) -> dict | None:
    try:
        return json.loads((Path(kept) / REUSE_STAMP).read_text(encoding="utf-8")) if kept is not None else None
    except (OSError, ValueError):
        return None


def _entry_files_exist(folder: Path, entry: dict) -> bool:
    """Every file the manifest entry names (paths begin with the folder's name) is in ``folder``."""
    paths = [entry[name]["path"] for name in (*FILES, "public")]
    paths += [table["path"] for table in entry.get("supporting", {}).values()]
    return all((folder / path.split("/", 1)[1]).is_file() for path in paths)
