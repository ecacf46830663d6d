"""Read a return file into DuckDB as raw text grids: one table per sheet, every cell VARCHAR, plus the row number the
user sees (``src_row``: the Excel row, or the CSV line). Nothing is interpreted here: header detection, mapping and
typing happen later, on these grids, so every file kind is validated by the same SQL.

A grid table has columns ``src_row BIGINT, c0 .. c{width-1} VARCHAR`` (blank cells are NULL).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

HEADER_SEARCH_ROWS = 20  # the header is looked for among the first rows (title rows sit above it)
_CSV_DELIMITERS = (",", ";", "\t", "|")
MAX_CSV_COLUMNS = 1000


class ReadError(Exception):
    """The file cannot be read at all (corrupt, wrong format, wrong encoding): one error for the whole file."""


@dataclass
class RawTable:
    file: str  # file name as received
    sheet: str | None  # sheet name (None for CSV / Parquet)
    table: str  # DuckDB table or view holding the grid
    width: int
    top_rows: list[tuple[int, list[str | None]]]  # (src_row, cells) of the first HEADER_SEARCH_ROWS non-blank rows
    drop_sql: list[str] = field(default_factory=list)  # statements that free the grid (it holds personal data)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


_table_ids = itertools.count()


def _new_name(prefix: str) -> str:
    return f"{prefix}_{next(_table_ids)}"


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def read_return_tables(con, path: Path) -> list[RawTable]:
    """Every table of a return file, as grids in ``con``. Raises ReadError when the file cannot be read."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
        tables = _read_workbook(con, path)
    elif suffix in (".csv", ".txt"):
        tables = [_read_csv(con, path)]
    elif suffix == ".parquet":
        tables = [_read_parquet(con, path)]
    else:
        raise ReadError(f"unsupported file type '{suffix}': send .xlsx, .csv or .parquet")
    for raw in tables:
        raw.top_rows = _top_rows(con, raw)
    return tables


def _top_rows(con, raw: RawTable) -> list[tuple[int, list[str | None]]]:
    columns = ", ".join(f"c{i}" for i in range(raw.width))
    not_blank = " OR ".join(f"c{i} IS NOT NULL" for i in range(raw.width)) or "FALSE"
    rows = con.execute(
        f"SELECT src_row, {columns} FROM {raw.table} WHERE {not_blank} ORDER BY src_row LIMIT {HEADER_SEARCH_ROWS}"
    ).fetchall()
    return [(r[0], list(r[1:])) for r in rows]


# --- Excel -----------------------------------------------------------------------------------------------------------


def _cell_text(value) -> str | None:
    """A cell as the text a user would type. Dates become ISO text; whole floats lose their '.0'."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    return text or None


def _read_workbook(con, path: Path) -> list[RawTable]:
    """The workbook's grids, read in a child process with a memory budget (``data_pipeline.gate.sandbox``): a
    workbook the gate let through that still needs too much memory, or crashes the reader, is an error on this
    file, never a dead process."""
    import python_calamine  # noqa: F401  imported here, not in the child (no import lock crosses the fork)

    from data_pipeline.gate import ReaderFailed, configured_limits, run_with_memory_budget

    try:
        grids = run_with_memory_budget(workbook_grids, str(path), memory_bytes=configured_limits().read_memory_bytes)
    except ReaderFailed as failed:
        raise ReadError(f"cannot read the workbook: {failed}") from None
    tables = []
    for sheet, grid in grids:
        name = _new_name("grid")
        con.register(name + "_arrow", grid)
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM {name}_arrow")
        con.unregister(name + "_arrow")
        tables.append(RawTable(path.name, sheet, name, grid.num_columns - 1, [], [f"DROP TABLE {name}"]))
    return tables


def workbook_grids(path: str) -> list[tuple[str, pa.Table]]:
    """(sheet name, grid) for each visible worksheet, cells as text. Runs in the reader's child process."""
    from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    try:
        workbook = CalamineWorkbook.from_path(path)
    except Exception as exc:  # calamine raises several types for corrupt or mislabelled files
        raise ReadError(f"cannot open the workbook ({exc}); is it a real Excel file?") from None
    grids = []
    for meta in workbook.sheets_metadata:
        # Hidden sheets are the template's drop-down lists, not data.
        if meta.visible != SheetVisibleEnum.Visible or meta.typ != SheetTypeEnum.WorkSheet:
            continue
        # calamine gives each formula's cached value (what Excel last showed); formulas are never evaluated here.
        rows = workbook.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
        width = max((len(r) for r in rows), default=0)
        if width == 0:
            continue
        columns = {"src_row": pa.array(range(1, len(rows) + 1), pa.int64())}
        for j in range(width):
            columns[f"c{j}"] = pa.array([_cell_text(r[j]) if j < len(r) else None for r in rows], pa.string())
        grids.append((meta.name, pa.table(columns)))
    return grids


