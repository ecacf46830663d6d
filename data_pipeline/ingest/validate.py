"""Validate a refresh's returns together: read every file, validate each table, then the checks that span files (the
same file twice, two returns for the same period, duplicate keys), and hand over typed tables with no personal data.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyarrow as pa

from data_pipeline import gate
from data_pipeline.contracts import Column, Contract, all_contracts
from data_pipeline.duckdb_memory import bounded_connection
from data_pipeline.report import ReturnInfo, ValidationReport

from .header import detect_header, stated_periods
from .issues import MAX_ROWS_PER_PROBLEM, IssueLog
from .readers import ReadError, file_sha256, read_return_tables
from .stages import stage
from .table import StagedPart, TableValidation, q

Progress = Callable[[float, str], None]
# hand_off(report, staged, con, release): staged maps contract name -> a view in con, validation's open connection.
HandOff = Callable[[ValidationReport, dict[str, str], object, Callable[[], None]], object]


def validate_returns(
    paths: list[Path],
    *,
    hash_key: bytes,
    progress: Progress | None = None,
    stage_dir: Path | None = None,
    hand_off: HandOff | None = None,
) -> tuple[ValidationReport, dict[str, pa.Table | Path] | object]:
    """Validate return files; ``staged`` maps contract name -> typed table (empty unless ``report.ok``).

    With ``stage_dir`` each staged table is written there as a Parquet file, straight from DuckDB, and ``staged``
    maps to its path: a national ledger then never sits whole in Python's memory (``warehouse.publish`` reads
    either form). The files hold no personal data (identifiers are hashed, names and phone numbers dropped).

    With ``hand_off`` the staged tables are neither copied nor written: when the report is ok,
    ``hand_off(report, staged, con, release)`` runs while validation's DuckDB connection ``con`` is still open,
    ``staged`` mapping contract name -> a view in it and ``release()`` freeing them; what it returns is returned in
    place of the staged tables (None when the report is not ok). The publish then reads the rows where they are."""
    report = ValidationReport()
    log = IssueLog(report)
    contracts = all_contracts()
    # In memory, with a budget: past it DuckDB spills to a private folder removed on the way out; nothing of the
    # returns outlives validation.
    with bounded_connection() as con:
        con.execute("SET enable_progress_bar = false")
        parts = _validate_files(con, [Path(p) for p in paths], contracts, log, report, hash_key, progress)
        with stage("", "same period twice"):
            _check_same_period(parts, log)
        for contract in {p.contract.name: p.contract for p in parts}.values():
            with stage(contract.name, "duplicate keys"):
                _check_duplicate_keys(con, contract, [p for p in parts if p.contract.name == contract.name], log)
        if hand_off is not None:
            if progress:
                progress(1.0, report.summary())
            if not report.ok:
                return report, None
            # Not a validation stage: the publish profiles itself (bench/benchmark_pipeline.py prints both).
            return report, hand_off(report, _staged_views(con, parts), con, lambda: _drop_parts(con, parts))
        with stage("", "hand-over (staged tables)"):
            staged = _staged_tables(con, parts, stage_dir) if report.ok else {}
    if progress:
        progress(1.0, report.summary())
    return report, staged


def _validate_files(
    con,
    paths: list[Path],
    contracts: dict[str, Contract],
    log: IssueLog,
    report: ValidationReport,
    hash_key: bytes,
    progress: Progress | None,
) -> list[StagedPart]:
    parts: list[StagedPart] = []
    seen: dict[str, str] = {}
    for i, path in enumerate(paths):
        if progress:
            progress(i / max(len(paths), 1), f"reading {path.name}")
        with stage(path.name, "gate"):
            passed = _passes_gate(path, log, report)
        if not passed:
            continue
        with stage(path.name, "file sha256"):
            sha = file_sha256(path)
        if sha in seen:
            log.warning(
                path.name,
                f"identical to {seen[sha]} (same content): ignored, it is the same return sent twice",
                code="same_file_twice",
            )
            continue
        seen[sha] = path.name
        try:
            with stage(path.name, "read"):
                grids = read_return_tables(con, path)
        except ReadError as exc:
            log.error(path.name, str(exc), code="unreadable_file")
            report.returns.append(ReturnInfo(path.name, sha, None, None))
            continue
        recognised = 0
        for grid in grids:
            if progress:
                progress(i / max(len(paths), 1), f"validating {path.name}" + (f" / {grid.sheet}" if grid.sheet else ""))
            with stage(path.name, "header detection"):
                match = detect_header(grid, contracts)
            if match is None:
                if grid.top_rows and grid.sheet is not None and grid.sheet.strip().lower() not in _GUIDANCE_SHEETS:
                    log.warning(
                        path.name,
                        "no header row of any return was found in this sheet: ignored",
                        code="unrecognised_sheet",
                        sheet=grid.sheet,
                    )
                for statement in grid.drop_sql:
                    con.execute(statement)
                continue
            recognised += 1
            part = TableValidation(con, grid, match, log, hash_key).run(stated_periods(path.stem))
            report.returns.append(
                ReturnInfo(
                    path.name,
                    sha,
                    grid.sheet,
                    match.contract.name,
                    part.rows if part else 0,
                    part.periods if part else [],
                )
            )
            if part is not None:
                parts.append(part)
        if not recognised:
            expected = ", ".join(sorted(contracts))
            log.error(
                path.name,
                f"no table in this file has the header row of a known return (expected the headers "
                f"of one of: {expected}; download a template)",
                code="unrecognised_file",
            )
            report.returns.append(ReturnInfo(path.name, sha, None, None))
    return parts


def _passes_gate(path: Path, log: IssueLog, report: ValidationReport) -> bool:
    """The gate's verdict (``data_pipeline.gate``) in the report: refusals are errors on the file, and a refused
    file is never opened by a reader."""
    verdict = gate.inspect_path(path)
    for message in verdict.warnings:
        log.warning(path.name, _without_name(message, path.name), code="formula")
    for message in verdict.errors:
        log.error(path.name, _without_name(message, path.name), code="refused")
    if verdict.refused:
        report.returns.append(ReturnInfo(path.name, "", None, None))
    return not verdict.refused


def _without_name(message: str, name: str) -> str:
    """The gate's messages start with the file's name, which the report's file column already gives."""
    for prefix in (f"{gate.display_name(name)}: ", f"{gate.display_name(name)}, "):  # "name, sheet 'x', cell B4: …"
        if message.startswith(prefix):
            return message[len(prefix) :]
    return message


