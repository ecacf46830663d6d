"""The versioned warehouse: publish and read back, merge semantics, atomicity under crashes, roll-back, locking."""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from data_pipeline import warehouse
from data_pipeline.contracts import all_contracts
from data_pipeline.report import ReturnInfo
from tests.staging_tables import cash_transfer_rows, staged_table

PROJECT = Path(__file__).resolve().parent.parent


def publish(root, staged, operator="tester", fingerprint="key-a", files=(), **options):
    return warehouse.publish(
        staged,
        root=root,
        operator=operator,
        files=list(files),
        warnings=[],
        hash_key_fingerprint=fingerprint,
        **options,
    )


def payment_rows(period: str, n: int, prefix: str = "p") -> list[dict]:
    month = {"2022-Q2": 5, "2022-Q3": 8, "2022-Q4": 11}[period]
    return [
        {
            "payment_key": f"{prefix}{period}-{i}",
            "beneficiary_key": f"b{i}",
            "cycle": 1,
            "due_date": dt.date(2022, month, 1),
            "paid_date": dt.date(2022, month, 3),
            "amount_due": 300000.0,
            "amount_paid": 300000.0,
            "channel": "wallet",
            "status": "paid",
            "period": period,
        }
        for i in range(n)
    ]


def register_rows(keys: list[str]) -> list[dict]:
    return [
        {
            "beneficiary_key": k,
            "national_id_key": None,
            "sex": "F",
            "birth_date": None,
            "beneficiary_type": "pregnant_woman",
            "province": "LA-XS",
            "district": "1801",
            "village": None,
            "enrolment_date": dt.date(2021, 3, 1),
            "status": "active",
            "has_wallet": True,
        }
        for k in keys
    ]


def tree_digest(root: Path) -> dict[str, tuple[int, bytes]]:
    """Every file of CURRENT and versions/ with its size and bytes."""
    paths = [root / "CURRENT", *sorted((root / "versions").rglob("*"))]
    return {str(p.relative_to(root)): p.read_bytes() for p in paths if p.is_file()}


def test_publish_then_read_back_through_open_version(tmp_path):
    version = publish(
        tmp_path,
        {
            "cash_transfer": staged_table("cash_transfer", cash_transfer_rows("2022-Q2", 40), "maf_q2.xlsx"),
            "mecg_payments": staged_table("mecg_payments", payment_rows("2022-Q2", 3), "ledger.csv"),
        },
    )
    assert version == "v0001"
    assert warehouse.current_version(tmp_path) == "v0001"
    con = warehouse.open_version(root=tmp_path)
    assert con.execute("SELECT sum(beneficiaries), count(*), any_value(source_file) FROM cash_transfer").fetchone() == (
        160,
        4,
        "maf_q2.xlsx",
    )
    assert con.execute("SELECT period, count(*), sum(amount_paid) FROM mecg_payments GROUP BY 1").fetchall() == [
        ("2022-Q2", 3, 900000.0)
    ]
    # Columns come back in the contract's order with the warehouse types, also for the hive-partitioned table.
    described = dict(con.execute("SELECT column_name, column_type FROM (DESCRIBE mecg_payments)").fetchall())
    assert list(described) == [c for c, _ in warehouse.table_schema(all_contracts()["mecg_payments"])]
    assert described["due_date"] == "DATE" and described["cycle"] == "BIGINT" and described["period"] == "VARCHAR"


def test_every_contract_has_a_typed_view_even_without_rows(tmp_path):
    publish(tmp_path, {"cash_transfer": staged_table("cash_transfer", cash_transfer_rows("2022-Q2", 5))})
    con = warehouse.open_version(root=tmp_path)
    for name, contract in all_contracts().items():
        described = con.execute(f"SELECT column_name, column_type FROM (DESCRIBE {name})").fetchall()
        assert described == warehouse.table_schema(contract), name
    assert con.execute("SELECT count(*) FROM population").fetchone() == (0,)
    assert con.execute("SELECT lsb_code, name_en FROM provinces WHERE iso_code = 'LA-VT'").fetchone() == (
        "01",
        "Vientiane Capital",
    )
    assert con.execute("SELECT province_iso FROM districts WHERE lsb_code = '0101'").fetchone() == ("LA-VT",)


def test_open_version_before_anything_is_published_gives_empty_views(tmp_path):
    con = warehouse.open_version(root=tmp_path)
    assert warehouse.current_version(tmp_path) is None
    assert con.execute("SELECT count(*) FROM mecg_register").fetchone() == (0,)


