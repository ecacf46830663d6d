"""Every hostile return (tests/hostile_files.py) through both paths, the CLI and the refresh page: a clear error
naming the file (or, where the policy allows, read safely), the process up, the published data byte-identical."""

from __future__ import annotations

import csv
import hashlib
import io
import shutil
from pathlib import Path

import duckdb
import pytest

from dashboard import refresh_flow
from data_pipeline import cli, gate, warehouse
from data_pipeline.contracts import all_contracts
from data_pipeline.gate import ReaderFailed, run_with_memory_budget
from data_pipeline.ingest import ReadError, read_return_tables
from data_pipeline.secrets import DEMO_HASH_KEY
from tests.hostile_files import FORMULA_NAME, FORMULA_TEXT, SMALL_FILE_LIMIT_MB, UPLOAD_ONLY, Hostile, corpus, workbook
from tests.ingest_fixtures import minimal_return
from tests.roles_fixtures import accounts, run_as  # noqa: F401

CORPUS = corpus()
REFUSED = [h for h in CORPUS if h.refusal]


@pytest.fixture
def own_warehouse(sample_warehouse, tmp_path, monkeypatch) -> Path:
    root = tmp_path / "warehouse"
    shutil.copytree(sample_warehouse, root)
    monkeypatch.setenv("SP_WAREHOUSE", str(root))
    monkeypatch.setenv("SP_GATE_MAX_FILE_MB", SMALL_FILE_LIMIT_MB)
    return root


def published_data(root: Path) -> dict[str, str]:
    """sha256 of every file of the warehouse but the refresh log (a rejection's one write), its lock file and the
    indicator cache (derived, written when a page computes)."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name not in ("refresh_log.jsonl", ".lock") and p.relative_to(root).parts[0] != "cache"
    }


def folder_with(tmp_path: Path, hostile: Hostile) -> Path:
    folder = tmp_path / "returns"
    folder.mkdir()
    (folder / hostile.name).write_bytes(hostile.data)
    return folder


# ------------------------------------------------------------------------------------------------------------ CLI


@pytest.mark.parametrize("hostile", REFUSED, ids=[h.name[:20] for h in REFUSED])
def test_the_cli_refuses_each_hostile_return_naming_it(hostile, own_warehouse, tmp_path, capsys):
    before = published_data(own_warehouse)
    folder = folder_with(tmp_path, hostile)

    assert cli.main(["validate", str(folder), "--demo-key"]) == 1
    assert cli.main(["refresh", str(folder), "--warehouse", str(own_warehouse), "--demo-key"]) == 1
    out = capsys.readouterr().out
    assert "REJECTED: nothing was published" in out
    assert f"\n{hostile.name}: 1 error(s)" in out and hostile.refusal in out
    assert published_data(own_warehouse) == before
    entry = warehouse.read_refresh_log(own_warehouse)[-1]
    assert entry["outcome"] == "rejected" and [f["file"] for f in entry["files"]] == [hostile.name]


def test_a_stray_far_cell_is_refused_in_a_separate_process_that_stays_up(own_warehouse, tmp_path):
    """The issue's crash: calamine would allocate 512 GB and abort the process (exit 134, no file named)."""
    import subprocess
    import sys

    folder = folder_with(tmp_path, next(h for h in CORPUS if h.name == "far_cell.xlsx"))
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "data_pipeline",
            "refresh",
            str(folder),
            "--warehouse",
            str(own_warehouse),
            "--demo-key",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert done.returncode == 1, done.stderr
    assert "far_cell.xlsx: 1 error(s)" in done.stdout and "16,384 columns" in done.stdout


