"""Blank Excel templates, one per contract: the headers ingestion expects, drop-downs for coded columns, and an
"About" sheet that explains every column. Generated from the contracts, so a template never disagrees with ingestion.

Personal data the pipeline drops on receipt (``pii_drop``: names, phones) is not asked for in the template.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from data_pipeline import reference
from data_pipeline.contracts import Column, Contract, all_contracts

INLINE_LIST_MAX = 250  # Excel refuses an inline drop-down list longer than 255 characters
BOOL_VALUES = ("yes", "no")
SEX_VALUES = ("F", "M")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def province_names() -> list[str]:
    """English names of the provinces, as the reference table spells them (ingestion accepts them)."""
    return [row["name_en"] for row in reference.reference_rows("provinces")]


def template_columns(contract: Contract) -> list[Column]:
    return [c for c in contract.columns if c.kind != "pii_drop"]


def dropdown_values(column: Column) -> list[str] | None:
    """The values a drop-down offers for this column, or None when it has none."""
    if column.kind == "category":
        return list(column.allowed)
    if column.kind == "sex":
        return list(SEX_VALUES)
    if column.kind == "bool":
        return list(BOOL_VALUES)
    if column.kind == "province":
        return province_names()
    return None


def _kind_note(column: Column) -> str:
    notes = {
        "count": "whole number, 0 or more",
        "amount": "number in LAK",
        "rate": "proportion between 0 and 1 (or %)",
        "year": "four-digit year",
        "period": "quarter, e.g. 2022-Q2",
        "date": "date (YYYY-MM-DD or day/month/year)",
        "bool": "yes or no",
        "sex": "F or M",
        "province": "province name or code",
        "district": "district name or LSB 4-digit code",
        "pii_id": "identifier (pseudonymised on receipt)",
        "category": "one of the allowed values",
        "text": "text",
    }
    return notes.get(column.kind, column.kind)


def write_template(contract: Contract, path: Path) -> Path:
    columns = template_columns(contract)
    wb = Workbook()
    ws = wb.active
    ws.title = contract.sheet
    about = wb.create_sheet("About")
    lists = None
    last_row = contract.template_rows + 1

    for i, column in enumerate(columns, start=1):
        letter = get_column_letter(i)
        cell = ws.cell(row=1, column=i, value=column.name)
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
        ws.column_dimensions[letter].width = max(12, len(column.name) + 4)
        cells = f"{letter}2:{letter}{last_row}"
        values = dropdown_values(column)
        if values:
            inline = ",".join(values)
            if len(inline) <= INLINE_LIST_MAX and not any("," in v for v in values):
                formula = f'"{inline}"'
            else:  # long lists live on a hidden sheet and are referenced by range
                if lists is None:
                    lists = wb.create_sheet("lists")
                    lists.sheet_state = "hidden"
                list_col = get_column_letter(lists.max_column + (1 if lists.max_row > 1 else 0))
                lists[f"{list_col}1"] = column.name
                for r, value in enumerate(values, start=2):
                    lists[f"{list_col}{r}"] = value
                formula = f"{quote_sheetname('lists')}!${list_col}$2:${list_col}${len(values) + 1}"
            dv = DataValidation(type="list", formula1=formula, allow_blank=column.nullable)
            dv.error, dv.errorTitle = f"Choose one of the values in the list for {column.name}", "Not in the list"
        elif column.kind == "count":
            dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
            dv.error, dv.errorTitle = f"{column.name} is a whole number, 0 or more", "Not a count"
        elif column.kind == "rate":
            dv = DataValidation(type="decimal", operator="between", formula1="0", formula2="1", allow_blank=True)
            dv.error, dv.errorTitle = f"{column.name} is a proportion between 0 and 1", "Not a proportion"
        else:
            dv = DataValidation(allow_blank=True)  # any value: only shows the column's description on entry
        dv.showErrorMessage = dv.type is not None
        dv.promptTitle = column.name[:32]
        dv.prompt = column.description[:255]
        dv.showInputMessage = True
        dv.add(cells)
        ws.add_data_validation(dv)
    ws.freeze_panes = "A2"

    about.append([contract.title])
    about["A1"].font = Font(bold=True, size=13)
    about.append([f"From: {contract.sender}. {contract.description}"])
    about.append(
        [
            f"Fill the sheet '{contract.sheet}': one row per {contract.grain} row; keep the header row. "
            f"Each row is identified by: {', '.join(contract.key)}."
        ]
    )
    about.append([])
    header = [
        "column",
        "kind",
        "required",
        "blank allowed",
        "description",
        "accepted header spellings",
        "allowed values",
    ]
    about.append(header)
    for cell in about[about.max_row]:
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
    for column in columns:
        values = dropdown_values(column) if column.kind != "province" else ["see the drop-down"]
        about.append(
            [
                column.name,
                _kind_note(column),
                "yes" if column.required else "no",
                "yes" if column.nullable else "no",
                column.description,
                "; ".join(column.aliases),
                "; ".join(values or []),
            ]
        )
    for letter, width in zip("ABCDEFG", (24, 30, 9, 13, 60, 50, 50)):
        about.column_dimensions[letter].width = width
    for row in about.iter_rows(min_row=6):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def write_templates(out_dir: Path) -> list[Path]:
    """One ``<contract>.xlsx`` per contract in ``out_dir``."""
    return [write_template(contract, Path(out_dir) / f"{name}.xlsx") for name, contract in all_contracts().items()]