def test_refresh_replaces_the_cells_it_covers_and_keeps_every_other_row(tmp_path):
    publish(
        tmp_path,
        {
            "cash_transfer": staged_table(
                "cash_transfer", cash_transfer_rows("2022-Q1", 10) + cash_transfer_rows("2022-Q2", 20), "q1q2.xlsx"
            )
        },
    )
    publish(
        tmp_path,
        {
            "cash_transfer": staged_table(
                "cash_transfer",
                cash_transfer_rows("2022-Q2", 25, districts=("0101",)) + cash_transfer_rows("2022-Q3", 30),
                "q2q3.xlsx",
            )
        },
    )
    con = warehouse.open_version(root=tmp_path)
    assert con.execute(
        "SELECT period, sum(beneficiaries), count(*), list(DISTINCT source_file ORDER BY source_file) "
        "FROM cash_transfer GROUP BY 1 ORDER BY 1"
    ).fetchall() == [
        ("2022-Q1", 40, 4, ["q1q2.xlsx"]),  # kept from the first return
        ("2022-Q2", 90, 4, ["q1q2.xlsx", "q2q3.xlsx"]),  # district 0101 replaced (2 x 25), 0102 kept (2 x 20)
        ("2022-Q3", 120, 4, ["q2q3.xlsx"]),  # added
    ]
    assert con.execute(
        "SELECT district, sum(beneficiaries) FROM cash_transfer WHERE period = '2022-Q2' GROUP BY 1 ORDER BY 1"
    ).fetchall() == [("0101", 50), ("0102", 40)]
    assert warehouse.read_manifest("v0002", tmp_path)["tables"]["cash_transfer"]["periods"] == [
        "2022-Q1",
        "2022-Q2",
        "2022-Q3",
    ]


def test_replacing_whole_periods_removes_what_the_return_does_not_hold_only_when_confirmed(tmp_path):
    publish(
        tmp_path,
        {
            "cash_transfer": staged_table(
                "cash_transfer", cash_transfer_rows("2022-Q1", 10) + cash_transfer_rows("2022-Q2", 20), "q1q2.xlsx"
            )
        },
    )
    resent = {
        "cash_transfer": staged_table(
            "cash_transfer", cash_transfer_rows("2022-Q2", 25, districts=("0101",)), "q2.xlsx"
        )
    }
    before = tree_digest(tmp_path)
    with pytest.raises(warehouse.RemovalNotConfirmed) as refused:
        publish(tmp_path, resent, replace_whole_periods=True)
    assert refused.value.removals == [warehouse.Removal("cash_transfer", "2022-Q2", "LA-VT", 2)]
    assert "remove 2 published row(s)" in str(refused.value) and "cash_transfer 2022-Q2 LA-VT: 2 row(s)" in str(
        refused.value
    )
    assert tree_digest(tmp_path) == before  # refused: not one byte of CURRENT or versions/ changed
    assert publish(tmp_path, resent, replace_whole_periods=True, confirm_removals=True) == "v0002"
    con = warehouse.open_version(root=tmp_path)
    assert con.execute(
        "SELECT period, sum(beneficiaries), count(*) FROM cash_transfer GROUP BY 1 ORDER BY 1"
    ).fetchall() == [("2022-Q1", 40, 4), ("2022-Q2", 50, 2)]


def test_each_declared_grain_replaces_only_its_cells(tmp_path):
    """Province grain (health insurance), district grain (births), year x province (population), period x source
    (returns log), period only (payments): a partial return changes its cells and keeps every other row."""

    def members(period, province, n):
        return [
            {
                "period": period,
                "province": province,
                "sex": sex,
                "age_group": "15-59",
                "scheme": "informal_sector",
                "members": n,
            }
            for sex in ("F", "M")
        ]

    def births(year, district, n):
        return [
            {"year": year, "province": "LA-VT", "district": district, "sex": sex, "births": n} for sex in ("F", "M")
        ]

    def pop(year, province, n):
        return [{"year": year, "province": province, "sex": "F", "age_group": "0-4", "population": n}]

    def log(period, source, sender):
        return [{"period": period, "source": source, "sender": sender, "sender_type": "ministry"}]

    publish(
        tmp_path,
        {
            "health_insurance": staged_table(
                "health_insurance",
                members("2022-Q2", "LA-VT", 10) + members("2022-Q2", "LA-AT", 20) + members("2022-Q1", "LA-VT", 30),
            ),
            "births": staged_table("births", births(2021, "0101", 5) + births(2021, "0102", 6)),
            "population": staged_table("population", pop(2021, "LA-VT", 100) + pop(2021, "LA-AT", 200)),
            "returns_log": staged_table(
                "returns_log", log("2022-Q2", "school_meals", "MoES") + log("2022-Q2", "cash_transfer", "MAF")
            ),
            "mecg_payments": staged_table("mecg_payments", payment_rows("2022-Q2", 4) + payment_rows("2022-Q3", 2)),
        },
    )
    changes = {
        c.table: c
        for c in warehouse.preview_changes(
            {
                "health_insurance": staged_table("health_insurance", members("2022-Q2", "LA-AT", 21)),
                "births": staged_table("births", births(2021, "0102", 7)),
                "population": staged_table("population", pop(2021, "LA-AT", 201)),
                "returns_log": staged_table("returns_log", log("2022-Q2", "cash_transfer", "MAF")),
                "mecg_payments": staged_table("mecg_payments", payment_rows("2022-Q3", 3)),
            },
            tmp_path,
        )
    }
    assert {
        t: (c.covers, c.rows_before, c.rows_replaced, c.rows_kept, c.rows_after, c.rows_removed)
        for t, c in changes.items()
        if c.action != "carried"
    } == {
        "health_insurance": (["period", "province"], 6, 2, 4, 6, 0),
        "births": (["year", "province", "district"], 4, 2, 2, 4, 0),
        "population": (["year", "province"], 2, 1, 1, 2, 0),
        "returns_log": (["period", "source"], 2, 1, 1, 2, 0),
        "mecg_payments": (["period"], 6, 2, 4, 7, 0),
    }
    assert changes["health_insurance"].areas == [warehouse.AreaChange("2022-Q2", "LA-AT", 2, 2, 0)]
    publish(
        tmp_path,
        {
            "health_insurance": staged_table("health_insurance", members("2022-Q2", "LA-AT", 21)),
            "births": staged_table("births", births(2021, "0102", 7)),
            "population": staged_table("population", pop(2021, "LA-AT", 201)),
            "returns_log": staged_table("returns_log", log("2022-Q2", "cash_transfer", "MAF")),
            "mecg_payments": staged_table("mecg_payments", payment_rows("2022-Q3", 3)),
        },
    )
    con = warehouse.open_version(root=tmp_path)
    assert con.execute(
        "SELECT period, province, sum(members) FROM health_insurance GROUP BY ALL ORDER BY ALL"
    ).fetchall() == [("2022-Q1", "LA-VT", 60), ("2022-Q2", "LA-AT", 42), ("2022-Q2", "LA-VT", 20)]
    assert con.execute("SELECT district, sum(births) FROM births GROUP BY ALL ORDER BY ALL").fetchall() == [
        ("0101", 10),
        ("0102", 14),
    ]
    assert con.execute("SELECT province, population FROM population ORDER BY ALL").fetchall() == [
        ("LA-AT", 201),
        ("LA-VT", 100),
    ]
    assert con.execute("SELECT source FROM returns_log ORDER BY ALL").fetchall() == [
        ("cash_transfer",),
        ("school_meals",),
    ]
    assert con.execute(
        "SELECT period, count(*), min(payment_key) FROM mecg_payments GROUP BY ALL ORDER BY ALL"
    ).fetchall() == [("2022-Q2", 4, "p2022-Q2-0"), ("2022-Q3", 3, "p2022-Q3-0")]


