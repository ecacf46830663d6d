"""Benchmark (not a test): computing the whole indicator catalogue on a national-size warehouse, time and memory per
indicator family, against one scan of the payment ledger measured in the same run.

    .venv/bin/python bench/benchmark_indicators.py [--warehouse DIR] [--data bench_data/national] [--regenerate]
                                                   [--scale national|national4]

Without --warehouse, the sample returns at --scale (``python -m data_pipeline.sample DIR --scale national``, or
national4 for 4x the ledger and registers; generated here when missing or with --regenerate) are refreshed into a
temporary warehouse first. Then, in one process: the floor - one DuckDB scan of the payment ledger reading every
column once (grouped by quarter, status, channel and cycle; best of three) - and the catalogue exactly as
``engine.compute_all`` runs it: open the version, install the helper views, every family's indicators, the PCI, and
the status/traceability pass that yields the tidy table. Wall and CPU seconds (the machine may be shared: CPU time
says what the work costs); memory is the process's peak resident set during each step (reset before each step
through /proc/self/clear_refs).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
# A national payments CSV is larger than the gate's default 100 MB per file (data_pipeline/gate/limits.py).
os.environ.setdefault("SP_GATE_MAX_FILE_MB", "2048")
DEFAULT_DATA = PROJECT / "bench_data" / "national"


def _rss_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _reset_peak() -> None:
    try:
        Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM (peak RSS) for this process
    except OSError:
        pass


def _measure(label: str, run, rows: list) -> object:
    _reset_peak()
    started, cpu = time.perf_counter(), time.process_time()
    result = run()
    rows.append((label, time.perf_counter() - started, time.process_time() - cpu, _rss_mb("VmHWM"), _rss_mb("VmRSS")))
    return result


# One pass over the ledger reading every column: the least any figure drawn from it can cost.
LEDGER_SCAN = """
    SELECT period, status, channel, cycle, count(*), count(payment_key), min(beneficiary_key), min(due_date),
           max(paid_date), sum(amount_due), sum(amount_paid), min(source_file)
    FROM mecg_payments GROUP BY ALL"""


def _warehouse_from_data(data: Path, regenerate: bool, tmp: Path, scale: str) -> Path:
    from data_pipeline.refresh import collect_return_files, refresh
    from data_pipeline.secrets import DEMO_HASH_KEY

    if regenerate or not data.exists():
        print(f"generating {scale} sample returns into {data} ...", flush=True)
        subprocess.run(
            [sys.executable, "-m", "data_pipeline.sample", str(data), "--scale", scale], check=True, cwd=PROJECT
        )
    root = tmp / "warehouse"
    started = time.perf_counter()
    result = refresh(collect_return_files(data), root=root, operator="benchmark", hash_key=DEMO_HASH_KEY)
    if not result.published:
        raise SystemExit(f"the benchmark returns were rejected:\n{result.report}")
    print(f"refreshed {data} into {root} in {time.perf_counter() - started:.1f} s", flush=True)
    return root


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, help="an existing warehouse (default: build one from --data)")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--scale", choices=("national", "national4"), default="national")
    args = parser.parse_args()

    from indicators import engine, pci
    from indicators.catalogue import all_indicators
    from indicators.parameters import load_parameters
    from indicators.warehouse_access import current_version, open_version

    with tempfile.TemporaryDirectory() as tmp:
        root = args.warehouse or _warehouse_from_data(args.data, args.regenerate, Path(tmp), args.scale)
        version = current_version(root)
        floor_con = open_version(version, root)
        payments = floor_con.execute("SELECT count(*) FROM mecg_payments").fetchone()[0]
        floor_rows: list = []
        for _ in range(3):
            _measure("ledger scan", lambda: floor_con.execute(LEDGER_SCAN).fetchall(), floor_rows)
        floor = min(floor_rows, key=lambda r: r[1])
        floor_con.close()

        rows: list = []
        started, cpu = time.perf_counter(), time.process_time()
        con = _measure("open version", lambda: open_version(version, root), rows)
        params = load_parameters()
        _measure("helper views", lambda: engine.prepare(con, params), rows)
        catalogue = all_indicators()
        families: dict[str, list] = {}
        for indicator in catalogue.values():
            if indicator.kind != "index":
                families.setdefault(indicator.area, []).append(indicator)
        for area, members in families.items():
            _measure(
                f"{area} ({len(members)})",
                lambda members=members: [engine.compute_into(con, i) for i in members],
                rows,
            )
        _measure("PCI", lambda: pci.compute(con, params), rows)
        tidy = _measure("status, sources, tidy table", lambda: engine.tidy_table(con, version, catalogue, params), rows)
        total, total_cpu = time.perf_counter() - started, time.process_time() - cpu
        con.close()

    peak = max(r[3] for r in rows)
    print(f"\nwarehouse {version}: {payments:,} payments; tidy table {len(tidy):,} rows")
    print(f"{'step / family (indicators)':34} {'wall s':>8} {'CPU s':>8} {'peak RSS MB':>12} {'RSS after MB':>13}")
    for label, seconds, cpu_seconds, peak_mb, after in [floor] + rows:
        print(f"{label:34} {seconds:8.2f} {cpu_seconds:8.2f} {peak_mb:12.0f} {after:13.0f}")
    print(f"{'whole catalogue':34} {total:8.2f} {total_cpu:8.2f} {peak:12.0f}")
    print(
        f"\nwhole catalogue = {total / floor[1]:.1f}x one ledger scan (wall; {total_cpu / max(floor[2], 1e-9):.1f}x in "
        f"CPU seconds); peak memory {peak:.0f} MB. Goal <= 5x, aim 2x (issue 13)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
