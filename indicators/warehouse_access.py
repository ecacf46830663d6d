"""The one place the indicators read the warehouse: ``data_pipeline.warehouse`` (docs/DESIGN.md §3).

Kept as a thin seam so the pages' API and the engine never reach into the pipeline's internals, and so the
conversions to what the pages want (DataFrames) live in one place.
"""

from __future__ import annotations

import weakref
from pathlib import Path

import pandas as pd

from data_pipeline import duckdb_memory, warehouse

# What DuckDB may hold while the catalogue is computed; past it, its tables and joins spill to a private folder.
# At 4x the national data the helper tables alone are 1.2 GB (issue 13: a refresh's peak <= 1.5 GB). With 1024 the
# CLI's 4x refresh, catalogue included, peaked at 1.545 GB (its own leftovers plus this budget); 928 keeps it at 1.45 GB
# for ~5% more time at 4x (spilling); 832 gave 1.35 GB but 13% more time.
CATALOGUE_MEMORY_MB = 928


def warehouse_root(root=None) -> Path:
    """``root`` itself, else the pipeline's default (SP_WAREHOUSE or <project>/warehouse)."""
    return Path(root) if root is not None else warehouse.warehouse_root()


def current_version(root=None) -> str | None:
    return warehouse.current_version(root)


def version_folder(version: str, root=None) -> Path:
    return warehouse.version_folder(version, root)


def read_manifest(version: str, root=None) -> dict:
    return warehouse.read_manifest(version, root)


def list_versions(root=None) -> pd.DataFrame:
    """Every complete version, newest first: version, created_at, operator, parent, table_rows, current, demo_key,
    audit ("completed", or "pending"/"missing" when the audit trail has no completed line for its publish)."""
    rows = [v.as_dict() for v in warehouse.list_versions(root)]
    return pd.DataFrame(
        rows, columns=["version", "created_at", "operator", "parent", "table_rows", "current", "demo_key", "audit"]
    )


def refresh_log(root=None) -> pd.DataFrame:
    """The audit trail: one row per refresh attempt and roll-back (a publish interrupted after its pending line
    shows as "pending (not completed)")."""
    return pd.DataFrame(warehouse.audit_entries(root))


def open_version(version: str | None = None, root=None):
    """In-memory DuckDB connection: one view per contract (empty when absent) + provinces/districts tables."""
    return warehouse.open_version(version, root)


def limit_memory(con) -> None:
    """Bound ``con``'s memory to ``CATALOGUE_MEMORY_MB`` (once per connection); the spill folder is removed when the
    connection is (DuckDB removes its files when the connection closes)."""
    if duckdb_memory.SPILL_PREFIX in con.execute("SELECT current_setting('temp_directory')").fetchone()[0]:
        return
    spill = duckdb_memory.limit_memory(con, CATALOGUE_MEMORY_MB)
    weakref.finalize(con, duckdb_memory.remove_spill, spill)


def lift_memory_limit(con) -> None:
    """Let ``con`` take DuckDB's default share of the machine again (its spill folder stays)."""
    con.execute("RESET memory_limit")
