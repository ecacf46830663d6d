"""Reading the figures a publish stored inside a version (``published.derive`` writes them; DESIGN.md §4).

Apart from ``published`` so that the indicator code's hash (``published.code_hash``: the modules ``derive`` runs)
does not cover it: an edit of how stored figures are read leaves every version's stored figures valid. Each reader
returns None when the stored tables are absent or were computed with other parameters or code; the caller then
computes on demand (``api``).
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from . import published, supporting, warehouse_access


def stored_entry(version: str, root, params_hash: str) -> dict | None:
    """The manifest's ``derived`` entry when its files exist and were computed with these parameters and this code."""
    entry = _derived_entry(version, root)
    if entry.get("parameters_hash") != params_hash or entry.get("code_hash") != published.code_hash():
        return None
    folder = warehouse_access.version_folder(version, root)
    return entry if all((folder / entry[name]["path"]).is_file() for name in published.FILES) else None


def _derived_entry(version: str, root) -> dict:
    """The manifest's ``derived`` entry (a copy), the manifest read again only when its file changes (path, size,
    modification time): it is ~215 KB on national data (every table's files) and a page's first view asks for the
    entry once per stored table."""
    path = warehouse_access.version_folder(version, root) / "manifest.json"
    try:
        info = path.stat()
    except OSError:
        return warehouse_access.read_manifest(version, root).get("derived") or {}  # the warehouse's own error
    return copy.deepcopy(_derived_entry_of(str(path), info.st_mtime_ns, info.st_size, version, root))


@functools.lru_cache(maxsize=16)
def _derived_entry_of(path: str, modified_ns: int, size: int, version: str, root) -> dict:
    return warehouse_access.read_manifest(version, root).get("derived") or {}


def forget_manifests() -> None:
    """Read every manifest again on its next use (``api.clear_cache``)."""
    _derived_entry_of.cache_clear()


def stored(version: str, root, params_hash: str) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """The tidy and PCI tables written at publish, or None when absent or computed with other parameters or code."""
    entry = stored_entry(version, root, params_hash)
    if entry is None:
        return None
    folder = warehouse_access.version_folder(version, root)
    tidy, pci_table = (pd.read_parquet(folder / entry[name]["path"]) for name in published.FILES)
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
    paths = _supporting_paths(version, root, params_hash)
    return None if paths is None else {name: pd.read_parquet(path) for name, path in paths.items()}


def stored_supporting_table(version: str, root, params_hash: str, name: str) -> pd.DataFrame | None:
    """One table of ``stored_supporting``, read alone (a page needs a few of them), or None as there."""
    paths = _supporting_paths(version, root, params_hash)
    return None if paths is None else pd.read_parquet(paths[name])


def _supporting_paths(version: str, root, params_hash: str) -> dict[str, Path] | None:
    entry = stored_entry(version, root, params_hash)
    written = (entry or {}).get("supporting") or {}
    folder = warehouse_access.version_folder(version, root)
    paths = {name: folder / written[name]["path"] for name in supporting.QUERIES if name in written}
    if len(paths) < len(supporting.QUERIES) or not all(path.is_file() for path in paths.values()):
        return None
    return paths


def stored_public(version: str, root, params_hash: str) -> pd.DataFrame | None:
    """The public table written at publish, or None when absent or computed with other parameters or code."""
    path = _public_path(version, root, params_hash)
    return None if path is None else pd.read_parquet(path)


def stored_public_periods(version: str, root, params_hash: str, left_out: Iterable[str]) -> list[str] | None:
    """The distinct periods of the public table written at publish, the rows of the indicators in ``left_out``
    left out, in no particular order (a null period among them); None as ``stored_public``. Two columns read as
    dictionaries: what a page's filters list, without reading the whole table (~120,000 rows, 31 columns: 40-60 ms of
    every first view after a publish, the app's empty page included)."""
    path = _public_path(version, root, params_hash)
    if path is None:
        return None
    columns = ["indicator_id", "period"]
    # One dictionary for every row group, then one chunk: a file of several row groups reads as one.
    table = pq.read_table(path, columns=columns, read_dictionary=columns).unify_dictionaries().combine_chunks()
    indicators, periods = (table[name].combine_chunks() for name in columns)
    kept = pc.invert(pc.is_in(indicators, value_set=pa.array(sorted(left_out), pa.string())))
    codes = pc.unique(periods.indices.filter(kept))
    return periods.dictionary.take(codes).to_pylist()


def _public_path(version: str, root, params_hash: str) -> Path | None:
    entry = stored_entry(version, root, params_hash)
    if entry is None or "public" not in entry:
        return None
    path = warehouse_access.version_folder(version, root) / entry["public"]["path"]
    return path if path.is_file() else None
