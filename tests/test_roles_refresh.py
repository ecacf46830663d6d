"""The Secretariat's refresh in the dashboard: upload a broken return, read the errors, upload the fixed one,
preview, publish (a new version, the officer in the log) and roll back — on the pipeline's own functions."""

from __future__ import annotations

import shutil

import pytest

from dashboard import refresh_flow
from data_pipeline import warehouse
from data_pipeline.secrets import DEMO_HASH_KEY
from tests.roles_fixtures import BROKEN_RETURN, FIXED_NAME, accounts, fixed_return, run_as  # noqa: F401  (fixture)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def own_warehouse(sample_warehouse, tmp_path, monkeypatch):
    """A copy of the sample warehouse this test may publish to; the demo key allowed, as on a demo deployment."""
    import streamlit as st

    root = tmp_path / "warehouse"
    shutil.copytree(sample_warehouse, root)
    monkeypatch.setenv("SP_WAREHOUSE", str(root))
    monkeypatch.delenv("SP_HASH_KEY", raising=False)
    monkeypatch.setenv("SP_HASH_KEY_FILE", str(tmp_path / "no_key_here"))
    monkeypatch.setenv("SP_ALLOW_DEMO_KEY", "1")
    st.cache_data.clear()
    return root


def test_the_report_names_the_file_as_uploaded_and_locates_each_error(tmp_path):
    checked = refresh_flow.check_returns(
        [(BROKEN_RETURN.name, BROKEN_RETURN.read_bytes())], hash_key=DEMO_HASH_KEY, directory=tmp_path / "upload"
    )
    table = refresh_flow.report_table(checked.report)
    assert not checked.ok and checked.staged == {}
    assert list(table.columns) == ["file", "sheet", "row", "column", "severity", "message"]
    errors = table[table["severity"] == "error"]
    assert set(errors["file"]) == {BROKEN_RETURN.name}
    assert sorted(errors["row"].astype(int)) == [3, 5, 6]
    assert set(errors["column"]) == {"pupils_enrolled", "province", "period"}


def test_an_unsafe_upload_name_is_stored_under_a_random_name_and_reported_under_its_own(tmp_path):
    data = fixed_return(tmp_path).read_bytes()
    checked = refresh_flow.check_returns(
        [('../..\\evil:"name".xlsx', data)], hash_key=DEMO_HASH_KEY, directory=tmp_path / "upload"
    )
    assert [p.parent for p in checked.paths] == [tmp_path / "upload"]
    assert checked.paths[0].name != 'evil:"name".xlsx' and checked.paths[0].suffix == ".xlsx"
    assert [r.file for r in checked.report.returns] == ['evil:"name".xlsx']


def test_a_renamed_program_is_refused_before_any_reader_opens_it(tmp_path):
    checked = refresh_flow.check_returns(
        [("returns.xlsx", b"MZ\x90\x00\x03" + bytes(200))], hash_key=DEMO_HASH_KEY, directory=tmp_path / "upload"
    )
    assert checked.paths == [] and not checked.ok
    assert "Windows program" in checked.report.errors[0].message
    assert checked.report.errors[0].file == "returns.xlsx"


def test_without_a_hash_key_the_page_says_how_to_set_one(own_warehouse, accounts, monkeypatch):
    monkeypatch.delenv("SP_ALLOW_DEMO_KEY")
    at = run_as("pages/refresh.py", "officer")
    assert not at.exception
    assert not at.get("file_uploader")
    assert "No hash key is configured" in at.error[0].value
    assert "SP_ALLOW_DEMO_KEY=1" in "\n".join(c.value for c in at.caption)


