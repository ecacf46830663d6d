"""Whole returns: every contract ingests from a minimal valid return; personal data never reaches the staged tables;
checks across the files of one refresh (same file twice, two returns for one period, duplicate keys)."""

from __future__ import annotations

import datetime as dt
import random

import duckdb
import pyarrow as pa
import pytest

from data_pipeline.contracts import all_contracts
from data_pipeline.ingest import validate_returns
from data_pipeline.ingest.pseudonymise import create_pseudonym_table, pseudonymise_many
from data_pipeline.secrets import pseudonymise
from tests.ingest_fixtures import KEY, hi_rows, minimal_return, only, write_csv, write_xlsx

WAREHOUSE_TYPES = {
    "text": pa.string(),
    "category": pa.string(),
    "sex": pa.string(),
    "province": pa.string(),
    "district": pa.string(),
    "period": pa.string(),
    "count": pa.int64(),
    "year": pa.int64(),
    "amount": pa.float64(),
    "rate": pa.float64(),
    "date": pa.date32(),
    "bool": pa.bool_(),
    "pii_id": pa.string(),
}


@pytest.mark.parametrize("name", sorted(all_contracts()))
def test_minimal_valid_return_of_every_contract_ingests_without_error(tmp_path, name):
    contract = all_contracts()[name]
    path = write_xlsx(tmp_path / f"{name}.xlsx", minimal_return(contract), sheet=contract.sheet)
    report, staged = validate_returns([path], hash_key=KEY)
    assert report.errors == [], [str(i) for i in report.errors]
    table = staged[name]
    expected = [pa.field(c.name, WAREHOUSE_TYPES[c.kind]) for c in contract.warehouse_columns]
    if contract.period_from_date:
        expected.append(pa.field("period", pa.string()))
    expected.append(pa.field("source_file", pa.string()))
    assert [(f.name, f.type) for f in table.schema] == [(f.name, f.type) for f in expected]
    assert table.num_rows == 2
    assert report.returns[0].contract == name and report.returns[0].rows == 2


def _register(*rows):
    header = [
        "Record ID",
        "National ID",
        "Beneficiary name",
        "Phone number",
        "Sex",
        "DOB",
        "Type",
        "Province",
        "District",
        "Village",
        "Enrolment date",
        "Status",
        "Wallet",
    ]
    return [header, *rows]


def test_names_and_phones_never_reach_staged_and_ids_are_hashed(tmp_path):
    path = write_xlsx(
        tmp_path / "register.xlsx",
        _register(
            [
                "MECG-AT-000001",
                "1234 5678",
                "Noy Phommachan",
                "020 5555 1234",
                "F",
                "15/03/1995",
                "pregnant woman",
                "Attapeu",
                "Sanamxai",
                "Ban Mai",
                44501,
                "active",
                "yes",
            ],
            [
                "MECG-AT-000002",
                None,
                "Bounmy Sisavath",
                "020 5555 9999",
                "M",
                "2021-10-02",
                "child",
                "Attapeu",
                "Phuvong",
                None,
                "01/11/2021",
                "active",
                "no",
            ],
        ),
        sheet="register",
    )
    report, staged = validate_returns([path], hash_key=KEY)
    assert report.ok, report.issues
    table = staged["mecg_register"]
    assert "full_name" not in table.column_names and "phone" not in table.column_names
    cells = [str(v) for column in table.columns for v in column.to_pylist()]
    for clear in ("MECG-AT-000001", "MECG-AT-000002", "1234 5678", "12345678", "Noy", "Bounmy", "020 5555"):
        assert not any(clear in cell for cell in cells), clear
    assert table.column("beneficiary_key").to_pylist() == [
        pseudonymise("MECG-AT-000001", KEY),
        pseudonymise("MECG-AT-000002", KEY),
    ]
    assert table.column("national_id_key").to_pylist() == [pseudonymise("12345678", KEY), None]
    assert table.column("district").to_pylist() == ["1703", "1705"]
    assert not any("Noy" in str(i) or "MECG-AT" in str(i) for i in report.issues)
    # A date of birth identifies a person: only its month reaches the warehouse.
    assert [str(d) for d in table.column("birth_date").to_pylist()] == ["1995-03-01", "2021-10-01"]


