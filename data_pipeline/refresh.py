"""A quarterly refresh, start to end: collect the returns, validate them, publish a new version or log the rejection.

The one implementation behind both the CLI (``python -m data_pipeline refresh``) and the upload page.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from data_pipeline import warehouse
from data_pipeline.report import ValidationReport
from data_pipeline.secrets import DEMO_HASH_KEY, key_fingerprint

RETURN_SUFFIXES = {".xlsx", ".csv", ".parquet"}
# Spreadsheets the gate refuses (macro-enabled, old or other formats): collected so that the report names them,
# never silently left out of a refresh.
REFUSED_SPREADSHEET_SUFFIXES = {".xlsm", ".xls", ".xlsb", ".xltx", ".xltm", ".ods", ".numbers", ".tsv"}


def collect_return_files(src_dir: Path | str) -> list[Path]:
    """The returns in a folder: top-level .xlsx/.csv/.parquet files (and spreadsheets of refused kinds, such as
    .xlsm, which the gate then names in the report), sorted; Excel lock files (``~$…``), hidden files and READMEs
    are not returns."""
    src_dir = Path(src_dir)
    if not src_dir.is_dir():
        raise FileNotFoundError(f"{src_dir} is not a folder")
    return sorted(p for p in src_dir.iterdir()
                  if p.is_file() and p.suffix.lower() in RETURN_SUFFIXES | REFUSED_SPREADSHEET_SUFFIXES
                  and not p.name.startswith(("~$", ".")) and not p.stem.lower().startswith("readme"))


def validate(paths: list[Path], *, hash_key: bytes, progress=None) -> tuple[ValidationReport, dict[str, pa.Table]]:
    """Read and check the returns (ingestion); writes nothing. ``staged`` is only filled when the report is ok."""
    from data_pipeline.ingest import validate_returns   # imported late: the CLI's other commands do not need it
    return validate_returns([Path(p) for p in paths], hash_key=hash_key, progress=progress)


def preview_changes(staged: dict[str, pa.Table], root: Path | str | None = None) -> list[warehouse.TableChange]:
    """Per table: rows before and after, periods replaced or added, if ``staged`` were published now."""
    return warehouse.preview_changes(staged, root)


@dataclass
class RefreshResult:
    report: ValidationReport
    version: str | None                 # the new version; None when rejected
    previous_version: str | None
    table_rows: dict[str, int] = field(default_factory=dict)   # rows per table in the new version
    duration_s: float = 0.0

    @property
    def published(self) -> bool:
        return self.version is not None


def refresh(paths: list[Path], *, root: Path | str | None = None, operator: str, hash_key: bytes,
            progress=None) -> RefreshResult:
    """Validate ``paths`` and, when no error was found, publish them as a new version. Any error: nothing is
    published and the rejection is logged (the log line is the only write)."""
    root = Path(root) if root is not None else warehouse.warehouse_root()
    started = time.monotonic()
    progress = progress or (lambda fraction, message: None)
    previous = warehouse.current_version(root)
    # Ingestion reports 0..0.8 of the work, writing the warehouse the rest.
    report, staged = validate(paths, hash_key=hash_key,
                              progress=lambda fraction, message: progress(0.8 * fraction, message))
    version = None
    if report.ok:
        try:
            progress(0.8, "publishing")
            version = warehouse.publish(
                staged, root=root, operator=operator, files=report.returns, warnings=report.warnings,
                hash_key_fingerprint=key_fingerprint(hash_key), demo_key=hash_key == DEMO_HASH_KEY,
                progress=lambda fraction, message: progress(0.8 + 0.2 * fraction, message))
        except warehouse.MergeConflict as conflict:
            report.issues.extend(conflict.issues)
    duration = time.monotonic() - started
    if version is None:
        warehouse.append_log(root, action="refresh", operator=operator, outcome="rejected", version=None,
                             parent=previous, files=report.returns, warnings=report.warnings,
                             errors=report.errors, duration_s=duration)
        return RefreshResult(report, None, previous, {}, duration)
    manifest = warehouse.read_manifest(version, root)
    table_rows, previous = manifest["table_rows"], manifest["parent"]   # the parent the publish saw, under its lock
    warehouse.append_log(root, action="refresh", operator=operator, outcome="published", version=version,
                         parent=previous, files=report.returns, table_rows=table_rows, warnings=report.warnings,
                         duration_s=duration)
    progress(1.0, f"published {version}")
    return RefreshResult(report, version, previous, table_rows, duration)
