"""The command line: exit codes 0 (published) / 1 (rejected, report printed) / 2 (usage or setup), no tracebacks."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

from data_pipeline import cli, warehouse
from data_pipeline.report import Issue
from data_pipeline.secrets import DEMO_HASH_KEY
from tests.staging_tables import cash_transfer_rows, staged_table
from tests.test_refresh import fake_ingestion

PROJECT = Path(__file__).resolve().parent.parent


def run_module(*args, env=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "data_pipeline", *map(str, args)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


@pytest.fixture
def returns_dir(tmp_path):
    src = tmp_path / "returns"
    src.mkdir()
    (src / "maf_q2.xlsx").write_bytes(b"not read: ingestion is replaced by a fake in these tests")
    return src


@pytest.fixture
def real_key(monkeypatch):
    monkeypatch.setenv("SP_HASH_KEY", "a-real-deployment-key")


def test_no_command_is_a_usage_error_without_traceback():
    result = run_module()
    assert result.returncode == 2
    assert "usage: python -m data_pipeline" in result.stderr and "Traceback" not in result.stderr


def test_versions_and_rollback_from_a_real_process(tmp_path):
    for beneficiaries in (10, 12):
        warehouse.publish(
            {"cash_transfer": staged_table("cash_transfer", cash_transfer_rows("2022-Q2", beneficiaries))},
            root=tmp_path,
            operator="Ms Vanh",
            files=[],
            hash_key_fingerprint="k",
        )
    listed = run_module("versions", "--warehouse", tmp_path)
    assert listed.returncode == 0
    lines = listed.stdout.splitlines()
    assert lines[0].startswith("* v0002") and lines[1].startswith("  v0001") and "Ms Vanh" in lines[0]
    rolled = run_module("rollback", "v0001", "--warehouse", tmp_path, "--operator", "Mr Somphone")
    assert (rolled.returncode, rolled.stdout.strip()) == (0, "v0001 is current again (was v0002).")
    missing = run_module("rollback", "v0042", "--warehouse", tmp_path)
    assert missing.returncode == 2
    assert missing.stderr.strip() == f"error: version v0042 does not exist in {tmp_path}"
    assert warehouse.current_version(tmp_path) == "v0001"


def test_refresh_publishes_and_prints_a_summary(tmp_path, returns_dir, monkeypatch, capsys, real_key):
    fake_ingestion(
        monkeypatch,
        {"cash_transfer": staged_table("cash_transfer", cash_transfer_rows("2022-Q2", 10))},
        [Issue("maf_q2.xlsx", "warning", "a Total row was skipped", sheet="cash_transfer", row=9)],
    )
    code = cli.main(["refresh", str(returns_dir), "--warehouse", str(tmp_path / "wh"), "--operator", "Ms Vanh"])
    out, err = capsys.readouterr()
    assert code == 0
    assert out.startswith("Published v0001 (previous: none)") and "1 warning(s)" in out.splitlines()[0]
    assert "cash_transfer" in out and "4 rows" in out
    assert "maf_q2.xlsx: 0 error(s), 1 warning(s)" in out
    assert "[ 80%] publishing" in err
    assert warehouse.read_refresh_log(tmp_path / "wh")[-1]["operator"] == "Ms Vanh"


def test_a_rejected_refresh_exits_1_with_the_report_grouped_by_file_errors_first(
    tmp_path, returns_dir, monkeypatch, capsys, real_key
):
    issues = [
        Issue("b.xlsx", "warning", "header 'Gender' read as sex", sheet="s", column="Gender"),
        Issue("b.xlsx", "error", "'12,5' is not a whole number", sheet="s", row=14, column="beneficiaries"),
        Issue("a.xlsx", "warning", "a Total row was skipped", sheet="s", row=30),
    ]
    fake_ingestion(monkeypatch, {}, issues)
    code = cli.main(
        ["refresh", str(returns_dir), "--warehouse", str(tmp_path / "wh"), "--report", str(tmp_path / "issues.csv")]
    )
    out = capsys.readouterr().out
    assert code == 1
    lines = [line for line in out.splitlines() if line.strip()]
    assert lines[0] == "REJECTED: nothing was published; no version is still current."
    assert lines[2:] == [
        "b.xlsx: 1 error(s), 1 warning(s)",
        "  ERROR   sheet 's', row 14, column 'beneficiaries': '12,5' is not a whole number",
        "  WARNING sheet 's', column 'Gender': header 'Gender' read as sex",
        "a.xlsx: 0 error(s), 1 warning(s)",
        "  WARNING sheet 's', row 30: a Total row was skipped",
    ]
    with open(tmp_path / "issues.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["file"], r["severity"], r["row"]) for r in rows] == [
        ("b.xlsx", "error", "14"),
        ("a.xlsx", "warning", "30"),
        ("b.xlsx", "warning", ""),
    ]  # errors first
    assert warehouse.current_version(tmp_path / "wh") is None


def test_refresh_without_a_configured_key_explains_how_to_set_one(tmp_path, returns_dir, monkeypatch, capsys):
    monkeypatch.delenv("SP_HASH_KEY", raising=False)
    monkeypatch.setenv("SP_HASH_KEY_FILE", str(tmp_path / "no-such-key"))
    fake_ingestion(monkeypatch, {})
    assert cli.main(["refresh", str(returns_dir), "--warehouse", str(tmp_path / "wh")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: No key to pseudonymise identifiers. Set SP_HASH_KEY") and "--demo-key" in err


def test_the_bundled_sample_data_is_hashed_with_the_demo_key_and_says_so(tmp_path, returns_dir, monkeypatch, capsys):
    monkeypatch.setenv("SP_HASH_KEY", "a-real-deployment-key")
    monkeypatch.setattr(cli, "SAMPLE_DATA_DIR", returns_dir)
    calls = fake_ingestion(
        monkeypatch, {"cash_transfer": staged_table("cash_transfer", cash_transfer_rows("2022-Q2", 1))}
    )
    assert cli.main(["refresh", str(returns_dir), "--warehouse", str(tmp_path / "wh")]) == 0
    assert calls[0]["hash_key"] == DEMO_HASH_KEY
    assert "note: using the public DEMO hash key (the bundled sample data)" in capsys.readouterr().err
    assert warehouse.list_versions(tmp_path / "wh")[0].demo_key


def test_an_empty_or_missing_folder_is_a_usage_error(tmp_path, capsys, real_key):
    assert cli.main(["refresh", str(tmp_path / "nowhere")]) == 2
    assert cli.main(["validate", str(tmp_path)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"error: {tmp_path / 'nowhere'} is not a folder",
        f"error: no returns (.xlsx, .csv, .parquet) found in {tmp_path}",
    ]


def test_validate_writes_nothing_and_exits_by_the_report(tmp_path, returns_dir, monkeypatch, capsys):
    monkeypatch.delenv("SP_HASH_KEY", raising=False)
    monkeypatch.setenv("SP_HASH_KEY_FILE", str(tmp_path / "no-such-key"))
    monkeypatch.setenv("SP_WAREHOUSE", str(tmp_path / "wh"))
    fake_ingestion(monkeypatch, {"cash_transfer": staged_table("cash_transfer", cash_transfer_rows("2022-Q2", 1))})
    assert cli.main(["validate", str(returns_dir)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "OK: these returns can be published."
    fake_ingestion(monkeypatch, {}, [Issue("maf_q2.xlsx", "error", "no sheet matches a known return")])
    assert cli.main(["validate", str(returns_dir), "--report", str(tmp_path / "r.csv")]) == 1
    assert "ERROR   no sheet matches a known return" in capsys.readouterr().out
    assert (tmp_path / "r.csv").read_text().splitlines()[0] == "file,sheet,row,column,severity,message,code"
    assert not (tmp_path / "wh").exists()


def test_an_unexpected_error_prints_one_line_and_a_debug_hint(tmp_path, returns_dir, monkeypatch, capsys, real_key):
    def broken(paths, *, hash_key, progress=None, stage_dir=None, hand_off=None):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr("data_pipeline.refresh.validate", broken)
    assert cli.main(["refresh", str(returns_dir), "--warehouse", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "unexpected ZeroDivisionError: division by zero" in err and "--debug" in err and "Traceback" not in err
    with pytest.raises(ZeroDivisionError):
        cli.main(["refresh", str(returns_dir), "--warehouse", str(tmp_path), "--debug"])


def test_log_shows_the_latest_attempts(tmp_path, capsys):
    warehouse.append_log(tmp_path, action="refresh", operator="Ms Vanh", outcome="rejected", version=None, parent=None)
    warehouse.append_log(
        tmp_path, action="rollback", operator="Mr Somphone", outcome="rolled_back", version="v0001", parent="v0002"
    )
    assert cli.main(["log", "--warehouse", str(tmp_path), "--tail", "1"]) == 0
    [line] = capsys.readouterr().out.splitlines()
    assert "rollback" in line and "rolled_back" in line and "v0001" in line and "Mr Somphone" in line
    assert "Ms Vanh" not in line


def test_templates_command_writes_one_workbook_per_contract(tmp_path, capsys):
    from data_pipeline.contracts import all_contracts

    assert cli.main(["templates", str(tmp_path)]) == 0
    assert sorted(p.stem for p in tmp_path.glob("*.xlsx")) == sorted(all_contracts())
    assert capsys.readouterr().out.startswith(f"{len(all_contracts())} template(s) written to {tmp_path}")


def write_cash_transfer_csv(path: Path, beneficiaries_f: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "period,province,district,sex,beneficiaries,payments_due,payments_on_time\n"
        f"2022-Q2,Vientiane Capital,Chanthabuly,F,{beneficiaries_f},12,11\n"
        "2022-Q2,Vientiane Capital,Chanthabuly,M,8,8,8\n",
        encoding="utf-8",
    )
    return path


def test_refresh_of_real_returns_end_to_end_from_a_real_process(tmp_path):
    """Ingestion, publish and the exit code together: a clean CSV return publishes; a bad cell is rejected with its
    location, and the published data stays as it was."""
    env = {"SP_HASH_KEY": "end-to-end-test-key"}
    write_cash_transfer_csv(tmp_path / "good" / "maf_2022q2.csv", "12")
    published = run_module(
        "refresh", tmp_path / "good", "--warehouse", tmp_path / "wh", "--operator", "Ms Vanh", env=env
    )
    assert published.returncode == 0, published.stdout + published.stderr
    assert published.stdout.startswith("Published v0001")
    con = warehouse.open_version(root=tmp_path / "wh")
    assert con.execute("SELECT province, district, sum(beneficiaries) FROM cash_transfer GROUP BY ALL").fetchall() == [
        ("LA-VT", "0101", 20)
    ]

    write_cash_transfer_csv(tmp_path / "bad" / "maf_2022q2.csv", "twelve")
    rejected = run_module("refresh", tmp_path / "bad", "--warehouse", tmp_path / "wh", env=env)
    assert rejected.returncode == 1
    assert rejected.stdout.startswith("REJECTED: nothing was published; v0001 is still current.")
    error_lines = [line for line in rejected.stdout.splitlines() if line.strip().startswith("ERROR")]
    assert (
        error_lines and "row 2" in error_lines[0] and "beneficiaries" in error_lines[0] and "twelve" in error_lines[0]
    )
    assert "Traceback" not in rejected.stderr
    assert warehouse.current_version(tmp_path / "wh") == "v0001"
    assert [e["outcome"] for e in warehouse.read_refresh_log(tmp_path / "wh")] == ["pending", "published", "rejected"]
