"""The data refresh page's work, without Streamlit: uploads checked and saved, validated, previewed, published.

Every step calls the pipeline's own functions (``data_pipeline.refresh``: validate, preview_changes, refresh;
``data_pipeline.warehouse.rollback``), the same ones the command line uses, so the page and the CLI cannot disagree.

A batch is validated once: its staged tables are written as Parquet into a private folder inside the batch's
(``uploads.new_stage_dir``), the preview reads them there, and the publish writes the version from them
(``refresh.refresh(validated=...)``, the CLI's refresh without its validation). Nothing of a national ledger sits in
the server's memory between the steps, and the files go with the batch.

Uploaded names never decide paths: each batch gets a fresh private folder (``dashboard.uploads``: deleted when the
batch is published, discarded or its session ends), and a file is stored there under its
original name only when that name is plain (an accepted extension, no folder, no control or reserved characters,
not hidden, unique in the batch) — ingestion reads a quarter in a file name, and the warehouse records it for
traceability. Any other name is stored under a random name and mapped back in the report.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath

import pandas as pd

import settings
from dashboard import safety
from dashboard.i18n import t
from dashboard import uploads as upload_folder
from data_pipeline import gate, refresh, warehouse
from data_pipeline.report import Issue, ValidationReport
from data_pipeline.secrets import DEMO_HASH_KEY, MissingHashKey, hash_key, key_fingerprint

ALLOW_DEMO_KEY_ENV = settings.ALLOW_DEMO_KEY.name
# What a publish or roll-back may raise, named here so the refresh page needs no import of the pipeline.
MergeConflict = warehouse.MergeConflict
WarehouseError = warehouse.WarehouseError
REPORT_COLUMNS = ["file", "sheet", "row", "column", "severity", "message"]
_RESERVED = re.compile(r'[<>:"/\\|?*]')


@dataclass
class PageKey:
    key: bytes | None
    note: str | None  # why there is no key, or that the demo key is in use
    demo: bool = False


def page_hash_key() -> PageKey:
    """The deployment's hash key; the demo key only when ``SP_ALLOW_DEMO_KEY=1`` (demonstration deployments)."""
    try:
        return PageKey(hash_key(), None)
    except MissingHashKey as missing:
        if settings.demo_key_allowed():
            return PageKey(
                DEMO_HASH_KEY,
                t(
                    "{setting}=1: identifiers are hashed with the public DEMO key. Use this "
                    "for demonstrations with sample data only, never real returns.",
                    setting=ALLOW_DEMO_KEY_ENV,
                ),
                demo=True,
            )
        return PageKey(
            None, str(missing).replace("pass --demo-key", f"a demonstration deployment may set {ALLOW_DEMO_KEY_ENV}=1")
        )


@dataclass
class Checked:
    """A batch of uploads after the checks: the merged report, the staged tables, the files the pipeline reads."""

    report: ValidationReport
    staged: dict[str, Path]  # contract name -> its validated rows as Parquet in ``stage_dir`` (empty unless ok)
    paths: list[Path]
    shown_names: dict[str, str] = field(default_factory=dict)  # stored file name -> name as uploaded
    directory: Path | None = None  # the batch folder (uploads.discard deletes it)
    stage_dir: Path | None = None  # where ``staged`` is (inside the batch folder)
    validated: ValidationReport | None = None  # the pipeline's own report (stored names), what a publish records
    key_fingerprint: str | None = None  # of the key the staged ids were hashed with
    # What a publish would change, per (warehouse, whole periods, current version): worked out once for the preview,
    # the replaced rows and the removals (each a pass over the published tables).
    planned: dict[tuple, list[warehouse.TableChange]] = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        return self.report.ok and bool(self.paths)

    @property
    def preview_derived(self) -> Path | None:
        """Where the preview keeps the indicator tables it computed, for the publish that follows it (inside the
        stage folder: they go with the batch)."""
        return self.stage_dir / "preview-derived" if self.stage_dir is not None else None


def stored_name(original: str, taken: set[str]) -> str | None:
    """The uploaded name if it is safe to store as is (see the module docstring), else None."""
    shown = gate.display_name(original)
    suffix = PurePosixPath(shown).suffix.lower()
    if (
        shown != original
        or suffix not in gate.ACCEPTED_EXTENSIONS
        or shown.startswith((".", "~"))
        or _RESERVED.search(shown)
        or len(shown.encode("utf-8")) > 200
        or shown.lower() in taken
    ):
        return None
    return shown