def _where(part: StagedPart) -> str:
    return part.file + (f" (sheet '{part.sheet}')" if part.sheet else "")


def _check_same_period(parts: list[StagedPart], log: IssueLog) -> None:
    """Two different returns for the same source and period cannot both be right: which one to publish is a human
    decision. A snapshot source (no period) takes exactly one return per refresh."""
    by_contract: dict[str, list[StagedPart]] = {}
    for part in parts:
        by_contract.setdefault(part.contract.name, []).append(part)
    for group in by_contract.values():
        for later_index, later in enumerate(group):
            for earlier in group[:later_index]:
                if not later.contract.replaces_by_period:
                    log.error(
                        later.file,
                        f"a second {later.contract.title} snapshot in the same refresh (the other "
                        f"is {_where(earlier)}); send one",
                        code="same_period_twice",
                        sheet=later.sheet,
                    )
                    continue
                shared = sorted(set(later.periods) & set(earlier.periods))
                if shared:
                    log.error(
                        later.file,
                        f"{later.contract.title} rows for {', '.join(shared[:5])}"
                        f"{' …' if len(shared) > 5 else ''} also come from {_where(earlier)}; "
                        f"two different returns for the same period: keep one",
                        code="same_period_twice",
                        sheet=later.sheet,
                    )


