"""The refresh page validates a batch once, into a private folder inside the batch's, and publishes from there: the
same version as the CLI's refresh of the same files, nothing of the batch left behind, never another batch's rows."""

from __future__ import annotations

import math
import shutil

import duckdb
import openpyxl
import pytest

from dashboard import refresh_flow
from data_pipeline import refresh, warehouse
from data_pipeline.secrets import DEMO_HASH_KEY
from tests.roles_fixtures import BROKEN_RETURN, FIXED_NAME, accounts, fixed_return, run_as  # noqa: F401  (fixture)
from tests.test_roles_refresh import XLSX, own_warehouse  # noqa: F401  (fixture)


@pytest.fixture
def upload_dir(tmp_path, monkeypatch):
    folder = tmp_path / "uploads"
    monkeypatch.setenv("SP_UPLOAD_DIR", str(folder))
    return folder


def published_bytes(root):
    return {p: p.read_bytes() for p in [root / "CURRENT", *root.rglob("versions/**/*")] if p.is_file()}


def version_rows(root, version):
    """Every Parquet file of a version (tables and derived indicator tables) -> its rows, sorted."""
    folder = warehouse.version_folder(version, root)
    con = duckdb.connect()
    try:
        return {
            str(f.relative_to(folder)): con.execute(f"SELECT * FROM read_parquet('{f}') ORDER BY ALL").fetchall()
            for f in sorted(folder.rglob("*.parquet"))
        }
    finally:
        con.close()


def same_up_to_float_noise(row, other) -> bool:
    return all(
        math.isclose(a, b, rel_tol=1e-12) if isinstance(a, float) and isinstance(b, float) else a == b
        for a, b in zip(row, other, strict=True)
    )


def test_the_pages_publish_writes_the_cli_refreshs_rows_without_validating_again(
    sample_warehouse, tmp_path, upload_dir, monkeypatch
):
    from indicators import published

    cli_root, page_root = tmp_path / "cli", tmp_path / "page"
    shutil.copytree(sample_warehouse, cli_root)
    shutil.copytree(sample_warehouse, page_root)
    fixed = fixed_return(tmp_path)
    by_cli = refresh.refresh(
        [fixed], root=cli_root, operator="officer", hash_key=DEMO_HASH_KEY, derive=published.derive
    )
    checked = refresh_flow.check_returns([(FIXED_NAME, fixed.read_bytes())], hash_key=DEMO_HASH_KEY)
    assert checked.ok and checked.staged == {"school_meals": checked.stage_dir / "school_meals.parquet"}
    assert checked.stage_dir.parent == checked.directory and checked.staged["school_meals"].is_file()

    def validate_again(*args, **kwargs):
        raise AssertionError("the batch was validated at upload: the publish writes its staged tables")

    monkeypatch.setattr(refresh, "validate", validate_again)
    by_page = refresh_flow.publish(checked, operator="officer", hash_key=DEMO_HASH_KEY, root=page_root)
    assert by_cli.version == by_page.version == "v0002" and by_page.table_rows == by_cli.table_rows
    cli_rows, page_rows = version_rows(cli_root, "v0002"), version_rows(page_root, "v0002")
    assert sorted(page_rows) == sorted(cli_rows)
    assert any(name.startswith("derived/") for name in page_rows)  # the indicators are published with it
    for name, rows in page_rows.items():
        if name.startswith("derived/"):  # the same figures; DuckDB sums doubles in parallel (last bits only)
            assert len(rows) == len(cli_rows[name]) and all(map(same_up_to_float_noise, rows, cli_rows[name])), name
        else:
            assert rows == cli_rows[name], name
    cli_manifest, page_manifest = (warehouse.read_manifest("v0002", r) for r in (cli_root, page_root))
    for same in ("files", "table_rows", "tables", "changes", "hash_key_fingerprint"):
        assert page_manifest[same] == cli_manifest[same], same
    refresh_flow.discard(checked)
    assert list(upload_dir.iterdir()) == [] and checked.staged == {}


def test_a_rejected_batch_keeps_no_validated_tables(upload_dir):
    checked = refresh_flow.check_returns([(BROKEN_RETURN.name, BROKEN_RETURN.read_bytes())], hash_key=DEMO_HASH_KEY)
    assert not checked.ok and checked.staged == {} and checked.stage_dir is None
    assert [p.name for p in checked.directory.iterdir()] == [BROKEN_RETURN.name]  # the return, read back to fix it


