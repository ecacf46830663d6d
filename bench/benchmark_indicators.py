"""Benchmark (not a test): computing the whole indicator catalogue on a national-size warehouse, time and memory per
indicator family.

    .venv/bin/python bench/benchmark_indicators.py [--warehouse DIR] [--data bench_data/national] [--regenerate]

Without --warehouse, the national-scale sample returns (``python -m data_pipeline.sample bench_data/national
--scale national``; generated here when missing or with --regenerate) are refreshed into a temporary warehouse first.
Then, in one process: open the version, install the helper views, run every family's queries (one DuckDB query per
indicator), the PCI, and the status/traceability pass that yields the tidy table. Memory is the process's peak
resident set during each step (the peak is reset before each step through /proc/self/clear_refs).
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
    started = time.perf_counter()
    result = run()
    rows.append((label, time.perf_counter() - started, _rss_mb("VmHWM"), _rss_mb("VmRSS")))
    return result


def _warehouse_from_data(data: Path, regenerate: bool, tmp: Path) -> Path:
    from data_pipeline.refresh import collect_return_files, refresh
    from data_pipeline.secrets import DEMO_HASH_KEY

    if regenerate or not data.exists():
        print(f"generating national-scale sample returns into {data} ...", flush=True)
        subprocess.run(
            [sys.executable, "-m", "data_pipeline.sample", str(data), "--scale", "national"], check=True, cwd=PROJECT
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
    args = parser.parse_args()

    from indicators import engine, pci, status
    from indicators.catalogue import all_indicators
    from indicators.parameters import load_parameters
    from indicators.warehouse_access import current_version, open_version

    with tempfile.TemporaryDirectory() as tmp:
        root = args.warehouse or _warehouse_from_data(args.data, args.regenerate, Path(tmp))
        version = current_version(root)
        rows: list = []
        started = time.perf_counter()
        con = _measure("open version", lambda: open_version(version, root), rows)
        manifest_rows = con.execute("SELECT count(*) FROM mecg_payments").fetchone()[0]
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
                lambda members=members: [
                    con.execute(f"INSERT INTO ind_results {engine.indicator_query(i)}") for i in members
                ],
                rows,
            )
        _measure("PCI", lambda: pci.compute(con, params), rows)

        def finish():
            status.install_metadata(con, catalogue, params)
            engine._install_source_files(con, catalogue)  # noqa: SLF001  (the same steps compute_all runs)
            con.execute("SET VARIABLE data_version = ?", [version])
            con.execute("SET VARIABLE small_cell_threshold = ?", [params["general"]["small_cell_threshold"]])
            return con.execute(f"SELECT count(*) FROM ({status.STATUS_SQL})").fetchone()[0]

        tidy_rows = _measure("status + source files", finish, rows)
        total = time.perf_counter() - started

    print(f"\nwarehouse {version}: {manifest_rows:,} payments; tidy table {tidy_rows:,} rows")
    print(f"{'step / family (indicators)':34} {'seconds':>8} {'peak RSS MB':>12} {'RSS after MB':>13}")
    for label, seconds, peak, after in rows:
        print(f"{label:34} {seconds:8.2f} {peak:12.0f} {after:13.0f}")
    print(f"{'total':34} {total:8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
