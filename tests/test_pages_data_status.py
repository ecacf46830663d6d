"""Data status: current version, refresh log, warnings, returns missing or late."""

from __future__ import annotations

from indicators import api
from tests.roles_fixtures import accounts, run_as  # noqa: F401  (fixture)


def test_data_status_shows_the_version_log_and_missing_returns(dashboard_warehouse, accounts):
    at = run_as("pages/data_status.py", "officer")  # the page is for the Secretariat and the Commission
    assert not at.exception
    version = api.current_version()
    assert next(m for m in at.metric if m.label == "Version shown").value == version
    log = next(d.value for d in at.dataframe if len(d.value) == len(api.refresh_log()))
    assert len(log) >= 1
    returns = api.supporting_table(version, "returns_status")
    headers = [s.value for s in at.subheader]
    assert "Returns missing or late" in headers and "Refresh log" in headers
    if len(returns):
        shown = next(d.value for d in at.dataframe if "sender" in d.value.columns and "source" in d.value.columns)
        assert len(shown) == len(returns)
        assert set(shown["status"]) <= {"◐ late", "✘ missing"}


def test_data_status_shows_who_has_reported_and_flags_a_version_without_a_completed_audit_line(
    sample_warehouse, accounts, tmp_path, monkeypatch
):
    import shutil

    import streamlit as st

    from data_pipeline import coverage, warehouse

    copy = tmp_path / "warehouse"
    shutil.copytree(sample_warehouse, copy)
    con = warehouse.open_version(root=copy)
    fingerprint = warehouse.read_manifest(warehouse.current_version(copy), copy)["hash_key_fingerprint"]
    # One quarter of school meals re-sent whole with one province only, then the audit trail loses its last line
    # (as when a publish is killed between the switch and the completed line).
    warehouse.publish(
        {
            "school_meals": con.sql(
                "SELECT * FROM school_meals WHERE period = '2022-Q2' AND province = 'LA-PH'"
            ).to_arrow_table()
        },
        root=copy,
        operator="t",
        files=[],
        hash_key_fingerprint=fingerprint,
        replace_whole_periods=True,
        confirm_removals=True,
    )
    log = (copy / warehouse.LOG_NAME).read_text(encoding="utf-8").splitlines(keepends=True)
    (copy / warehouse.LOG_NAME).write_text("".join(log[:-1]), encoding="utf-8")
    monkeypatch.setenv("SP_WAREHOUSE", str(copy))
    st.cache_data.clear()
    at = run_as("pages/data_status.py", "officer")
    assert not at.exception
    assert "Who has reported" in [s.value for s in at.subheader]
    expected = coverage.summary(coverage.version_coverage(root=copy))
    shown = next(d.value for d in at.dataframe if "partly_covered" in d.value.columns)
    assert len(shown) == len(expected)
    assert any("source-period(s) are partly covered or have provinces missing" in w.value for w in at.warning)
    assert any("No completed audit line for v0002" in e.value for e in at.error)