def test_a_snapshot_that_drops_keys_lists_them_as_removals(tmp_path):
    publish(tmp_path, {"mecg_register": staged_table("mecg_register", register_rows(["a", "b", "c"]))})
    changes = warehouse.preview_changes(
        {"mecg_register": staged_table("mecg_register", register_rows(["c", "d"]))}, tmp_path
    )
    register = next(c for c in changes if c.table == "mecg_register")
    assert (register.covers, register.rows_replaced, register.rows_removed) == ([], 3, 2)
    assert warehouse.removals(changes) == [warehouse.Removal("mecg_register", None, "LA-XS", 2)]


def test_a_publish_logs_pending_before_the_switch_and_published_after(tmp_path):
    publish(tmp_path, {"cash_transfer": staged_table("cash_transfer", cash_transfer_rows("2022-Q2", 10))})
    assert [(e["outcome"], e["version"]) for e in warehouse.read_refresh_log(tmp_path)] == [
        ("pending", "v0001"),
        ("published", "v0001"),
    ]
    assert [v.audit for v in warehouse.list_versions(tmp_path)] == ["completed"]


def test_yearly_tables_merge_by_year(tmp_path):
    def pop(year, value):
        return [{"year": year, "province": "LA-VT", "sex": "F", "age_group": "0-4", "population": value}]

    publish(tmp_path, {"population": staged_table("population", pop(2021, 100) + pop(2022, 110))})
    publish(tmp_path, {"population": staged_table("population", pop(2022, 111))})
    con = warehouse.open_version(root=tmp_path)
    assert con.execute("SELECT year, population FROM population ORDER BY year").fetchall() == [(2021, 100), (2022, 111)]


def test_a_snapshot_table_is_replaced_whole_and_untouched_tables_are_carried_over(tmp_path):
    publish(
        tmp_path,
        {
            "mecg_register": staged_table("mecg_register", register_rows(["a", "b", "c"])),
            "cash_transfer": staged_table("cash_transfer", cash_transfer_rows("2022-Q2", 7)),
        },
    )
    publish(
        tmp_path, {"mecg_register": staged_table("mecg_register", register_rows(["c", "d"]))}, confirm_removals=True
    )
    con = warehouse.open_version(root=tmp_path)
    assert con.execute("SELECT list(beneficiary_key ORDER BY beneficiary_key) FROM mecg_register").fetchone() == (
        ["c", "d"],
    )
    assert con.execute("SELECT sum(beneficiaries) FROM cash_transfer").fetchone() == (28,)
    old = tmp_path / "versions/v0001/tables/cash_transfer.parquet"
    new = tmp_path / "versions/v0002/tables/cash_transfer.parquet"
    assert os.stat(old).st_ino == os.stat(new).st_ino  # carried over as a hard link, not a copy
    # The earlier version is still there and still reads the old register.
    assert warehouse.open_version("v0001", tmp_path).execute("SELECT count(*) FROM mecg_register").fetchone() == (3,)


