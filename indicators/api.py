"""The only module the Streamlit pages import for data (docs/DESIGN.md §4-5). Fixed interface; see each docstring.

``indicator_values`` and ``public_table`` are computed once per (warehouse version, parameters file, indicator code):
at publish, into the version itself (``published``), or, when the parameters or the code have changed since, on
demand and kept next to the warehouse in ``<warehouse>/cache/<version>/``; in memory either way.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from . import disclosure, engine, published, stored_figures, supporting, warehouse_access
from .catalogue import all_indicators
from .parameters import load_parameters, parameters_path, target_for

DAYS_LATE_BINS = supporting.DAYS_LATE_BINS
SUPPORTING_TABLES = supporting.NAMES


def current_version(root=None) -> str | None:
    return warehouse_access.current_version(root)


def version_info(version: str, root=None) -> dict:
    """The version's manifest: created_at, operator, parent, tables (rows, files, periods), warnings ..."""
    return warehouse_access.read_manifest(version, root)


def list_versions(root=None) -> pd.DataFrame:
    return warehouse_access.list_versions(root)


def refresh_log(root=None) -> pd.DataFrame:
    return warehouse_access.refresh_log(root)


def parameters() -> dict:
    """The parsed parameters file (small_cell_threshold is under ["general"])."""
    return load_parameters()


def catalogue() -> pd.DataFrame:
    """One row per indicator, with its documentation, baseline and targets from the parameters file."""
    params = load_parameters()
    rows = []
    for ind in all_indicators().values():
        target = target_for(params, ind.id)
        rows.append(
            {
                "indicator_id": ind.id,
                "short_name": ind.short_name,
                "long_name": ind.long_name,
                "area": ind.area,
                "sdg_series": ind.sdg_series,
                "unit": ind.unit,
                "polarity": ind.polarity,
                "kind": ind.kind,
                "frequency": ind.frequency,
                "disaggregations": list(ind.disaggregations),
                "breakdowns": list(ind.breakdowns),
                "sources": list(ind.sources),
                "numerator_label": ind.numerator_label,
                "denominator_label": ind.denominator_label,
                "method_note": ind.method_note,
                "pending_label": ind.pending_label,
                "baseline_year": target.get("baseline_year"),
                "baseline_value": target.get("baseline_value"),
                "target_2025": target.get("target_2025"),
                "target_2030": target.get("target_2030"),
                "illustrative_targets": bool(params["meta"]["illustrative"]),
            }
        )
    return pd.DataFrame(rows)


def indicator_values(version: str, root=None, public: bool = False) -> pd.DataFrame:
    """The whole tidy table of DESIGN.md §4 for ``version``.

    ``public=True``: the rows anything public shows, as ``public_table`` hides them (without its pseudo-rows).
    """
    if public:
        params = parameters_in_use()
        root_path = str(warehouse_access.warehouse_root(root))
        return _public_values_cached(version, root_path, params["_path"], params["_hash"]).copy()
    return _computed(version, root)[0].copy()


def public_table(version: str, root=None) -> pd.DataFrame:
    """The one disclosure decision of a version (``indicators.disclosure.public_table``): every figure any public
    page, download or export shows, small cells and their complements hidden (``suppressed``), the referral funnel
    included as pseudo-rows. Written into the version at publish (``published``); after a parameters edit or a code
    change, computed once and kept next to the indicator cache."""
    params = parameters_in_use()
    root_path = str(warehouse_access.warehouse_root(root))
    return _public_cached(version, root_path, params["_path"], params["_hash"]).copy()


def public_rows(version: str, indicator_ids: Iterable[str], root=None) -> pd.DataFrame:
    """The rows of ``public_table`` of ``indicator_ids`` alone, in the table's order and with its index labels: what
    the public referral funnel, payments by days late or PCI are cut from, without copying the whole table
    (~120,000 rows, ~46 MB on national data: 4-36 ms a copy) for each of them on a page's first view."""
    params = parameters_in_use()
    root_path = str(warehouse_access.warehouse_root(root))
    table, positions = _public_by_indicator(version, root_path, params["_path"], params["_hash"])
    chosen = [positions[i] for i in dict.fromkeys(indicator_ids) if i in positions]
    return table.take(np.sort(np.concatenate(chosen)) if chosen else np.empty(0, dtype=np.intp))