def test_formula_text_and_a_formula_file_name_are_published_inert(own_warehouse, tmp_path, capsys):
    hostile = next(h for h in CORPUS if h.name == FORMULA_NAME)
    folder = folder_with(tmp_path, hostile)
    report = tmp_path / "report.csv"
    # The one-row roadmap replaces the sample's whole snapshot: a removal this test confirms on purpose.
    assert (
        cli.main(
            [
                "refresh",
                str(folder),
                "--warehouse",
                str(own_warehouse),
                "--demo-key",
                "--confirm-removals",
                "--report",
                str(report),
            ]
        )
        == 0
    )
    files = [row["file"] for row in csv.DictReader(report.open(encoding="utf-8"))]
    assert files and set(files) == {"'" + FORMULA_NAME}  # the issue table names the file, inert
    out = capsys.readouterr().out
    assert "the file name begins with '='" in out and "stored with a leading apostrophe" in out
    version = warehouse.current_version(own_warehouse)
    table = own_warehouse / "versions" / version / "tables" / "roadmap_actions.parquet"
    rows = duckdb.sql(f"SELECT description, source_file FROM read_parquet('{table}')").fetchall()
    assert ("'" + FORMULA_TEXT, "'" + FORMULA_NAME) in rows
    assert not any(gate.is_formula_text(cell) for row in rows for cell in row)


def test_the_indicator_export_holds_no_cell_a_spreadsheet_would_run(own_warehouse, tmp_path, capsys):
    """``python -m indicators export --format csv``: a cell may begin with - or + only as a number."""
    from indicators.__main__ import main as indicators_main

    folder = folder_with(tmp_path, next(h for h in CORPUS if h.name == FORMULA_NAME))
    assert (
        cli.main(["refresh", str(folder), "--warehouse", str(own_warehouse), "--demo-key", "--confirm-removals"]) == 0
    )
    assert indicators_main(["export", str(tmp_path / "out"), "--format", "csv", "--warehouse", str(own_warehouse)]) in (
        0,
        None,
    )
    text = next((tmp_path / "out").glob("*.csv")).read_text(encoding="utf-8")
    assert FORMULA_NAME in text  # the file is named, inert
    for row in csv.reader(io.StringIO(text)):
        for cell in row:
            if gate.is_formula_text(cell):
                float(cell)  # raises for anything but a number


# ----------------------------------------------------------------------------------------------------------- page


def test_the_page_refuses_each_hostile_upload_naming_it_and_stores_none_the_gate_refused(own_warehouse, tmp_path):
    uploads = [(h.name, h.data) for h in REFUSED + UPLOAD_ONLY]
    checked = refresh_flow.check_returns(uploads, hash_key=DEMO_HASH_KEY, directory=tmp_path / "upload")
    assert [p.name for p in checked.paths] == [h.name for h in REFUSED if h.by_reader] and not checked.ok
    for hostile in REFUSED + UPLOAD_ONLY:
        errors = [i.message for i in checked.report.errors if i.file == gate.display_name(hostile.name)]
        assert len(errors) == 1 and hostile.refusal in errors[0], (hostile.name, errors)


def test_a_refused_file_among_good_ones_blocks_the_publish_and_changes_nothing(own_warehouse, tmp_path):
    before = published_data(own_warehouse)
    bomb = next(h for h in CORPUS if h.name == "zip_bomb.xlsx")
    good = next(h for h in CORPUS if h.name == FORMULA_NAME)
    checked = refresh_flow.check_returns(
        [(good.name, good.data), (bomb.name, bomb.data)], hash_key=DEMO_HASH_KEY, directory=tmp_path / "upload"
    )
    assert not checked.ok and [i.file for i in checked.report.errors] == [bomb.name]
    result = refresh_flow.publish(checked, operator="officer", hash_key=DEMO_HASH_KEY, root=own_warehouse)
    assert not result.published or bomb.name not in [r.file for r in result.report.returns]
    if not result.published:
        assert published_data(own_warehouse) == before


def test_the_refresh_page_reports_every_hostile_upload_and_stays_up(own_warehouse, accounts, monkeypatch):
    import streamlit as st

    monkeypatch.setenv("SP_ALLOW_DEMO_KEY", "1")
    monkeypatch.setenv("SP_HASH_KEY_FILE", str(own_warehouse.parent / "no_key_here"))
    monkeypatch.delenv("SP_HASH_KEY", raising=False)
    st.cache_data.clear()
    before = published_data(own_warehouse)
    at = run_as("pages/refresh.py", "officer")
    uploads = [(h.name, h.data, "application/octet-stream") for h in REFUSED + UPLOAD_ONLY]
    at.get("file_uploader")[0].set_value(uploads).run()
    assert not at.exception
    report = next(d.value for d in at.dataframe if "severity" in d.value.columns)
    errors = report[report["severity"] == "error"]
    assert sorted(errors["file"]) == sorted(gate.display_name(h.name) for h in REFUSED + UPLOAD_ONLY)
    assert not any(b.label == "Publish as a new version" for b in at.button)
    assert published_data(own_warehouse) == before