def test_partitioned_table_is_written_in_hive_layout_and_merges_by_partition(tmp_path):
    publish(
        tmp_path,
        {"mecg_payments": staged_table("mecg_payments", payment_rows("2022-Q2", 4) + payment_rows("2022-Q3", 2))},
    )
    v1 = tmp_path / "versions/v0001/tables/mecg_payments"
    assert sorted(str(p.relative_to(v1)) for p in v1.rglob("*.parquet")) == [
        "period=2022-Q2/part-0.parquet",
        "period=2022-Q3/part-0.parquet",
    ]
    publish(
        tmp_path,
        {
            "mecg_payments": staged_table(
                "mecg_payments", payment_rows("2022-Q3", 5, prefix="x") + payment_rows("2022-Q4", 1)
            )
        },
        confirm_removals=True,
    )
    v2 = tmp_path / "versions/v0002/tables/mecg_payments"
    assert sorted(str(p.relative_to(v2)) for p in v2.rglob("*.parquet")) == [
        "period=2022-Q2/part-0.parquet",
        "period=2022-Q3/part-0.parquet",
        "period=2022-Q4/part-0.parquet",
    ]
    # The untouched quarter is shared with the previous version; the resent one is new.
    assert os.stat(v1 / "period=2022-Q2/part-0.parquet").st_ino == os.stat(v2 / "period=2022-Q2/part-0.parquet").st_ino
    assert os.stat(v1 / "period=2022-Q3/part-0.parquet").st_ino != os.stat(v2 / "period=2022-Q3/part-0.parquet").st_ino
    con = warehouse.open_version(root=tmp_path)
    assert con.execute(
        "SELECT period, count(*), min(payment_key) FROM mecg_payments GROUP BY 1 ORDER BY 1"
    ).fetchall() == [("2022-Q2", 4, "p2022-Q2-0"), ("2022-Q3", 5, "x2022-Q3-0"), ("2022-Q4", 1, "p2022-Q4-0")]
    assert warehouse.read_manifest("v0002", tmp_path)["table_rows"]["mecg_payments"] == 10


def test_manifest_records_operator_files_rows_and_key_fingerprint(tmp_path):
    info = ReturnInfo(
        file="maf_q2.xlsx",
        sha256="ab" * 32,
        sheet="cash_transfer",
        contract="cash_transfer",
        rows=4,
        periods=["2022-Q2"],
    )
    publish(
        tmp_path,
        {"cash_transfer": staged_table("cash_transfer", cash_transfer_rows("2022-Q2", 3))},
        operator="Ms Vanh",
        files=[info],
        fingerprint="f1f2f3",
    )
    manifest = warehouse.read_manifest("v0001", tmp_path)
    assert manifest["operator"] == "Ms Vanh" and manifest["parent"] is None
    assert manifest["files"] == [
        {
            "file": "maf_q2.xlsx",
            "sha256": "ab" * 32,
            "sheet": "cash_transfer",
            "contract": "cash_transfer",
            "rows": 4,
            "periods": ["2022-Q2"],
        }
    ]
    assert manifest["table_rows"] == {"cash_transfer": 4}
    assert manifest["hash_key_fingerprint"] == "f1f2f3"
    [info] = warehouse.list_versions(tmp_path)
    assert (info.version, info.operator, info.current, info.table_rows) == (
        "v0001",
        "Ms Vanh",
        True,
        {"cash_transfer": 4},
    )


def test_a_staged_table_with_a_column_outside_the_contract_is_refused(tmp_path):
    table = staged_table("mecg_register", register_rows(["a"]))
    table = table.append_column("full_name", table.column("beneficiary_key"))  # personal data must never land
    with pytest.raises(warehouse.WarehouseError, match="full_name"):
        publish(tmp_path, {"mecg_register": table})
    assert warehouse.current_version(tmp_path) is None
    assert not list(tmp_path.glob(".staging-*"))


def test_a_key_already_published_for_a_kept_period_is_a_merge_conflict(tmp_path):
    def grievance(key, received):
        return {
            "grievance_key": key,
            "programme": "mecg",
            "province": "LA-VT",
            "district": None,
            "sex": "F",
            "category": "payment",
            "received_date": received,
            "resolved_date": None,
            "period": f"{received.year}-Q{(received.month - 1) // 3 + 1}",
        }

    publish(tmp_path, {"grievances": staged_table("grievances", [grievance("g1", dt.date(2022, 2, 1))])})
    before = tree_digest(tmp_path)
    with pytest.raises(warehouse.MergeConflict) as conflict:
        publish(tmp_path, {"grievances": staged_table("grievances", [grievance("g1", dt.date(2022, 5, 1))])})
    assert conflict.value.issues[0].code == "key_in_other_period"
    assert "g1" in conflict.value.issues[0].message
    assert tree_digest(tmp_path) == before


