"""Test helper: staged tables (what ingestion hands to the warehouse) built from a few literal rows."""

from __future__ import annotations

import pyarrow as pa

from data_pipeline.contracts import get_contract
from data_pipeline.warehouse import table_schema

ARROW_TYPES = {
    "VARCHAR": pa.string(),
    "BIGINT": pa.int64(),
    "DOUBLE": pa.float64(),
    "DATE": pa.date32(),
    "BOOLEAN": pa.bool_(),
}


def staged_table(contract_name: str, rows: list[dict], source_file: str = "return.xlsx") -> pa.Table:
    """A table with exactly the warehouse columns of the contract; columns a row does not give are null."""
    schema = pa.schema([(name, ARROW_TYPES[t]) for name, t in table_schema(get_contract(contract_name))])
    rows = [{"source_file": source_file, **row} for row in rows]
    return pa.Table.from_pylist(rows, schema=schema)


def cash_transfer_rows(period: str, beneficiaries: int, districts=("0101", "0102")) -> list[dict]:
    return [
        {
            "period": period,
            "province": "LA-VT",
            "district": d,
            "sex": sex,
            "beneficiaries": beneficiaries,
            "payments_due": beneficiaries,
            "payments_on_time": beneficiaries - 1,
        }
        for d in districts
        for sex in ("F", "M")
    ]