def test_a_publish_refused_from_the_staged_tables_changes_nothing_and_the_batch_can_still_publish(
    own_warehouse, tmp_path, upload_dir
):
    before = published_bytes(own_warehouse)
    data = fixed_return(tmp_path).read_bytes()
    checked = refresh_flow.check_returns([(FIXED_NAME, data)], hash_key=DEMO_HASH_KEY)
    removed = refresh_flow.removals(checked, own_warehouse, replace_whole_periods=True)
    assert removed["rows"].sum() > 0
    refused = refresh_flow.publish(
        checked, operator="officer", hash_key=DEMO_HASH_KEY, root=own_warehouse, replace_whole_periods=True
    )
    assert not refused.published and [i.code for i in refused.report.errors] == ["removal_not_confirmed"]
    assert published_bytes(own_warehouse) == before
    assert warehouse.read_refresh_log(own_warehouse)[-1]["outcome"] == "rejected"
    assert checked.report.ok  # the batch's own report is not the publish's
    done = refresh_flow.publish(
        checked,
        operator="officer",
        hash_key=DEMO_HASH_KEY,
        root=own_warehouse,
        replace_whole_periods=True,
        confirm_removals=True,
    )
    assert done.version == "v0002"
    assert done.table_rows["school_meals"] == 580 - removed["rows"].sum()


def test_a_key_changed_since_the_check_validates_the_files_again(own_warehouse, tmp_path, upload_dir, monkeypatch):
    checked = refresh_flow.check_returns([(FIXED_NAME, fixed_return(tmp_path).read_bytes())], hash_key=DEMO_HASH_KEY)
    validated = []
    original = refresh.validate
    monkeypatch.setattr(refresh, "validate", lambda paths, **kw: validated.append(paths) or original(paths, **kw))
    result = refresh_flow.publish(checked, operator="officer", hash_key=b"another key" * 3, root=own_warehouse)
    assert validated == [checked.paths]  # not the tables hashed with the old key
    assert not result.published and "hash_key_changed" in [i.code for i in result.report.errors]


def test_a_second_upload_in_a_session_publishes_its_own_rows_not_the_first_ones(
    own_warehouse, accounts, tmp_path, upload_dir
):
    first = fixed_return(tmp_path)
    workbook = openpyxl.load_workbook(first)
    workbook["school_meals"]["E3"] = 2019  # Khua, boys: 2017 in the first batch
    second = tmp_path / "second" / FIXED_NAME
    second.parent.mkdir()
    workbook.save(second)

    at = run_as("pages/refresh.py", "officer")
    at.get("file_uploader")[0].set_value([(FIXED_NAME, first.read_bytes(), XLSX)]).run()
    assert "These returns can be published." in at.success[0].value
    [first_batch] = list(upload_dir.iterdir())
    at.get("file_uploader")[0].set_value([(FIXED_NAME, second.read_bytes(), XLSX)]).run()
    assert not at.exception and not first_batch.exists()
    [second_batch] = list(upload_dir.iterdir())
    stage = at.session_state["sp_refresh_checked"].stage_dir
    assert [p for p in second_batch.iterdir() if p.is_dir()] == [stage]
    at.checkbox(key="sp_refresh_whole_periods").check().run()
    at.checkbox(key="sp_refresh_whole_periods").uncheck().run()  # a click runs the page: the batch is not checked again
    assert at.session_state["sp_refresh_checked"].stage_dir == stage and list(upload_dir.iterdir()) == [second_batch]
    next(b for b in at.button if b.label == "Publish as a new version").click().run()
    assert not at.exception and warehouse.current_version(own_warehouse) == "v0002"
    assert list(upload_dir.iterdir()) == []
    con = warehouse.open_version(root=own_warehouse)
    enrolled = con.execute(
        "SELECT list_sort(list(pupils_enrolled)) FROM school_meals "
        "WHERE period = '2022-Q2' AND sex = 'M' AND pupils_receiving_meals = 2016"
    ).fetchone()[0]
    assert 2019 in enrolled and 2017 not in enrolled


def test_validated_tables_in_a_callers_folder_go_when_the_batch_is_dropped(tmp_path):
    import gc

    folder = tmp_path / "upload"
    checked = refresh_flow.check_returns(
        [(FIXED_NAME, fixed_return(tmp_path).read_bytes())], hash_key=DEMO_HASH_KEY, directory=folder
    )
    stage = checked.stage_dir
    assert stage.parent == folder and (stage / "school_meals.parquet").is_file()
    del checked
    gc.collect()
    assert not stage.exists() and [p.name for p in folder.iterdir()] == [FIXED_NAME]  # the caller's folder stays