def save_uploads(uploads: list[tuple[str, bytes]], directory: Path) -> tuple[list[Path], dict[str, str], list[Issue]]:
    """Store each upload in ``directory`` for the pipeline. The pipeline's gate (``data_pipeline.gate``) judges each
    file first, so a refused one (a name no file could carry, a renamed program, a ZIP bomb…) is never written; the
    pipeline runs the same gate again on what is stored, exactly as for the CLI, and reports its warnings.

    Returns the stored paths, stored name -> uploaded name, and the issues found (refusals are errors).
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    limits = gate.configured_limits()
    paths, shown_names, issues, taken = [], {}, [], set()
    for original, data in uploads:
        shown = gate.display_name(original)
        refused = gate.inspect_bytes(original, data, limits).errors
        issues += [
            Issue(file=shown, severity="error", message=_without_name(m, shown), code="refused") for m in refused
        ]
        if refused:
            continue
        name = stored_name(original, taken)
        path = _write_new(directory / name, data) if name else None
        if path is None:
            path = safety.save_upload(directory, original, data)
        taken.add(path.name.lower())
        paths.append(path)
        shown_names[path.name] = shown
    return paths, shown_names, issues


def check_returns(
    uploads: list[tuple[str, bytes]], *, hash_key: bytes, directory: Path | None = None, progress=None
) -> Checked:
    """Save and validate a batch of uploads (nothing is published). ``directory`` defaults to a fresh batch folder
    under the deployment's upload folder, deleted at the latest when the returned batch is garbage-collected."""
    batch_dir = directory is None
    directory = Path(directory) if directory is not None else upload_folder.new_batch_dir()
    paths, shown_names, upload_issues = save_uploads(uploads, directory)
    stage_dir = upload_folder.new_stage_dir(directory) if paths else None
    if paths:
        validated, staged = refresh.validate(paths, hash_key=hash_key, progress=progress, stage_dir=stage_dir)
    else:
        validated, staged = ValidationReport(), {}
    report = ValidationReport(issues=upload_issues + validated.issues, returns=validated.returns)
    if not report.ok:
        upload_folder.discard_stage(stage_dir)  # a rejected batch keeps no validated tables
        stage_dir, staged = None, {}
    checked = Checked(
        _named_back(report, shown_names),
        staged,
        paths,
        shown_names,
        directory if batch_dir else None,
        stage_dir,
        validated if report.ok else None,
        key_fingerprint(hash_key),
    )
    upload_folder.discard_with(checked, directory if batch_dir else None, stage_dir)
    return checked


def discard(checked: Checked | None) -> None:
    """Delete the batch's stored uploads (published, discarded or replaced by another batch)."""
    if checked is not None:
        upload_folder.discard_stage(checked.stage_dir)
        upload_folder.discard(checked.directory)
        checked.staged, checked.stage_dir, checked.planned = {}, None, {}


def report_table(report: ValidationReport) -> pd.DataFrame:
    """file, sheet, row, column, severity, message — errors first, in reading order (to show and to send back)."""
    return report.to_frame()[REPORT_COLUMNS]


def planned_changes(
    checked: Checked, root: Path | str | None = None, *, replace_whole_periods: bool = False
) -> list[warehouse.TableChange]:
    """``refresh.preview_changes`` of the batch's staged tables, worked out once per warehouse, choice and current
    version (a publish by someone else in between makes it work them out again)."""
    root = Path(root) if root is not None else warehouse.warehouse_root()
    key = (str(root), replace_whole_periods, warehouse.current_version(root))
    if key not in checked.planned:
        checked.planned[key] = refresh.preview_changes(
            checked.staged, root, replace_whole_periods=replace_whole_periods
        )
    return checked.planned[key]


def table_changes(
    checked: Checked, root: Path | str | None = None, *, replace_whole_periods: bool = False
) -> pd.DataFrame:
    """Per table: what the returns replace (by which cells), rows kept, removed, before and after, periods replaced
    or added, if the batch were published now."""
    changes = planned_changes(checked, root, replace_whole_periods=replace_whole_periods)
    return pd.DataFrame(
        [
            {
                "table": c.table,
                "action": c.action,
                "replaces_by": " × ".join(c.covers) or "whole table",
                "rows_before": c.rows_before,
                "rows_replaced": c.rows_replaced,
                "rows_kept": c.rows_kept,
                "rows_removed": c.rows_removed,
                "rows_after": c.rows_after,
                "periods_replaced": ", ".join(c.periods_replaced),
                "periods_added": ", ".join(c.periods_added),
            }
            for c in changes
            if c.action != "carried"
        ]
    )


