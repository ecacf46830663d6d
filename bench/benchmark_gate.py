"""Benchmark (not a test): what the gate and the reader's memory budget cost, and what each hostile return costs.

    .venv/bin/python bench/benchmark_gate.py [--big-rows 200000]

1. Per hostile file of tests/hostile_files.py: ``python -m data_pipeline refresh`` in a fresh subprocess onto an
   empty warehouse; exit code, wall time and peak RSS (ru_maxrss of the CLI and of the reader it forks).
   Then the far-cell workbook handed to the reader directly (no gate): the budgeted child fails, the caller lives.
2. The sample returns: time of the gate's inspection, and of reading every workbook inline vs in the budgeted child.
3. One big workbook (``--big-rows`` rows x 12 columns, written with XlsxWriter): the same three times.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))


def run_cli(folder: Path, warehouse: Path, env: dict) -> tuple[int, float, float, str]:
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "data_pipeline", "refresh", str(folder), "--warehouse", str(warehouse), "--demo-key"],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    out = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    # ru_maxrss of the waited child covers its own waited children too (the forked reader): the larger of them.
    return os.waitstatus_to_exitcode(status), wall, usage.ru_maxrss / 1024, out


def hostile_files() -> None:
    from tests.hostile_files import SMALL_FILE_LIMIT_MB, corpus

    env = {**os.environ, "PYTHONPATH": str(PROJECT), "SP_GATE_MAX_FILE_MB": SMALL_FILE_LIMIT_MB}
    print(f"{'hostile file':32} {'exit':>4} {'wall s':>7} {'peak RSS MB':>12}  first line of the file's report")
    for hostile in corpus():
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "returns"
            folder.mkdir()
            (folder / hostile.name).write_bytes(hostile.data)
            code, wall, rss, out = run_cli(folder, Path(tmp) / "warehouse", env)
            said = next(
                (line.strip() for line in out.splitlines() if line.strip().startswith(("ERROR", "WARNING"))), ""
            )
            print(f"{hostile.name[:32]:32} {code:>4} {wall:>7.2f} {rss:>12.0f}  {said[:90]}")


_PAST_THE_GATE = """
import sys, duckdb
from pathlib import Path
from data_pipeline.ingest import ReadError, read_return_tables
try:
    read_return_tables(duckdb.connect(), Path(sys.argv[1]))
except ReadError as error:
    print(error)
"""


def past_the_gate() -> None:
    """The far-cell workbook handed straight to the reader (no gate): calamine's 512 GB request fails in the child."""
    from tests.hostile_files import corpus

    far = next(h for h in corpus() if h.name == "far_cell.xlsx")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / far.name
        path.write_bytes(far.data)
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-c", _PAST_THE_GATE, str(path)],
            cwd=PROJECT,
            env={**os.environ, "PYTHONPATH": str(PROJECT)},
            stdout=subprocess.PIPE,
            text=True,
        )
        out = process.stdout.read().strip()
        _, status, usage = os.wait4(process.pid, 0)
        print(
            f"far_cell.xlsx past the gate: exit {os.waitstatus_to_exitcode(status)}, "
            f"{time.perf_counter() - started:.2f} s, peak RSS {usage.ru_maxrss / 1024:.0f} MB: {out}"
        )


def timings(label: str, paths: list[Path]) -> None:
    from data_pipeline import gate
    from data_pipeline.ingest.readers import workbook_grids

    budget = gate.configured_limits().read_memory_bytes
    books = [p for p in paths if p.suffix == ".xlsx"]
    for p in books[:1]:
        workbook_grids(str(p))  # warm the reader once
    started = time.perf_counter()
    for p in paths:
        gate.inspect_path(p)
    inspected = time.perf_counter() - started
    started = time.perf_counter()
    for p in books:
        workbook_grids(str(p))
    inline = time.perf_counter() - started
    started = time.perf_counter()
    for p in books:
        gate.run_with_memory_budget(workbook_grids, str(p), memory_bytes=budget)
    child = time.perf_counter() - started
    print(
        f"{label}: {len(paths)} files ({len(books)} workbooks): gate inspection {inspected:.2f} s; reading the "
        f"workbooks inline {inline:.2f} s, in the budgeted child {child:.2f} s (+{child - inline:.2f} s)"
    )


def big_workbook(path: Path, rows: int) -> Path:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("data")
    for r in range(rows):
        sheet.write_row(
            r,
            0,
            [
                f"ID-{r}",
                "Attapeu",
                "Sanamxay",
                r % 90,
                "F",
                "2022-05-31",
                r * 1.5,
                "yes",
                "text " * 3,
                r,
                r % 7,
                "2022-Q2",
            ],
        )
    book.close()
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--big-rows", type=int, default=200_000)
    args = parser.parse_args()
    hostile_files()
    past_the_gate()
    print()
    from data_pipeline.refresh import collect_return_files

    timings("sample_data", collect_return_files(PROJECT / "sample_data"))
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        big = big_workbook(Path(tmp) / "big.xlsx", args.big_rows)
        print(
            f"big workbook: {args.big_rows:,} rows x 12 columns, {big.stat().st_size / 2**20:.1f} MB "
            f"(written in {time.perf_counter() - started:.1f} s)"
        )
        timings("big workbook", [big])
    print(f"\npeak RSS of this script: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