def test_secretariat_uploads_fixes_previews_publishes_and_rolls_back(own_warehouse, accounts, tmp_path, monkeypatch):
    upload_dir = tmp_path / "uploads"
    monkeypatch.setenv("SP_UPLOAD_DIR", str(upload_dir))
    at = run_as("pages/refresh.py", "officer")
    assert not at.exception
    uploader = at.get("file_uploader")[0]
    assert uploader.accept_multiple_files

    # 1. The broken return: the errors, located, under the file's own name; nothing to publish.
    uploader.set_value([(BROKEN_RETURN.name, BROKEN_RETURN.read_bytes(), XLSX)]).run()
    assert not at.exception
    report = next(d.value for d in at.dataframe if "severity" in d.value.columns)
    assert set(report.loc[report["severity"] == "error", "file"]) == {BROKEN_RETURN.name}
    assert "'Vientiane North' is not a known province" in " ".join(report["message"])
    assert not any(b.label == "Publish as a new version" for b in at.button)
    assert [d.label for d in at.get("download_button")][:2] == ["CSV", "Excel"]
    [broken_batch] = list(upload_dir.iterdir())  # kept while the report is read, in the configured folder

    # 2. The fixed return: publishable; the preview names the indicator that moves.
    fixed = fixed_return(tmp_path)
    at.get("file_uploader")[0].set_value([(FIXED_NAME, fixed.read_bytes(), XLSX)]).run()
    assert "These returns can be published." in at.success[0].value
    assert not broken_batch.exists() and len(list(upload_dir.iterdir())) == 1  # the replaced batch is deleted
    next(b for b in at.button if b.label == "Preview the changes").click().run()
    assert not at.exception
    summary = next(d.value for d in at.dataframe if "national_change" in d.value.columns)
    assert summary["indicator_id"].tolist() == ["NSPS_SW_MEALS"]
    tables = next(d.value for d in at.dataframe if "rows_before" in d.value.columns)
    assert tables["table"].tolist() == ["School meals"] and tables["periods_replaced"].tolist() == ["2022-Q2"]
    # A three-district correction: those districts replaced, every other row kept, nothing removed.
    assert tables[["rows_before", "rows_removed", "rows_after"]].values.tolist() == [[580, 0, 580]]
    replaced = next(
        d.value for d in at.dataframe if "rows_removed" in d.value.columns and "province" in d.value.columns
    )
    assert replaced[["table", "period", "rows_removed"]].drop_duplicates().values.tolist() == [
        ["School meals", "2022-Q2", 0]
    ]
    assert replaced["rows_before"].sum() == replaced["rows_after"].sum() == tables.loc[0, "rows_replaced"]
    assert not any("would **remove" in w.value for w in at.warning)

    # 3. Publish: a new version, current, with the officer as operator and the file under its own name.
    next(b for b in at.button if b.label == "Publish as a new version").click().run()
    assert not at.exception
    assert warehouse.current_version(own_warehouse) == "v0002"
    assert "Published v0002 (previous: v0001)" in at.success[0].value
    assert list(upload_dir.iterdir()) == []  # published: the uploaded returns are gone
    # Who has reported in the quarter it touched: the same rows as the CLI's and the data status page's function.
    from dashboard import i18n
    from data_pipeline import coverage

    shown = next(d.value for d in at.dataframe if "never_reported" in d.value.columns)
    expected = coverage.summary(
        coverage.version_coverage("v0002", own_warehouse, sources=["school_meals"], periods=["2022-Q2"])
    )
    assert (
        shown[["source", "period", "covered", "missing"]].values.tolist()
        == expected.assign(source=expected["source"].map(i18n.code_text))[  # the grid names a source in words
            ["source", "period", "covered", "missing"]
        ].values.tolist()
    )
    entry = warehouse.read_refresh_log(own_warehouse)[-1]
    assert (entry["operator"], entry["outcome"], entry["version"]) == ("officer", "published", "v0002")
    assert [f["file"] for f in entry["files"]] == [FIXED_NAME]
    assert warehouse.read_manifest("v0002", own_warehouse)["operator"] == "officer"

    # 4. Roll back, with a confirmation step first.
    at.selectbox(key="sp_rollback_choice").set_value("v0001").run()
    next(b for b in at.button if b.label == "Roll back to v0001…").click().run()
    assert warehouse.current_version(own_warehouse) == "v0002"  # not yet: asked to confirm
    assert "Make **v0001** current again?" in at.warning[-1].value
    next(b for b in at.button if b.label == "Yes, roll back to v0001").click().run()
    assert not at.exception
    assert warehouse.current_version(own_warehouse) == "v0001"
    entry = warehouse.read_refresh_log(own_warehouse)[-1]
    assert (entry["action"], entry["operator"], entry["version"], entry["parent"]) == (
        "rollback",
        "officer",
        "v0001",
        "v0002",
    )


def test_replacing_whole_periods_lists_the_removals_and_publishes_only_once_confirmed(
    own_warehouse, accounts, tmp_path
):
    at = run_as("pages/refresh.py", "officer")
    fixed = fixed_return(tmp_path)
    at.get("file_uploader")[0].set_value([(FIXED_NAME, fixed.read_bytes(), XLSX)]).run()
    at.checkbox(key="sp_refresh_whole_periods").check().run()
    next(b for b in at.button if b.label == "Preview the changes").click().run()
    assert not at.exception
    tables = next(d.value for d in at.dataframe if "rows_before" in d.value.columns)
    kept, removed = tables.loc[0, "rows_after"], tables.loc[0, "rows_removed"]
    assert removed > 0 and tables.loc[0, "replaces_by"] == "period"
    warning = next(w.value for w in at.warning if "would **remove" in w.value)
    assert f"remove {removed:,} published row(s)" in warning
    listed = next(d.value for d in at.dataframe if list(d.value.columns) == ["table", "period", "province", "rows"])
    assert listed["rows"].sum() == removed and set(listed["period"]) == {"2022-Q2"}
    before = {
        p: p.read_bytes() for p in [own_warehouse / "CURRENT", *own_warehouse.rglob("versions/**/*")] if p.is_file()
    }
    # Not until the removal is confirmed (AppTest, like a browser, cannot click a disabled button).
    assert next(b for b in at.button if b.label == "Publish as a new version").disabled
    at.run()
    assert {p: p.read_bytes() for p in before} == before and warehouse.current_version(own_warehouse) == "v0001"
    at.checkbox(key="sp_refresh_confirm_removals").check().run()
    next(b for b in at.button if b.label == "Publish as a new version").click().run()
    assert not at.exception
    assert warehouse.current_version(own_warehouse) == "v0002"
    con = warehouse.open_version(root=own_warehouse)
    assert con.execute("SELECT count(*) FROM school_meals").fetchone()[0] == kept == 580 - removed
