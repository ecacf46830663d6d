"""What a page's first view after a publish reads (issue 13): the supporting tables and the PCI written into the
version at publish, equal to computing them on demand, and the on-demand path kept when the stamps do not match."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from data_pipeline import warehouse
from indicators import api, engine, published, stored_figures, supporting
from tests.test_published_indicators import _assert_same_table, copied_warehouse  # noqa: F401 (a fixture)


def _on_demand(version: str, root: Path) -> dict[str, pd.DataFrame]:
    """Every supporting table computed now, on a prepared connection of the version (the pre-publish way)."""
    con = warehouse.open_version(version, root)
    try:
        engine.prepare(con, api.parameters())
        return {name: con.execute(query).df() for name, query in supporting.QUERIES.items()}
    finally:
        con.close()


def test_every_supporting_table_written_at_publish_equals_computing_it(copied_warehouse, monkeypatch):
    version = warehouse.current_version(copied_warehouse)
    entry = warehouse.read_manifest(version, copied_warehouse)["derived"]
    assert set(entry["supporting"]) == set(supporting.QUERIES)
    now = _on_demand(version, copied_warehouse)

    def no_preparing(*args, **kwargs):
        raise AssertionError("a connection was prepared although the version holds its supporting tables")

    monkeypatch.setattr(engine, "prepare", no_preparing)
    for name, computed in now.items():
        stored = api.supporting_table(version, name, copied_warehouse)
        assert entry["supporting"][name]["rows"] == len(stored) == len(computed)
        assert list(stored.columns) == list(computed.columns), name
        _assert_same_table(stored, computed)
    assert len(now["days_late_distribution"]) > 100 and len(now["referral_funnel"]) > 100  # real tables compared


def test_the_pci_is_read_alone_and_equals_the_one_computed_with_the_catalogue(copied_warehouse, monkeypatch):
    version = warehouse.current_version(copied_warehouse)
    con = warehouse.open_version(version, copied_warehouse)
    try:
        _, pci_now = published.compute(con, version, api.parameters())
    finally:
        con.close()
    read = []
    real_read = pd.read_parquet
    monkeypatch.setattr(pd, "read_parquet", lambda path, *a, **k: read.append(Path(path).name) or real_read(path))
    pci = api.supporting_table(version, "pci", copied_warehouse)
    assert read == ["pci.parquet"]  # not the tidy table beside it
    pd.testing.assert_frame_equal(pci, pci_now, rtol=1e-12)


def test_a_supporting_table_is_read_alone(copied_warehouse, monkeypatch):
    """A page's first view reads the supporting tables it shows, not the seven files of the version (issue 13)."""
    version = warehouse.current_version(copied_warehouse)
    read = []
    real_read = pd.read_parquet
    monkeypatch.setattr(pd, "read_parquet", lambda path, *a, **k: read.append(Path(path).name) or real_read(path))
    api.clear_cache()
    meetings = api.supporting_table(version, "meetings", copied_warehouse)
    assert read == ["meetings.parquet"] and len(meetings)
    api.supporting_table(version, "meetings", copied_warehouse)
    assert read == ["meetings.parquet"]  # once per version


def test_a_parameters_edit_computes_the_supporting_tables_on_demand(copied_warehouse, monkeypatch, tmp_path):
    version = warehouse.current_version(copied_warehouse)
    edited = tmp_path / "parameters.toml"
    edited.write_text(Path(api.parameters()["_path"]).read_text() + "\n# edited\n")
    monkeypatch.setenv("SP_PARAMETERS", str(edited))
    assert stored_figures.stored_supporting(version, copied_warehouse, api.parameters()["_hash"]) is None
    prepared = []
    real_prepare = engine.prepare
    monkeypatch.setattr(engine, "prepare", lambda *a, **k: prepared.append(1) or real_prepare(*a, **k))
    meetings = api.supporting_table(version, "meetings", copied_warehouse)
    assert prepared == [1] and len(meetings)


def test_a_version_published_without_supporting_tables_is_still_read(copied_warehouse):
    """A version written before the supporting tables were (its manifest has none): computed on demand."""
    version = warehouse.current_version(copied_warehouse)
    manifest = warehouse.version_folder(version, copied_warehouse) / "manifest.json"
    record = json.loads(manifest.read_text())
    del record["derived"]["supporting"]
    manifest.write_text(json.dumps(record))
    assert stored_figures.stored_supporting(version, copied_warehouse, api.parameters()["_hash"]) is None
    assert len(api.supporting_table(version, "roadmap", copied_warehouse)) > 0


