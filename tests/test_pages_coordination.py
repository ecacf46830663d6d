"""Coordination: meetings, the reporting matrix with symbols, the referral funnel, grievances, roadmap, PCI."""

from __future__ import annotations

from indicators import api
from tests.conftest import figures, run_page, shown_text
from tests.roles_fixtures import accounts, run_as  # noqa: F401  (fixture)


def test_referral_funnel_and_meetings_add_up_the_supporting_tables(dashboard_warehouse, accounts):
    # A Commission member sees the figures as computed (the public's small cells are suppressed: test_roles_public).
    at = run_as("pages/coordination.py", "member", role="commission")
    assert not at.exception
    version = api.current_version()
    funnel = api.supporting_table(version, "referral_funnel")
    spec = next(f for f in figures(at) if f["data"][0]["type"] == "funnel")
    assert spec["data"][0]["x"] == [funnel["made"].sum(), funnel["completed"].sum(), funnel["feedback_returned"].sum()]
    meetings = api.supporting_table(version, "meetings")
    tile = next(m for m in at.metric if m.label == "Meetings held / planned")
    assert tile.value == f"{meetings['held'].sum():,} / {meetings['planned'].sum():,}"


def test_reporting_matrix_shows_status_with_symbols_for_ministries_then_provinces(dashboard_warehouse):
    at = run_page("pages/coordination.py")
    matrix = next(f for f in figures(at) if f["data"][0]["type"] == "heatmap")
    symbols = {s for row in matrix["data"][0]["text"] for s in row}
    assert symbols <= {"✔", "◐", "✘", ""} and "✔" in symbols
    at.radio(key="_sp_choice_rows").set_value("province").run()
    assert at.query_params.get("rows") == "province"
    rows = next(f for f in figures(at) if f["data"][0]["type"] == "heatmap")["data"][0]["y"]
    assert "Attapeu" in rows


def test_pci_ranking_flags_provinces_below_a_minimum(dashboard_warehouse):
    at = run_page("pages/coordination.py")
    pci = api.supporting_table(api.current_version(), "pci")
    latest = pci[(pci["period"] == pci["period"].max()) & (pci["province"] != "LA")]
    table = next(d.value for d in at.dataframe if "flagged" in d.value.columns)
    assert sorted(table["province"]) == sorted(latest["province"])
    flagged = int(latest["flagged"].sum())
    assert flagged > 0, "the sample data should flag at least one province"
    assert f"**⚑ Flagged: {flagged} of {len(latest)} provinces**" in shown_text(at)
