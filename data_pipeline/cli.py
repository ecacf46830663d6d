"""``python -m data_pipeline``: what the upload page does, from a terminal.

Exit codes: 0 success (published), 1 returns rejected (the full report is printed), 2 usage or setup error.
A Secretariat officer never sees a traceback: expected problems print one line; unexpected ones a short message and
a hint to rerun with ``--debug``.
"""

from __future__ import annotations

import argparse
import csv
import importlib
import sys
from collections import defaultdict
from pathlib import Path

from data_pipeline import coverage
from data_pipeline import refresh as refresh_mod
from data_pipeline import warehouse
from data_pipeline.gate.formula_text import neutralise_text
from data_pipeline.report import ValidationReport
from data_pipeline.secrets import DEMO_HASH_KEY, MissingHashKey, hash_key

SAMPLE_DATA_DIR = warehouse.PROJECT_ROOT / "sample_data"
ISSUES_SHOWN_PER_FILE = 200  # beyond this the printed report points to --report FILE.csv
UNAUDITED_MARK = "[NOT AUDITED]"
AREAS_SHOWN_PER_TABLE = 20


class UsageError(Exception):
    """A problem with what was asked (missing folder, unknown version): one line, exit 2."""


def _progress(fraction: float, message: str) -> None:
    print(f"[{fraction:4.0%}] {message}", file=sys.stderr, flush=True)


def _is_sample_data(src: Path) -> bool:
    return src.resolve() == SAMPLE_DATA_DIR.resolve()


def _key_for(src: Path, demo_key: bool) -> bytes:
    if demo_key or _is_sample_data(src):
        why = "--demo-key" if demo_key else "the bundled sample data"
        print(
            f"note: using the public DEMO hash key ({why}); for sample data only, never for real returns",
            file=sys.stderr,
        )
        return DEMO_HASH_KEY
    return hash_key()


def _return_files(src: Path) -> list[Path]:
    try:
        paths = refresh_mod.collect_return_files(src)
    except FileNotFoundError as e:
        raise UsageError(str(e)) from None
    if not paths:
        raise UsageError(f"no returns (.xlsx, .csv, .parquet) found in {src}")
    return paths


def print_report(report: ValidationReport, out=None, limit: int = ISSUES_SHOWN_PER_FILE) -> None:
    """The report grouped by file, files with errors first, and in each file errors before warnings."""
    out = out or sys.stdout
    print(report.summary(), file=out)
    by_file: dict[str, list] = defaultdict(list)
    for issue in report.issues:
        by_file[issue.file].append(issue)
    for file in sorted(by_file, key=lambda f: (not any(i.severity == "error" for i in by_file[f]), f)):
        issues = sorted(
            by_file[file], key=lambda i: (i.severity != "error", i.sheet or "", i.row if i.row is not None else -1)
        )
        errors = sum(i.severity == "error" for i in issues)
        print(f"\n{file}: {errors} error(s), {len(issues) - errors} warning(s)", file=out)
        for issue in issues[:limit]:
            where = ", ".join(
                p
                for p in (
                    f"sheet '{issue.sheet}'" if issue.sheet else "",
                    f"row {issue.row}" if issue.row is not None else "",
                    f"column '{issue.column}'" if issue.column else "",
                )
                if p
            )
            print(f"  {issue.severity.upper():7} {where + ': ' if where else ''}{issue.message}", file=out)
        if len(issues) > limit:
            print(f"  … {len(issues) - limit} more; write them all with --report FILE.csv", file=out)


def _write_report_csv(report: ValidationReport, path: Path) -> None:
    columns = ["file", "sheet", "row", "column", "severity", "message", "code"]
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns)
        writer.writeheader()
        # Formula-safe, like every other export: a file name or quoted cell beginning with = is not run.
        writer.writerows({c: neutralise_text(r[c]) for c in columns} for r in report.to_records())
    print(f"issue table written to {path}", file=sys.stderr)


