"""Writing returns the way ministries send them: workbooks with title rows, totals, odd spellings and stray cells,
and large ledgers as CSV.

A ``Sheet`` pairs canonical rows (contract column names -> values) with how they are presented: which header
spelling, how each cell is written, and which layout quirks surround the table. Workbooks are written with fixed
document properties and XlsxWriter's fixed zip timestamps, so the same rows give byte-identical files.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import xlsxwriter

from data_pipeline.contracts import get_contract

Row = dict[str, object]
CellWriter = Callable[[object, int], object]  # (canonical value, 0-based data row index) -> what the cell holds

DOCUMENT_DATE = datetime(2022, 8, 15, 9, 0, 0)  # fixed "created/modified" so workbooks are reproducible


@dataclass(frozen=True)
class Sheet:
    name: str  # as written; may differ from the contract's sheet (renamed)
    contract: str
    rows: list[Row]
    headers: dict[str, str] = field(default_factory=dict)  # contract column -> header as written
    cells: dict[str, CellWriter] = field(default_factory=dict)
    columns: tuple[str, ...] | None = None  # which contract columns, in which order (default: all, as declared)
    title: tuple[str, ...] = ()  # lines above the header (followed by one blank row)
    total_of: tuple[str, ...] = ()  # add a "Total" row summing these columns
    trailing_blank_columns: int = 0  # formatted but empty cells right of the table
    trailing_blank_rows: int = 0  # and below it

    @property
    def column_names(self) -> tuple[str, ...]:
        return self.columns or tuple(c.name for c in get_contract(self.contract).columns)

    def header_row(self) -> list[str]:
        return [self.headers.get(c, c) for c in self.column_names]

    def data_rows(self) -> list[list[object]]:
        """The table as it will be written (without title or total rows)."""
        out = []
        for i, row in enumerate(self.rows):
            out.append(
                [self.cells[c](row[c], i) if c in self.cells else _default_cell(row[c]) for c in self.column_names]
            )
        return out

    def total_label_index(self) -> int:
        """Where a clerk writes "Total": the first label column (not a number, year or date column)."""
        kinds = {c.name: c.kind for c in get_contract(self.contract).columns}
        return next(
            i
            for i, c in enumerate(self.column_names)
            if kinds[c] not in ("count", "amount", "rate", "year", "date", "pii_id")
        )

    @property
    def header_excel_row(self) -> int:
        """1-based row number of the header as Excel shows it."""
        return len(self.title) + (2 if self.title else 1)


def _default_cell(value: object) -> object:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return value


def _number(value: object) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    return float(str(value).replace(",", "")) if value not in (None, "") else 0


def write_workbook(path: Path, sheets: list[Sheet]) -> Path:
    workbook = xlsxwriter.Workbook(
        str(path), {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}
    )
    workbook.set_properties(
        {"title": path.stem, "author": "SP dashboard sample-data generator", "created": DOCUMENT_DATE}
    )
    bold = workbook.add_format({"bold": True})
    header_format = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    date_format = workbook.add_format({"num_format": "dd/mm/yyyy"})
    stray = workbook.add_format({"border": 1})  # an empty but formatted cell still extends the used range
    for sheet in sheets:
        ws = workbook.add_worksheet(sheet.name)
        for r, line in enumerate(sheet.title):
            ws.write_string(r, 0, line, bold)
        header_row = sheet.header_excel_row - 1
        header = sheet.header_row()
        for c, text in enumerate(header):
            ws.write_string(header_row, c, text, header_format)
        ws.set_column(0, len(header) - 1, 16)
        data = sheet.data_rows()
        for r, values in enumerate(data, start=header_row + 1):
            for c, value in enumerate(values):
                _write_cell(ws, r, c, value, date_format)
            for extra in range(sheet.trailing_blank_columns):
                ws.write_blank(r, len(header) + extra, None, stray)
        last = header_row + len(data)
        if sheet.total_of:
            last += 1
            ws.write_string(last, sheet.total_label_index(), "Total", bold)
            for c, column in enumerate(sheet.column_names):
                if column in sheet.total_of:
                    total = sum(_number(values[c]) for values in data)
                    _write_cell(ws, last, c, _like(total, data[0][c]), bold)
        for extra in range(1, sheet.trailing_blank_rows + 1):
            for c in range(len(header)):
                ws.write_blank(last + extra, c, None, stray)
    workbook.close()
    return path


def _like(total: float, example: object) -> object:
    """A total written the way the column's cells are (text with separators, or a number)."""
    total = int(total) if float(total).is_integer() else total
    return f"{total:,}" if isinstance(example, str) else total


def _write_cell(ws, r: int, c: int, value: object, date_format) -> None:
    if value is None or value == "":
        return
    if isinstance(value, bool):
        ws.write_boolean(r, c, value)
    elif isinstance(value, (int, float)):
        ws.write_number(r, c, value)
    elif isinstance(value, (date, datetime)):
        ws.write_datetime(r, c, datetime(value.year, value.month, value.day), date_format)
    else:
        ws.write_string(r, c, str(value))


def write_csv(path: Path, table: pa.Table, select: str) -> Path:
    """Write an Arrow table as CSV through DuckDB; ``select`` is the SELECT list over ``t`` (renames, spellings)."""
    con = duckdb.connect()
    con.register("t", table)
    con.execute(f"COPY (SELECT {select} FROM t) TO '{path}' (HEADER, DELIMITER ',', DATEFORMAT '%Y-%m-%d')")
    con.close()
    return path
