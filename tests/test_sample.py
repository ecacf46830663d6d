"""The sample returns: the MECG pilot exactly as the source report gives it, one readable return per contract,
plausible magnitudes, determinism, and the committed sample_data/ always equal to what the generator writes.

Files are read raw (python-calamine, DuckDB read_csv), not through ingestion, which is another piece.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import duckdb
import pytest
from python_calamine import CalamineWorkbook

from data_pipeline.contracts import all_contracts, get_contract, normalise_header
from data_pipeline.sample import generate
from data_pipeline.sample.geography import PopulationModel
from data_pipeline.sample.mecg import CYCLE_AMOUNT_LAK, build_mecg, national_design

PROJECT = Path(__file__).resolve().parents[1]
COMMITTED = PROJECT / "sample_data"
REGISTER = "MoLSW_MECG_register_2022-06-30.xlsx"
LEDGER = "MoLSW_MECG_payments_to_2022-06-30.csv"
QUARTERS = [f"{y}-Q{q}" for y in (2020, 2021, 2022) for q in (1, 2, 3, 4)][:10]


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sample")
    generate(out, scale="small")
    return out


# --- reading raw files ------------------------------------------------------------------------------------------
def sheets_of(path: Path) -> dict[str, list[list[object]]]:
    if path.suffix == ".csv":
        with open(path, newline="", encoding="utf-8") as f:
            return {path.stem: list(csv.reader(f))}
    workbook = CalamineWorkbook.from_path(str(path))
    return {name: workbook.get_sheet_by_name(name).to_python() for name in workbook.sheet_names}


def header_mapping(cells: list[object], contract) -> dict[int, str] | None:
    """{cell index: contract column} when every non-blank cell is a declared spelling and all required are there."""
    spelled = {key: column.name for column in contract.columns for key in column.header_keys}
    mapping = {}
    for i, cell in enumerate(cells):
        if str(cell).strip() == "":
            continue
        if normalise_header(cell) not in spelled:
            return None
        mapping[i] = spelled[normalise_header(cell)]
    required = {c.name for c in contract.columns if c.required}
    return mapping if required <= set(mapping.values()) else None


def find_table(folder: Path, contract_name: str) -> tuple[Path, list[dict[str, object]]]:
    """The first top-level file with a sheet whose header row maps onto the contract; its rows by column name,
    without the 'Total' row and blank rows."""
    contract = get_contract(contract_name)
    for path in sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in (".xlsx", ".csv")):
        for rows in sheets_of(path).values():
            for at, cells in enumerate(rows[:10]):
                mapping = header_mapping(cells, contract)
                if mapping:
                    body = [
                        r
                        for r in rows[at + 1 :]
                        if any(str(c).strip() for c in r) and not any(str(c).strip().lower() == "total" for c in r)
                    ]
                    return path, [{column: r[i] for i, column in mapping.items()} for r in body]
    raise AssertionError(f"no sample file has a header row for {contract_name}")


def number(cell: object) -> float:
    return float(str(cell).replace(",", "")) if str(cell).strip() else 0.0


def quarter(cell: object) -> str:
    """A quarter as hand-typed in the returns ("2022-Q2", "2022 Q2", "Q2/2022") -> "2022-Q2"."""
    text = str(cell).strip()
    if m := re.fullmatch(r"(\d{4})\s*-?\s*Q([1-4])", text, re.IGNORECASE):
        return f"{m[1]}-Q{m[2]}"
    m = re.fullmatch(r"Q([1-4])/(\d{4})", text, re.IGNORECASE)
    assert m, f"not a quarter: {text!r}"
    return f"{m[2]}-Q{m[1]}"


def province_codes() -> dict[str, str]:
    """Every spelling of provinces.csv -> ISO code."""
    spellings = {}
    with open(PROJECT / "data_pipeline/reference/provinces.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            for name in [
                r["iso_code"],
                r["lsb_code"],
                r["name_en"],
                r["name_lo"],
                r["iso_name"],
                *r["other_spellings"].split(";"),
            ]:
                spellings[name.strip().lower()] = r["iso_code"]
    return spellings


def district_codes() -> dict[str, str]:
    """District name (LSB) or a romanisation of the alias table -> LSB code (the names used here are unique)."""
    codes = {}
    for table, name in (("districts.csv", "name_en"), ("district_aliases.csv", "alias")):
        with open(PROJECT / "data_pipeline/reference" / table, encoding="utf-8") as f:
            codes.update({r[name]: r["lsb_code"] for r in csv.DictReader(f)})
    return codes


# --- the MECG pilot, as the source report gives it --------------------------------------------------------------
def test_register_reproduces_the_source_reports_enrolment(sample):
    _, register = find_table(sample, "mecg_register")
    assert len(register) == 2_596
    assert Counter(district_codes()[r["district"]] for r in register) == {"1703": 1_100, "1705": 372, "1306": 1_124}
    assert {r["district"] for r in register} > {"Sanamxay", "Phouvong", "Nong"}, "romanisations vary"
    assert Counter(r["beneficiary_type"] for r in register) == {"Pregnant woman": 524, "Child under 12 months": 2_072}
    assert Counter(r["sex"] for r in register) == {"F": 1_560, "M": 1_036}
    assert all(r["sex"] == "F" for r in register if r["beneficiary_type"] == "Pregnant woman")
    assert {province_codes()[str(r["province"]).lower()] for r in register} == {"LA-AT", "LA-SV"}
    assert len({r["beneficiary_key"] for r in register}) == 2_596
    assert all(re.fullmatch(r"MECG-(AT|SV)-\d{6}", r["beneficiary_key"]) for r in register)
    blank_ids = sum(1 for r in register if not str(r["national_id_key"]).strip())
    assert 0 < blank_ids < 2_596 * 0.3, "some national ids are blank, most are not"
    assert all(re.fullmatch(r"020 5\d{3} \d{4}", r["phone"]) for r in register if r["phone"])


def register_and_ledger(folder: Path) -> duckdb.DuckDBPyConnection:
    _, register = find_table(folder, "mecg_register")
    con = duckdb.connect()
    con.execute("CREATE TABLE register (record_id VARCHAR, has_wallet VARCHAR, enrolled INTEGER)")
    con.executemany(
        "INSERT INTO register VALUES (?, ?, ?)",
        [(r["beneficiary_key"], r["has_wallet"], int(r["enrolment_date"])) for r in register],
    )
    con.execute(f"""CREATE TABLE ledger AS SELECT * FROM read_csv('{folder / LEDGER}', header = true,
                    columns = {{'payment_id': 'VARCHAR', 'record_id': 'VARCHAR', 'cycle': 'INTEGER',
                                'due': 'DATE', 'paid': 'DATE', 'amount_due': 'BIGINT', 'amount_paid': 'BIGINT',
                                'channel': 'VARCHAR', 'status': 'VARCHAR'}})""")
    return con


def test_ledger_pays_1410_beneficiaries_by_30_june_2022_and_leaves_1186_unpaid(sample):
    con = register_and_ledger(sample)
    paid_once = """SELECT DISTINCT record_id FROM ledger
                   WHERE status = 'Completed' AND paid IS NOT NULL AND paid <= DATE '2022-06-30'"""
    assert con.execute(f"SELECT count(*) FROM ({paid_once})").fetchone() == (1_410,)
    assert con.execute(f"SELECT count(*) FROM register WHERE record_id NOT IN ({paid_once})").fetchone() == (1_186,)


def test_ledger_follows_the_grant_design(sample):
    con = register_and_ledger(sample)
    # LAK 150,000 a month paid every two months; every payment belongs to an enrolled beneficiary.
    assert con.execute("SELECT DISTINCT amount_due FROM ledger").fetchall() == [(CYCLE_AMOUNT_LAK,)]
    assert con.execute(
        "SELECT count(*) FROM ledger WHERE record_id NOT IN (SELECT record_id FROM register)"
    ).fetchone() == (0,)
    assert con.execute(
        "SELECT count(*) FROM register WHERE record_id NOT IN (SELECT record_id FROM ledger)"
    ).fetchone() == (0,), "everyone enrolled has at least one payment due by 30 June 2022"
    assert con.execute("SELECT count(*) = count(DISTINCT payment_id) FROM ledger").fetchone() == (True,)
    assert con.execute(
        "SELECT max(due) <= DATE '2022-06-30', max(paid) <= DATE '2022-06-30' FROM ledger"
    ).fetchone() == (True, True)
    # Status and paid date agree; amounts paid only when paid; wallet when a phone is registered, else cash.
    assert con.execute("""SELECT count(*) FROM ledger WHERE (status = 'Completed') <> (paid IS NOT NULL)
                      OR (status = 'Completed') <> (amount_paid IS NOT NULL)""").fetchone() == (0,)
    assert (
        con.execute("""SELECT count(*) FROM ledger JOIN register USING (record_id)
                      WHERE channel <> CASE has_wallet WHEN 'Yes' THEN 'Digital wallet' ELSE 'Cash' END""").fetchone()
        == (0,)
    )
    # Payments fall due every two months, the first at least 30 days after enrolment (Excel serial day numbers).
    assert con.execute("""SELECT count(*) FROM ledger l JOIN register r USING (record_id)
                      WHERE cycle = 1 AND (due - DATE '1899-12-30') < r.enrolled + 30""").fetchone() == (0,)
    # Realistic delays: some on time, many weeks late.
    on_time, late, median = con.execute("""SELECT avg((paid - due <= 5)::INT), avg((paid - due > 30)::INT),
                                       median(paid - due) FROM ledger WHERE paid IS NOT NULL""").fetchone()
    assert 0.15 < on_time < 0.5 and 0.2 < late < 0.6 and 10 <= median <= 45


def test_hi_membership_link_covers_part_of_the_grant_recipients(sample):
    _, register = find_table(sample, "mecg_register")
    _, members = find_table(sample, "hi_membership_link")
    recipients = {r["national_id_key"] for r in register if str(r["national_id_key"]).strip()}
    linked = recipients & {m["national_id_key"] for m in members}
    assert 0.3 * len(recipients) < len(linked) < 0.8 * len(recipients)
    assert len(members) > len(linked), "the list also holds members who are not grant recipients"


# --- one readable return per contract -----------------------------------------------------------------------------
@pytest.mark.parametrize("contract_name", sorted(all_contracts()))
def test_every_contract_has_a_sample_return_whose_header_maps_onto_it(sample, contract_name):
    _, rows = find_table(sample, contract_name)
    assert rows, f"{contract_name}: header found but no data rows"


QUARTERLY = ("health_insurance", "social_security", "school_meals", "cash_transfer", "returns_log")
YEARLY = ("population", "births", "labour_force", "sp_spending")


@pytest.mark.parametrize("contract_name", QUARTERLY)
def test_quarterly_returns_cover_2020q1_to_2022q2(sample, contract_name):
    _, rows = find_table(sample, contract_name)
    assert sorted({quarter(r["period"]) for r in rows}) == QUARTERS


@pytest.mark.parametrize("contract_name", YEARLY)
def test_yearly_returns_cover_2020_to_2022(sample, contract_name):
    _, rows = find_table(sample, contract_name)
    assert sorted({int(number(r["year"])) for r in rows}) == [2020, 2021, 2022]


@pytest.mark.parametrize(
    "contract_name", ("population", "births", "labour_force", "health_insurance", "social_security", "returns_log")
)
def test_all_18_provinces_are_present(sample, contract_name):
    _, rows = find_table(sample, contract_name)
    spellings = province_codes()
    provinces = {spellings[str(r["province"]).strip().lower()] for r in rows if str(r["province"]).strip()}
    assert len(provinces) == 18


# --- magnitudes -----------------------------------------------------------------------------------------------------
def test_magnitudes_are_plausible(sample):
    _, population = find_table(sample, "population")
    pop_2022 = sum(number(r["population"]) for r in population if number(r["year"]) == 2022)
    with open(PROJECT / "data_pipeline/reference/provinces.csv", encoding="utf-8") as f:
        census_2015 = sum(int(r["population_2015"]) for r in csv.DictReader(f))
    assert pop_2022 == pytest.approx(census_2015 * 1.0145**7, rel=0.01)  # 2015 census grown 1.45 % a year
    female = sum(number(r["population"]) for r in population if number(r["year"]) == 2022 and r["sex"] == "F")
    assert 0.48 < female / pop_2022 < 0.52
    _, births = find_table(sample, "births")
    births_2022 = sum(number(r["births"]) for r in births if number(r["year"]) == 2022)
    assert 0.020 < births_2022 / pop_2022 < 0.024
    _, hi = find_table(sample, "health_insurance")
    members = sum(number(r["members"]) for r in hi if quarter(r["period"]) == "2022-Q2")
    assert 0.93 < members / pop_2022 < 0.955
    _, ss = find_table(sample, "social_security")
    latest = [r for r in ss if quarter(r["period"]) == "2022-Q2"]
    assert 0.84e6 < sum(number(r["insured_persons"]) for r in latest) < 0.9e6
    assert 0.3e6 < sum(number(r["active_contributors"]) for r in latest) < 0.35e6
    _, labour = find_table(sample, "labour_force")
    employed = sum(number(r["employed"]) for r in labour if number(r["year"]) == 2022)
    unemployed = sum(number(r["unemployed"]) for r in labour if number(r["year"]) == 2022)
    assert 0.02 < unemployed / (employed + unemployed) < 0.03


def test_secretariat_logs_match_the_source_report(sample):
    _, events = find_table(sample, "capacity_building")
    assert (
        len(events),
        sum(number(e["participants"]) for e in events),
        sum(number(e["women_participants"]) for e in events),
    ) == (6, 208, 62)
    _, spending = find_table(sample, "sp_spending")
    assert Counter(int(number(r["year"])) for r in spending) == {2020: 13, 2021: 13, 2022: 13}
    _, meetings = find_table(sample, "commission_meetings")
    dates = [str(m["planned_date"]) for m in meetings]
    assert all(d.endswith("/2022") for d in dates), "the Commission exists from December 2021"
    assert any(not str(m["held_date"]).strip() for m in meetings), "some meetings were not held"
    _, log = find_table(sample, "returns_log")
    received = [r for r in log if str(r["received_date"]).strip()]
    on_time = [r for r in received if number(r["received_date"]) <= number(r["due_date"])]
    assert 0.85 < len(received) / len(log) < 0.99 and 0.5 < len(on_time) / len(log) < 0.9


# --- the mess, and the returns that must be rejected --------------------------------------------------------------
def test_the_same_return_is_sent_twice(sample):
    original = sample / "MAF_cash_transfer_2020-2022.xlsx"
    assert (sample / "MAF_cash_transfer_2020-2022_resent.xlsx").read_bytes() == original.read_bytes()


def test_the_broken_return_holds_its_three_faults_where_the_readme_says(sample):
    rows = sheets_of(sample / "broken" / "MoES_school_meals_2022Q2_broken.xlsx")["school_meals"]
    header = rows[0]
    by_row = {excel_row: dict(zip(header, rows[excel_row - 1])) for excel_row in range(2, len(rows) + 1)}
    assert by_row[3]["pupils_enrolled"] % 1 == 0.5
    assert by_row[5]["province"] == "Vientiane North"
    assert by_row[6]["period"] == "2022-Q5"
    readme = (COMMITTED / "README.md").read_text(encoding="utf-8")
    for fault in ("row 3", "row 5", "row 6", "Vientiane North", "2022-Q5"):
        assert fault in readme


def test_readme_documents_every_file(sample):
    readme = (COMMITTED / "README.md").read_text(encoding="utf-8")
    for path in sample.rglob("*.*"):
        assert path.name in readme, f"sample_data/README.md does not mention {path.name}"


# --- determinism and the committed set ----------------------------------------------------------------------------
def cell_values(folder: Path) -> dict[str, dict[str, list[list[object]]]]:
    return {
        str(p.relative_to(folder)): sheets_of(p) for p in sorted(folder.rglob("*")) if p.suffix in (".xlsx", ".csv")
    }


def test_same_seed_same_cells_and_another_seed_other_cells(tmp_path, sample):
    generate(tmp_path / "again", seed=20220630)
    assert cell_values(tmp_path / "again") == cell_values(sample)
    generate(tmp_path / "other", seed=7)
    other = cell_values(tmp_path / "other")
    assert other["LSB_labour_force_2020-2022.xlsx"] != cell_values(sample)["LSB_labour_force_2020-2022.xlsx"]
    # …but the report's facts hold for any seed.
    con = register_and_ledger(tmp_path / "other")
    assert con.execute("""SELECT count(DISTINCT record_id) FROM ledger WHERE status = 'Completed'
                      AND paid <= DATE '2022-06-30'""").fetchone() == (1_410,)


def test_committed_sample_data_is_what_the_generator_writes(sample):
    assert cell_values(COMMITTED) == cell_values(sample), (
        "sample_data/ drifted from the generator: run python -m data_pipeline.sample sample_data"
    )
    committed = {str(p.relative_to(COMMITTED)) for p in COMMITTED.rglob("*") if p.is_file()}
    assert committed - {"README.md"} == {str(p.relative_to(sample)) for p in sample.rglob("*") if p.is_file()}


def test_committed_sample_stays_small():
    assert sum(p.stat().st_size for p in COMMITTED.rglob("*") if p.is_file()) < 3_000_000


# --- the national-scale builder, at a small size --------------------------------------------------------------------
def test_national_design_enrols_in_every_district_and_keeps_its_totals():
    design = national_design(PopulationModel(1), seed=1, beneficiaries=3_000)
    tables = build_mecg(design, seed=1)
    register = tables.register
    con = duckdb.connect()
    con.register("register", register)
    con.register("payments", tables.payments)
    assert register.num_rows == 3_000
    assert con.execute("SELECT count(DISTINCT district) FROM register").fetchone() == (148,)
    assert con.execute("""SELECT count(DISTINCT beneficiary_key) FROM payments WHERE status = 'paid'""").fetchone() == (
        design.paid_beneficiaries,
    )
    assert con.execute("SELECT count(DISTINCT beneficiary_key) FROM payments").fetchone() == (3_000,)
    assert con.execute("SELECT max(paid_date) <= DATE '2022-06-30', min(cycle) FROM payments").fetchone() == (True, 1)
    assert con.execute("""SELECT count(*) FROM payments p JOIN register r USING (beneficiary_key)
                      WHERE p.due_date < r.enrolment_date""").fetchone() == (0,)