def test_person_level_rows_hashed_with_another_key_are_not_mixed(tmp_path):
    publish(tmp_path, {"mecg_register": staged_table("mecg_register", register_rows(["a"]))}, fingerprint="demo")
    with pytest.raises(warehouse.MergeConflict, match="another key") as conflict:
        publish(
            tmp_path,
            {"cash_transfer": staged_table("cash_transfer", cash_transfer_rows("2022-Q2", 1))},
            fingerprint="real",
        )
    assert "mecg_register" in conflict.value.issues[0].message
    # Sending the person-level register again with the new key is fine.
    assert (
        publish(
            tmp_path,
            {"mecg_register": staged_table("mecg_register", register_rows(["z"]))},
            fingerprint="real",
            confirm_removals=True,
        )
        == "v0002"
    )


@pytest.mark.parametrize(
    "point, next_version",
    [
        ("parquet_written", "v0002"),
        ("manifest.json_tmp_written", "v0002"),
        ("manifest_written", "v0002"),
        # Renamed but never made current: a complete, unpublished version; the next one takes a fresh number.
        ("version_renamed", "v0003"),
        ("current_tmp_written", "v0003"),
    ],
)
def test_a_publish_that_fails_midway_leaves_the_previous_version_current(tmp_path, monkeypatch, point, next_version):
    publish(tmp_path, {"cash_transfer": staged_table("cash_transfer", cash_transfer_rows("2022-Q2", 10))})
    current_before = (tmp_path / "CURRENT").read_bytes()

    def fail_at(name):
        if name == point:
            raise OSError(f"disk full at {name}")

    monkeypatch.setattr(warehouse, "_crash_point", fail_at)
    with pytest.raises(OSError, match="disk full"):
        publish(tmp_path, {"cash_transfer": staged_table("cash_transfer", cash_transfer_rows("2022-Q2", 99))})
    assert (tmp_path / "CURRENT").read_bytes() == current_before
    con = warehouse.open_version(root=tmp_path)
    assert con.execute("SELECT sum(beneficiaries) FROM cash_transfer").fetchone() == (40,)
    monkeypatch.undo()
    assert publish(tmp_path, {"population": staged_table("population", [])}) == next_version
    assert not list(tmp_path.glob(".staging-*")) and not list(tmp_path.glob(".CURRENT.tmp-*"))


CRASHING_PUBLISH = textwrap.dedent("""
    import sys
    from pathlib import Path
    from data_pipeline import warehouse
    from tests.staging_tables import cash_transfer_rows, staged_table
    warehouse.publish({"cash_transfer": staged_table("cash_transfer", cash_transfer_rows("2022-Q3", 77))},
                      root=Path(sys.argv[1]), operator="killed", files=[], warnings=[], hash_key_fingerprint="key-a")
""")


@pytest.mark.parametrize(
    "point, next_version",
    [("parquet_written", "v0002"), ("manifest_written", "v0002"), ("current_tmp_written", "v0003")],
)
def test_a_publish_killed_at_any_point_leaves_a_readable_warehouse_and_the_next_publish_cleans_up(
    tmp_path, point, next_version
):
    publish(tmp_path, {"cash_transfer": staged_table("cash_transfer", cash_transfer_rows("2022-Q2", 10))})
    before = tree_digest(tmp_path)
    killed = subprocess.run(
        [sys.executable, "-c", CRASHING_PUBLISH, str(tmp_path)],
        cwd=PROJECT,
        env={**os.environ, "SP_TEST_CRASH_AT": point, "PYTHONPATH": str(PROJECT)},
        capture_output=True,
        text=True,
    )
    assert killed.returncode == -9, killed.stderr
    after = tree_digest(tmp_path)
    # CURRENT and the published version are untouched; at most a complete, never-current version was added.
    assert {k: v for k, v in after.items() if not k.startswith("versions/v0002/")} == before
    assert bool([k for k in after if k.startswith("versions/v0002/")]) == (next_version == "v0003")
    leftovers = list(tmp_path.glob(".staging-*")) + list(tmp_path.glob(".CURRENT.tmp-*"))
    assert leftovers  # the killed process had no chance to clean up
    assert warehouse.open_version(root=tmp_path).execute("SELECT sum(beneficiaries) FROM cash_transfer").fetchone() == (
        40,
    )
    assert (
        publish(tmp_path, {"cash_transfer": staged_table("cash_transfer", cash_transfer_rows("2022-Q3", 1))})
        == next_version
    )
    assert not list(tmp_path.glob(".staging-*")) and not list(tmp_path.glob(".CURRENT.tmp-*"))


def test_rollback_switches_current_back_and_is_logged(tmp_path):
    publish(tmp_path, {"cash_transfer": staged_table("cash_transfer", cash_transfer_rows("2022-Q2", 10))})
    publish(tmp_path, {"cash_transfer": staged_table("cash_transfer", cash_transfer_rows("2022-Q2", 12))})
    assert warehouse.rollback("v0001", root=tmp_path, operator="Mr Somphone") == "v0002"
    assert warehouse.current_version(tmp_path) == "v0001"
    assert warehouse.open_version(root=tmp_path).execute("SELECT sum(beneficiaries) FROM cash_transfer").fetchone() == (
        40,
    )
    assert [(v.version, v.current) for v in warehouse.list_versions(tmp_path)] == [("v0002", False), ("v0001", True)]
    entry = warehouse.read_refresh_log(tmp_path)[-1]
    assert (entry["action"], entry["outcome"], entry["operator"], entry["version"], entry["parent"]) == (
        "rollback",
        "rolled_back",
        "Mr Somphone",
        "v0001",
        "v0002",
    )
    # The next refresh builds on the version rolled back to, under a fresh number.
    assert publish(tmp_path, {"population": staged_table("population", [])}) == "v0003"
    assert warehouse.read_manifest("v0003", tmp_path)["parent"] == "v0001"


