"""No personal data past ingestion: the sample's names, phones and clear ids appear nowhere in the warehouse.

The personal values are collected from the raw sample files directly (python-calamine and the csv module), not
through ingestion, so a bug in ingestion cannot hide itself. Then every cell of every Parquet file, and every other
file the warehouse holds (manifest, refresh log, caches), is searched for them.
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest
from python_calamine import CalamineWorkbook

from data_pipeline.contracts import all_contracts, normalise_header

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"
PERSONAL_KINDS = {"pii_id", "pii_drop"}


def _personal_headers() -> set[str]:
    return {
        key
        for contract in all_contracts().values()
        for column in contract.columns
        if column.kind in PERSONAL_KINDS
        for key in column.header_keys
    }


def _rows(path: Path) -> list[list[list]]:
    """Every sheet of a workbook (or the one table of a CSV) as lists of cells."""
    if path.suffix == ".csv":
        with path.open(newline="", encoding="utf-8-sig") as f:
            return [list(csv.reader(f))]
    workbook = CalamineWorkbook.from_path(str(path))
    return [workbook.get_sheet_by_name(name).to_python() for name in workbook.sheet_names]


def personal_values_in_sample() -> set[str]:
    headers = _personal_headers()
    found: set[str] = set()
    for path in sorted(SAMPLE.glob("*.xlsx")) + sorted(SAMPLE.glob("*.csv")):
        for rows in _rows(path):
            for i, row in enumerate(rows[:20]):
                personal = [j for j, cell in enumerate(row) if normalise_header(cell) in headers]
                if personal:
                    for data_row in rows[i + 1 :]:
                        found.update(str(data_row[j]).strip() for j in personal if j < len(data_row))
                    break
    found.discard("")
    return {value for value in found if len(value) >= 6}  # short values ("F", "12") are not identifying


@pytest.fixture(scope="module")
def personal_values() -> set[str]:
    values = personal_values_in_sample()
    # The collection itself must work, or the scan below would pass vacuously.
    assert any(v.startswith("MECG-") for v in values) and any(v.startswith("PMT-") for v in values)
    assert any(" " in v and v.replace(" ", "").isalpha() for v in values), "no names collected"
    assert any(v.replace(" ", "").isdigit() and v.startswith("020") for v in values), "no phones collected"
    assert len(values) > 10_000
    return values


def test_no_name_phone_or_clear_id_in_any_parquet_cell(sample_warehouse, personal_values):
    parquet_files = sorted(sample_warehouse.rglob("*.parquet"))
    assert len(parquet_files) >= 17
    con = duckdb.connect()
    leaks = []
    for path in parquet_files:
        columns = [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM read_parquet('{path}')").fetchall()]
        for column in columns:
            distinct = con.execute(
                f"SELECT DISTINCT CAST(\"{column}\" AS VARCHAR) FROM read_parquet('{path}')"
            ).fetchall()
            values = {str(v[0]).strip() for v in distinct if v[0] is not None}
            leaked = values & personal_values
            if leaked:
                leaks.append(f"{path.relative_to(sample_warehouse)}:{column}: {sorted(leaked)[:3]}")
    assert leaks == []


def test_no_personal_value_in_manifests_logs_or_caches(sample_warehouse, personal_values):
    other_files = [p for p in sample_warehouse.rglob("*") if p.is_file() and p.suffix != ".parquet"]
    assert any(p.name == "manifest.json" for p in other_files)
    for path in other_files:
        text = path.read_bytes().decode("utf-8", errors="ignore")
        leaked = [value for value in personal_values if value in text]
        assert leaked == [], f"{path.relative_to(sample_warehouse)} holds {leaked[:3]}"


def test_the_pilot_register_is_in_the_warehouse_only_as_keyed_hashes(sample_warehouse):
    con = duckdb.connect()
    register = f"read_parquet('{sample_warehouse}/versions/*/tables/mecg_register.parquet')"
    keys = con.execute(f"SELECT beneficiary_key FROM {register}").fetchall()
    assert len(keys) == 2596
    assert all(len(k[0]) == 64 and all(c in "0123456789abcdef" for c in k[0]) for k in keys)
    columns = {row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {register}").fetchall()}
    assert not columns & {"full_name", "phone", "name", "record_id", "national_id"}
