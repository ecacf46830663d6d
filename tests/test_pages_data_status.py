"""Data status: current version, refresh log, warnings, returns missing or late."""
from __future__ import annotations

from indicators import api
from tests.roles_fixtures import accounts, run_as  # noqa: F401  (fixture)


def test_data_status_shows_the_version_log_and_missing_returns(dashboard_warehouse, accounts):
    at = run_as("pages/data_status.py", "officer")   # the page is for the Secretariat and the Commission
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