# ---------------------------------------------------------------------------------------------------------- commands
def print_removals(removals: list[warehouse.Removal], out=None) -> None:
    out = out or sys.stdout
    print(
        f"Rows that would be removed ({sum(r.rows for r in removals):,}): published rows the returns do not hold",
        file=out,
    )
    print(f"  {'table':20} {'period':8} {'province':8} {'rows':>8}", file=out)
    for r in removals:
        print(f"  {r.table:20} {r.period or '-':8} {r.province or '-':8} {r.rows:>8,}", file=out)


def print_changes(changes: list[dict], out=None, areas_shown: int = AREAS_SHOWN_PER_TABLE) -> None:
    """What the publish did per table: the cells replaced (by period and province), rows kept, rows removed."""
    out = out or sys.stdout
    for c in changes:
        if c["action"] == "carried":
            continue
        if c["action"] == "new":
            print(f"  {c['table']:20} new      {c['rows_after']:,} rows", file=out)
            continue
        grain = " × ".join(c.get("covers") or []) or "whole table"
        kept = c["rows_before"] - c.get("rows_replaced", 0)
        print(
            f"  {c['table']:20} {c['action']:8} by {grain}: {c.get('rows_replaced', 0):,} published row(s) "
            f"replaced, {kept:,} kept, {c.get('rows_removed', 0):,} removed; {c['rows_before']:,} -> "
            f"{c['rows_after']:,} rows",
            file=out,
        )
        areas = c.get("areas") or []
        for a in areas[:areas_shown]:
            where = " ".join(p for p in (a["period"], a["province"]) if p) or "all"
            removed = f", {a['rows_removed']:,} removed" if a["rows_removed"] else ""
            print(f"      {where}: {a['rows_before']:,} -> {a['rows_after']:,} row(s){removed}", file=out)
        if len(areas) > areas_shown:
            print(f"      … and {len(areas) - areas_shown} more period/province cell(s)", file=out)


def print_coverage(frame, out=None) -> None:
    """Per source and period: provinces covered, partly covered, missing (and which)."""
    out = out or sys.stdout
    for row in coverage.summary(frame).itertuples():
        gaps = "; ".join(
            p
            for p in (
                f"partly: {row.partly_covered_provinces}" if row.partly_covered else "",
                f"missing: {row.missing_provinces}" if row.missing else "",
            )
            if p
        )
        print(
            f"  {row.source:20} {row.period:8} {row.covered:>2} covered, {row.partly_covered:>2} partly covered, "
            f"{row.missing:>2} missing, {row.never_reported:>2} never reported" + (f"  ({gaps})" if gaps else ""),
            file=out,
        )


def _indicator_derivation():
    """The indicator layer's publish hook (``indicators.published.derive``): a version is published with its
    indicators computed. Found by name because the pipeline imports nothing of the layers above it; None (the
    indicators are then computed on first view) when that layer is not installed next to the pipeline."""
    try:
        return importlib.import_module("indicators.published").derive
    except ModuleNotFoundError:
        return None


def cmd_refresh(args) -> int:
    src = Path(args.src_dir)
    paths = _return_files(src)
    key = _key_for(src, args.demo_key)
    result = refresh_mod.refresh(
        paths,
        root=args.warehouse,
        operator=args.operator,
        hash_key=key,
        progress=_progress,
        replace_whole_periods=args.replace_whole_periods,
        confirm_removals=args.confirm_removals,
        derive=_indicator_derivation(),
    )
    if args.report:
        _write_report_csv(result.report, Path(args.report))
    if not result.published:
        print(f"REJECTED: nothing was published; {result.previous_version or 'no version'} is still current.\n")
        if result.removals:
            print_removals(result.removals)
            print(
                "To publish these returns and remove those rows, run the same command again with --confirm-removals.\n"
            )
        print_report(result.report)
        return 1
    print(
        f"Published {result.version} (previous: {result.previous_version or 'none'}) "
        f"in {result.duration_s:.1f} s, {len(result.report.warnings)} warning(s)."
    )
    for table, rows in sorted(result.table_rows.items()):
        print(f"  {table:28} {rows:>12,} rows")
    print("\nWhat changed:")
    print_changes(result.changes)
    touched = {(c["table"], p) for c in result.changes for p in c["periods_replaced"] + c["periods_added"]}
    if touched:
        frame = coverage.version_coverage(result.version, args.warehouse, sources=sorted({t for t, _ in touched}))
        frame = frame[[(s, p) in touched for s, p in zip(frame["source"], frame["period"])]]
        if not frame.empty:
            print("\nWho has reported, in the periods this refresh touched:")
            print_coverage(frame)
    if result.report.issues:
        print()
        print_report(result.report)
    return 0