# ------------------------------------------------------------------------------------------ the memory budget


def test_a_workbook_too_big_for_the_reader_is_an_error_on_the_file_not_a_dead_process(tmp_path):
    """Past the gate (called directly): calamine asks for 512 GB inside the child, which fails; we carry on."""
    path = tmp_path / "far_cell.xlsx"
    path.write_bytes(workbook([["a"]], far_cell="XFD1048576"))
    with duckdb.connect() as con, pytest.raises(ReadError, match="memory budget"):
        read_return_tables(con, path)


def _allocate(megabytes: int) -> int:
    return len(bytearray(megabytes * 1024 * 1024))


def test_the_budget_stops_an_allocation_and_lets_smaller_ones_through():
    assert run_with_memory_budget(_allocate, 50, memory_bytes=400 * 1024 * 1024) == 50 * 1024 * 1024
    with pytest.raises(ReaderFailed, match="400 MB"):
        run_with_memory_budget(_allocate, 2000, memory_bytes=400 * 1024 * 1024)


def test_a_readers_own_error_comes_back_as_it_is(tmp_path):
    from data_pipeline.ingest.readers import workbook_grids

    path = tmp_path / "not_a_workbook.xlsx"
    path.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(ReadError, match="cannot open the workbook"):
        run_with_memory_budget(workbook_grids, str(path), memory_bytes=512 * 1024 * 1024)


# ------------------------------------------------------------------------------------------------ personal data


def test_a_misaligned_register_row_puts_no_name_phone_or_id_into_the_log(own_warehouse, tmp_path):
    contract = all_contracts()["mecg_register"]
    rows = minimal_return(contract)
    header = rows[0]
    personal = {
        "beneficiary_key": "MECG-99-123456",
        "national_id_key": "1199-8877-6655",
        "full_name": "Somchai Phommavong",
        "phone": "020 5555 1234",
    }
    for name, value in personal.items():
        rows[1][header.index(name)] = rows[2][header.index(name)] = value
    rows[2] = [None] + rows[2]  # one cell pasted too far right: every value sits under the wrong header
    rows[2][header.index("beneficiary_key")] = "MECG-99-654321"
    path = tmp_path / "returns" / "register.xlsx"
    path.parent.mkdir()
    path.write_bytes(workbook(rows, sheet="register"))

    assert cli.main(["refresh", str(path.parent), "--warehouse", str(own_warehouse), "--demo-key"]) == 1
    log = (own_warehouse / "refresh_log.jsonl").read_text(encoding="utf-8")
    entry = warehouse.read_refresh_log(own_warehouse)[-1]
    assert entry["outcome"] == "rejected" and entry["error_count"] > 0
    for value in list(personal.values()) + ["55551234", "5555 1234", "Somchai", "Phommavong", "8877"]:
        assert value not in log, value


def test_the_grid_shows_formula_safe_text_so_its_own_toolbar_download_is_safe():
    """Streamlit cannot turn off the grid's "Download as CSV": what the grid holds must be safe to download."""
    from streamlit.testing.v1 import AppTest

    def page():
        import pandas as pd

        from dashboard.components import table_with_downloads

        table_with_downloads(
            pd.DataFrame({"source_file": ["=cmd|' /C calc'!A0", "ok.xlsx"], "change": [-2, 3]}), "files"
        )

    at = AppTest.from_function(page).run()
    assert not at.exception
    shown = at.dataframe[0].value
    assert shown["source_file"].tolist() == ["'=cmd|' /C calc'!A0", "ok.xlsx"]
    assert shown["change"].tolist() == [-2, 3]  # numbers stay numbers
