"""A tiny warehouse, written in the layout of docs/DESIGN.md §3, whose indicator values are worked out by hand in
tests/test_indicators_golden.py. Two provinces (Attapeu LA-AT: districts 1703 Sanamxay, 1705 Phouvong; Savannakhet
LA-SV: district 1306 Nong), two quarters (2022-Q1, 2022-Q2), and every source the catalogue reads.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from data_pipeline.contracts import all_contracts
from indicators.parameters import DEFAULT_PATH

VERSION = "v0001"
D = dt.date.fromisoformat
_ARROW = {
    "count": pa.int64(),
    "year": pa.int64(),
    "amount": pa.float64(),
    "rate": pa.float64(),
    "date": pa.date32(),
    "bool": pa.bool_(),
}


def _quarter(day: dt.date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def _pop(province, sex, groups):
    return [dict(year=2022, province=province, sex=sex, age_group=a, population=n) for a, n in groups.items()]


def _ss(province, sex, scheme, contrib, insured, pens, mat, unemp, injury, disab):
    return dict(
        period="2022-Q2",
        province=province,
        sex=sex,
        scheme=scheme,
        active_contributors=contrib,
        insured_persons=insured,
        old_age_pensioners=pens,
        maternity_benefit_recipients=mat,
        unemployment_benefit_recipients=unemp,
        employment_injury_covered=injury,
        disability_benefit_recipients=disab,
    )


def _reg(key, nid, sex, kind, province, district, enrolled, wallet):
    return dict(
        beneficiary_key=key,
        national_id_key=nid,
        sex=sex,
        beneficiary_type=kind,
        province=province,
        district=district,
        enrolment_date=D(enrolled),
        status="active",
        has_wallet=wallet,
    )


def _pay(key, beneficiary, cycle, due, paid, amount_paid, channel, status):
    return dict(
        payment_key=key,
        beneficiary_key=beneficiary,
        cycle=cycle,
        due_date=D(due),
        paid_date=D(paid) if paid else None,
        amount_due=300_000.0,
        amount_paid=amount_paid,
        channel=channel,
        status=status,
    )


def _meeting(meeting, level, province, planned, held, member, rep, present, sex):
    return dict(
        meeting_id=meeting,
        level=level,
        province=province,
        planned_date=D(planned),
        held_date=D(held) if held else None,
        member_institution=member,
        representative_level=rep,
        present=present,
        sex=sex,
    )


def _ret(source, sender, kind, province, period, due, received):
    return dict(
        source=source,
        sender=sender,
        sender_type=kind,
        province=province,
        period=period,
        due_date=D(due),
        received_date=D(received) if received else None,
    )


def _ref(key, frm, to, province, district, sex, referred, completed, feedback):
    return dict(
        referral_key=key,
        from_programme=frm,
        to_service=to,
        province=province,
        district=district,
        sex=sex,
        referred_date=D(referred),
        completed_date=D(completed) if completed else None,
        feedback_returned=feedback,
    )


def _griev(key, programme, province, district, sex, category, received, resolved):
    return dict(
        grievance_key=key,
        programme=programme,
        province=province,
        district=district,
        sex=sex,
        category=category,
        received_date=D(received),
        resolved_date=D(resolved) if resolved else None,
    )


TABLES: dict[str, list[dict]] = {
    "population": (
        _pop("LA-AT", "F", {"0-4": 100, "5-9": 100, "10-14": 100, "15-19": 200, "60-64": 40, "65+": 60})
        + _pop("LA-AT", "M", {"0-4": 100, "5-9": 100, "10-14": 100, "15-19": 200, "60-64": 30, "65+": 20})
        + _pop("LA-SV", "F", {"0-4": 200, "5-9": 200, "10-14": 200, "20-24": 400, "65+": 100})
        + _pop("LA-SV", "M", {"0-4": 200, "5-9": 200, "10-14": 200, "20-24": 300, "65+": 100})
    ),
    "births": [
        dict(year=2022, province="LA-AT", district="1703", sex="F", births=40),
        dict(year=2022, province="LA-AT", district="1703", sex="M", births=40),
        dict(year=2022, province="LA-AT", district="1705", sex="F", births=10),
        dict(year=2022, province="LA-AT", district="1705", sex="M", births=10),
        dict(year=2022, province="LA-SV", district="1306", sex="F", births=30),
        dict(year=2022, province="LA-SV", district="1306", sex="M", births=30),
        dict(year=2022, province="LA-SV", district=None, sex="F", births=100),
        dict(year=2022, province="LA-SV", district=None, sex="M", births=100),
    ],
    "labour_force": [
        dict(year=2022, province="LA-AT", sex="F", employed=150, unemployed=10),
        dict(year=2022, province="LA-AT", sex="M", employed=200, unemployed=10),
        dict(year=2022, province="LA-SV", sex="F", employed=300, unemployed=20),
        dict(year=2022, province="LA-SV", sex="M", employed=300, unemployed=20),
    ],
    "social_security": [  # contributors, insured, pensioners, maternity, unemployment, injury, disability
        _ss("LA-AT", "F", "private", 30, 60, 5, 2, 1, 25, 1),
        _ss("LA-AT", "F", "public", 20, 40, 5, 0, 0, 20, 0),
        _ss("LA-AT", "M", "private", 50, 90, 3, 0, 2, 45, 2),
        _ss("LA-AT", "M", "public", 10, 20, 2, 0, 0, 10, 0),
        _ss("LA-SV", "F", "private", 40, 80, 10, 4, 2, 35, 1),
        _ss("LA-SV", "M", "private", 60, 100, 10, 0, 3, 55, 3),
    ],
    "cash_transfer": [
        dict(
            period="2022-Q2",
            province="LA-AT",
            district="1705",
            sex="F",
            beneficiaries=20,
            payments_due=20,
            payments_on_time=15,
        ),
        dict(
            period="2022-Q2",
            province="LA-AT",
            district="1705",
            sex="M",
            beneficiaries=10,
            payments_due=10,
            payments_on_time=10,
        ),
        dict(
            period="2022-Q2",
            province="LA-SV",
            district="1306",
            sex="F",
            beneficiaries=30,
            payments_due=30,
            payments_on_time=20,
        ),
        dict(
            period="2022-Q2",
            province="LA-SV",
            district="1306",
            sex="M",
            beneficiaries=20,
            payments_due=20,
            payments_on_time=10,
        ),
    ],
    "health_insurance": [
        dict(period="2022-Q2", province="LA-AT", sex="F", age_group="0-14", scheme="health_equity_fund", members=100),
        dict(period="2022-Q2", province="LA-AT", sex="F", age_group="15-59", scheme="informal_sector", members=50),
        dict(period="2022-Q2", province="LA-AT", sex="M", age_group="0-14", scheme="health_equity_fund", members=90),
        dict(period="2022-Q2", province="LA-AT", sex="M", age_group="60+", scheme="exempt_groups", members=20),
        dict(period="2022-Q2", province="LA-SV", sex="F", age_group="15-59", scheme="civil_servants", members=200),
        dict(period="2022-Q2", province="LA-SV", sex="M", age_group="15-59", scheme="private_employees", members=100),
    ],
    "mecg_register": [
        _reg("b1", "n1", "F", "pregnant_woman", "LA-AT", "1703", "2022-01-10", True),
        _reg("b2", "n2", "F", "child", "LA-AT", "1703", "2022-01-15", False),
        _reg("b3", None, "M", "child", "LA-AT", "1703", "2022-02-01", True),
        _reg("b4", "n4", "M", "child", "LA-AT", "1705", "2022-02-20", False),
        _reg("b5", None, "F", "child", "LA-SV", "1306", "2022-03-05", True),
        _reg("b6", "n6", "F", "pregnant_woman", "LA-SV", "1306", "2022-04-10", True),
        _reg("b7", "n7", "M", "child", "LA-SV", "1306", "2022-05-01", False),
        _reg("b8", "n1", "F", "pregnant_woman", "LA-AT", "1703", "2022-04-01", True),  # n1 again: same person
    ],
    "mecg_payments": [
        _pay("p1", "b1", 1, "2022-02-01", "2022-02-10", 300_000.0, "wallet", "paid"),  # 9 days late
        _pay("p2", "b1", 2, "2022-04-01", "2022-04-30", 300_000.0, "wallet", "paid"),  # 29
        _pay("p3", "b2", 1, "2022-02-01", "2022-03-01", 300_000.0, "cash", "paid"),  # 28
        _pay("p4", "b2", 2, "2022-04-01", None, None, "cash", "pending"),
        _pay("p5", "b3", 1, "2022-03-01", "2022-02-25", 300_000.0, "wallet", "paid"),  # early: 0
        _pay("p6", "b4", 1, "2022-03-01", None, None, "cash", "pending"),
        _pay("p7", "b5", 1, "2022-04-01", "2022-04-05", 300_000.0, "wallet", "paid"),  # 4
        _pay("p8", "b6", 1, "2022-05-01", "2022-06-30", 150_000.0, "wallet", "paid"),  # 60, half paid
        _pay("p9", "b7", 1, "2022-06-01", None, None, "cash", "cancelled"),
        _pay("p10", "b8", 1, "2022-05-01", "2022-05-01", 300_000.0, "wallet", "paid"),  # 0
    ],
    "hi_membership_link": [
        dict(national_id_key="n1", scheme="exempt_groups"),
        dict(national_id_key="n6", scheme="health_equity_fund"),
        dict(national_id_key="n9", scheme="informal_sector"),
    ],
    "school_meals": [
        dict(
            period="2022-Q2", province="LA-AT", district="1705", sex="F", pupils_enrolled=100, pupils_receiving_meals=80
        ),
        dict(
            period="2022-Q2", province="LA-AT", district="1705", sex="M", pupils_enrolled=100, pupils_receiving_meals=70
        ),
        dict(
            period="2022-Q2",
            province="LA-SV",
            district="1306",
            sex="F",
            pupils_enrolled=200,
            pupils_receiving_meals=150,
        ),
        dict(
            period="2022-Q2",
            province="LA-SV",
            district="1306",
            sex="M",
            pupils_enrolled=200,
            pupils_receiving_meals=100,
        ),
    ],
    "sp_spending": [
        dict(
            year=2022,
            ministry="MoLSW",
            coa_code="6211",
            coa_label="Social welfare transfers",
            programme="MECG",
            allocated_lak=1000.0,
            executed_lak=800.0,
            reported_to=D("2022-06-30"),
        ),
        dict(
            year=2022,
            ministry="MoLSW",
            coa_code="6212",
            coa_label="Social welfare administration",
            programme=None,
            allocated_lak=500.0,
            executed_lak=500.0,
            reported_to=D("2022-06-30"),
        ),
        dict(
            year=2022,
            ministry="MoH",
            coa_code="6301",
            coa_label="Health equity fund",
            programme="HEF",
            allocated_lak=2000.0,
            executed_lak=1000.0,
            reported_to=D("2022-06-30"),
        ),
        dict(
            year=2021,
            ministry="MoLSW",
            coa_code="6211",
            coa_label="Social welfare transfers",
            programme="MECG",
            allocated_lak=1000.0,
            executed_lak=500.0,
        ),
    ],
    "commission_meetings": [
        _meeting("M1", "central", None, "2022-02-15", "2022-02-16", "MoLSW", "minister", True, "M"),
        _meeting("M1", "central", None, "2022-02-15", "2022-02-16", "MoH", "delegate", True, "F"),
        _meeting("M1", "central", None, "2022-02-15", "2022-02-16", "MoF", None, False, None),
        _meeting("M2", "provincial", "LA-AT", "2022-03-10", "2022-03-10", "AT governor", "governor", True, "M"),
        _meeting("M2", "provincial", "LA-AT", "2022-03-10", "2022-03-10", "AT health", "delegate", True, "F"),
        _meeting("M3", "provincial", "LA-SV", "2022-03-20", None, "SV governor", None, False, None),
        _meeting("M3", "provincial", "LA-SV", "2022-03-20", None, "SV health", None, False, None),
        _meeting("M4", "provincial", "LA-AT", "2022-05-10", "2022-05-12", "AT governor", "vice_governor", True, "F"),
        _meeting("M4", "provincial", "LA-AT", "2022-05-10", "2022-05-12", "AT health", "director", True, "F"),
        _meeting("M5", "provincial", "LA-SV", "2022-06-01", "2022-06-02", "SV governor", "delegate", True, "M"),
        _meeting("M5", "provincial", "LA-SV", "2022-06-01", "2022-06-02", "SV health", None, False, None),
    ],
    "returns_log": [
        _ret("social_security", "LSSO", "ministry", None, "2022-Q1", "2022-04-15", None),
        _ret("referrals", "Attapeu PSWO", "province", "LA-AT", "2022-Q1", "2022-04-20", "2022-04-18"),
        _ret("social_security", "LSSO", "ministry", None, "2022-Q2", "2022-07-15", "2022-07-10"),
        _ret("cash_transfer", "MAF", "ministry", None, "2022-Q2", "2022-07-15", "2022-08-01"),
        _ret("school_meals", "MoES", "ministry", None, "2022-Q2", "2022-07-15", None),
        _ret("referrals", "Attapeu PSWO", "province", "LA-AT", "2022-Q2", "2022-07-20", "2022-07-20"),
        _ret("referrals", "Savannakhet PSWO", "province", "LA-SV", "2022-Q2", "2022-07-20", "2022-07-25"),
        _ret("grievances", "Attapeu PSWO", "province", "LA-AT", "2022-Q2", "2022-07-20", "2022-07-19"),
    ],
    "referrals": [
        _ref("f1", "mecg", "health", "LA-AT", "1703", "F", "2022-01-20", "2022-02-01", True),
        _ref("f2", "mecg", "nutrition", "LA-AT", "1703", "M", "2022-02-05", None, False),
        _ref("f3", "mecg", "birth_registration", "LA-AT", "1705", "F", "2022-03-01", "2022-03-15", False),
        _ref("f4", "cash_transfer", "health", "LA-SV", "1306", "F", "2022-04-02", "2022-04-20", True),
        _ref("f5", "mecg", "health", "LA-SV", "1306", "M", "2022-05-03", "2022-05-10", True),
        _ref("f6", "mecg", "disability", "LA-SV", "1306", "F", "2022-06-10", None, False),
        _ref("f7", "mecg", "health", "LA-AT", "1703", "F", "2022-04-15", None, False),
    ],
    "grievances": [
        _griev("g1", "mecg", "LA-AT", "1703", "F", "payment", "2022-02-01", "2022-02-20"),  # 19 days
        _griev("g2", "mecg", "LA-AT", "1703", "M", "payment", "2022-02-10", "2022-04-01"),  # 50 days
        _griev("g3", "cash_transfer", "LA-SV", None, None, "eligibility", "2022-03-01", None),  # still open
        _griev("g4", "health_insurance", "LA-SV", "1306", "F", "service", "2022-04-05", "2022-05-05"),  # 30
    ],
    "roadmap_actions": [
        dict(
            action_id="A1",
            pillar="health_insurance",
            responsible_ministry="MoH",
            due_date=D("2022-03-31"),
            completed_date=D("2022-03-20"),
            status="completed",
        ),
        dict(
            action_id="A2",
            pillar="social_security",
            responsible_ministry="MoLSW",
            due_date=D("2022-03-15"),
            completed_date=D("2022-04-10"),
            status="completed",
        ),
        dict(
            action_id="A3",
            pillar="social_welfare",
            responsible_ministry="MoLSW",
            due_date=D("2022-06-30"),
            completed_date=None,
            status="in_progress",
        ),
        dict(
            action_id="A4",
            pillar="cross_cutting",
            responsible_ministry="MoF",
            due_date=D("2022-06-01"),
            completed_date=None,
            status="dropped",
        ),
        dict(
            action_id="A5",
            pillar="social_welfare",
            responsible_ministry="MoLSW",
            due_date=D("2099-12-31"),
            completed_date=None,
            status="not_started",
        ),
        dict(
            action_id="A6",
            pillar="health_insurance",
            responsible_ministry="MoH",
            due_date=D("2022-07-31"),
            completed_date=D("2022-07-15"),
            status="completed",
        ),  # done early: the list is as of 15 July
    ],
    "capacity_building": [
        dict(
            event_id="E1",
            event_date=D("2022-02-10"),
            level="national",
            province=None,
            participants=40,
            women_participants=10,
        ),
        dict(
            event_id="E2",
            event_date=D("2022-03-05"),
            level="provincial",
            province="LA-AT",
            participants=30,
            women_participants=12,
        ),
        dict(
            event_id="E3",
            event_date=D("2022-05-20"),
            level="district",
            province="LA-SV",
            participants=20,
            women_participants=8,
        ),
    ],
}

# Parameters the golden values use (the shipped file's values differ on purpose where noted).
PARAMETER_OVERRIDES = {
    "payment_grace_days": "15",
    "grievance_standard_days": "30",
    "referral_standard_days": "30",
    "small_cell_threshold": "5",
    "severe_disability_prevalence": "0.02",
    "mecg_pregnant_women_per_birth": "0.75",
    "LA-AT": "0.2",
    "LA-SV": "0.1",
}


def arrow_table(name: str, rows: list[dict]) -> pa.Table:
    """Rows -> a table with exactly the warehouse columns of the contract (DESIGN.md §1)."""
    contract = all_contracts()[name]
    columns, types = [], []
    for column in contract.warehouse_columns:
        columns.append(column.name)
        types.append(_ARROW.get(column.kind, pa.string()))
    if contract.period_from_date:
        for row in rows:
            row.setdefault("period", _quarter(row[contract.period_from_date]))
        columns.append("period")
        types.append(pa.string())
    columns.append("source_file")
    types.append(pa.string())
    unknown = {k for row in rows for k in row} - set(columns)
    if unknown:
        raise ValueError(f"fixture {name}: columns {unknown} are not in the contract")
    data = {c: [row.get(c, f"{name}_2022.xlsx" if c == "source_file" else None) for row in rows] for c in columns}
    return pa.table(data, schema=pa.schema(list(zip(columns, types))))


def write_warehouse(root: Path, tables: dict[str, list[dict]] | None = None, version: str = VERSION) -> Path:
    """Write the fixture as warehouse ``version`` under ``root`` and make it CURRENT."""
    tables = TABLES if tables is None else tables
    out = root / "versions" / version / "tables"
    out.mkdir(parents=True)
    entries = {}
    for name, rows in tables.items():
        table = arrow_table(name, [dict(r) for r in rows])
        if all_contracts()[name].partition_by:
            pq.write_to_dataset(table, out / name, partition_cols=[all_contracts()[name].partition_by])
            entries[name] = {"path": f"tables/{name}", "partitioned": True, "rows": table.num_rows}
        else:
            pq.write_table(table, out / f"{name}.parquet")
            entries[name] = {"path": f"tables/{name}.parquet", "partitioned": False, "rows": table.num_rows}
    manifest = {
        "version": version,
        "created_at": "2022-08-15T10:00:00+07:00",
        "operator": "fixture",
        "parent": None,
        "files": [],
        "tables": entries,
        "table_rows": {n: e["rows"] for n, e in entries.items()},
        "warnings": [],
        "demo_key": True,
    }
    (out.parent / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    (root / "CURRENT").write_text(version, encoding="utf-8")
    return root


def write_parameters(path: Path, **extra: str) -> Path:
    """The shipped parameters file with the values the golden tests use."""
    text = DEFAULT_PATH.read_text(encoding="utf-8")
    for key, value in {**PARAMETER_OVERRIDES, **extra}.items():
        text, n = re.subn(rf"(?m)^{re.escape(key)} = [^#\n]*", f"{key} = {value} ", text, count=1)
        assert n == 1, key
    path.write_text(text, encoding="utf-8")
    return path