def cmd_coverage(args) -> int:
    frame = coverage.version_coverage(
        args.version, args.warehouse, sources=args.source or None, periods=args.period or None
    )
    if frame.empty:
        print("nothing to report: no aggregate return holds those sources and periods")
        return 0
    print_coverage(frame)
    if args.details:
        shown = frame[frame["status"].isin(["missing", "partly covered"])]
        for row in shown.itertuples():
            missing = f": missing districts {row.districts_missing}" if row.districts_missing else ""
            print(f"    {row.source} {row.period} {row.province} {row.province_name}: {row.status}{missing}")
    return 0


def cmd_validate(args) -> int:
    src = Path(args.src_dir)
    paths = _return_files(src)
    # Nothing is written, so any key checks the returns equally well; the demo key stands in when none is set up.
    key = DEMO_HASH_KEY if args.demo_key or _is_sample_data(src) else hash_key(allow_demo=True)
    report, _staged = refresh_mod.validate(paths, hash_key=key, progress=_progress)
    if args.report:
        _write_report_csv(report, Path(args.report))
    print_report(report)
    print("\nOK: these returns can be published." if report.ok else "\nNOT OK: fix the errors above and send again.")
    return 0 if report.ok else 1


def cmd_generate_sample(args) -> int:
    from data_pipeline.sample import generate  # the generator is only needed here

    out = Path(args.out)
    generate(out, scale=args.scale, seed=args.seed, progress=_progress)
    print(f"sample returns ({args.scale}, seed {args.seed}) written to {out}")
    return 0


def cmd_templates(args) -> int:
    from data_pipeline.templates import write_templates

    written = write_templates(Path(args.out))
    print(f"{len(written)} template(s) written to {args.out}:")
    for path in written:
        print(f"  {path.name}")
    return 0


def cmd_versions(args) -> int:
    versions = warehouse.list_versions(args.warehouse)
    if not versions:
        print(f"no version published yet in {args.warehouse or warehouse.warehouse_root()}")
        return 0
    for v in versions:
        marker = "*" if v.current else " "
        demo = "  [demo key: sample data]" if v.demo_key else ""
        unaudited = f"  {UNAUDITED_MARK} ({v.audit})" if not v.audited else ""
        print(
            f"{marker} {v.version}  {v.created_at}  by {v.operator:20}  {sum(v.table_rows.values()):>12,} rows "
            f"in {len(v.table_rows)} tables  (from {v.parent or '-'}){demo}{unaudited}"
        )
    print("\n* = current")
    if any(not v.audited for v in versions):
        print(
            f"{UNAUDITED_MARK}: the audit trail has no completed line for this version: its publish was "
            f"interrupted (see: log). Check it, then roll back or publish again."
        )
    return 0


def cmd_rollback(args) -> int:
    previous = warehouse.rollback(args.version, root=args.warehouse, operator=args.operator)
    print(f"{args.version} is current again (was {previous or 'none'}).")
    return 0


def cmd_log(args) -> int:
    entries = warehouse.audit_entries(args.warehouse)[-args.tail :]
    if not entries:
        print("the refresh log is empty")
    for e in entries:
        files = ", ".join(dict.fromkeys(f["file"] for f in e.get("files", [])))  # a workbook may hold several
        print(
            f"{e['timestamp']}  {e['action']:8} {e['outcome']:11} {e.get('version') or '-':6} "
            f"(from {e.get('parent') or '-'})  by {e['operator']}  errors {e.get('error_count', 0)}, "
            f"warnings {e.get('warning_count', 0)}, {e.get('duration_s', 0):.1f} s"
            + (f"\n    files: {files}" if files else "")
        )
    return 0


