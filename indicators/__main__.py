"""python -m indicators export OUT [--format csv|sdmx|opensdg] [--version V] [--warehouse DIR] [--public]
python -m indicators compute [--version V] [--warehouse DIR]

compute: after a change of the parameters file (or of the code that computes the figures), compute a version's
catalogue and its public (suppressed) table once, now, into the warehouse's cache, so that no reader waits for them
(a version is otherwise computed when it is published).

csv writes OUT itself when it ends in .csv, else OUT/indicators_<version>.csv; sdmx and opensdg write into the
directory OUT.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from . import api, export


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m indicators", description="Indicator exports.")
    sub = parser.add_subparsers(dest="command", required=True)
    ex = sub.add_parser("export", help="compute the catalogue on a warehouse version and write it out")
    ex.add_argument("out", type=Path)
    ex.add_argument("--format", choices=("csv", "sdmx", "opensdg"), default="csv")
    ex.add_argument("--version", help="warehouse version (default: the published one)")
    ex.add_argument("--warehouse", type=Path, help="warehouse folder (default: SP_WAREHOUSE or ./warehouse)")
    comp = sub.add_parser(
        "compute", help="compute a version's catalogue and public table now (after a parameters edit or an upgrade)"
    )
    comp.add_argument("--version", help="warehouse version (default: the published one)")
    comp.add_argument("--warehouse", type=Path, help="warehouse folder (default: SP_WAREHOUSE or ./warehouse)")
    ex.add_argument(
        "--public",
        action="store_true",
        help="a file for publication: the public table (hidden cells say suppressed, as on the dashboard)",
    )
    args = parser.parse_args(argv)

    version = args.version or api.current_version(args.warehouse)
    if version is None:
        print(f"error: no published warehouse version in {args.warehouse or 'the default warehouse'}", file=sys.stderr)
        return 2
    if args.command == "compute":
        started = time.monotonic()
        source = api.computed_where(version, args.warehouse)
        tidy = api.indicator_values(version, args.warehouse)
        public = api.public_table(version, args.warehouse)  # what public pages read: computed now too, not on a view
        print(
            f"version {version}: {len(tidy)} rows, {len(public)} public rows, {source} "
            f"({time.monotonic() - started:.1f} s)"
        )
        return 0
    tidy = api.indicator_values(version, args.warehouse, public=args.public)
    if args.format == "csv":
        target = args.out if args.out.suffix == ".csv" else args.out / f"indicators_{version}.csv"
        written = [export.write_csv(tidy, target)]
    elif args.format == "sdmx":
        written = export.write_sdmx(tidy, args.out)
    else:
        written = export.write_opensdg(tidy, args.out)
    with_data = tidy.loc[tidy["value"].notna(), "indicator_id"].nunique()
    print(f"version {version}: {len(tidy)} rows, {with_data} indicators with data")
    for path in written:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
