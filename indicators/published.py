"""A version's indicators, computed once when it is published and stored inside it (docs/DESIGN.md §4).

``derive`` is the hook ``data_pipeline.warehouse.publish(derive=...)`` calls before the version's manifest is
written, so a version never exists without its tidy table, PCI table and public (suppressed) table, and the first
page after a publish reads them instead of computing the catalogue and the disclosure decision. They are stamped
with the parameters file's hash and the indicator code's hash: ``stored`` and ``stored_public`` return them only while
both still match, otherwise the caller computes on demand (``api``).
"""

from __future__ import annotations

import hashlib
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


def code_hash() -> str:
    """Hash of every module of the indicator layer: a code change never serves figures of the old code."""
    digest = hashlib.sha256()
    for path in sorted(_CODE.rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


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


def stored_entry(version: str, root, params_hash: str) -> dict | None:
    """The manifest's ``derived`` entry when its files exist and were computed with these parameters and this code."""
    entry = warehouse_access.read_manifest(version, root).get("derived") or {}
    if entry.get("parameters_hash") != params_hash or entry.get("code_hash") != code_hash():
        return None
    folder = warehouse_access.version_folder(version, root)
    return entry if all((folder / entry[name]["path"]).is_file() for name in FILES) else None


def stored(version: str, root, params_hash: str) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """The tidy and PCI tables written at publish, or None when absent or computed with other parameters or code."""
    entry = stored_entry(version, root, params_hash)
    if entry is None:
        return None
    folder = warehouse_access.version_folder(version, root)
    tidy, pci_table = (pd.read_parquet(folder / entry[name]["path"]) for name in FILES)
    return tidy, pci_table


def stored_pci(version: str, root, params_hash: str) -> pd.DataFrame | None:
    """The PCI table written at publish (without reading the tidy table), or None as ``stored``."""
    entry = stored_entry(version, root, params_hash)
    if entry is None:
        return None
    return pd.read_parquet(warehouse_access.version_folder(version, root) / entry["pci"]["path"])


def stored_supporting(version: str, root, params_hash: str) -> dict[str, pd.DataFrame] | None:
    """Every supporting table of ``supporting.QUERIES`` written at publish, or None when one is absent (a version
    published before they were) or they were computed with other parameters or code."""
    entry = stored_entry(version, root, params_hash)
    written = (entry or {}).get("supporting") or {}
    folder = warehouse_access.version_folder(version, root)
    paths = {name: folder / written[name]["path"] for name in supporting.QUERIES if name in written}
    if len(paths) < len(supporting.QUERIES) or not all(path.is_file() for path in paths.values()):
        return None
    return {name: pd.read_parquet(path) for name, path in paths.items()}


def stored_public(version: str, root, params_hash: str) -> pd.DataFrame | None:
    """The public table written at publish, or None when absent or computed with other parameters or code."""
    entry = stored_entry(version, root, params_hash)
    if entry is None or "public" not in entry:
        return None
    path = warehouse_access.version_folder(version, root) / entry["public"]["path"]
    return pd.read_parquet(path) if path.is_file() else None
