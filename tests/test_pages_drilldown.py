"""Province profile and the indicator page (one page parametrised by ?indicator=ID)."""

from __future__ import annotations

from indicators import api
from tests.roles_fixtures import accounts, run_as  # noqa: F401  (fixture)
from tests.conftest import run_page, shown_text


def test_province_profile_sets_every_indicator_beside_the_national_figure(dashboard_warehouse):
    at = run_page("pages/province.py", {"province": "LA-SV"})
    assert not at.exception
    rows = [d.value for d in at.dataframe if "compared_with_national" in d.value.columns]
    shown = {i for frame in rows for i in frame["indicator_id"]}
    assert shown == set(api.catalogue()["indicator_id"])
    assert "Savannakhet" in shown_text(at)


def test_province_profile_asks_for_a_province_when_national(dashboard_warehouse):
    at = run_page("pages/province.py")
    assert not at.exception
    assert "Choose a province" in at.info[0].value


def test_indicator_page_shows_definition_method_targets_and_every_value(dashboard_warehouse, accounts):
    # A Commission member sees every value (the public sees no district x breakdown cells: test_roles_public).
    at = run_as("pages/indicator.py", "member", {"indicator": "PAY_ONTIME"}, role="commission")
    assert not at.exception
    entry = api.catalogue().set_index("indicator_id").loc["PAY_ONTIME"]
    text = shown_text(at)
    assert entry["short_name"] in text and entry["numerator_label"] in text
    assert entry["method_note"].split("\n")[0][:40] in text
    assert "Target 2030" in text
    assert "Baseline:** no data" not in text and "measured)" in text  # the baseline year's own value
    values = api.indicator_values(api.current_version())
    table = next(d.value for d in at.dataframe if "data_version" in d.value.columns)
    assert len(table) == (values["indicator_id"] == "PAY_ONTIME").sum()
    assert at.query_params.get("indicator") == "PAY_ONTIME"


def test_indicator_page_says_as_of_when_and_shows_pending_cases_as_pending(dashboard_warehouse):
    at = run_page("pages/indicator.py", {"indicator": "COORD_GRIEVANCE_TIMELY", "period": "2022-Q2"})
    assert not at.exception
    text = shown_text(at)
    values = api.indicator_values(api.current_version())
    row = values[
        (values["indicator_id"] == "COORD_GRIEVANCE_TIMELY")
        & (values["period"] == "2022-Q2")
        & (values["province"] == "LA")
        & (values["sex"] == "_T")
        & values["district"].isna()
        & (values["breakdown"] == "_T")
    ].iloc[0]
    # The grievance log holds data to 30 June 2022: that is the figure's date, not the returns log's 14 August.
    assert "as of 30 June 2022" in text
    assert row["pending"] > 0
    assert f"**Pending:** {int(row['pending'])} — grievances still within their standard time" in text
    note = api.catalogue().set_index("indicator_id").loc["COORD_GRIEVANCE_TIMELY", "method_note"]
    assert note[:60] in text and "As of:" in note and "What it leaves out" in note


def test_indicator_page_with_an_unknown_id_warns_and_shows_the_first(dashboard_warehouse):
    at = run_page("pages/indicator.py", {"indicator": "NOT_AN_INDICATOR"})
    assert not at.exception
    assert "**NOT\\_AN\\_INDICATOR** is not a valid indicator" in at.warning[-1].value
    assert "indicator" not in at.query_params


def test_the_baseline_is_the_official_figure_or_else_the_first_value_of_the_baseline_year():
    import pandas as pd
    from dashboard import views

    series = pd.DataFrame({"period": ["2020-Q4", "2021-Q1", "2021-Q2"], "value": [1.0, None, 2.0]})
    assert views.baseline(series, 2021, float("nan")) == (2.0, "2021-Q2")  # 2021-Q1 has no data
    assert views.baseline(series, 2021, 5.0) == (5.0, "2021")
    assert views.baseline(series.iloc[:1], 2021, None) == (None, None)
