"""Refresh orchestration: which files are returns, publish on success, a rejection writes nothing but its log line."""

from __future__ import annotations

from pathlib import Path

from data_pipeline import refresh as refresh_mod
from data_pipeline import warehouse
from data_pipeline.report import Issue, ReturnInfo, ValidationReport
from data_pipeline.secrets import DEMO_HASH_KEY, key_fingerprint
from tests.staging_tables import cash_transfer_rows, staged_table
from tests.test_warehouse import tree_digest

KEY = b"test-key-for-refresh-tests"


def fake_ingestion(monkeypatch, staged: dict, issues: list[Issue] = ()):
    """Stand-in for ingestion: returns the given staged tables and issues, and records what it was called with."""
    calls = []

    def validate(paths, *, hash_key, progress=None, stage_dir=None, hand_off=None):
        calls.append({"paths": list(paths), "hash_key": hash_key})
        if progress:
            progress(1.0, "read")
        returns = [
            ReturnInfo(
                file=Path(p).name,
                sha256=f"{i:064x}",
                sheet="s",
                contract=name,
                rows=t.num_rows,
                periods=sorted({str(v) for v in t.column("period").to_pylist()}) if "period" in t.column_names else [],
            )
            for i, (p, (name, t)) in enumerate(zip(paths, staged.items()))
        ]
        report = ValidationReport(issues=list(issues), returns=returns)
        if hand_off is not None:  # as the refresh calls it: the publish runs on the staged tables (Arrow here)
            return report, (hand_off(report, staged) if report.ok else None)
        return report, (staged if report.ok else {})

    monkeypatch.setattr(refresh_mod, "validate", validate)
    return calls


def test_collect_return_files_takes_top_level_returns_only(tmp_path):
    for name in [
        "b.xlsx",
        "a.csv",
        "c.PARQUET",
        "~$b.xlsx",
        ".hidden.csv",
        "README.csv",
        "notes.txt",
        "x.xls.bak",
        "d.xlsm",
    ]:
        (tmp_path / name).write_text("x")
    (tmp_path / "archive").mkdir()
    (tmp_path / "archive" / "old.xlsx").write_text("x")
    assert [p.name for p in refresh_mod.collect_return_files(tmp_path)] == ["a.csv", "b.xlsx", "c.PARQUET", "d.xlsm"]


def test_a_clean_refresh_publishes_and_logs_operator_files_and_counts(tmp_path, monkeypatch):
    staged = {"cash_transfer": staged_table("cash_transfer", cash_transfer_rows("2022-Q2", 10), "maf.xlsx")}
    calls = fake_ingestion(
        monkeypatch,
        staged,
        [Issue("maf.xlsx", "warning", "a Total row was skipped", sheet="cash_transfer", row=9, code="total_row")],
    )
    progress = []
    result = refresh_mod.refresh(
        [tmp_path / "maf.xlsx"],
        root=tmp_path / "wh",
        operator="Ms Vanh",
        hash_key=KEY,
        progress=lambda f, m: progress.append(f),
    )
    assert (result.published, result.version, result.previous_version) == (True, "v0001", None)
    assert result.table_rows == {"cash_transfer": 4}
    assert calls[0]["hash_key"] == KEY
    assert progress == sorted(progress) and progress[-1] == 1.0
    pending, entry = warehouse.read_refresh_log(tmp_path / "wh")
    assert [(e["action"], e["outcome"], e["operator"], e["version"]) for e in (pending, entry)] == [
        ("refresh", "pending", "Ms Vanh", "v0001"),
        ("refresh", "published", "Ms Vanh", "v0001"),
    ]
    assert entry["files"][0]["file"] == "maf.xlsx" and entry["files"][0]["sha256"] == "0" * 64
    assert entry["files"][0]["periods"] == ["2022-Q2"]
    assert entry["table_rows"] == {"cash_transfer": 4}
    assert entry["warning_count"] == 1 and entry["warnings"][0]["code"] == "total_row"
    manifest = warehouse.read_manifest("v0001", tmp_path / "wh")
    assert manifest["hash_key_fingerprint"] == key_fingerprint(KEY) and manifest["demo_key"] is False


def test_the_demo_key_is_recorded_in_the_manifest(tmp_path, monkeypatch):
    fake_ingestion(monkeypatch, {"cash_transfer": staged_table("cash_transfer", cash_transfer_rows("2022-Q2", 1))})
    refresh_mod.refresh([tmp_path / "a.xlsx"], root=tmp_path, operator="x", hash_key=DEMO_HASH_KEY)
    assert [v.demo_key for v in warehouse.list_versions(tmp_path)] == [True]