def public_periods(version: str, root=None) -> list[str]:
    """The distinct periods of ``indicator_values(version, public=True)`` (a null among them where a row has none),
    in no particular order: read from two columns of the table written at publish while it matches the parameters
    and code in use (a page's filters need no more), else taken from the whole table."""
    params = parameters_in_use()
    root_path = str(warehouse_access.warehouse_root(root))
    return list(_public_periods_cached(version, root_path, params["_path"], params["_hash"]))


@lru_cache(maxsize=8)
def _public_periods_cached(version: str, root: str, params_path: str, params_hash: str) -> tuple[str | None, ...]:
    stored = stored_figures.stored_public_periods(version, root, params_hash, disclosure.PSEUDO_INDICATORS)
    if stored is not None:
        return tuple(stored)
    rows = _public_values_cached(version, root, params_path, params_hash)
    return tuple(None if pd.isna(period) else period for period in rows["period"].unique())


@lru_cache(maxsize=8)
def _public_by_indicator(
    version: str, root: str, params_path: str, params_hash: str
) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    table = _public_cached(version, root, params_path, params_hash)
    return table, {str(i): rows for i, rows in table.groupby("indicator_id", sort=False).indices.items()}


def supporting_table(version: str, name: str, root=None) -> pd.DataFrame:
    """An aggregate table charted beside the indicators; ``name`` is one of ``SUPPORTING_TABLES``."""
    if name not in supporting.NAMES:
        raise ValueError(f"no supporting table {name!r}; expected one of {', '.join(supporting.NAMES)}")
    if name == "pci":
        return _pci(version, root).copy()
    params = parameters_in_use()
    root_path = str(warehouse_access.warehouse_root(root))
    return _supporting_one(version, root_path, params["_hash"], name).copy()


@lru_cache(maxsize=32)
def _supporting_one(version: str, root: str, params_hash: str, name: str) -> pd.DataFrame:
    """One supporting table: read alone when it was written at publish (a page's first view reads the few it shows,
    not all seven files), else out of ``_supporting_cached``."""
    at_publish = stored_figures.stored_supporting_table(version, root, params_hash, name)
    return at_publish if at_publish is not None else _supporting_cached(version, root, params_hash)[name]


@lru_cache(maxsize=4)
def _supporting_cached(version: str, root: str, params_hash: str) -> dict[str, pd.DataFrame]:
    """Every supporting table of a version: the ones written at publish while they match the parameters and code in
    use, else from ONE prepared connection: preparing it (macros, materialised helper views) costs seconds on
    national data, the queries themselves little; the meeting pack reads them all."""
    at_publish = stored_figures.stored_supporting(version, root, params_hash)
    if at_publish is not None:
        return at_publish
    con = warehouse_access.open_version(version, root)
    try:
        engine.prepare(con, load_parameters())
        return {name: con.execute(query).df() for name, query in supporting.QUERIES.items()}
    finally:
        con.close()


def computed_where(version: str, root=None) -> str:
    """Where ``indicator_values`` finds the version's figures for the parameters and code in use now: "stored at
    publish", "in the cache" or "computed now" (it will be, on first use)."""
    params = parameters_in_use()
    if stored_figures.stored_entry(version, root, params["_hash"]):
        return "stored at publish"
    return "in the cache" if all(p.exists() for p in _cache_files(version, root, params["_hash"])) else "computed now"


def clear_cache() -> None:
    """Forget the in-memory results (after a refresh or a parameters edit in the same process)."""
    _computed_cached.cache_clear()
    _public_cached.cache_clear()
    _public_values_cached.cache_clear()
    _public_periods_cached.cache_clear()
    _public_by_indicator.cache_clear()
    _supporting_cached.cache_clear()
    _supporting_one.cache_clear()
    _parameters_of.cache_clear()
    _stored_pci.cache_clear()
    stored_figures.forget_manifests()


def parameters_in_use() -> dict:
    """The parameters file as it is now, for its path and hash (read only: not to be modified), parsed again only
    when the file changes (its path, size or modification time): each reading function keys its cache on them, and
    parsing and checking the file took ~1.5 ms a call, ten calls in a first view of the coordination page."""
    path = parameters_path()
    try:
        stat = path.stat()
    except OSError:
        return load_parameters()  # raises the error naming the file
    return _parameters_of(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=4)
