"""Overview: the scorecard of every indicator, headline tiles, the data version and the sample-data banner."""

from __future__ import annotations

import pandas as pd

from indicators import api
from tests.conftest import run_page


def national_latest(indicator_id: str, sex: str = "_T") -> pd.Series:
    values = api.indicator_values(api.current_version())
    rows = values[
        (values["indicator_id"] == indicator_id)
        & (values["province"] == "LA")
        & (values["sex"] == sex)
        & values["district"].isna()
        & (values["breakdown"] == "_T")
    ].dropna(subset=["value"])
    return rows.sort_values("period").iloc[-1]


def scorecard_rows(at) -> pd.DataFrame:
    return pd.concat([d.value for d in at.dataframe if "status_text" in d.value.columns], ignore_index=True)


def test_scorecard_lists_every_catalogue_indicator_once_with_status_in_words(dashboard_warehouse):
    at = run_page("pages/overview.py")
    assert not at.exception
    shown = scorecard_rows(at)
    assert sorted(shown["indicator_id"]) == sorted(api.catalogue()["indicator_id"])
    # icon then words, never colour alone
    assert shown["status_text"].str.match(r"^\S+ [A-Z][a-z]").all()
    groups = [s.value for s in at.subheader]
    assert groups[:2] == ["SDG 1.3.1 — effective coverage", "Pillar 1 — health insurance"]
    assert "Coordination" in groups


def test_latest_value_target_and_trend_come_from_the_indicator_table(dashboard_warehouse):
    at = run_page("pages/overview.py")
    shown = scorecard_rows(at).set_index("indicator_id")
    latest = national_latest("SI_COV_BENFTS")
    assert shown.loc["SI_COV_BENFTS", "latest"].startswith(f"{latest['value']:,.1f}%")
    assert shown.loc["SI_COV_BENFTS", "period_text"] == latest["period"]
    assert shown.loc["SI_COV_BENFTS", "trend"][-1] == latest["value"]
    assert shown.loc["SI_COV_BENFTS", "details"].startswith("indicator?indicator=SI_COV_BENFTS")


def test_headline_tiles_show_national_figures_with_units(dashboard_warehouse):
    at = run_page("pages/overview.py")
    catalogue = api.catalogue().set_index("indicator_id")
    tile = next(m for m in at.metric if m.label == catalogue.loc["NSPS_HI_COV", "short_name"])
    assert tile.value == f"{national_latest('NSPS_HI_COV')['value']:,.1f}%"


def test_numerators_and_denominators_on_demand(dashboard_warehouse):
    at = run_page("pages/overview.py")
    assert "Numerator" not in str(at.dataframe[0].proto.column_order)
    at.toggle[0].set_value(True).run()
    assert "numerator_text" in list(at.dataframe[0].proto.column_order)


def test_sample_data_is_announced_and_the_version_shown(dashboard_warehouse):
    at = run_page("pages/overview.py")
    assert any("Sample data" in w.value for w in at.warning)
    assert f"Data version **{api.current_version()}**" in "\n".join(c.value for c in at.sidebar.caption)