def test_a_rejected_refresh_leaves_the_published_data_byte_for_byte_as_it_was(tmp_path, monkeypatch):
    fake_ingestion(monkeypatch, {"cash_transfer": staged_table("cash_transfer", cash_transfer_rows("2022-Q2", 10))})
    refresh_mod.refresh([tmp_path / "a.xlsx"], root=tmp_path, operator="first", hash_key=KEY)
    before = tree_digest(tmp_path)
    error = Issue(
        "b.xlsx",
        "error",
        "'12,5' is not a whole number",
        sheet="cash_transfer",
        row=14,
        column="beneficiaries",
        code="not_a_count",
    )
    fake_ingestion(
        monkeypatch, {"cash_transfer": staged_table("cash_transfer", cash_transfer_rows("2022-Q2", 99))}, [error]
    )
    result = refresh_mod.refresh([tmp_path / "b.xlsx"], root=tmp_path, operator="second", hash_key=KEY)
    assert (result.published, result.version, result.previous_version) == (False, None, "v0001")
    assert tree_digest(tmp_path) == before
    entry = warehouse.read_refresh_log(tmp_path)[-1]
    assert (entry["outcome"], entry["operator"], entry["version"], entry["parent"]) == (
        "rejected",
        "second",
        None,
        "v0001",
    )
    assert entry["error_count"] == 1
    assert entry["errors"][0] == {
        "file": "b.xlsx",
        "severity": "error",
        "message": error.message,
        "sheet": "cash_transfer",
        "row": 14,
        "column": "beneficiaries",
        "code": "not_a_count",
    }


def test_a_merge_conflict_rejects_the_refresh_with_a_located_error(tmp_path, monkeypatch):
    import datetime as dt

    def grievance(received):
        return [
            {
                "grievance_key": "g1",
                "programme": "mecg",
                "province": "LA-VT",
                "sex": "F",
                "category": "payment",
                "received_date": received,
                "period": f"{received.year}-Q{(received.month - 1) // 3 + 1}",
            }
        ]

    fake_ingestion(monkeypatch, {"grievances": staged_table("grievances", grievance(dt.date(2022, 1, 5)))})
    refresh_mod.refresh([tmp_path / "q1.xlsx"], root=tmp_path, operator="x", hash_key=KEY)
    before = tree_digest(tmp_path)
    fake_ingestion(monkeypatch, {"grievances": staged_table("grievances", grievance(dt.date(2022, 4, 5)))})
    result = refresh_mod.refresh([tmp_path / "q2.xlsx"], root=tmp_path, operator="x", hash_key=KEY)
    assert not result.published
    assert [i.code for i in result.report.errors] == ["key_in_other_period"]
    assert tree_digest(tmp_path) == before
    assert warehouse.read_refresh_log(tmp_path)[-1]["outcome"] == "rejected"


def test_preview_changes_says_what_a_publish_would_do_per_table(tmp_path, monkeypatch):
    fake_ingestion(
        monkeypatch,
        {
            "cash_transfer": staged_table(
                "cash_transfer", cash_transfer_rows("2022-Q1", 1) + cash_transfer_rows("2022-Q2", 1)
            ),
            "population": staged_table(
                "population", [{"year": 2022, "province": "LA-VT", "sex": "F", "age_group": "0-4", "population": 5}]
            ),
        },
    )
    refresh_mod.refresh([tmp_path / "a.xlsx", tmp_path / "b.xlsx"], root=tmp_path, operator="x", hash_key=KEY)
    changes = refresh_mod.preview_changes(
        {
            "cash_transfer": staged_table(
                "cash_transfer",
                cash_transfer_rows("2022-Q2", 3, districts=("0101",)) + cash_transfer_rows("2022-Q3", 3),
            ),
            "roadmap_actions": staged_table(
                "roadmap_actions",
                [
                    {
                        "action_id": "A1",
                        "pillar": "cross_cutting",
                        "responsible_ministry": "MoLSW",
                        "status": "completed",
                    }
                ],
            ),
        },
        root=tmp_path,
    )
    by_table = {c.table: c for c in changes}
    ct = by_table["cash_transfer"]
    # Q1 kept (4), Q2 district 0101 replaced (2) and 0102 kept (2), Q3 added (4).
    assert (ct.action, ct.rows_before, ct.rows_after, ct.periods_replaced, ct.periods_added) == (
        "merged",
        8,
        4 + 2 + 2 + 4,
        ["2022-Q2"],
        ["2022-Q3"],
    )
    assert (ct.covers, ct.rows_replaced, ct.rows_kept, ct.rows_removed) == (["period", "province", "district"], 2, 6, 0)
    whole = {
        c.table: c
        for c in refresh_mod.preview_changes(
            {"cash_transfer": staged_table("cash_transfer", cash_transfer_rows("2022-Q2", 3, districts=("0101",)))},
            root=tmp_path,
            replace_whole_periods=True,
        )
    }["cash_transfer"]
    assert (whole.covers, whole.rows_after, whole.rows_removed) == (["period"], 6, 2)
    assert (by_table["roadmap_actions"].action, by_table["roadmap_actions"].rows_after) == ("new", 1)
    assert (by_table["population"].action, by_table["population"].rows_after) == ("carried", 1)
    assert warehouse.current_version(tmp_path) == "v0001"  # a preview publishes nothing