def _parameters_of(path: str, modified_ns: int, size: int) -> dict:
    return load_parameters(Path(path))


# --------------------------------------------------------------------------------------------------- computation
def _computed(version: str, root) -> tuple[pd.DataFrame, pd.DataFrame]:
    params = parameters_in_use()
    root_path = str(warehouse_access.warehouse_root(root))
    return _computed_cached(version, root_path, params["_path"], params["_hash"])


def _pci(version: str, root) -> pd.DataFrame:
    """The PCI table: the one written at publish, read alone, while it matches the parameters and code in use; else
    the one computed with the tidy table."""
    params = parameters_in_use()
    root_path = str(warehouse_access.warehouse_root(root))
    stored = _stored_pci(version, root_path, params["_hash"])
    if stored is not None:
        return stored
    return _computed_cached(version, root_path, params["_path"], params["_hash"])[1]


@lru_cache(maxsize=8)
def _stored_pci(version: str, root: str, params_hash: str) -> pd.DataFrame | None:
    return stored_figures.stored_pci(version, root, params_hash)


def _cache_files(version: str, root, params_hash: str) -> tuple[Path, Path]:
    cache_dir = warehouse_access.warehouse_root(root) / "cache" / version
    stem = f"{params_hash}-{published.code_hash()}"
    return cache_dir / f"{stem}.parquet", cache_dir / f"{stem}.pci.parquet"


@lru_cache(maxsize=8)
def _computed_cached(version: str, root: str, params_path: str, params_hash: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The tables written at publish when they match the parameters and code in use, else the disk cache, else
    computed now (after a parameters edit or a code change) and cached."""
    at_publish = stored_figures.stored(version, root, params_hash)
    if at_publish is not None:
        return at_publish
    tidy_file, pci_file = _cache_files(version, root, params_hash)
    if tidy_file.exists() and pci_file.exists():
        return pd.read_parquet(tidy_file), pd.read_parquet(pci_file)
    con = warehouse_access.open_version(version, root)
    try:
        tidy, pci_table = published.compute(con, version, load_parameters(Path(params_path)))
    finally:
        engine.close(con)
    write_cache(tidy, tidy_file)
    write_cache(pci_table, pci_file)
    return tidy, pci_table


@lru_cache(maxsize=8)
def _public_cached(version: str, root: str, params_path: str, params_hash: str) -> pd.DataFrame:
    """The public table written at publish when it matches the parameters and code in use, else the disk cache, else
    computed now and cached."""
    at_publish = stored_figures.stored_public(version, root, params_hash)
    if at_publish is not None:
        return at_publish
    path = Path(root) / "cache" / version / f"{params_hash}-{published.code_hash()}.public.parquet"
    if path.exists():
        return pd.read_parquet(path)
    tidy = _computed_cached(version, root, params_path, params_hash)[0]
    tables = {name: supporting_table(version, name, root) for name in published.PUBLIC_SUPPORTING}
    table = published.public_of(tidy, tables, load_parameters(Path(params_path)))
    write_cache(table, path)
    return table


@lru_cache(maxsize=8)
def _public_values_cached(version: str, root: str, params_path: str, params_hash: str) -> pd.DataFrame:
    """The public table without its pseudo-rows, filtered once per version: a page's first view paid for it. They
    come last (``disclosure.public_table`` appends them), so the rest is a slice, not a copy of every column: taking
    the rows of a freshly read ~120,000-row table cost ~50 ms of each first view (issue 13)."""
    table = _public_cached(version, root, params_path, params_hash)
    pseudo = table["indicator_id"].isin(disclosure.PSEUDO_INDICATORS).to_numpy()
    kept = int(len(pseudo) - pseudo.sum())
    if not pseudo[:kept].any():
        return table.iloc[:kept].reset_index(drop=True)
    return table[~pseudo].reset_index(drop=True)


def write_cache(frame: pd.DataFrame, path: Path) -> None:
    """Write a cache file atomically (temp file + rename). Best effort: a read-only warehouse means no disk cache."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        frame.to_parquet(tmp, index=False)
        os.replace(tmp, path)
    except OSError:
        pass