def test_rollback_to_a_missing_or_current_version_is_refused(tmp_path):
    publish(tmp_path, {"cash_transfer": staged_table("cash_transfer", cash_transfer_rows("2022-Q2", 10))})
    with pytest.raises(warehouse.WarehouseError, match="does not exist"):
        warehouse.rollback("v0007", root=tmp_path, operator="x")
    with pytest.raises(warehouse.WarehouseError, match="already the current"):
        warehouse.rollback("v0001", root=tmp_path, operator="x")
    with pytest.raises(warehouse.WarehouseError, match="not a version id"):
        warehouse.rollback("../etc", root=tmp_path, operator="x")


def test_a_second_publish_waits_for_the_lock_and_gives_up_clearly(tmp_path, monkeypatch):
    monkeypatch.setattr(warehouse, "LOCK_TIMEOUT_S", 0.3)
    tmp_path.mkdir(exist_ok=True)
    with open(tmp_path / ".lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(warehouse.WarehouseBusy, match="another refresh"):
            warehouse.publish({}, root=tmp_path, operator="x", files=[], hash_key_fingerprint="k")
    assert warehouse.current_version(tmp_path) is None


def test_refresh_log_skips_a_line_torn_by_a_crash(tmp_path):
    warehouse.append_log(tmp_path, action="refresh", operator="a", outcome="rejected", version=None, parent=None)
    with open(tmp_path / warehouse.LOG_NAME, "a") as f:
        f.write('{"timestamp": "2022-')
    assert [e["operator"] for e in warehouse.read_refresh_log(tmp_path)] == ["a"]
    assert json.loads((tmp_path / warehouse.LOG_NAME).read_text().splitlines()[0])["outcome"] == "rejected"


@pytest.mark.parametrize("point, current", [("version_renamed", "v0001"), ("current_switched", "v0002")])
def test_a_publish_killed_after_the_version_appears_leaves_a_pending_audit_line_that_versions_reports(
    tmp_path, point, current
):
    publish(tmp_path, {"cash_transfer": staged_table("cash_transfer", cash_transfer_rows("2022-Q2", 10))})
    killed = subprocess.run(
        [sys.executable, "-c", CRASHING_PUBLISH, str(tmp_path)],
        cwd=PROJECT,
        env={**os.environ, "SP_TEST_CRASH_AT": point, "PYTHONPATH": str(PROJECT)},
        capture_output=True,
        text=True,
    )
    assert killed.returncode == -9, killed.stderr
    assert warehouse.current_version(tmp_path) == current
    last = warehouse.read_refresh_log(tmp_path)[-1]
    assert (last["outcome"], last["version"], last["operator"]) == ("pending", "v0002", "killed")
    assert [(v.version, v.audit) for v in warehouse.list_versions(tmp_path)] == [
        ("v0002", "pending"),
        ("v0001", "completed"),
    ]
    from data_pipeline import cli

    out = subprocess.run(
        [sys.executable, "-m", "data_pipeline", "versions", "--warehouse", str(tmp_path)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0 and "v0002" in out.stdout and cli.UNAUDITED_MARK in out.stdout


def test_a_version_with_no_audit_line_at_all_is_reported_as_missing(tmp_path):
    publish(tmp_path, {"cash_transfer": staged_table("cash_transfer", cash_transfer_rows("2022-Q2", 10))})
    (tmp_path / warehouse.LOG_NAME).unlink()
    assert [v.audit for v in warehouse.list_versions(tmp_path)] == ["missing"]
    assert not warehouse.list_versions(tmp_path)[0].audited


@pytest.mark.parametrize("values", [["2022-Q2", "2022-Q3"], ["2022-Q2", None], ["a/b", "2022-Q3"]])
def test_partitions_written_one_copy_each_equal_duckdbs_partition_by(tmp_path, values):
    """The plain-scan writer (one COPY per partition) and DuckDB's PARTITION_BY give the same folders, the same
    Parquet schema and the same rows in the same order; a NULL or a value needing escaping falls back to
    PARTITION_BY."""
    import duckdb

    con = duckdb.connect()
    con.execute(
        "CREATE TABLE t AS SELECT i, 'k' || i AS key, CASE WHEN i % 3 = 0 THEN NULL ELSE i * 1.5 END AS amount, "
        f"[{', '.join(warehouse._literal(v) if v else 'NULL' for v in values)}][1 + i % 2] AS period FROM range(50) r(i)"
    )
    # As the publish's views do (``_MergePlan._register``): every column OPTIONAL whatever the rows hold.
    select = (
        "SELECT CAST(CASE WHEN key IS NULL THEN NULL ELSE key END AS VARCHAR) AS key, amount, period, "
        "CAST(CASE WHEN i IS NULL THEN NULL ELSE 'f.csv' END AS VARCHAR) AS source_file FROM t"
    )
    written = {}
    for plain in (True, False):
        target = tmp_path / f"plain-{plain}"
        warehouse._copy_partitioned(con, select, target, "period", plain_scan=plain)
        files = sorted(target.rglob("*.parquet"))
        written[plain] = (
            [str(f.relative_to(target)) for f in files],
            [con.execute(f"SELECT name, type, repetition_type FROM parquet_schema('{f}')").fetchall() for f in files],
            [con.execute(f"SELECT * FROM read_parquet('{f}')").fetchall() for f in files],
        )
    assert written[True] == written[False]
    assert len(written[True][0]) == 2
    found = warehouse._partitions(con, select, "period")
    plain = all(v and "/" not in v for v in values)
    assert found == ([(values[0], 25, ["f.csv"]), (values[1], 25, ["f.csv"])] if plain else None)


def test_partitions_written_in_one_pass_equal_one_copy_each(tmp_path, monkeypatch):
    """A large partitioned table is written in one pass over its rows (``_write_partitions_in_one_pass``): the same
    folders and files, the same rows in the same order, the same column names and types, every column OPTIONAL, as
    one COPY per partition; row groups are full but for the last of each file."""
    import duckdb
    import pyarrow.parquet as pq

    con = duckdb.connect()
    con.execute(
        "CREATE TABLE t AS SELECT i, 'k' || (i * 7919 % 1009) AS key, CASE WHEN i % 3 = 0 THEN NULL ELSE i * 1.5 END "
        "AS amount, DATE '2022-04-01' + (i % 90)::INTEGER AS due, ['2022-Q2', '2022-Q3', '2021-Q4'][1 + (i * 31 % 3)] "
        "AS period FROM range(200) r(i)"
    )
    select = (
        "SELECT CAST(CASE WHEN key IS NULL THEN NULL ELSE key END AS VARCHAR) AS key, amount, "
        "CAST(CASE WHEN due IS NULL THEN NULL ELSE due END AS DATE) AS due, period, "
        "CAST(CASE WHEN i IS NULL THEN NULL ELSE 'f.csv' END AS VARCHAR) AS source_file FROM t"
    )
    monkeypatch.setattr(warehouse, "ONE_PASS_ROW_GROUP_ROWS", 16)
    written = {}
    for one_pass in (False, True):
        monkeypatch.setattr(warehouse, "ONE_PASS_PARTITION_ROWS", 1 if one_pass else 10**9)
        target = tmp_path / f"one-pass-{one_pass}"
        found = warehouse._copy_partitioned(con, select, target, "period", plain_scan=True)
        files = sorted(target.rglob("*.parquet"))
        written[one_pass] = (
            found,
            [str(f.relative_to(target)) for f in files],
            [con.execute(f"DESCRIBE SELECT * FROM read_parquet('{f}')").fetchall() for f in files],
            [
                con.execute(f"SELECT repetition_type FROM parquet_schema('{f}') WHERE num_children IS NULL").fetchall()
                for f in files
            ],
            [con.execute(f"SELECT * FROM read_parquet('{f}')").fetchall() for f in files],
        )
    assert written[True] == written[False]
    assert written[True][1] == [f"period={p}/part-0.parquet" for p in ("2021-Q4", "2022-Q2", "2022-Q3")]
    assert {kind for columns in written[True][3] for (kind,) in columns} == {"OPTIONAL"}
    for name in written[True][1]:
        groups = pq.ParquetFile(tmp_path / "one-pass-True" / name).metadata
        sizes = [groups.row_group(g).num_rows for g in range(groups.num_row_groups)]
        assert all(size == 16 for size in sizes[:-1]) and 0 < sizes[-1] <= 16, sizes


def test_a_ledger_published_in_one_pass_holds_the_same_rows_in_the_same_order(tmp_path, monkeypatch):
    """The whole publish, first and merging by partition, with the ledger above and below the one-pass threshold."""
    first = payment_rows("2022-Q2", 40) + payment_rows("2022-Q3", 30)
    second = payment_rows("2022-Q3", 25, prefix="x") + payment_rows("2022-Q4", 20)
    found = {}
    for one_pass in (False, True):
        monkeypatch.setattr(warehouse, "ONE_PASS_PARTITION_ROWS", 1 if one_pass else 10**9)
        monkeypatch.setattr(warehouse, "ONE_PASS_ROW_GROUP_ROWS", 8)
        root = tmp_path / f"one-pass-{one_pass}"
        for rows in (first, second):
            version = publish(root, {"mecg_payments": staged_table("mecg_payments", rows)}, confirm_removals=True)
        con = warehouse.open_version(version, root)
        found[one_pass] = con.execute("SELECT * FROM mecg_payments").fetchall()
    assert found[True] == found[False]
    assert len(found[True]) == 40 + 25 + 20


@pytest.mark.parametrize(
    "table, first, second",
    [
        ("mecg_register", register_rows(["a", "b", "c"]), register_rows(["c", "d"])),
        ("mecg_register", register_rows(["a", "a", "b"]), register_rows(["b"])),  # a key published twice
        (
            "cash_transfer",
            cash_transfer_rows("2022-Q1", 10) + cash_transfer_rows("2022-Q2", 20),
            cash_transfer_rows("2022-Q2", 25, districts=("0101",)),
        ),
        (
            "mecg_payments",
            payment_rows("2022-Q2", 4) + payment_rows("2022-Q3", 3),
            payment_rows("2022-Q2", 2) + payment_rows("2022-Q3", 3, prefix="x"),
        ),
    ],
)
def test_removals_found_by_grouping_keys_equal_those_found_row_by_row(tmp_path, monkeypatch, table, first, second):
    publish(tmp_path, {table: staged_table(table, first)})
    staged = {table: staged_table(table, second)}
    removed = []
    for replace_whole_periods in (False, True):
        grouped = warehouse.preview_changes(staged, tmp_path, replace_whole_periods=replace_whole_periods)
        with monkeypatch.context() as patched:
            patched.setattr(warehouse._MergePlan, "_gone_by_key_groups", lambda *args: None)
            row_by_row = warehouse.preview_changes(staged, tmp_path, replace_whole_periods=replace_whole_periods)
        assert grouped == row_by_row
        removed += warehouse.removals(grouped)
    assert removed  # each case removes rows one way or the other


def test_a_repeat_that_removes_nothing_groups_no_keys_and_one_that_removes_does(tmp_path, monkeypatch):
    """The anti-join that tells whether any published row would go (issue 13): a repeat of the same rows, or one
    whose keys all return, skips the grouping by key; one that drops a key groups them and counts it per period."""
    first = payment_rows("2022-Q2", 4) + payment_rows("2022-Q3", 3)
    publish(tmp_path, {"mecg_payments": staged_table("mecg_payments", first)})
    grouped = []
    original = warehouse._MergePlan._gone_by_key_groups

    def recorded(self, *args):
        grouped.append(args[0].name)
        return original(self, *args)

    monkeypatch.setattr(warehouse._MergePlan, "_gone_by_key_groups", recorded)
    for staged_rows, removed, after in ((first, 0, 7), (first[1:], 1, 6), (payment_rows("2022-Q2", 5), 0, 8)):
        grouped.clear()
        changes = warehouse.preview_changes({"mecg_payments": staged_table("mecg_payments", staged_rows)}, tmp_path)
        (payments,) = [c for c in changes if c.table == "mecg_payments"]
        assert (payments.rows_before, payments.rows_after, payments.rows_removed) == (7, after, removed)
        assert grouped == (["mecg_payments"] if removed else [])
    assert [(a.period, a.rows_removed) for a in payments.areas] == [("2022-Q2", 0)]


def test_keys_with_a_blank_part_match_their_republished_rows(tmp_path, monkeypatch):
    """A key column may be blank (a province-level row has no district): the anti-join matches blank parts as the
    grouping by key does (NULLs equal), so a repeat of the same rows removes none and groups no keys."""
    rows = cash_transfer_rows("2022-Q1", 10)
    for row in rows:
        row["district"] = None if row["district"] == "0102" else row["district"]
    publish(tmp_path, {"cash_transfer": staged_table("cash_transfer", rows)})
    monkeypatch.setattr(warehouse._MergePlan, "_gone_by_key_groups", lambda *args: pytest.fail("keys grouped"))
    changes = warehouse.preview_changes({"cash_transfer": staged_table("cash_transfer", rows)}, tmp_path)
    (cash,) = [c for c in changes if c.table == "cash_transfer"]
    assert cash.rows_before == cash.rows_after == 4 and cash.rows_removed == 0


def test_a_cell_sent_back_with_the_same_keys_skips_the_anti_join_and_any_other_change_asks_it(tmp_path, monkeypatch):
    """The per-cell key fingerprint (count and hash sums, issue 13) settles a repeat without the anti-join of every
    id; a key swapped for another (same count), moved to another period or added leaves the answer to the anti-join,
    which finds what goes."""
    first = payment_rows("2022-Q2", 4) + payment_rows("2022-Q3", 3)
    publish(tmp_path, {"mecg_payments": staged_table("mecg_payments", first)})
    asked = []
    original = warehouse._MergePlan._same_keys_in_every_cell

    def recorded(self, *args):
        same = original(self, *args)
        asked.append(same)
        return same

    monkeypatch.setattr(warehouse._MergePlan, "_same_keys_in_every_cell", recorded)
    swapped = first[:3] + [{**first[3], "payment_key": "other"}] + first[4:]
    moved = first[:6] + [{**first[6], "period": "2022-Q2"}]  # a Q3 key now in Q2: Q3 loses a row, none goes
    added = first + payment_rows("2022-Q3", 4, prefix="x")[3:]
    for staged_rows, same, removed in (
        (first, True, 0),
        (list(reversed(first)), True, 0),
        (swapped, False, 1),
        (moved, False, 0),
        (added, False, 0),
    ):
        asked.clear()
        changes = warehouse.preview_changes({"mecg_payments": staged_table("mecg_payments", staged_rows)}, tmp_path)
        (payments,) = [c for c in changes if c.table == "mecg_payments"]
        assert asked == [same]
        assert payments.rows_removed == removed
