"""Benchmark (not a test): one meeting pack (issue 12), time per stage — data, charts, typesetting — next to one
read of the indicator table through ``dashboard.data`` (what the first page view of that audience costs).

    SP_WAREHOUSE=/path/to/national/warehouse .venv/bin/python bench/benchmark_pack.py [--lang lo]
        [--audience public|commission] [--province LA-AT] [--period 2022-Q2] [--out pack.pdf]

Goal: a national pack in under a minute on the project's machine (2 cores). The first pack of a process pays for
starting chromium (part of "charts"); the public audience's first read after a refresh pays for the public table
(bench/benchmark_public.py), which is on disk once any reader has asked for it.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import streamlit  # noqa: E402,F401  (its loggers must exist before they are quietened)

for _name in list(logging.root.manager.loggerDict):
    if _name.startswith("streamlit"):
        logging.getLogger(_name).setLevel(logging.ERROR)

from dashboard import data, i18n  # noqa: E402  (importable only after the sys.path line)
from dashboard.pack import build  # noqa: E402  (idem)
from dashboard.pack.request import AUDIENCES, checked_request  # noqa: E402  (idem)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", default="en", choices=sorted(i18n.LANGUAGES))
    parser.add_argument("--audience", default="public", choices=sorted(AUDIENCES))
    parser.add_argument("--province")
    parser.add_argument("--period")
    parser.add_argument("--out", type=Path, help="also write the PDF here")
    args = parser.parse_args()
    audience = AUDIENCES[args.audience]
    version = data.current_version()
    if version is None:
        raise SystemExit("no published version: set SP_WAREHOUSE to a warehouse (see bench/benchmark_pipeline.py)")
    with data.as_audience(audience), i18n.in_language(args.lang):
        started = time.perf_counter()
        rows = len(data.values(version))
        read_s = time.perf_counter() - started
        request = checked_request(
            version=version, period=args.period, province=args.province, language=args.lang, audience=audience
        )
    started = time.perf_counter()
    pack = build.build(request)
    total_s = time.perf_counter() - started
    print(f"version {version}, {args.audience}, {args.lang}, {request.province}: indicator table {rows:,} rows")
    print(f"one dashboard.data read (the table for this audience): {read_s:.2f} s")
    for stage, seconds in pack.seconds.items():
        print(f"  {stage:<12} {seconds:6.2f} s  ({seconds / max(read_s, 1e-9):5.1f}x the read)")
    print(
        f"pack: {total_s:.2f} s in all ({total_s / max(read_s, 1e-9):.1f}x the read), {len(pack.pdf) / 1024:,.0f} KB, "
        f"charts {'drawn' if pack.charts_drawn else 'NOT drawn (no browser)'}"
    )
    if args.out:
        args.out.write_bytes(pack.pdf)


if __name__ == "__main__":
    main()