def _check_duplicate_keys(con, contract: Contract, parts: list[StagedPart], log: IssueLog) -> None:
    """Rows with the same key, within a return or across the refresh's returns: each later row is an error naming the
    first. Rows with a blank key cell are left out (they are already errors)."""
    key = [q(k) for k in contract.key]
    complete = (
        " AND ".join(f"{k} IS NOT NULL" for k, name in zip(key, contract.key) if not contract.column(name).nullable)
        or "TRUE"
    )
    union = " UNION ALL ".join(
        f"SELECT {i} AS part, src_row, {', '.join(key)} FROM {p.table} WHERE {complete}" for i, p in enumerate(parts)
    )
    # Nearly always there is none. Equal keys have equal 64-bit hashes, so when no two rows share a hash no two share
    # a key: counting distinct integers says so for less than grouping the 64-character ids; only when two hashes
    # meet does a hash aggregate on the keys themselves decide, at a fraction of the cost of sorting for the windows.
    if not con.execute(f"SELECT count(DISTINCT hash({', '.join(key)})) < count(*) FROM ({union})").fetchall()[0][0]:
        return
    if not con.execute(
        f"SELECT EXISTS (SELECT 1 FROM ({union}) GROUP BY {', '.join(key)} HAVING count(*) > 1)"
    ).fetchall()[0][0]:
        return
    rows = con.execute(f"""
        WITH numbered AS (
            SELECT *, row_number() OVER (PARTITION BY {", ".join(key)} ORDER BY part, src_row) AS nth,
                      first_value(part) OVER (PARTITION BY {", ".join(key)} ORDER BY part, src_row) AS first_part,
                      first_value(src_row) OVER (PARTITION BY {", ".join(key)} ORDER BY part, src_row) AS first_row
            FROM ({union}))
        SELECT part, src_row, first_part, first_row, {", ".join(key)}, count(*) OVER () AS total
        FROM numbered WHERE nth > 1 ORDER BY part, src_row LIMIT {MAX_ROWS_PER_PROBLEM}""").fetchall()
    if not rows:
        return
    total = rows[0][-1]
    by_part: dict[int, list[tuple[int, str]]] = {}
    for part_index, row, first_part, first_row, *values in rows:
        values = values[:-1]
        shown = ", ".join(f"{name}={_shown(contract, name, v)}" for name, v in zip(contract.key, values))
        first = parts[first_part]
        place = f"row {first_row}" + ("" if first_part == part_index else f" of {_where(first)}")
        by_part.setdefault(part_index, []).append((row, f"duplicate key ({shown}): same as {place}"))
    for part_index, located in by_part.items():
        part = parts[part_index]
        column = part.headers.get(contract.key[0], contract.key[0])
        log.rows("error", part.file, part.sheet, column, "duplicate_key", located, len(located))
    if total > MAX_ROWS_PER_PROBLEM:
        log.error(
            parts[0].file,
            f"and {total - MAX_ROWS_PER_PROBLEM} more duplicate key row(s) in the {contract.title} returns",
            code="duplicate_key",
        )


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _shown(contract: Contract, name: str, value) -> str:
    if contract.column(name).kind == "pii_id" and value is not None:
        return f"id #{str(value)[:8]}"  # the hash, shortened: the clear id is not kept
    return str(value)


# Sheets that explain a workbook (the templates' "About" sheet among them) hold no return: skipped without a warning
# when no return's header is found in them. A sheet with any other name and no header is reported.
_GUIDANCE_SHEETS = {"about", "instructions", "how to fill", "notes", "readme", "read me"}


def _published_value(column: Column) -> str:
    if column.month_only:
        return f"date_trunc('month', {q(column.name)})"
    return q(column.name)


def _staged_select(parts: list[StagedPart], name: str) -> str:
    """The rows of contract ``name`` as the warehouse holds them, from every validated part of it."""
    contract = next(p.contract for p in parts if p.contract.name == name)
    columns = [f"CAST({_published_value(c)} AS {c.sql_type}) AS {q(c.name)}" for c in contract.warehouse_columns]
    if contract.period_from_date:
        columns.append("CAST(period AS VARCHAR) AS period")
    # A file name a spreadsheet would run ('=cmd|…') is recorded with a leading apostrophe (the gate warned).
    return " UNION ALL ".join(
        f"SELECT {', '.join(columns)}, CAST({_sql_text(gate.neutralise_text(p.file))} AS VARCHAR) AS source_file "
        f"FROM {p.table}"
        for p in parts
        if p.contract.name == name
    )


def _staged_views(con, parts: list[StagedPart]) -> dict[str, str]:
    """Contract name -> a temporary view of its staged rows over the validated tables (``hand_off``)."""
    views = {}
    for name in dict.fromkeys(p.contract.name for p in parts):
        views[name] = f"handed__{name}"
        con.execute(f"CREATE TEMP VIEW {q(views[name])} AS {_staged_select(parts, name)}")
    return views


def _drop_parts(con, parts: list[StagedPart]) -> None:
    """Free the validated tables (and the views over them) once the publish has written them."""
    for name in dict.fromkeys(p.contract.name for p in parts):
        con.execute(f"DROP VIEW IF EXISTS {q('handed__' + name)}")
    for part in parts:
        con.execute(f"DROP TABLE IF EXISTS {part.table}")


def _staged_tables(con, parts: list[StagedPart], stage_dir: Path | None) -> dict[str, pa.Table | Path]:
    staged: dict[str, pa.Table | Path] = {}
    for name in dict.fromkeys(p.contract.name for p in parts):
        union = _staged_select(parts, name)
        if stage_dir is None:
            staged[name] = con.sql(union).to_arrow_table()
        else:
            # Read back once or twice by the publish in the same refresh: light compression, fast to write.
            Path(stage_dir).mkdir(parents=True, exist_ok=True)
            path = Path(stage_dir) / f"{name}.parquet"
            con.execute(
                f"COPY ({union}) TO {_sql_text(str(path))} (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1)"
            )
            staged[name] = path
        for part in parts:  # each table is freed as soon as it is handed over
            if part.contract.name == name:
                con.execute(f"DROP TABLE {part.table}")
    return staged