# --- CSV -------------------------------------------------------------------------------------------------------------


def _csv_encoding(head: bytes) -> str:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut at the end of the sample
            raise ReadError("the file is not UTF-8 text: in Excel, save it as 'CSV UTF-8'") from exc
    return "utf-8"


def sniff_delimiter(sample: str) -> str:
    """The delimiter that splits the last sampled lines (data, not title rows) into the same number of fields."""
    lines = [line for line in sample.splitlines()[:-1] if line.strip()][-20:] or sample.splitlines()
    best, best_score = ",", (0, 0)
    for delimiter in _CSV_DELIMITERS:
        counts = Counter(line.count(delimiter) for line in lines)
        modal_count, lines_with_it = max(counts.items(), key=lambda kv: (kv[1] if kv[0] else 0, kv[0]))
        score = (lines_with_it if modal_count else 0, modal_count)
        if score > best_score:
            best, best_score = delimiter, score
    return best


_SAMPLE_BYTES = 1 << 16


def _read_csv(con, path: Path) -> RawTable:
    with path.open("rb") as f:
        head = f.read(_SAMPLE_BYTES)
    encoding = _csv_encoding(head)
    delimiter = sniff_delimiter(head.decode(encoding, errors="ignore").lstrip("\ufeff"))
    source = _sql_text(str(path))
    options = f"header=false, auto_detect=false, encoding='{encoding}', strict_mode=false"
    if encoding == "utf-8":
        read = _read_plain_csv(con, path, head, delimiter, source, options)
        if read is not None:
            return read
    lines = _new_name("lines")
    try:
        # One pass over physical lines: the widest line (so no trailing field is cut off) and which lines are empty
        # (DuckDB skips those, and the row numbers we report must be the lines the user sees).
        con.execute(f"""CREATE TEMP TABLE {lines} AS
            SELECT line IS NULL AS empty,
                   coalesce(length(line) - length(replace(line, {_sql_text(delimiter)}, '')), 0) AS delimiters
            FROM read_csv({source}, {options}, delim='\x01', quote='', escape='', columns={{'line': 'VARCHAR'}})""")
        width = 1 + con.execute(f"SELECT coalesce(max(delimiters), 0) FROM {lines}").fetchall()[0][0]
        if width > MAX_CSV_COLUMNS:  # one line of commas would otherwise become that many columns
            raise ReadError(
                f"a line holds {width:,} fields, more than the {MAX_CSV_COLUMNS:,} columns a return may "
                f"have; is the delimiter right?"
            )
        columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width))
        grid = _new_name("csv")
        read = (
            f"read_csv({source}, {options}, delim={_sql_text(delimiter)}, quote='\"', escape='\"', "
            f"null_padding=true, columns={{{columns}}}"
        )
        try:
            con.execute(f"CREATE TEMP TABLE {grid} AS SELECT * FROM {read})")
        except Exception:  # quoted line breaks need the single-threaded reader
            con.execute(f"CREATE TEMP TABLE {grid} AS SELECT * FROM {read}, parallel=false)")
    except ReadError:
        raise
    except Exception as exc:
        first_line = str(exc).strip().splitlines()[0]
        raise ReadError(f"cannot read the CSV file: {first_line}") from exc
    # Record r (0-based) sits on line r + 1 + (empty lines before it). Empty line number L (1-based) that is the i-th
    # empty line has L - i records before it.
    skipped = _new_name("skipped")
    con.execute(f"""CREATE TEMP TABLE {skipped} AS
        SELECT records_before, max(empties) AS empties
        FROM (SELECT rowid + 1 - row_number() OVER (ORDER BY rowid) AS records_before,
                     row_number() OVER (ORDER BY rowid) AS empties
              FROM {lines} WHERE empty)
        GROUP BY records_before""")
    con.execute(f"DROP TABLE {lines}")
    name = _new_name("grid")
    cells = ", ".join(f"g.c{i}" for i in range(width))
    shifts = con.execute(f"SELECT records_before, empties FROM {skipped} ORDER BY records_before").fetchall()
    if len(shifts) <= 64:  # the usual case: a few blank lines (often none); a CASE is far cheaper than a join
        offset = "".join(f" WHEN g.rowid >= {before} THEN {empties}" for before, empties in reversed(shifts))
        con.execute(f"""CREATE TEMP VIEW {name} AS
            SELECT g.rowid + 1 + {f"CASE{offset} ELSE 0 END" if shifts else "0"} AS src_row, {cells} FROM {grid} g""")
    else:
        con.execute(f"""CREATE TEMP VIEW {name} AS
            SELECT g.rowid + 1 + coalesce(s.empties, 0) AS src_row, {cells}
            FROM {grid} g ASOF LEFT JOIN {skipped} s ON g.rowid >= s.records_before""")
    return RawTable(
        path.name, None, name, width, [], [f"DROP VIEW {name}", f"DROP TABLE {grid}", f"DROP TABLE {skipped}"]
    )