@pytest.mark.parametrize("audience", ["public", "all", "LA-VT"])
def test_every_view_cut_from_the_shared_tables_equals_the_view_of_the_whole_table(dashboard_warehouse, audience):
    """dashboard.data hands each view one indicator's rows (or the headline rows) instead of the whole table: the
    same frames, row for row, for every indicator, at several filters, for each kind of audience."""
    from dashboard import data, views

    version = data.current_version()
    with data.as_audience(audience):
        whole = data.values(version)
        catalogue = data.catalogue(version)
        periods = data.periods(version)
        assert periods == views.periods(whole)
        for province, sex, period in [("LA", "_T", None), ("LA", "F", periods[2]), ("LA-VT", "_T", None)]:
            pd.testing.assert_frame_equal(
                data.scorecard(version, province, sex, period),
                views.scorecard(whole, catalogue, province=province, sex=sex, period=period),
            )
            pd.testing.assert_frame_equal(
                data.province_profile(version, province, sex, period),
                views.province_profile(whole, catalogue, province=province, sex=sex, period=period),
            )
        for indicator_id in catalogue["indicator_id"]:
            rows = data.indicator_rows(version, indicator_id)
            expected = whole[whole["indicator_id"] == indicator_id].reset_index(drop=True)
            pd.testing.assert_frame_equal(rows, expected)
            dimensions = data.disaggregations(version, indicator_id)
            assert dimensions == views.indicator_disaggregations(whole, indicator_id)
            for province, sex, period in [("LA", "_T", None), ("LA-VT", "M", periods[1])]:
                pd.testing.assert_frame_equal(
                    data.trend(version, indicator_id, province, sex),
                    views.trend(whole, province=province, sex=sex, indicator_id=indicator_id),
                )
                pd.testing.assert_frame_equal(
                    data.by_province(version, indicator_id, sex, period),
                    views.by_province(whole, data.provinces(), indicator_id=indicator_id, sex=sex, period=period),
                )
                pd.testing.assert_frame_equal(
                    data.by_sex(version, indicator_id, province, period),
                    views.by_sex(whole, indicator_id=indicator_id, province=province, period=period),
                )
                pd.testing.assert_frame_equal(
                    data.by_district(version, indicator_id, sex, province, period),
                    views.by_district(
                        whole, data.districts(), indicator_id=indicator_id, sex=sex, province=province, period=period
                    ),
                )
                for dimension in dimensions:
                    pd.testing.assert_frame_equal(
                        data.breakdown(version, indicator_id, dimension, province, sex, period),
                        views.breakdown(
                            whole,
                            indicator_id=indicator_id,
                            dimension=dimension,
                            province=province,
                            sex=sex,
                            period=period,
                        ),
                    )
    assert len(whole) > 1000 and len(catalogue) > 30


def test_a_figure_made_once_is_the_figure_built_now_in_each_language(dashboard_warehouse):
    """components.figure keeps a built figure per (builder, arguments, language): the same figure as building it
    again, a map's (figure, kind) pair included, and never another language's words for the same arguments."""
    import json

    import plotly.io as pio

    from dashboard import charts, components, data, i18n, maps

    def spec(figure) -> dict:
        return json.loads(pio.to_json(figure, validate=False))

    version = data.current_version()
    with data.as_audience("public"):
        gap = data.by_sex(version, "SI_COV_BENFTS", "LA", None)
        provinces = data.by_province(version, "SI_COV_BENFTS", "_T", None)
    kept_specs = {}
    for lang in ("en", "lo", "en"):
        with i18n.in_language(lang):
            built = charts.women_and_men(gap, unit="percent", title="SI_COV_BENFTS")
            kept = components.figure(charts.women_and_men, gap, unit="percent", title="SI_COV_BENFTS")
            assert spec(kept) == spec(built)
            built_map, kind = maps.province_map(provinces, unit="percent", title="SI_COV_BENFTS")
            kept_map, kept_kind = components.figure(maps.province_map, provinces, unit="percent", title="SI_COV_BENFTS")
            assert kept_kind == kind and spec(kept_map) == spec(built_map)
            kept_specs[lang] = spec(kept)
    assert kept_specs["en"] != kept_specs["lo"]  # the legend's words


def _what_a_reader_sees(at) -> list:
    """Every grid, text and chart of a run (download buttons aside: a workbook written again differs in its time)."""
    shown = [("grid", e.value.to_json(orient="split", date_format="iso", default_handler=str)) for e in at.dataframe]
    shown += [(type(e).__name__, e.value) for e in (*at.markdown, *at.caption, *at.subheader, *at.metric)]
    return shown + [("chart", e.proto.spec) for e in at.get("plotly_chart")]


