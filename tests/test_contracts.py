"""Every source contract is complete and internally consistent (a meta-test over the registry)."""

import duckdb
import pytest

from data_pipeline.contracts import all_contracts

CONTRACTS = list(all_contracts().values())
DUCKDB_TYPE = {
    "text": "VARCHAR",
    "category": "VARCHAR",
    "sex": "VARCHAR",
    "province": "VARCHAR",
    "district": "VARCHAR",
    "period": "VARCHAR",
    "pii_id": "VARCHAR",
    "count": "BIGINT",
    "year": "BIGINT",
    "amount": "DOUBLE",
    "rate": "DOUBLE",
    "date": "DATE",
    "bool": "BOOLEAN",
}


def test_every_source_of_the_spec_has_a_contract():
    names = set(all_contracts())
    assert {
        "population",
        "births",
        "labour_force",
        "health_insurance",
        "social_security",
        "mecg_register",
        "mecg_payments",
        "school_meals",
        "cash_transfer",
        "hi_membership_link",
        "sp_spending",
        "commission_meetings",
        "returns_log",
        "referrals",
        "grievances",
        "roadmap_actions",
        "capacity_building",
    } <= names


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda c: c.name)
def test_contract_is_complete(contract):
    column_names = [c.name for c in contract.columns]
    assert len(column_names) == len(set(column_names)), "column declared twice"
    assert contract.title and contract.sender and contract.description
    assert all(c.description for c in contract.columns)
    assert set(contract.key) <= {c.name for c in contract.warehouse_columns}
    for column in contract.columns:
        if column.kind == "category":
            assert column.allowed, f"{column.name}: a category needs its allowed values"
            assert set(column.value_aliases.values()) <= set(column.allowed), column.name
    if contract.period_column:
        assert contract.column(contract.period_column).kind in {"period", "year"}
    if contract.period_from_date:
        assert contract.column(contract.period_from_date).kind == "date"
    if any(c.kind == "district" for c in contract.columns):
        assert any(c.kind == "province" for c in contract.columns), "districts are matched within their province"
    if contract.partition_by:
        assert contract.partition_by == "period" and contract.replaces_by_period


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda c: c.name)
def test_no_two_columns_accept_the_same_header(contract):
    seen: dict[str, str] = {}
    for column in contract.columns:
        for key in column.header_keys:
            assert key not in seen, f"header {key!r} is accepted by both {seen.get(key)} and {column.name}"
            seen[key] = column.name


@pytest.mark.parametrize("contract", [c for c in CONTRACTS if c.checks], ids=lambda c: c.name)
def test_checks_are_valid_sql_over_the_typed_table(contract):
    con = duckdb.connect()
    columns = ", ".join(f'"{c.name}" {DUCKDB_TYPE[c.kind]}' for c in contract.warehouse_columns)
    con.execute(f"CREATE TABLE staged ({columns})")
    for check in contract.checks:
        assert check.column in {c.name for c in contract.columns}
        assert con.execute(f"SELECT count(*) FROM staged WHERE {check.where}").fetchone() == (0,)