def test_bulk_hashing_equals_the_reference_pseudonymise():
    ids = ["MECG-AT-000123", " mecg-at 000123 ", "ລາວ-12", "x" * 100, "a\u00a0b"]
    assert pseudonymise_many(ids, KEY) == [pseudonymise(i, KEY) for i in ids]
    long_key = b"k" * 100  # longer than a SHA-256 block: hashed first, as HMAC requires
    assert pseudonymise_many(ids, long_key) == [pseudonymise(i, long_key) for i in ids]


@pytest.mark.parametrize("key", [KEY, b"k" * 100, bytes(range(64))])
def test_hashing_in_duckdb_equals_the_reference_pseudonymise(key):
    # Every ASCII character (whitespace and control characters included) goes through the SQL path, the rest
    # through Python; both must give secrets.pseudonymise's hash.
    rng = random.Random(7)
    alphabet = [chr(i) for i in range(1, 128)] + ["ລ", "\u00a0", "ß", "é", "\u2003", "\x85"]
    ids = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 16))) for _ in range(2000)]
    ids += ["MECG-AT-000123", " mecg-at\t000123 ", "a\u00a0b", "x" * 200]
    con = duckdb.connect()
    con.execute("CREATE TABLE ids (v VARCHAR)")
    con.executemany("INSERT INTO ids VALUES (?)", [[i] for i in ids + [None]])
    create_pseudonym_table(con, "pseudonyms", "SELECT v FROM ids", key)
    hashed = dict(con.execute("SELECT clear, hashed FROM pseudonyms").fetchall())
    assert hashed == {i: pseudonymise(i, key) for i in ids}


def test_each_whitespace_character_inside_an_id_is_removed_before_hashing_in_duckdb():
    # The SQL path looks for each of these characters before it rewrites an id (issue 13): every one must be seen.
    ids = [f"MECG{chr(code)}AT-1" for code in (9, 10, 11, 12, 13, 28, 29, 30, 31, 32)] + ["MECG\x0eAT-1", "MECG-AT-1"]
    con = duckdb.connect()
    con.execute("CREATE TABLE ids (v VARCHAR)")
    con.executemany("INSERT INTO ids VALUES (?)", [[i] for i in ids])
    create_pseudonym_table(con, "pseudonyms", "SELECT v FROM ids", KEY)
    hashed = dict(con.execute("SELECT clear, hashed FROM pseudonyms").fetchall())
    assert hashed == {i: pseudonymise(i, KEY) for i in ids}
    assert {hashed[i] for i in ids[:10]} == {pseudonymise("MECGAT-1", KEY)}  # whitespace removed, all ten
    assert hashed["MECG\x0eAT-1"] != hashed["MECG\x0bAT-1"]  # a control character that is not whitespace stays


def test_same_file_sent_twice_is_read_once_with_a_warning(tmp_path):
    rows = hi_rows(["2022-Q2", "Attapeu", "F", "0-14", "hef", 10])
    first = write_xlsx(tmp_path / "hi.xlsx", rows)
    second = tmp_path / "hi (copy).xlsx"
    second.write_bytes(first.read_bytes())
    report, staged = validate_returns([first, second], hash_key=KEY)
    assert report.ok and staged["health_insurance"].num_rows == 1
    warning = only(report, "same_file_twice")
    assert warning.file == "hi (copy).xlsx" and "hi.xlsx" in warning.message


def test_two_different_returns_for_the_same_period_are_an_error_naming_both(tmp_path):
    first = write_xlsx(tmp_path / "hi_a.xlsx", hi_rows(["2022-Q2", "Attapeu", "F", "0-14", "hef", 10]))
    second = write_xlsx(tmp_path / "hi_b.xlsx", hi_rows(["2022-Q2", "Attapeu", "M", "0-14", "hef", 11]))
    report, staged = validate_returns([first, second], hash_key=KEY)
    issue = only(report, "same_period_twice")
    assert issue.file == "hi_b.xlsx" and "hi_a.xlsx" in issue.message and "2022-Q2" in issue.message
    assert staged == {}