def test_tables_and_figures_kept_under_their_view_are_the_ones_made_for_it(dashboard_warehouse):
    """Grids, downloads and figures are kept under the view they belong to (page, version, filters, page choices,
    language, audience), not found by hashing their content: after other views of the same pages have been kept,
    each view shows exactly what it shows when nothing at all is kept."""
    import streamlit as st

    from tests.conftest import run_page

    views = [
        ("pages/overview.py", {}),
        ("pages/overview.py", {"province": "LA-VT", "sex": "F"}),
        ("pages/overview.py", {"lang": "lo"}),
        ("pages/province.py", {"province": "LA-SV"}),
        ("pages/province.py", {"province": "LA-VT"}),
        ("pages/coverage.py", {}),
        ("pages/coverage.py", {"indicator": "SI_COV_CHLD"}),
    ]
    kept = [_what_a_reader_sees(run_page(page, params)) for page, params in views]
    for (page, params), seen in zip(views, kept):
        st.cache_resource.clear()  # nothing kept: every table and figure made for this view alone
        st.cache_data.clear()
        assert _what_a_reader_sees(run_page(page, params)) == seen, (page, params)
    assert kept[0] != kept[1] != kept[2] and kept[3] != kept[4] and kept[5] != kept[6]


def test_two_figures_of_one_page_under_one_view_are_refused(dashboard_warehouse):
    from dashboard import charts, components, data, navigation

    version = data.current_version()
    context = components.PageContext(version, None, {"province": "LA"}, page="Test page")
    with data.as_audience("public"):
        gap = data.by_sex(version, "SI_COV_BENFTS", "LA", None)
        other = data.by_sex(version, "SI_COV_LMKT", "LA", None)
        navigation.page_state.figures = set()
        try:
            components.figure(charts.women_and_men, gap, unit="percent", title="A", view=context.view())
            components.figure(charts.women_and_men, other, unit="percent", title="B", view=context.view())
            with pytest.raises(ValueError, match="same view"):
                components.figure(charts.women_and_men, other, unit="percent", title="A", view=context.view())
            components.figure(charts.women_and_men, other, unit="percent", title="A", view=context.view("other"))
        finally:
            navigation.page_state.figures = None


def test_the_view_of_a_page_tells_every_input_apart():
    from dashboard import components, data, filters, i18n

    keys = set()
    for page in ("Overview", "Province"):
        for version in ("v0001", "v0002"):
            for f in (filters.Filters(None, "LA", "_T"), filters.Filters("2022-Q1", "LA", "_T")):
                for params in ({}, {"indicator": "C1"}):
                    context = components.PageContext(version, f, params, page=page)
                    for key in ("card_a", "card_b"):
                        for lang in ("en", "lo"):
                            for audience in ("public", "all", "LA-VT"):
                                with i18n.in_language(lang), data.as_audience(audience):
                                    keys.add(components._kept_key(key, context.view()))
    assert len(keys) == 2 * 2 * 2 * 2 * 2 * 2 * 3


def test_the_public_filter_periods_come_from_two_columns_not_the_whole_table(copied_warehouse, monkeypatch):
    """The app's empty page lists the periods in its filters: on a first view after a publish that reads the public
    table's indicator and period columns, not its ~120,000 rows of 31 columns (issue 13), and the list is the one
    the whole table gives, its pseudo-rows (funnel, days late) left out."""
    from dashboard import views

    version = warehouse.current_version(copied_warehouse)
    whole = api.indicator_values(version, copied_warehouse, public=True)
    api.clear_cache()
    read = []
    real_read = pd.read_parquet
    monkeypatch.setattr(pd, "read_parquet", lambda path, *a, **k: read.append(Path(path).name) or real_read(path))
    periods = api.public_periods(version, copied_warehouse)
    assert read == []  # no table read whole
    assert views.periods_of(periods) == views.periods(whole) and len(periods) > 4
    assert sorted(periods) == sorted(whole["period"].unique())


