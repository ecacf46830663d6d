"""Benchmark (not a test): reading a plain CSV return and staging it as validation does today (the raw grid read into a
table, then the staged rows copied out of it with their edge spaces trimmed) against trimming every cell while reading
into the one numbered table, the staged rows a view over it (issue 13; docs/DESIGN.md, "Measured in session 11").

    .venv/bin/python bench/benchmark_trim_on_read.py PATH.csv [--pairs N]

Each pair runs both ways on a fresh connection with the pipeline's memory budget (``duckdb_memory``), alternating which
goes first, and prints the CPU and wall of reading and staging, of one later full read of the staged rows (what the
typing query costs on top), and the spill folder's peak (sampled every 0.2 s). Both ways read the same cells: the
staged rows are compared (EXCEPT ALL both ways, row counts) after the last pair. Only the ledger's layout is assumed:
every column of the first line is a return column, the first line is the header.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import duckdb

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from data_pipeline.duckdb_memory import PIPELINE_MEMORY_MB  # noqa: E402
from data_pipeline.ingest.table import _edge_space  # noqa: E402


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _trimmed(cell: str) -> str:
    """The staging's rule for one cell (``TableValidation._stage``)."""
    return (
        f"CASE WHEN {cell} = '' THEN NULL WHEN {_edge_space(cell)} "
        f"THEN NULLIF(trim({cell}, ' \t\u00a0'), '') ELSE {cell} END"
    )


class Ways:
    def __init__(self, path: Path):
        with path.open(encoding="utf-8") as f:
            self.width = f.readline().count(",") + 1
        columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(self.width + 1))  # one spare, as the reader has
        self.read = (
            f"read_csv('{path}', header=false, auto_detect=false, encoding='utf-8', strict_mode=false, delim=',', "
            f"quote='\"', escape='\"', null_padding=true, columns={{{columns}}})"
        )
        self.cells = [f"c{i}" for i in range(self.width)]
        self.any_cell = " OR ".join(f"{c} IS NOT NULL" for c in self.cells)

    def today(self, con) -> None:
        """Grid table, its record count checked, staged rows copied out trimmed, grid dropped."""
        con.execute(f"CREATE TEMP TABLE grid AS SELECT * FROM {self.read}")
        con.execute(f"SELECT count(*), count(c{self.width}) FROM grid").fetchall()
        trimmed = ", ".join(f"{_trimmed(c)} AS {c}" for c in self.cells)
        con.execute(f"""CREATE TEMP TABLE stg AS SELECT * FROM (SELECT rowid + 1 AS src_row, {trimmed} FROM grid
                        WHERE rowid + 1 > 1) WHERE {self.any_cell}""")
        con.execute("DROP TABLE grid")

    def trim_on_read(self, con) -> None:
        """One table, every cell trimmed as it is read; the staged rows a view over it."""
        trimmed = ", ".join(f"{_trimmed(c)} AS {c}" for c in self.cells)
        con.execute(f"CREATE TEMP TABLE grid AS SELECT {trimmed}, c{self.width} FROM {self.read}")
        con.execute(f"SELECT count(*), count(c{self.width}) FROM grid").fetchall()
        con.execute(f"""CREATE TEMP VIEW stg AS SELECT * FROM (SELECT rowid + 1 AS src_row, {", ".join(self.cells)}
                        FROM grid WHERE rowid + 1 > 1) WHERE {self.any_cell}""")

    def one_full_read(self, con) -> None:
        joined = " || ".join(f"coalesce({c}, '')" for c in self.cells)
        con.execute(f"SELECT count(*), sum(src_row), max({joined}) FROM stg").fetchall()


def _measure(name: str, way, ways: Ways, keep: Path | None = None) -> None:
    spill = tempfile.mkdtemp(prefix="trim-on-read-spill-")
    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{PIPELINE_MEMORY_MB}MB'")
    con.execute(f"SET temp_directory = '{spill}'")
    peak, done = [0], threading.Event()

    def watch() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], sum(f.stat().st_size for f in Path(spill).rglob("*") if f.is_file()))
            done.wait(0.2)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        cpu, wall = _cpu_s(), time.perf_counter()
        way(con)
        staged = (_cpu_s() - cpu, time.perf_counter() - wall)
        cpu, wall = _cpu_s(), time.perf_counter()
        ways.one_full_read(con)
        read_again = (_cpu_s() - cpu, time.perf_counter() - wall)
        done.set()
        watcher.join()  # the spill's peak of the two steps above, not of the copy below
        if keep is not None:
            con.execute(f"COPY (SELECT * FROM stg ORDER BY src_row) TO '{keep}' (FORMAT parquet)")
    finally:
        done.set()
        watcher.join()
        con.close()
        shutil.rmtree(spill, ignore_errors=True)
    print(
        f"{name:14} read+stage {staged[0]:6.2f} cpu s {staged[1]:6.2f} wall s | one full read after "
        f"{read_again[0]:5.2f} cpu s {read_again[1]:5.2f} wall s | spill peak {peak[0] / 2**20:6,.0f} MB",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--pairs", type=int, default=3)
    args = parser.parse_args()
    ways = Ways(args.path)
    both = [("today", ways.today), ("trim on read", ways.trim_on_read)]
    with tempfile.TemporaryDirectory(prefix="trim-on-read-") as folder:
        kept = {name: Path(folder) / f"{i}.parquet" for i, (name, _) in enumerate(both)}
        for pair in range(args.pairs):
            for name, way in both if pair % 2 == 0 else both[::-1]:
                _measure(name, way, ways, kept[name] if pair == args.pairs - 1 else None)
        a, b = (f"read_parquet('{kept[name]}')" for name, _ in both)
        differ = duckdb.execute(
            f"SELECT (SELECT count(*) FROM (FROM {a} EXCEPT ALL FROM {b})), "
            f"(SELECT count(*) FROM (FROM {b} EXCEPT ALL FROM {a})), (SELECT count(*) FROM {a})"
        ).fetchall()[0]
        print(f"staged rows: {differ[2]:,}; only today's {differ[0]}, only trimmed on read {differ[1]}")


if __name__ == "__main__":
    main()
