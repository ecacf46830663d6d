"""Benchmark (not a test): building the public, suppressed indicator table of one warehouse version.

The public table is decided at publish (``indicators.published``: derived/public.parquet), so this is what every
refresh pays for it (and, after a parameters or code change, the first anonymous visitor). Prints the time next to
loading the indicator table itself, and the CPU seconds (wall time on a busy 2-core machine includes waiting).

    SP_WAREHOUSE=/path/to/national/warehouse .venv/bin/python bench/benchmark_public.py [--full]

``--full`` also suppresses the table with the district x breakdown cells the public never sees (slow: minutes).
``--province LA-AT`` also times the table of an account limited to that province (``data.scoped_values``), which its
first page view after a refresh waits for.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dashboard import data  # noqa: E402  (importable only after the sys.path line)
from indicators import api, disclosure as suppression  # noqa: E402  (idem)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="also time suppression of every row (minutes)")
    parser.add_argument("--province", action="append", default=[], help="also time a province-scoped table")
    args = parser.parse_args()
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    version = api.current_version()
    if version is None:
        raise SystemExit("no published version: set SP_WAREHOUSE to a warehouse (see bench/benchmark_pipeline.py)")
    started = time.perf_counter()
    tidy = api.indicator_values(version)
    load_s = time.perf_counter() - started
    funnel = api.supporting_table(version, "referral_funnel")
    days_late = api.supporting_table(version, "days_late_distribution")
    started, cpu = time.perf_counter(), time.process_time()
    table = suppression.public_table(tidy, data.threshold(), funnel=funnel, with_primary=True, days_late=days_late)
    public_s, public_cpu = time.perf_counter() - started, time.process_time() - cpu
    primary = int(table.pop("primary_suppressed").sum())
    public = table[~table["indicator_id"].isin(suppression.PSEUDO_INDICATORS)].reset_index(drop=True)
    print(f"version {version}: indicator table {len(tidy):,} rows, loaded in {load_s:.2f} s")
    print(
        f"public table: {len(table):,} rows (funnel included), {int(table['suppressed'].sum()):,} suppressed "
        f"({primary:,} small, the rest complements), {public_s:.2f} s, CPU {public_cpu:.2f} s "
        f"({public_s / max(load_s, 1e-9):.1f}x the load)"
    )
    started = time.perf_counter()
    recoverable = suppression.audit(table, suppression.public_rows(tidy, funnel, days_late))
    print(
        f"audit (every equation that holds, solved together): {len(recoverable)} recoverable rows, "
        f"{time.perf_counter() - started:.2f} s"
    )
    for province in args.province:
        started = time.perf_counter()
        scoped = data.scoped_values(tidy, public, province)
        seconds = time.perf_counter() - started
        before = public["suppressed"].to_numpy()
        after = scoped["suppressed"].iloc[: len(public)].to_numpy()
        own = (public["province"] == province).to_numpy()
        print(
            f"scoped to {province}: {len(scoped):,} rows, {int((before & own).sum()):,} own cells shown, "
            f"{int((after & ~before).sum()):,} more cells of other provinces hidden, {seconds:.2f} s"
        )
    if args.full:
        started = time.perf_counter()
        everything = suppression.suppress(tidy, data.threshold())
        print(
            f"every row suppressed together: {int(everything['suppressed'].sum()):,} suppressed, "
            f"{time.perf_counter() - started:.1f} s"
        )


if __name__ == "__main__":
    main()