def test_the_public_periods_leave_the_pseudo_rows_out_and_read_every_row_group(tmp_path, monkeypatch):
    """A period only a pseudo-row has is no period of the pages; a file of several row groups is read whole."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    from indicators import disclosure

    table = pa.table(
        {
            "indicator_id": ["A", "B", "A", "B", disclosure.FUNNEL, disclosure.DAYS_LATE],
            "period": ["2021-Q1", "2021-Q2", None, "2022-Q1", "2019-Q4", "2018-Q1"],
            "value": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
        }
    )
    path = tmp_path / "public.parquet"
    pq.write_table(table, path, row_group_size=2)
    assert pq.ParquetFile(path).metadata.num_row_groups == 3
    monkeypatch.setattr(stored_figures, "_public_path", lambda *args: path)
    periods = stored_figures.stored_public_periods("v0001", tmp_path, "hash", disclosure.PSEUDO_INDICATORS)
    assert sorted(periods, key=str) == sorted(["2021-Q1", "2021-Q2", None, "2022-Q1"], key=str)


def test_the_public_periods_after_a_parameters_edit_come_from_the_table_computed_then(copied_warehouse, monkeypatch):
    from dashboard import views

    version = warehouse.current_version(copied_warehouse)
    edited = copied_warehouse.parent / "parameters.toml"
    edited.write_text(Path(api.parameters()["_path"]).read_text() + "\n# edited\n")
    monkeypatch.setenv("SP_PARAMETERS", str(edited))
    assert stored_figures.stored_public(version, copied_warehouse, api.parameters()["_hash"]) is None
    periods = api.public_periods(version, copied_warehouse)
    whole = api.indicator_values(version, copied_warehouse, public=True)
    assert views.periods_of(periods) == views.periods(whole)


def test_the_app_s_filters_read_no_whole_table_for_the_public(dashboard_warehouse, monkeypatch):
    """What every page does before it shows anything (components.start_page) lists the periods; for the public it
    reads no table whole, so the app's empty page reads none."""
    from dashboard import data, views

    version = data.current_version()
    api.clear_cache()
    read = []
    real_read = pd.read_parquet
    monkeypatch.setattr(pd, "read_parquet", lambda path, *a, **k: read.append(Path(path).name) or real_read(path))
    with data.as_audience(data.PUBLIC):
        periods = data.periods(version)
        assert read == []
        assert periods == views.periods(data.values(version))


def test_an_indicator_s_rows_are_cut_when_first_asked_for_and_equal_the_grouped_rows(copied_warehouse):
    """The shared tables cut one indicator's rows when a view first asks for them (a page shows a few of ~36), the
    same frame, index labels included, as grouping the whole table; the headline rows likewise."""
    from dashboard import data, views

    version = warehouse.current_version(copied_warehouse)
    whole = api.indicator_values(version, copied_warehouse, public=True)
    tables = data.IndicatorTables.cut(whole)
    assert tables._rows == {} and "headline" not in vars(tables)  # nothing cut yet
    grouped = {str(i): rows for i, rows in whole.groupby("indicator_id", sort=False)}
    assert set(tables.positions) == set(grouped) and len(grouped) > 20
    first = next(iter(grouped))
    assert tables.indicator(first) is tables.indicator(first) and list(tables._rows) == [first]
    for indicator_id, rows in grouped.items():
        pd.testing.assert_frame_equal(tables.indicator(indicator_id), rows, check_index_type=True, check_exact=True)
    assert tables.indicator("NO_SUCH_INDICATOR").empty
    headline = whole[whole["district"].isna() & (whole["breakdown"] == views.TOTAL)]
    pd.testing.assert_frame_equal(tables.headline, headline, check_exact=True)


def test_the_parameters_file_is_parsed_once_while_unchanged_and_an_edit_is_seen(copied_warehouse, monkeypatch):
    """The reading functions key their caches on the parameters file's path and hash: parsed once while the file is
    unchanged (ten parses in a first coordination view), parsed again on the next call after an edit."""
    from indicators import parameters

    version = warehouse.current_version(copied_warehouse)
    edited = copied_warehouse.parent / "parameters.toml"
    original = Path(api.parameters()["_path"]).read_text()
    edited.write_text(original)
    monkeypatch.setenv("SP_PARAMETERS", str(edited))
    parsed = []
    real_load = parameters.load_parameters
    monkeypatch.setattr(api, "load_parameters", lambda *a, **k: parsed.append(1) or real_load(*a, **k))
    api.public_periods(version, copied_warehouse)
    api.supporting_table(version, "meetings", copied_warehouse)
    api.public_rows(version, ["PAY_ONTIME"], copied_warehouse)
    assert len(parsed) == 1
    assert api.computed_where(version, copied_warehouse) == "stored at publish"
    edited.write_text(original + "\n# edited\n")
    assert api.computed_where(version, copied_warehouse) != "stored at publish"  # the edit seen at once
    assert len(parsed) == 2
