"""Excel templates generated from the contracts: exact headers, drop-downs for coded columns, and they ingest."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from data_pipeline import templates
from data_pipeline.contracts import Column, Contract, all_contracts

CONTRACTS = all_contracts()


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("templates")
    return {p.stem: p for p in templates.write_templates(out)}


def dropdowns(path: Path, sheet: str) -> dict[str, list[str]]:
    """Header -> the values its list validation offers (inline lists and ranges on the hidden sheet resolved)."""
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    headers = {cell.column_letter: cell.value for cell in ws[1]}
    found = {}
    for dv in ws.data_validations.dataValidation:
        if dv.type != "list":
            continue
        letter = re.match(r"[A-Z]+", str(dv.sqref)).group(0)
        if dv.formula1.startswith('"'):
            values = dv.formula1.strip('"').split(",")
        else:
            sheet_name, cells = dv.formula1.split("!")
            values = [c.value for row in wb[sheet_name.strip("'")][cells.replace("$", "")] for c in row]
        found[headers[letter]] = values
    return found


def test_every_contract_gets_a_template_with_exactly_its_headers(written):
    assert sorted(written) == sorted(CONTRACTS)
    for name, contract in CONTRACTS.items():
        wb = CalamineWorkbook.from_path(str(written[name]))
        assert wb.sheet_names[:2] == [contract.sheet, "About"], name
        rows = wb.get_sheet_by_name(contract.sheet).to_python()
        expected = [c.name for c in contract.columns if c.kind != "pii_drop"]  # names and phones are not asked for
        assert rows == [expected], name


def test_coded_columns_have_drop_downs_with_the_allowed_values(written):
    provinces = templates.province_names()
    assert len(provinces) == 18 and "Vientiane Capital" in provinces
    for name, contract in CONTRACTS.items():
        offered = dropdowns(written[name], contract.sheet)
        for column in contract.columns:
            expected = {
                "category": list(column.allowed),
                "sex": ["F", "M"],
                "bool": ["yes", "no"],
                "province": provinces,
            }.get(column.kind)
            assert offered.get(column.name) == expected, (name, column.name)


def test_the_about_sheet_describes_every_column(written):
    contract = CONTRACTS["mecg_payments"]
    rows = CalamineWorkbook.from_path(str(written["mecg_payments"])).get_sheet_by_name("About").to_python()
    header_at = next(i for i, r in enumerate(rows) if r[:2] == ["column", "kind"])
    described = {r[0]: r for r in rows[header_at + 1 :] if r[0]}
    assert list(described) == [c.name for c in contract.columns]
    channel = described["channel"]
    assert channel[4] == contract.column("channel").description
    assert "payment channel" in channel[5] and channel[6] == "wallet; cash"


def test_a_long_list_goes_to_a_hidden_sheet(tmp_path):
    many = tuple(f"programme_number_{i:02d}" for i in range(40))
    contract = Contract(
        name="long",
        title="Long list",
        sender="test",
        grain="list",
        sheet="data",
        description="",
        key=("code",),
        columns=(Column("code", "text", "Code"), Column("programme", "category", "Programme", allowed=many)),
    )
    path = templates.write_template(contract, tmp_path / "long.xlsx")
    assert dropdowns(path, "data")["programme"] == list(many)
    assert openpyxl.load_workbook(path)["lists"].sheet_state == "hidden"


def valid_value(column: Column, row: int):
    """A value ingestion must accept for this column (row 0 and 1 differ where keys need it)."""
    return {
        "text": f"{column.name}-{row}",
        "pii_id": f"ID{row:05d}",
        "category": (column.allowed or ("x",))[0],
        "count": 10,
        "amount": 150000.0,
        "rate": 0.5,
        "year": 2022,
        "period": "2022-Q2",
        "date": dt.date(2022, 5, 15),
        "bool": "yes",
        "sex": ("F", "M")[row],
        "province": "Vientiane Capital",
        "district": "Chanthabuly",
    }[column.kind]


def test_a_template_filled_with_valid_rows_ingests_cleanly(written, tmp_path):
    from data_pipeline.ingest import validate_returns

    filled = []
    for name, contract in CONTRACTS.items():
        wb = openpyxl.load_workbook(written[name])
        ws = wb[contract.sheet]
        headers = [c.value for c in ws[1]]
        for row in range(2):
            ws.append([valid_value(contract.column(h), row) for h in headers])
        filled.append(tmp_path / f"{name}.xlsx")
        wb.save(filled[-1])
    report, staged = validate_returns(filled, hash_key=b"template-test-key")
    assert report.errors == []
    assert {name: table.num_rows for name, table in staged.items()} == {name: 2 for name in CONTRACTS}
    assert staged["mecg_register"].column("district").to_pylist() == ["0101", "0101"]
    assert staged["mecg_register"].column("province").to_pylist() == ["LA-VT", "LA-VT"]
