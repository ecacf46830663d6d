"""Filters live in the URL and follow the reader across pages; bad links warn instead of failing."""

from __future__ import annotations

from indicators import api
from tests.conftest import run_page, shown_text


def test_a_link_with_province_and_sex_opens_that_view(dashboard_warehouse):
    at = run_page("pages/overview.py", {"province": "LA-AT", "sex": "F"})
    assert not at.exception
    assert "**Attapeu** · female" in shown_text(at)
    assert at.query_params == {"province": "LA-AT", "sex": "F"}
    assert at.sidebar.selectbox(key="_sp_widget_province").value == "LA-AT"
    assert at.sidebar.selectbox(key="_sp_widget_sex").value == "F"


def test_filters_survive_a_change_of_page_that_cleared_the_url(dashboard_warehouse):
    at = run_page("pages/overview.py", {"province": "LA-AT", "sex": "F"})
    at.query_params.clear()  # what Streamlit's navigation does to the address bar
    at.switch_page("pages/coverage.py").run()
    assert not at.exception
    assert at.query_params == {"province": "LA-AT", "sex": "F"}
    assert "**Attapeu** · female" in shown_text(at)


def test_choosing_a_filter_writes_it_to_the_url_and_the_share_link(dashboard_warehouse):
    at = run_page("pages/overview.py")
    at.sidebar.selectbox(key="_sp_widget_province").set_value("LA-SV").run()
    assert at.query_params == {"province": "LA-SV"}
    assert "**Savannakhet**" in shown_text(at)
    # The copied link also pins the data version, so whoever opens it sees the same numbers.
    assert any(code.value == f"?version={api.current_version()}&province=LA-SV" for code in at.code)
    at.sidebar.selectbox(key="_sp_widget_province").set_value("LA").run()
    assert at.query_params == {}


def test_bad_parameters_are_named_with_what_is_accepted_and_fall_back(dashboard_warehouse):
    at = run_page("pages/overview.py", {"province": "LA-ZZ", "period": "2022Q9", "sex": "X"})
    assert not at.exception
    warnings = "\n".join(w.value for w in at.warning)
    assert "**LA\\-ZZ** is not a valid province" in warnings and "LA for the whole country" in warnings
    assert "**2022Q9** is not a valid period" in warnings and "YYYY-Qn" in warnings
    assert "**X** is not a valid sex" in warnings and "F (female)" in warnings
    assert "**Lao PDR (national)** · both sexes · latest period" in shown_text(at)
    assert at.query_params == {}  # the bad values are not kept in the link


def test_a_well_formed_period_without_data_lists_the_periods_that_have_data(dashboard_warehouse):
    at = run_page("pages/payments.py", {"period": "1999-Q1"})
    assert not at.exception
    warning = "\n".join(w.value for w in at.warning)
    assert "**1999\\-Q1** is not a valid period" in warning and "periods with data" in warning


def test_the_app_without_a_warehouse_says_how_to_build_it(tmp_path, monkeypatch):
    import streamlit as st

    monkeypatch.setenv("SP_WAREHOUSE", str(tmp_path / "not_built"))
    st.cache_data.clear()
    at = run_page("pages/overview.py")
    assert not at.exception
    assert "No data warehouse has been built yet" in at.error[0].value
    assert any("python -m data_pipeline refresh sample_data" in c.value for c in at.code)
