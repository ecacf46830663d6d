"""The typing query's two shapes give the same table: without joins (categories as a CASE, identifiers hashed in
place, no sort) and with joins (mapping tables, sorted by row), in the order of the return; and a ledger column that
mixes every way a number or a date is written is read, warned about and rejected exactly as before (issue 13)."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from data_pipeline.ingest import table as typing_table
from data_pipeline.ingest import validate_returns
from data_pipeline.secrets import pseudonymise
from tests.ingest_fixtures import KEY, codes, only, write_csv

HEADER = "Payment ID,Record ID,Payment cycle,Date due,Date paid,Amount due (LAK),Amount paid (LAK),Payment channel,Payment status\n"


def _ledger(tmp_path, rows: list[str], name: str = "payments_2022Q2.csv"):
    return write_csv(tmp_path / name, HEADER + "".join(r + "\n" for r in rows))


# Rows deliberately not sorted by any column: the order kept must be the file's.
MIXED = [
    'PMT-9,MECG-2,1,2022-04-15,2022-04-20 10:30,"1,234",1234,Digital wallet,Completed',
    "PMT-1,MECG-1,2,15/04/2022,,1 234, 12 ,cash,pending",
    "pmt 5,mecg-1,3,44666,44667,1e3,12.0, digital_WALLET ,Success",
    "PMT-7,MECG-3,4,2022-4-5,,12.0,,Cash in hand,failed",
    "PMT-3,MECG-2,5,20220601,2022/06/02,150000,150000,wallet,paid",
]


def _staged(tmp_path, monkeypatch, *, joins: bool, rows=MIXED):
    if joins:  # what a table with provinces and districts, or more spellings than a CASE takes, goes through
        monkeypatch.setattr(typing_table, "_MAX_CASE_SPELLINGS", 0)
        monkeypatch.setattr(typing_table.TableValidation, "_joins_anyway", True, raising=False)
        monkeypatch.setattr(typing_table, "_keeps_row_order", lambda con, select: False)
    report, staged = validate_returns([_ledger(tmp_path, rows)], hash_key=KEY)
    return report, staged.get("mecg_payments")


@pytest.fixture
def no_joins_anyway(monkeypatch):
    """TableValidation sets _joins_anyway per table; for the joined run it must stay True, so make it a property."""
    monkeypatch.setattr(
        typing_table.TableValidation,
        "_joins_anyway",
        property(lambda self: True, lambda self, value: None),
        raising=False,
    )


def test_mixed_writings_are_read_the_same_with_and_without_joins(tmp_path, monkeypatch):
    plain_report, plain = _staged(tmp_path, monkeypatch, joins=False)
    assert plain_report.ok, [str(i) for i in plain_report.issues]
    assert plain.column("amount_due").to_pylist() == [1234.0, 1234.0, 1000.0, 12.0, 150000.0]
    assert plain.column("amount_paid").to_pylist() == [1234.0, 12.0, 12.0, None, 150000.0]
    assert plain.column("due_date").to_pylist() == [
        dt.date(2022, 4, 15),
        dt.date(2022, 4, 15),  # 15/04/2022, day first
        dt.date(2022, 4, 15),  # Excel serial 44666
        dt.date(2022, 4, 5),
        dt.date(2022, 6, 1),
    ]
    assert plain.column("paid_date").to_pylist() == [
        dt.date(2022, 4, 20),
        None,
        dt.date(2022, 4, 16),
        None,
        dt.date(2022, 6, 2),
    ]
    assert plain.column("channel").to_pylist() == ["wallet", "cash", "wallet", "cash", "wallet"]
    assert plain.column("status").to_pylist() == ["paid", "pending", "paid", "failed", "paid"]
    # The file's order, and the ids hashed exactly as secrets.pseudonymise does ('pmt 5' is 'PMT5').
    assert plain.column("payment_key").to_pylist() == [
        pseudonymise(v, KEY) for v in ["PMT-9", "PMT-1", "pmt 5", "PMT-7", "PMT-3"]
    ]
    assert plain.column("beneficiary_key").to_pylist() == [
        pseudonymise(v, KEY) for v in ["MECG-2", "MECG-1", "mecg-1", "MECG-3", "MECG-2"]
    ]
    assert sorted(set(codes(plain_report, "warning"))) == ["day_first_date", "excel_serial_date", "thousands_separator"]

    joined_report, joined = _staged(tmp_path, monkeypatch, joins=True)
    assert joined.equals(plain)
    assert [str(i) for i in joined_report.issues] == [str(i) for i in plain_report.issues]


def test_unreadable_cells_get_the_same_errors_with_and_without_joins(tmp_path, monkeypatch):
    bad = [
        "PMT-1,MECG-1,1,2022-04-15,,1.234,,wallet,pending",  # ambiguous dot grouping
        "PMT-2,MECG-1,2,04/13/2022,,100,,wallet,pending",  # month first: not a date
        "PMT-3,MECG-1,2.5,2022-04-15,,100,,carrier pigeon,pending",  # decimals in a count; unknown channel
        "PMT-4,MECG-1,3,2022-04-15,,1e400x,,wallet,pending",  # not a number
    ]
    plain_report, _ = _staged(tmp_path, monkeypatch, joins=False, rows=bad)
    assert sorted(codes(plain_report, "error")) == [
        "ambiguous_number",
        "decimal_in_count",
        "not_a_date",
        "not_a_number",
        "unknown_value",
    ]
    issue = only(plain_report, "not_a_date")
    assert (issue.file, issue.row, issue.column) == ("payments_2022Q2.csv", 3, "Date due")
    joined_report, _ = _staged(tmp_path, monkeypatch, joins=True, rows=bad)
    assert [str(i) for i in joined_report.issues] == [str(i) for i in plain_report.issues]


def test_identifiers_over_several_vectors_keep_the_files_order_and_every_hash(tmp_path):
    """A ledger's payment and beneficiary ids (no join in its typing query) over several of DuckDB's vectors: in the
    file's order, each row's hash exactly secrets.pseudonymise's, whitespace, lower case and non-ASCII ids (hashed in
    Python) included."""
    spellings = ["MECG-1", "mecg-1", "MECG 1", "MECG\x1c1", "MÉCG-2", "mécg-2", "ＭＥＣＧ-3", "MECG-4"]
    beneficiaries = [spellings[(i * 7) % len(spellings)] + ("" if i % 3 else str(i % 11)) for i in range(5000)]
    payments = [f"PMT-{(i * 7919) % 5003}" for i in range(5000)]
    rows = [f"{p},{b},1,2022-04-15,,100,,cash,pending" for p, b in zip(payments, beneficiaries)]
    report, staged = validate_returns([_ledger(tmp_path, rows)], hash_key=KEY)
    assert report.ok, [str(i) for i in report.issues]
    table = staged["mecg_payments"]
    assert table.column("payment_key").to_pylist() == [pseudonymise(v, KEY) for v in payments]
    assert table.column("beneficiary_key").to_pylist() == [pseudonymise(v, KEY) for v in beneficiaries]


def _tables():
    """t: rows 0..4999 in order (src_row, v); m: a small mapping; shuffled: t's rows out of order."""
    con = duckdb.connect()
    con.execute("CREATE TEMP TABLE t AS SELECT range AS src_row, CAST(range AS VARCHAR) AS v FROM range(5000)")
    con.execute("CREATE TEMP TABLE m AS SELECT CAST(range AS VARCHAR) AS v, 1 AS c FROM range(3)")
    con.execute("CREATE TEMP TABLE shuffled AS SELECT * FROM t ORDER BY src_row % 7, src_row")
    return con


def test_the_plan_check_tells_scans_and_projections_from_joins():
    con = _tables()
    assert typing_table._keeps_row_order(con, "SELECT src_row, upper(v) FROM (SELECT * FROM t WHERE src_row > 2)")
    assert not typing_table._keeps_row_order(con, "SELECT t.src_row, m.c FROM t LEFT JOIN m ON t.v = m.v")
    # A long IN list becomes a join in DuckDB's plan: it is not taken for a projection.
    in_list = ", ".join(f"'{i}'" for i in range(20))
    assert not typing_table._keeps_row_order(con, f"SELECT src_row, v IN ({in_list}) FROM t")


def test_rows_out_of_order_are_noticed():
    con = _tables()
    assert typing_table._in_row_order(con, "t")
    assert not typing_table._in_row_order(con, "shuffled")
