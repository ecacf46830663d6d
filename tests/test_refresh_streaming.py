"""The refresh's bounded-memory path (issue 13): staged tables handed to the publish as Parquet files written by
DuckDB instead of Arrow tables, ``stg`` read as a view of the grid, DuckDB connections with a memory budget. Each
must give exactly what the in-memory path gives: the same staged rows, the same issues (file, sheet, row, column),
the same published rows."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from data_pipeline import warehouse
from data_pipeline.duckdb_memory import (
    SPILL_PREFIX,
    STALE_SPILL_SECONDS,
    bounded_connection,
    limit_memory,
    remove_spill,
)
from data_pipeline.ingest import validate_returns
from data_pipeline.refresh import collect_return_files, refresh
from data_pipeline.secrets import DEMO_HASH_KEY
from tests.ingest_fixtures import KEY, only, write_csv

PROJECT = Path(__file__).resolve().parent.parent
PAYMENTS_HEADER = "payment_key,beneficiary_key,cycle,due_date,paid_date,amount_due,amount_paid,channel,status\n"


def issues_of(report) -> list[tuple]:
    return [(i.file, i.sheet, i.row, i.column, i.severity, i.code, i.message) for i in report.issues]


@pytest.fixture(scope="module")
def sample_returns(tmp_path_factory) -> list[Path]:
    """A few of the sample's returns, one of each reader: the payments CSV, the register and two workbooks."""
    folder = tmp_path_factory.mktemp("returns")
    for name in (
        "MoLSW_MECG_payments_to_2022-06-30.csv",
        "MoLSW_MECG_register_2022-06-30.xlsx",
        "NHIB_members_2020-2022.xlsx",
        "LSB_population_births_2020-2022.xlsx",
    ):
        shutil.copy(PROJECT / "sample_data" / name, folder / name)
    return collect_return_files(folder)


