"""Downloads of any table shown: CSV and Excel bytes, safe to open in a spreadsheet.

A cell starting with ``=``, ``+``, ``-``, ``@`` (or a tab/carriage return) would be read by Excel or LibreOffice as a
formula ("CSV injection"); such text cells are prefixed with an apostrophe (``data_pipeline.gate.formula_text``, the
same rule ingestion applies). Numbers are left as numbers, so a negative
value stays a number.
"""

from __future__ import annotations

import io
import math

import pandas as pd

from data_pipeline.gate.formula_text import neutralise_frame as neutralise
from data_pipeline.gate.formula_text import neutralise_text as neutralise_cell

__all__ = ["csv_bytes", "excel_bytes", "neutralise", "neutralise_cell"]


def csv_bytes(frame: pd.DataFrame) -> bytes:
    # UTF-8 with BOM so that Excel shows Lao script correctly.
    return neutralise(frame).to_csv(index=False).encode("utf-8-sig")


_WORKBOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "in_memory": True}


def excel_bytes(frame: pd.DataFrame, sheet_name: str = "data") -> bytes:
    """The table as a one-sheet workbook, the same workbook ``DataFrame.to_excel`` writes (xlsxwriter; a header row,
    then the cells column by column, gaps left empty), written cell by cell without pandas' per-cell formatter: that
    was over half of a large table's workbook, and the first view of the indicator page makes five (issue 13).
    Frames holding dates, durations or decimals, which pandas gives number formats, go through pandas."""
    import xlsxwriter  # on a reader's click only (a deferred download): not with the pages (issue 13)

    frame = neutralise(frame)
    columns = [column.tolist() for _, column in frame.items()]
    if not all(_plain(value) for values in columns for value in values):
        return _excel_bytes_by_pandas(frame, sheet_name)
    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer, _WORKBOOK_OPTIONS) as book:
        sheet = book.add_worksheet(sheet_name[:31])
        for col, name in enumerate(frame.columns):
            _write(sheet, 0, col, name if _plain(name) else str(name))
        for col, values in enumerate(columns):
            for row, value in enumerate(values, start=1):
                _write(sheet, row, col, value)
    return buffer.getvalue()


def _plain(value) -> bool:
    return value is None or value is pd.NA or isinstance(value, (str, bool, int, float))


def _write(sheet, row: int, col: int, value) -> None:
    """One cell as pandas' Excel writer puts it: a gap (None, NaN, NA) is no cell, infinities are the text 'inf'."""
    if value is None or value is pd.NA or value != value:  # NaN is the one value unequal to itself
        return
    if isinstance(value, str):
        if value:  # pandas writes '' through xlsxwriter, which leaves an empty unformatted cell out
            sheet.write_string(row, col, value[:32767])
    elif isinstance(value, bool):
        sheet.write_boolean(row, col, value)
    elif isinstance(value, float) and math.isinf(value):
        sheet.write_string(row, col, "inf" if value > 0 else "-inf")
    else:
        sheet.write_number(row, col, value)


def _excel_bytes_by_pandas(frame: pd.DataFrame, sheet_name: str) -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="xlsxwriter", engine_kwargs={"options": dict(_WORKBOOK_OPTIONS)}) as writer:
        frame.to_excel(writer, sheet_name=sheet_name[:31], index=False)
    return buffer.getvalue()
