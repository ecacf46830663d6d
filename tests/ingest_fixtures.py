"""Small return files written by the tests themselves (openpyxl for .xlsx, plain text for .csv)."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from data_pipeline.contracts import Contract

KEY = b"test-key-not-secret"


def write_xlsx(
    path: Path, rows: list[list], sheet: str = "members", extra_sheets: dict[str, list[list]] | None = None
) -> Path:
    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    for row in rows:
        worksheet.append(row)
    for name, sheet_rows in (extra_sheets or {}).items():
        other = workbook.create_sheet(name)
        for row in sheet_rows:
            other.append(row)
    workbook.save(path)
    return path


def write_csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


HI_HEADER = ["period", "province", "sex", "age_group", "scheme", "members"]


def hi_rows(*rows: list) -> list[list]:
    """A health insurance return: the template header, then the given rows."""
    return [HI_HEADER, *rows]


def codes(report, severity: str | None = None) -> list[str]:
    return [i.code for i in report.issues if severity is None or i.severity == severity]


def only(report, code: str):
    found = [i for i in report.issues if i.code == code]
    assert len(found) == 1, f"expected one {code!r} issue, got: {[str(i) for i in report.issues]}"
    return found[0]


def minimal_value(contract: Contract, column, row: int) -> object:
    """A valid cell for ``column`` in data row ``row`` (0 or 1); key columns differ between the two rows."""
    kind = column.kind
    return {
        "text": f"{column.name.upper()}-{row}",
        "category": column.allowed[0] if column.allowed else "x",
        "count": 5,
        "amount": 1000,
        "rate": 0.5,
        "year": 2022,
        "period": "2022-Q2",
        "date": "2022-05-31",
        "bool": "yes",
        "sex": "FM"[row],
        "province": "Attapeu",
        "district": "Sanamxay",
        "pii_id": f"ID-{row}-0001",
        "pii_drop": f"Person {row}",
    }[kind]


def minimal_return(contract: Contract) -> list[list]:
    header = [c.name for c in contract.columns]
    return [header] + [[minimal_value(contract, c, row) for c in contract.columns] for row in (0, 1)]
