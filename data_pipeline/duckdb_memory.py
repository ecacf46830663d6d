"""DuckDB connections of the refresh with a memory budget: past it, DuckDB spills to a private temporary folder
instead of growing (by default it may take 80% of the machine's memory, and a national ledger makes it).

The folder is created with mode 0700 (``tempfile``) and removed when the connection is done with; what validation
spills there (raw returns included) never outlives the refresh.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile

import duckdb

# What each pipeline connection may hold in memory. Validation and publish run one after the other, so a refresh's
# peak is about this plus Python and the Arrow tables handed between them (issue 13: peak ≤ 1.5 GB at national size).
PIPELINE_MEMORY_MB = 768


def limit_memory(con: duckdb.DuckDBPyConnection, memory_mb: int = PIPELINE_MEMORY_MB) -> str:
    """Bound ``con``'s memory; returns the spill folder, which the caller removes with ``remove_spill``."""
    spill = tempfile.mkdtemp(prefix="sp-duckdb-spill-")
    con.execute(f"SET memory_limit = '{int(memory_mb)}MB'")
    con.execute(f"SET temp_directory = '{spill}'")
    return spill


def remove_spill(spill: str | None) -> None:
    if spill:
        shutil.rmtree(spill, ignore_errors=True)


@contextlib.contextmanager
def bounded_connection(memory_mb: int = PIPELINE_MEMORY_MB):
    """An in-memory connection with ``limit_memory`` applied; closed and its spill folder removed on exit."""
    con = duckdb.connect()
    spill = None
    try:
        spill = limit_memory(con, memory_mb)
        yield con
    finally:
        con.close()
        remove_spill(spill)