def test_staged_parquet_files_hold_the_same_rows_as_the_arrow_tables(sample_returns, tmp_path):
    in_memory_report, in_memory = validate_returns(sample_returns, hash_key=DEMO_HASH_KEY)
    report, staged = validate_returns(sample_returns, hash_key=DEMO_HASH_KEY, stage_dir=tmp_path)
    assert report.ok and in_memory_report.ok
    assert issues_of(report) == issues_of(in_memory_report)
    assert (
        set(staged) == set(in_memory) == {"mecg_payments", "mecg_register", "health_insurance", "population", "births"}
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{name}.parquet" for name in staged)
    for name, path in staged.items():
        assert path == tmp_path / f"{name}.parquet"
        from_file = pq.read_table(path)
        assert [(f.name, f.type) for f in from_file.schema] == [(f.name, f.type) for f in in_memory[name].schema]
        same = from_file.cast(in_memory[name].schema).equals(in_memory[name])
        assert same, f"{name}: other rows, or the same rows in another order"
    assert pq.read_table(staged["mecg_payments"]).num_rows > 1000  # a real ledger, not an empty file


def test_publishing_staged_files_gives_the_same_tables_as_publishing_arrow(sample_returns, tmp_path):
    _, in_memory = validate_returns(sample_returns, hash_key=DEMO_HASH_KEY)
    _, staged = validate_returns(sample_returns, hash_key=DEMO_HASH_KEY, stage_dir=tmp_path / "staged")
    for root, tables in ((tmp_path / "arrow", in_memory), (tmp_path / "files", staged)):
        warehouse.publish(tables, root=root, operator="t", files=[], hash_key_fingerprint="k")
    arrow_con, files_con = (
        warehouse.open_version(None, tmp_path / "arrow"),
        warehouse.open_version(None, tmp_path / "files"),
    )
    for name in staged:
        order = "payment_key" if name == "mecg_payments" else "ALL"  # partitions are written in no fixed order
        query = f"SELECT * FROM {name} ORDER BY {order}"
        rows = files_con.execute(query).fetchall()
        assert rows == arrow_con.execute(query).fetchall(), name
        assert len(rows) == in_memory[name].num_rows
    assert (
        warehouse.read_manifest("v0001", tmp_path / "files")["table_rows"]
        == warehouse.read_manifest("v0001", tmp_path / "arrow")["table_rows"]
    )


def test_a_staged_file_with_other_columns_is_refused_and_leaves_nothing_behind(tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    path = tmp_path / "population.parquet"
    duckdb.execute(f"COPY (SELECT 1 AS year, 'x' AS not_a_column) TO '{path}' (FORMAT parquet)")
    with pytest.raises(warehouse.WarehouseError, match="does not match the warehouse schema"):
        warehouse.publish({"population": path}, root=tmp_path / "wh", operator="t", files=[], hash_key_fingerprint="k")
    assert warehouse.current_version(tmp_path / "wh") is None
    assert list((tmp_path / "tmp").iterdir()) == []  # no DuckDB spill folder left


def test_a_rejected_refresh_stages_nothing_and_reports_the_same_cells(tmp_path):
    text = (
        PAYMENTS_HEADER + "P-1,B-1,1,2022-01-10,,300000,,cash,pending\n"
        "P-2,B-1,x,2022-01-10,,300000,,cash,pending\n"  # line 3: cycle is not a number
        "P-3,B-2,1,2022-01-10,,,,cash,pending\n"  # line 4: amount_due blank
        "P-1,B-3,1,2022-01-10,,300000,,cash,pending\n"  # line 5: same key as line 2
    )
    path = write_csv(tmp_path / "pay.csv", text)
    in_memory_report, _ = validate_returns([path], hash_key=KEY)
    stage_dir = tmp_path / "staged"
    stage_dir.mkdir()
    report, staged = validate_returns([path], hash_key=KEY, stage_dir=stage_dir)
    assert staged == {} and list(stage_dir.iterdir()) == []
    assert issues_of(report) == issues_of(in_memory_report)
    where = lambda code: (lambda i: (i.file, i.sheet, i.row, i.column))(only(report, code))  # noqa: E731
    assert where("not_a_number") == ("pay.csv", None, 3, "cycle")
    assert where("blank_required") == ("pay.csv", None, 4, "amount_due")
    assert where("duplicate_key") == ("pay.csv", None, 5, "payment_key")


def test_edge_spaces_tabs_and_no_break_spaces_are_trimmed_and_a_blank_cell_is_blank(tmp_path):
    text = (
        PAYMENTS_HEADER + "P-1, B-1 ,1,2022-01-10,,300000,,\tcash ,pending\u00a0\n"
        "P-2,B-2,1,2022-01-10,,\u00a0 \t,,cash,pending\n"  # line 3: amount_due only spaces = blank
    )
    report, staged = validate_returns([write_csv(tmp_path / "pay.csv", text)], hash_key=KEY, stage_dir=tmp_path)
    assert (only(report, "blank_required").row, only(report, "blank_required").column) == (3, "amount_due")
    assert staged == {}
    report, staged = validate_returns(
        [write_csv(tmp_path / "pay.csv", text.splitlines(keepends=True)[0] + text.splitlines(keepends=True)[1])],
        hash_key=KEY,
        stage_dir=tmp_path,
    )
    assert report.ok, [str(i) for i in report.issues]
    row = pq.read_table(staged["mecg_payments"]).to_pylist()[0]
    assert (row["channel"], row["status"]) == ("cash", "pending")
    from data_pipeline.secrets import pseudonymise

    assert row["beneficiary_key"] == pseudonymise("B-1", KEY)  # ' B-1 ' trimmed before hashing


def test_the_refresh_leaves_no_staged_files_behind(sample_returns, tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    result = refresh(sample_returns, root=tmp_path / "wh", operator="t", hash_key=DEMO_HASH_KEY)
    assert result.published and result.table_rows["mecg_payments"] > 1000
    assert list((tmp_path / "tmp").iterdir()) == []  # staged files and DuckDB spill folders removed


def test_a_bounded_connection_has_its_memory_limit_and_removes_its_spill_folder():
    with bounded_connection(memory_mb=300) as con:
        limit = con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
        spill = Path(con.execute("SELECT current_setting('temp_directory')").fetchall()[0][0])
        assert spill.is_dir() and oct(spill.stat().st_mode & 0o777) == "0o700"
    assert limit == "286.1 MiB"  # 300 MB (10^6 bytes) as DuckDB shows it
    assert not spill.exists()
    con = duckdb.connect()
    folder = limit_memory(con, 200)
    assert Path(folder).is_dir()
    con.close()
    remove_spill(folder)
    assert not Path(folder).exists()


@pytest.mark.parametrize("ids", [("P-1", "p 2"), ("P-1", "Pé-2", "ປ-3")], ids=["ascii", "non-ascii"])
def test_a_key_column_hashed_in_place_gives_the_keyed_hash_of_each_id(tmp_path, ids):
    from data_pipeline.secrets import pseudonymise

    lines = "".join(f"{i},B-1,1,2022-01-10,,300000,,cash,pending\n" for i in ids)
    report, staged = validate_returns([write_csv(tmp_path / "pay.csv", PAYMENTS_HEADER + lines)], hash_key=KEY)
    assert report.ok, [str(i) for i in report.issues]
    assert staged["mecg_payments"].column("payment_key").to_pylist() == [pseudonymise(i, KEY) for i in ids]
    assert staged["mecg_payments"].column("beneficiary_key").to_pylist() == [pseudonymise("B-1", KEY)] * len(ids)


def test_a_blank_key_id_is_still_reported_where_it_is(tmp_path):
    text = PAYMENTS_HEADER + "P-1,B-1,1,2022-01-10,,300000,,cash,pending\n ,B-1,1,2022-01-10,,300000,,cash,pending\n"
    report, staged = validate_returns([write_csv(tmp_path / "pay.csv", text)], hash_key=KEY)
    issue = only(report, "blank_required")
    assert (issue.file, issue.row, issue.column) == ("pay.csv", 3, "payment_key") and staged == {}


@pytest.mark.parametrize("label", ["TOTAL", "total:", "Grand total", "SUB-TOTAL", "Subtotal", "sum", "ລວມທັງໝົດ"])
def test_every_spelling_of_a_total_label_still_drops_its_row(tmp_path, label):
    text = PAYMENTS_HEADER + f"P-1,B-1,1,2022-01-10,,300000,,cash,pending\n{label},,,,,300000,,,\n"
    report, staged = validate_returns([write_csv(tmp_path / "pay.csv", text)], hash_key=KEY)
    assert report.ok and only(report, "total_row").row == 3
    assert staged["mecg_payments"].num_rows == 1


@pytest.mark.parametrize("label", ["Attotal", "ptotal"])
def test_a_label_that_only_contains_total_is_not_a_total_row(tmp_path, label):
    text = PAYMENTS_HEADER + f"P-1,B-1,1,2022-01-10,,300000,,cash,pending\n{label},,,,,300000,,,\n"
    report, _ = validate_returns([write_csv(tmp_path / "pay.csv", text)], hash_key=KEY)
    assert "total_row" not in [i.code for i in report.issues] and not report.ok  # an incomplete row: errors


def test_a_spill_folder_left_by_a_killed_refresh_is_removed_by_the_next_connection(tmp_path, monkeypatch):
    # A killed refresh cannot remove its spill folder, which may hold raw return cells: the next one does, once the
    # folder is older than any refresh runs; a fresh folder (a refresh running now) is left alone.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    stale, running = tmp_path / (SPILL_PREFIX + "killed"), tmp_path / (SPILL_PREFIX + "running")
    for folder in (stale, running):
        folder.mkdir()
        (folder / "duckdb_temp_block").write_bytes(b"raw cells")
    old = time.time() - STALE_SPILL_SECONDS - 60
    os.utime(stale, (old, old))
    with bounded_connection(memory_mb=200):
        pass
    assert not stale.exists()
    assert running.exists()