def _line_count(path: Path) -> int | None:
    """Physical lines of the file (a last line without a line break counts); None when a carriage return stands alone
    (DuckDB may break lines there, the user's editor may not)."""
    newlines = returns = crlf = 0
    last, previous = b"", b""
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 22), b""):
            newlines += block.count(b"\n")
            block_returns = block.count(b"\r")
            returns += block_returns
            # Most files have no carriage return at all: then there is no CRLF to count (the two-byte count costs as
            # much as the rest of this pass, 0.2 CPU s on the national ledger).
            crlf += (block.count(b"\r\n") if block_returns else 0) + (previous == b"\r" and block[:1] == b"\n")
            previous, last = block[-1:], block
    if returns != crlf:
        return None
    return newlines + (1 if last and not last.endswith(b"\n") else 0)


def _read_plain_csv(con, path: Path, head: bytes, delimiter: str, source: str, options: str) -> RawTable | None:
    """The usual CSV in one pass: no blank line, no line break inside a quoted cell, no line wider than the first
    64 KB's widest. Then record r is on line r + 1 and the width is known from the sample, and the pass over the
    physical lines ``_read_csv`` makes otherwise (a third of reading a national ledger) is not needed. None, having
    read nothing that stays, when the file is not like that (``_read_csv`` then reads it the general way).

    The grid gets one spare column: a line with more fields than the sample's widest fills it."""
    text = head.decode("utf-8", errors="ignore")
    sample = text.split("\n")
    if len(head) == _SAMPLE_BYTES:
        sample = sample[:-1]  # a line cut by the end of the sample
    width = 1 + max((line.count(delimiter) for line in sample), default=0)
    lines = _line_count(path)
    if width + 1 > MAX_CSV_COLUMNS or lines is None:
        return None
    spare = f"c{width}"
    columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width + 1))
    grid = _new_name("csv")
    try:
        con.execute(f"""CREATE TEMP TABLE {grid} AS SELECT * FROM read_csv({source}, {options}, delim={_sql_text(delimiter)},
            quote='"', escape='"', null_padding=true, columns={{{columns}}})""")
    except Exception:  # e.g. quoted line breaks (the general way reads them single-threaded)
        con.execute(f"DROP TABLE IF EXISTS {grid}")
        return None
    records, overflow = con.execute(f"SELECT count(*), count({spare}) FROM {grid}").fetchall()[0]
    if records != lines or overflow:
        con.execute(f"DROP TABLE {grid}")
        return None
    name = _new_name("grid")
    cells = ", ".join(f"c{i}" for i in range(width))
    con.execute(f"CREATE TEMP VIEW {name} AS SELECT rowid + 1 AS src_row, {cells} FROM {grid}")
    return RawTable(path.name, None, name, width, [], [f"DROP VIEW {name}", f"DROP TABLE {grid}"])


# --- Parquet ---------------------------------------------------------------------------------------------------------


def _read_parquet(con, path: Path) -> RawTable:
    source = _sql_text(str(path))
    try:
        names = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet({source})").fetchall()]
    except Exception as exc:
        raise ReadError(f"cannot read the Parquet file: {str(exc).strip().splitlines()[0]}") from exc
    # The column names become row 1, so header matching is the same as for a spreadsheet; data starts on row 2.
    header = ", ".join(f"{_sql_text(n)} AS c{i}" for i, n in enumerate(names))
    cells = ", ".join(f"CAST({_quote_ident(n)} AS VARCHAR) AS c{i}" for i, n in enumerate(names))
    name = _new_name("grid")
    con.execute(f"""CREATE TEMP VIEW {name} AS
        SELECT 1::BIGINT AS src_row, {header}
        UNION ALL
        SELECT file_row_number + 2 AS src_row, {cells} FROM read_parquet({source}, file_row_number=true)""")
    return RawTable(path.name, None, name, len(names), [], [f"DROP VIEW {name}"])


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
