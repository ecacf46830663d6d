"""A quarterly refresh, start to end: collect the returns, validate them, publish a new version or log the rejection.

The one implementation behind both the CLI (``python -m data_pipeline refresh``) and the upload page.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from data_pipeline import warehouse
from data_pipeline.report import Issue, ValidationReport
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
    return sorted(
        p
        for p in src_dir.iterdir()
        if p.is_file()
        and p.suffix.lower() in RETURN_SUFFIXES | REFUSED_SPREADSHEET_SUFFIXES
        and not p.name.startswith(("~$", "."))
        and not p.stem.lower().startswith("readme")
    )


def validate(
    paths: list[Path], *, hash_key: bytes, progress=None, stage_dir: Path | None = None, hand_off=None
) -> tuple[ValidationReport, dict[str, pa.Table | Path] | object]:
    """Read and check the returns (ingestion); writes nothing but, with ``stage_dir``, the staged tables as Parquet
    files there (no personal data). ``staged`` is only filled when the report is ok. ``hand_off``: see
    ``validate_returns`` (the refresh publishes from validation's own connection)."""
    from data_pipeline.ingest import validate_returns  # imported late: the CLI's other commands do not need it

    return validate_returns(
        [Path(p) for p in paths], hash_key=hash_key, progress=progress, stage_dir=stage_dir, hand_off=hand_off
    )


def preview_changes(
    staged: dict[str, pa.Table], root: Path | str | None = None, *, replace_whole_periods: bool = False
) -> list[warehouse.TableChange]:
    """Per table: rows before and after, periods replaced or added, replaced cells by period and province and the
    rows that would disappear, if ``staged`` were published now."""
    return warehouse.preview_changes(staged, root, replace_whole_periods=replace_whole_periods)


@dataclass
class RefreshResult:
    report: ValidationReport
    version: str | None  # the new version; None when rejected
    previous_version: str | None
    table_rows: dict[str, int] = field(default_factory=dict)  # rows per table in the new version
    duration_s: float = 0.0
    removals: list[warehouse.Removal] = field(default_factory=list)  # refused: rows it would have removed
    changes: list[dict] = field(default_factory=list)  # what the publish did per table (manifest "changes")

    @property
    def published(self) -> bool:
        return self.version is not None


def refresh(
    paths: list[Path],
    *,
    root: Path | str | None = None,
    operator: str,
    hash_key: bytes,
    progress=None,
    replace_whole_periods: bool = False,
    confirm_removals: bool = False,
    derive=None,
    validated: tuple[ValidationReport, dict[str, Path]] | None = None,
) -> RefreshResult:
    """Validate ``paths`` and, when no error was found, publish them as a new version. Any error: nothing is
    published and the rejection is logged (the log line is the only write).

    A return replaces the published rows of the cells it covers (its contract's ``covers``), or the whole of its
    periods with ``replace_whole_periods``. A refresh that would remove published rows is rejected unless
    ``confirm_removals``; ``RefreshResult.removals`` then lists them. ``derive``: tables computed from the new
    version's data inside its publish (``warehouse.publish``; the indicators' ``published.derive``).

    ``validated``: the report and staged tables of ``validate(paths, stage_dir=...)`` run earlier on the same files
    (the upload page checks a batch, then its operator confirms the publish): published from those Parquet files,
    not validated again; everything else is the same refresh."""
    root = Path(root) if root is not None else warehouse.warehouse_root()
    started = time.monotonic()
    progress = progress or (lambda fraction, message: None)
    previous = warehouse.current_version(root)
    removed: list[warehouse.Removal] = []

    def publish_validated(report: ValidationReport, staged, connection=None, release=None) -> str | None:
        """The publish, handed the validated tables inside validation's own DuckDB connection: the rows go from
        ingestion to the version's Parquet in one pass, never staged in a file or in Python's memory."""
        try:
            progress(start, "publishing")
            return warehouse.publish(
                staged,
                root=root,
                operator=operator,
                files=report.returns,
                warnings=report.warnings,
                hash_key_fingerprint=key_fingerprint(hash_key),
                demo_key=hash_key == DEMO_HASH_KEY,
                progress=lambda fraction, message: progress(start + (1 - start) * fraction, message),
                replace_whole_periods=replace_whole_periods,
                confirm_removals=confirm_removals,
                started=started,
                derive=derive,
                connection=connection,
                release_staged=release,
            )
        except warehouse.MergeConflict as conflict:
            report.issues.extend(conflict.issues)
        except warehouse.RemovalNotConfirmed as refused:
            removed.extend(refused.removals)
            report.issues.append(
                Issue(file="(warehouse)", severity="error", code="removal_not_confirmed", message=str(refused))
            )
        return None

    if validated is None:
        # Ingestion reports 0..0.8 of the work, writing the warehouse the rest.
        start = 0.8
        report, version = validate(
            paths,
            hash_key=hash_key,
            progress=lambda fraction, message: progress(0.8 * fraction, message),
            hand_off=publish_validated,
        )
    else:
        start = 0.0
        report = ValidationReport(list(validated[0].issues), list(validated[0].returns))  # the caller's stays as is
        version = publish_validated(report, validated[1]) if report.ok else None
    duration = time.monotonic() - started
    if version is None:
        warehouse.append_log(
            root,
            action="refresh",
            operator=operator,
            outcome="rejected",
            version=None,
            parent=previous,
            files=report.returns,
            warnings=report.warnings,
            errors=report.errors,
            duration_s=duration,
        )
        return RefreshResult(report, None, previous, {}, duration, removed)
    manifest = warehouse.read_manifest(version, root)  # publish logged it (pending, then published)
    table_rows, previous = manifest["table_rows"], manifest["parent"]  # the parent the publish saw, under its lock
    progress(1.0, f"published {version}")
    return RefreshResult(report, version, previous, table_rows, duration, changes=manifest.get("changes", []))
