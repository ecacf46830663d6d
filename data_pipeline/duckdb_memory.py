"""DuckDB connections of the refresh with a memory budget: past it, DuckDB spills to a private temporary folder
instead of growing (by default it may take 80% of the machine's memory, and a national ledger makes it).

The folder is created with mode 0700 (``tempfile``) and removed when the connection is done with; what validation
spills there (raw returns included) never outlives the refresh.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from pathlib import Path

import duckdb

# What each pipeline connection may hold in memory. Validation and publish run one after the other, so a refresh's
# peak is about this plus Python and the Arrow tables handed between them (issue 13: peak ≤ 1.5 GB at national size).
PIPELINE_MEMORY_MB = 768
SPILL_PREFIX = "sp-duckdb-spill-"
# A spill folder older than this belongs to a refresh that was killed (none runs for hours): it may hold raw return
# cells, so the next connection removes it.
STALE_SPILL_SECONDS = 6 * 3600


def limit_memory(con: duckdb.DuckDBPyConnection, memory_mb: int = PIPELINE_MEMORY_MB) -> str:
    """Bound ``con``'s memory; returns the spill folder, which the caller removes with ``remove_spill``."""
    remove_stale_spills()
    spill = tempfile.mkdtemp(prefix=SPILL_PREFIX)
    con.execute(f"SET memory_limit = '{int(memory_mb)}MB'")
    con.execute(f"SET temp_directory = '{spill}'")
    return spill


def remove_stale_spills(now: float | None = None) -> list[Path]:
    """Remove this user's spill folders left by a killed refresh (older than ``STALE_SPILL_SECONDS``)."""
    now = time.time() if now is None else now
    removed = []
    for folder in Path(tempfile.gettempdir()).glob(SPILL_PREFIX + "*"):
        try:
            info = folder.lstat()
        except OSError:
            continue
        if folder.is_dir() and info.st_uid == os.getuid() and now - info.st_mtime > STALE_SPILL_SECONDS:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


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
