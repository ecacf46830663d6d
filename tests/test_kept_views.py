"""A warm rerun makes nothing it keeps (issue 13): a chart's table given as a function or ``components.later`` is made
only when its figure or grid is not kept under the page's view yet, and what the reader sees is the same."""

from __future__ import annotations

import pandas as pd

from tests.conftest import figures, run_page, shown_text

# What the payments page's charts are made from; its tiles come from data.latest_figures.
CHART_SOURCES = ("breakdown", "days_late", "by_district", "by_sex")


def test_a_warm_payments_view_makes_no_chart_table_and_shows_the_same(dashboard_warehouse, monkeypatch):
    from dashboard import data

    made: list[str] = []
    for name in CHART_SOURCES:
        real = getattr(data, name)
        monkeypatch.setattr(data, name, lambda *a, _real=real, _name=name, **k: made.append(_name) or _real(*a, **k))
    params = {"province": "LA-AT", "sex": "F"}
    first = run_page("pages/payments.py", params)
    assert not first.exception
    assert set(made) == set(CHART_SOURCES)  # the first view made every table
    made.clear()
    warm = run_page("pages/payments.py", params)
    assert not warm.exception
    assert made == []  # kept under the view: not even made
    assert shown_text(warm) == shown_text(first)
    assert figures(warm) == figures(first)
    assert len(warm.dataframe) == len(first.dataframe) > 5
    for shown, before in zip(warm.dataframe, first.dataframe):
        pd.testing.assert_frame_equal(shown.value, before.value)


def test_a_later_argument_builds_the_figure_the_table_itself_builds(dashboard_warehouse):
    import plotly.io as pio

    from dashboard import charts, components

    table = pd.DataFrame({"name": ["a", "b"], "value": [1.0, 2.0]})
    made = []
    arguments = {"category": "name", "value": "value", "unit": "percent", "title": "t"}
    kept = components.figure(
        charts.bars, components.later(lambda: made.append(1) or table), view=("test", "later"), **arguments
    )
    again = components.figure(
        charts.bars, components.later(lambda: made.append(1) or table), view=("test", "later"), **arguments
    )
    assert made == [1]  # the second figure of the same view was kept: its table not made
    eager = components.figure(charts.bars, table, **arguments)
    assert pio.to_json(kept) == pio.to_json(again) == pio.to_json(eager)


def test_reference_tables_are_read_once_per_process_and_handed_out_as_copies(monkeypatch):
    """Provinces and districts ship with the code: a publish (which empties Streamlit's data cache) does not make the
    next first view read them again (20-40 ms each on this machine), and a caller changing its copy changes no one
    else's."""
    import streamlit as st

    from dashboard import data
    from data_pipeline import reference

    reads: list[str] = []
    real = reference.reference_table
    monkeypatch.setattr(reference, "reference_table", lambda table: reads.append(table) or real(table))
    data._reference.cache_clear()
    first = data.provinces()
    first.loc[0, "name_en"] = "changed by a caller"
    st.cache_data.clear()  # as after a publish
    again = data.provinces()
    assert data.districts()["lsb_code"].str.len().eq(4).all()
    data.districts()
    assert reads == ["provinces", "districts"]
    assert again.loc[0, "name_en"] != "changed by a caller" and len(again) == 18


def test_a_download_ends_with_the_privacy_sentence_only_when_a_text_cell_says_suppressed():
    """components._with_note reads only the columns that can hold a word (issue 13): the rule is unchanged."""
    from dashboard import components
    from dashboard.format import SUPPRESSED

    hidden = pd.DataFrame({"province": ["A", "B"], "value": [1.5, SUPPRESSED], "count": [3, 4]})
    noted = components._with_note(hidden)
    assert len(noted) == 3 and noted.iloc[-1, 0] == components.privacy_note()
    numbers = pd.DataFrame({"count": [3, 4], "share": [0.5, 0.25]})
    assert components._with_note(numbers) is numbers


def test_list_cells_are_written_as_text_and_number_columns_left_as_they_are():
    from dashboard import components

    table = pd.DataFrame({"sources": [["MoH", "MoF"], []], "rows": [1, 2], "tags": pd.Categorical(["x", "y"])})
    flat = components._flat(table)
    assert flat["sources"].tolist() == ["MoH; MoF", ""] and flat["rows"].tolist() == [1, 2]
    assert flat["tags"].tolist() == ["x", "y"]
