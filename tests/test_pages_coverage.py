"""Coverage: the province map (offline choropleth, tile grid fallback), ranking, gender gap, trend."""

from __future__ import annotations

import pandas as pd

from dashboard import maps
from indicators import api
from tests.conftest import figures, run_page, shown_text


def test_map_is_a_choropleth_of_the_18_provinces_from_the_shipped_boundaries(dashboard_warehouse):
    at = run_page("pages/coverage.py")
    assert not at.exception
    geo = [trace for fig in figures(at) for trace in fig["data"] if trace["type"] == "choropleth"]
    located = {code for trace in geo for code in trace["locations"]}
    assert located == {f"LA{n:02d}" for n in range(1, 19)}
    assert all(trace["featureidkey"] == "properties.ADM1_PCODE" for trace in geo)
    assert "Boundaries: OCHA COD-AB Lao PDR (2019), via HDX" in shown_text(at)


def test_provinces_without_data_say_no_data_never_zero(dashboard_warehouse):
    at = run_page("pages/coverage.py", {"indicator": "NSPS_SW_MECG"})
    assert not at.exception
    ranking = next(d.value for d in at.dataframe if "province_name" in d.value.columns)
    assert len(ranking) == 18
    values = api.indicator_values(api.current_version())
    has_data = set(
        values.loc[
            (values["indicator_id"] == "NSPS_SW_MECG") & values["value"].notna() & (values["province"] != "LA"),
            "province",
        ]
    )
    assert set(ranking.loc[ranking["value"] != "no data", "province"]) == has_data
    assert (ranking.loc[~ranking["province"].isin(has_data), "value"] == "no data").all()  # the grid says so
    assert "No data for" in shown_text(at)


def test_gender_gap_shows_women_men_and_their_ratio(dashboard_warehouse):
    at = run_page("pages/coverage.py", {"indicator": "NSPS_HI_COV"})
    gap = next(d.value for d in at.dataframe if "female_to_male_ratio" in d.value.columns)
    last = gap.dropna().iloc[-1]
    assert abs(last["female_to_male_ratio"] - last["female"] / last["male"]) < 1e-9
    ratio_tile = next(m for m in at.metric if m.label == "Female / male ratio")
    assert ratio_tile.value == f"{last['female_to_male_ratio']:,.2f}"


def test_missing_boundary_file_falls_back_to_the_tile_grid(tmp_path):
    provinces = pd.read_csv(
        maps.GEOJSON.parent.parent.parent / "data_pipeline" / "reference" / "provinces.csv", dtype={"lsb_code": str}
    )
    frame = provinces.rename(columns={"iso_code": "province", "name_en": "province_name"}).assign(value=float("nan"))
    frame.loc[frame["province"] == "LA-AT", "value"] = 54.3
    broken = tmp_path / "broken.geojson"
    broken.write_text("{not json")
    for path in (tmp_path / "missing.geojson", broken):
        figure, kind = maps.province_map(frame, unit="percent", title="t", geojson_path=str(path))
        assert kind == "tile grid"
        tiles = figure.data[0]
        assert len(tiles.x) == 18
        assert "AT<br>54.3%" in tiles.text
        assert sum("no data" in t for trace in figure.data[1:] for t in (trace.text or ())) == 17


def test_child_coverage_shows_every_province_zero_where_no_child_is_paid_and_says_as_of_when(dashboard_warehouse):
    # Issue 9: provinces without grant children are 0%, not "no data" (before, 2 of 18 provinces had a value).
    at = run_page("pages/coverage.py", {"indicator": "SI_COV_CHLD", "period": "2022-Q2"})
    assert not at.exception
    ranking = next(d.value for d in at.dataframe if "province_name" in d.value.columns)
    assert ranking["value"].notna().sum() == 18
    assert (ranking.loc[~ranking["province"].isin(["LA-AT", "LA-SV"]), "value"] == 0).all()
    assert "Figures for 2022-Q2 are as of 30 June 2022" in shown_text(at)