def test_returns_for_different_periods_are_concatenated(tmp_path):
    first = write_xlsx(tmp_path / "hi_q1.xlsx", hi_rows(["2022-Q1", "Attapeu", "F", "0-14", "hef", 10]))
    second = write_csv(
        tmp_path / "hi_q2.csv", "period,province,sex,age_group,scheme,members\n2022-Q2,Attapeu,F,0-14,hef,11\n"
    )
    report, staged = validate_returns([first, second], hash_key=KEY)
    assert report.ok
    assert staged["health_insurance"].select(["period", "members", "source_file"]).to_pylist() == [
        {"period": "2022-Q1", "members": 10, "source_file": "hi_q1.xlsx"},
        {"period": "2022-Q2", "members": 11, "source_file": "hi_q2.csv"},
    ]
    assert [(r.file, r.periods) for r in report.returns] == [("hi_q1.xlsx", ["2022-Q1"]), ("hi_q2.csv", ["2022-Q2"])]


def test_duplicate_key_across_files_names_the_other_file(tmp_path):
    header = "payment_key,beneficiary_key,cycle,due_date,paid_date,amount_due,amount_paid,channel,status\n"
    first = write_csv(tmp_path / "pay_a.csv", header + "P-1,B-1,1,2022-01-10,,300000,,cash,pending\n")
    second = write_csv(
        tmp_path / "pay_b.csv",
        header + "P-2,B-1,2,2022-04-10,,300000,,cash,pending\np-1,B-1,1,2022-07-10,,300000,,cash,pending\n",
    )
    report, _ = validate_returns([first, second], hash_key=KEY)
    issue = only(report, "duplicate_key")
    assert (issue.file, issue.row) == ("pay_b.csv", 3)
    assert "row 2 of pay_a.csv" in issue.message and "P-1" not in issue.message


def test_workbook_with_several_returns_and_an_instructions_sheet(tmp_path):
    population = [["year", "province", "sex", "age_group", "population"], [2022, "Attapeu", "F", "0-4", 1000]]
    births = [["year", "province", "district", "sex", "births"], [2022, "Attapeu", None, "F", 50]]
    path = write_xlsx(
        tmp_path / "lsb.xlsx",
        [["How to fill this workbook"], ["one row per group"]],
        sheet="About",
        extra_sheets={"population": population, "births": births, "my working": [["scratch figures"], [1, 2, 3]]},
    )
    report, staged = validate_returns([path], hash_key=KEY)
    assert report.errors == []
    # The guidance sheet is skipped silently; any other sheet without a return's header is reported.
    assert [(i.code, i.sheet) for i in report.issues] == [("unrecognised_sheet", "my working")]
    assert staged["population"].column("population").to_pylist() == [1000]
    assert staged["births"].column("district").to_pylist() == [None]


def test_progress_is_reported_per_file_and_table(tmp_path):
    path = write_xlsx(tmp_path / "hi.xlsx", hi_rows(["2022-Q2", "Attapeu", "F", "0-14", "hef", 10]))
    calls = []
    validate_returns([path], hash_key=KEY, progress=lambda fraction, message: calls.append((fraction, message)))
    assert calls[0] == (0.0, "reading hi.xlsx") and calls[-1][0] == 1.0
    assert ("validating hi.xlsx / members") in [m for _, m in calls]


def test_commission_meeting_dates_and_bools(tmp_path):
    header = [
        "meeting_id",
        "level",
        "province",
        "planned_date",
        "held_date",
        "member_institution",
        "representative_level",
        "present",
        "sex",
    ]
    path = write_xlsx(
        tmp_path / "meetings.xlsx",
        [
            header,
            ["M-1", "National", None, "07/06/2022", None, "MoH", None, "No", None],
            ["M-1", "national", None, "07/06/2022", None, "MoF", "DG", "ແມ່ນ", "M"],
        ],
        sheet="meetings",
    )
    report, staged = validate_returns([path], hash_key=KEY)
    issue = only(report, "check_present_only_if_held")
    assert (issue.row, issue.column) == (3, "present")
    assert report.returns[0].periods == ["2022-Q2"]
    assert staged == {}
    path.unlink()
    path = write_xlsx(
        tmp_path / "meetings.xlsx",
        [header, ["M-1", "National", None, "07/06/2022", "08/06/2022", "MoF", "DG", "ແມ່ນ", "M"]],
        sheet="meetings",
    )
    report, staged = validate_returns([path], hash_key=KEY)
    assert report.ok
    row = staged["commission_meetings"].to_pylist()[0]
    assert (row["level"], row["representative_level"], row["present"], row["held_date"]) == (
        "central",
        "director_general",
        True,
        dt.date(2022, 6, 8),
    )