# ---------------------------------------------------------------------------------------------------------- parser
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m data_pipeline", description="Validate ministry returns and publish the dashboard's warehouse."
    )
    parser.add_argument("--debug", action="store_true", help="show the full traceback of an unexpected error")
    common = argparse.ArgumentParser(add_help=False)  # --debug is accepted after the command too
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help, parents=[common])

    def with_warehouse(p):
        p.add_argument(
            "--warehouse", type=Path, default=None, help="warehouse folder (default: $SP_WAREHOUSE or ./warehouse)"
        )
        return p

    p = with_warehouse(command("refresh", "validate returns and publish them as a new version"))
    p.add_argument("src_dir", metavar="SRC_DIR", help="folder holding the returns")
    p.add_argument("--operator", default="cli", help="your name, recorded in the refresh log")
    p.add_argument("--demo-key", action="store_true", help="hash ids with the public demo key (sample data only)")
    p.add_argument("--report", metavar="FILE.csv", help="also write the issue table to this CSV file")
    p.add_argument(
        "--replace-whole-periods",
        action="store_true",
        help="each return replaces every published row of the periods it holds (the ministry re-sent "
        "everything); by default a return replaces only the cells it holds (e.g. its provinces)",
    )
    p.add_argument(
        "--confirm-removals",
        action="store_true",
        help="publish even though published rows the returns do not hold would be removed",
    )
    p.set_defaults(func=cmd_refresh)

    p = command("validate", "check returns and print the report; writes nothing")
    p.add_argument("src_dir", metavar="SRC_DIR")
    p.add_argument("--demo-key", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--report", metavar="FILE.csv", help="write the issue table to this CSV file")
    p.set_defaults(func=cmd_validate)

    p = command("generate-sample", "write the made-up sample returns")
    p.add_argument("out", metavar="OUT")
    p.add_argument(
        "--scale",
        choices=("small", "national", "national4"),
        default="small",
        help="national4: four times the national grant ledger and registers (benchmarks)",
    )
    p.add_argument("--seed", type=int, default=20220630)
    p.set_defaults(func=cmd_generate_sample)

    p = command("templates", "write one blank Excel template per source")
    p.add_argument("out", metavar="OUT")
    p.set_defaults(func=cmd_templates)

    p = with_warehouse(command("versions", "list published versions"))
    p.set_defaults(func=cmd_versions)

    p = with_warehouse(command("coverage", "who has reported: provinces covered, partly covered or missing"))
    p.add_argument("--source", action="append", metavar="SOURCE", help="only this source (repeatable)")
    p.add_argument("--period", action="append", metavar="PERIOD", help="only this period, e.g. 2022-Q2 (repeatable)")
    p.add_argument("--version", default=None, help="a published version (default: the current one)")
    p.add_argument("--details", action="store_true", help="also list each missing or partly covered province")
    p.set_defaults(func=cmd_coverage)

    p = with_warehouse(command("rollback", "make an earlier version current again"))
    p.add_argument("version", metavar="VERSION", help="e.g. v0002 (see: versions)")
    p.add_argument("--operator", default="cli", help="your name, recorded in the refresh log")
    p.set_defaults(func=cmd_rollback)

    p = with_warehouse(command("log", "show the refresh log (latest last)"))
    p.add_argument("--tail", type=int, default=20, help="how many entries (default 20)")
    p.set_defaults(func=cmd_log)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # argparse: --help exits 0, a usage error 2
        return int(e.code or 0)
    try:
        return args.func(args)
    except (UsageError, MissingHashKey, warehouse.WarehouseError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: the warehouse holds the previous or the new version, never a mix", file=sys.stderr)
        return 130
    except Exception as e:
        if args.debug:
            raise
        print(
            f"error: unexpected {type(e).__name__}: {e}\n(rerun with --debug for the details, and send them to "
            f"the dashboard's maintainer)",
            file=sys.stderr,
        )
        return 2