def replaced_rows(
    checked: Checked, root: Path | str | None = None, *, replace_whole_periods: bool = False
) -> pd.DataFrame:
    """The cells a publish would replace, by table, period and province: published rows there, rows the returns
    bring, rows that would disappear (tables already published only)."""
    changes = planned_changes(checked, root, replace_whole_periods=replace_whole_periods)
    return pd.DataFrame(
        [
            {
                "table": c.table,
                "period": a.period,
                "province": a.province,
                "rows_before": a.rows_before,
                "rows_after": a.rows_after,
                "rows_removed": a.rows_removed,
            }
            for c in changes
            if c.action in ("merged", "replaced")
            for a in c.areas
        ],
        columns=["table", "period", "province", "rows_before", "rows_after", "rows_removed"],
    )


def removals(checked: Checked, root: Path | str | None = None, *, replace_whole_periods: bool = False) -> pd.DataFrame:
    """Published rows a publish of the batch would remove: table, period, province, rows (empty: none)."""
    changes = planned_changes(checked, root, replace_whole_periods=replace_whole_periods)
    return pd.DataFrame(
        [
            {"table": r.table, "period": r.period, "province": r.province, "rows": r.rows}
            for r in warehouse.removals(changes)
        ],
        columns=["table", "period", "province", "rows"],
    )


def indicator_preview(
    checked: Checked, *, hash_key: bytes, root: Path | str | None = None, replace_whole_periods: bool = False
) -> pd.DataFrame:
    """Every indicator cell the batch would move (indicators.preview); raises MergeConflict like a publish. What
    it computes is kept for a publish of the same batch that follows (``publish``), so that one computes nothing."""
    from indicators import preview

    return preview.preview_indicator_changes(
        checked.staged,
        files=checked.report.returns,
        hash_key_fingerprint=key_fingerprint(hash_key),
        demo_key=hash_key == DEMO_HASH_KEY,
        root=root,
        replace_whole_periods=replace_whole_periods,
        keep_derived=checked.preview_derived,
    )


def indicator_summary(cells: pd.DataFrame, catalogue: pd.DataFrame) -> pd.DataFrame:
    """One row per indicator the batch would move (indicators.preview.summarise_changes)."""
    from indicators import preview

    return preview.summarise_changes(cells, catalogue)


def publish(
    checked: Checked,
    *,
    operator: str,
    hash_key: bytes,
    root: Path | str | None = None,
    progress=None,
    replace_whole_periods: bool = False,
    confirm_removals: bool = False,
) -> refresh.RefreshResult:
    """``data_pipeline.refresh.refresh`` on the batch: published from its staged tables, or the rejection logged.
    Validated again from the stored files only when nothing is staged or the key changed since the check (ids hashed
    with another key would no longer link). The indicators the preview computed for exactly this publish are
    published as they are (``published.derive_reusing``); anything else computes them."""
    from indicators import published

    staged = checked.staged if checked.staged and checked.key_fingerprint == key_fingerprint(hash_key) else {}
    derive = published.derive
    if staged and checked.validated is not None:
        derive = published.derive_reusing(
            checked.preview_derived,
            root=Path(root) if root is not None else warehouse.warehouse_root(),
            staged=staged,
            replace_whole_periods=replace_whole_periods,
            hash_key_fingerprint=key_fingerprint(hash_key),
        )
    result = refresh.refresh(
        checked.paths,
        root=root,
        operator=operator,
        hash_key=hash_key,
        progress=progress,
        replace_whole_periods=replace_whole_periods,
        confirm_removals=confirm_removals,
        derive=derive,
        validated=(checked.validated, staged) if staged and checked.validated is not None else None,
    )
    result.report = _named_back(result.report, checked.shown_names)
    return result


def rollback(version: str, *, operator: str, root: Path | str | None = None) -> str | None:
    """Make ``version`` current again (the CLI's roll-back); returns the version it replaced."""
    return warehouse.rollback(version, root=root, operator=operator)


def _write_new(path: Path, data: bytes) -> Path | None:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except (FileExistsError, OSError):
        return None
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    return path


def _without_name(message: str, shown: str) -> str:
    """The gate's messages start with the file name, which the report's file column already gives."""
    prefix = f"{shown}: "
    return message[len(prefix) :] if message.startswith(prefix) else message


def _named_back(report: ValidationReport, shown_names: dict[str, str]) -> ValidationReport:
    """The report with stored names replaced by the names the files were uploaded under."""
    if all(stored == shown for stored, shown in shown_names.items()):
        return report
    return ValidationReport(
        issues=[replace(i, file=shown_names.get(i.file, i.file)) for i in report.issues],
        returns=[replace(r, file=shown_names.get(r.file, r.file)) for r in report.returns],
    )
