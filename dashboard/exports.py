"""Downloads of any table shown: CSV and Excel bytes, safe to open in a spreadsheet.

A cell starting with ``=``, ``+``, ``-``, ``@`` (or a tab/carriage return) would be read by Excel or LibreOffice as a
formula ("CSV injection"); such text cells are prefixed with an apostrophe (``data_pipeline.gate.formula_text``, the
same rule ingestion applies). Numbers are left as numbers, so a negative
value stays a number.
"""

from __future__ import annotations

import io

import pandas as pd

from data_pipeline.gate.formula_text import neutralise_frame as neutralise
from data_pipeline.gate.formula_text import neutralise_text as neutralise_cell

__all__ = ["csv_bytes", "excel_bytes", "neutralise", "neutralise_cell"]


def csv_bytes(frame: pd.DataFrame) -> bytes:
    # UTF-8 with BOM so that Excel shows Lao script correctly.
    return neutralise(frame).to_csv(index=False).encode("utf-8-sig")


def excel_bytes(frame: pd.DataFrame, sheet_name: str = "data") -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(
        buffer,
        engine="xlsxwriter",
        engine_kwargs={"options": {"strings_to_formulas": False, "strings_to_urls": False, "in_memory": True}},
    ) as writer:
        neutralise(frame).to_excel(writer, sheet_name=sheet_name[:31], index=False)
    return buffer.getvalue()
