"""Exports: csv is the tidy table; SDMX uses only codes of the LSB DSD and parses back to the same values; Open SDG
has one CSV per indicator with the headline row's disaggregation cells empty. Also the command line."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from data_pipeline.reference import reference_rows

from indicators import api, export
from indicators.__main__ import main
from indicators.catalogue import all_indicators
from indicators_fixture import VERSION, write_parameters, write_warehouse

DSD = Path("/work/shared/sdmx/LSB_DSD.xml")
_STRUCTURE = "{http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure}"
CODELIST_OF = {
    "FREQ": "CL_FREQ",
    "REPORTING_TYPE": "CL_REPORTING_TYPE",
    "SERIES": "CL_SERIES",
    "REF_AREA": "CL_REF_AREA",
    "SEX": "CL_SEX",
    "AGE": "CL_AGE",
    "URBANISATION": "CL_URBANISATION",
    "INCOME_WEALTH_QUANTILE": "CL_QUANTILE",
    "EDUCATION_LEV": "CL_EDUCATION_LEV",
    "OCCUPATION": "CL_OCCUPATION",
    "CUST_BREAKDOWN": "CL_CUST_BREAKDOWN",
    "COMPOSITE_BREAKDOWN": "CL_COMP_BREAKDOWN",
    "DISABILITY_STATUS": "CL_DISABILITY",
    "ACTIVITY": "CL_ACTIVITY",
    "PRODUCT": "CL_PRODUCT",
    "UNIT_MEASURE": "CL_UNIT_MEASURE",
    "UNIT_MULT": "CL_UNIT_MULT",
    "OBS_STATUS": "CL_OBS_STATUS",
    "NATURE": "CL_NATURE",
}


@pytest.fixture(scope="module")
def codelists() -> dict[str, set[str]]:
    root = ET.parse(DSD).getroot()
    return {
        cl.get("id"): {c.get("id") for c in cl.findall(f"{_STRUCTURE}Code")}
        for cl in root.iter(f"{_STRUCTURE}Codelist")
    }


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    """Fixture warehouse + parameters with the small-cell threshold at 0 (the fixture's cells are all small)."""
    root = tmp_path_factory.mktemp("exports")
    warehouse = write_warehouse(root / "warehouse")
    params = write_parameters(root / "parameters.toml", small_cell_threshold="0")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SP_PARAMETERS", str(params))
        api.clear_cache()
        tidy = api.indicator_values(VERSION, warehouse)
        yield {"root": root, "warehouse": warehouse, "params": params, "tidy": tidy}
    api.clear_cache()


def test_sdmx_codes_all_exist_in_the_lsb_code_lists(env, codelists, tmp_path):
    csv_path, _ = export.write_sdmx(env["tidy"], tmp_path)
    table = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
    assert list(table.columns) == list(export.SDMX_COLUMNS)
    assert set(table["SERIES"]) == {i.sdg_series for i in all_indicators().values() if i.sdg_series}
    for column, codelist in CODELIST_OF.items():
        unknown = set(table[column]) - codelists[codelist]
        assert not unknown, f"{column}: {unknown} not in {codelist}"
    assert {"LA", "17", "13"} <= set(table["REF_AREA"])  # text codes: Attapeu 17, Savannakhet 13


def test_ref_area_keeps_leading_zeros(env, codelists):
    # Vientiane Capital is '01' and its first district '0101' in CL_REF_AREA ('1' is the World).
    one = env["tidy"][env["tidy"]["indicator_id"] == "SI_COV_BENFTS"].head(2).copy()
    one["province"] = ["LA-VT", "LA-VT"]
    one["district"] = [None, "0101"]
    table = export.sdmx_table(one)
    assert list(table["REF_AREA"]) == ["01", "0101"]
    assert set(table["REF_AREA"]) <= codelists["CL_REF_AREA"]


def test_sdmx_csv_and_xml_parse_back_to_the_tidy_values(env, tmp_path):
    tidy = env["tidy"]
    csv_path, xml_path = export.write_sdmx(tidy, tmp_path)
    table = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
    lsb_to_iso = {v: k for k, v in export.province_lsb_codes().items()} | {"LA": "LA"}
    series_to_id = {i.sdg_series: i.id for i in all_indicators().values() if i.sdg_series}
    expected = tidy[
        tidy["indicator_id"].isin(series_to_id.values()) & (tidy["breakdown"] == "_T") & tidy["value"].notna()
    ]
    assert len(table) == len(expected)
    back = pd.DataFrame(
        {
            "indicator_id": table["SERIES"].map(series_to_id),
            "period": table["TIME_PERIOD"],
            "province": table["REF_AREA"].map(lsb_to_iso),
            # the maternity series is published as women (SEX=F) for its total
            "sex": np.where((table["SERIES"] == "SI_COV_MATNL") & (table["SEX"] == "F"), "_T", table["SEX"]),
            "value_back": table["OBS_VALUE"].astype(float),
        }
    )
    merged = back.merge(expected, on=["indicator_id", "period", "province", "sex"], validate="one_to_one")
    assert len(merged) == len(expected)
    np.testing.assert_allclose(merged["value_back"], merged["value"], rtol=1e-9)

    root = ET.parse(xml_path).getroot()
    observations = [(series.attrib, obs.attrib) for series in root.iter("Series") for obs in series.iter("Obs")]
    assert len(observations) == len(table)
    for s_attrs, o_attrs in observations:
        assert set(export.DIMENSIONS) <= set(s_attrs)
        match = table[
            (table["SERIES"] == s_attrs["SERIES"])
            & (table["REF_AREA"] == s_attrs["REF_AREA"])
            & (table["SEX"] == s_attrs["SEX"])
            & (table["TIME_PERIOD"] == o_attrs["TIME_PERIOD"])
        ]
        assert list(match["OBS_VALUE"]) == [o_attrs["OBS_VALUE"]]


def test_sdmx_and_opensdg_leave_small_cells_out(env, tmp_path):
    tidy = env["tidy"].copy()
    tidy["small_cell"] = tidy["indicator_id"].eq("SI_COV_CHLD")  # pretend every child-coverage cell is small
    assert "SI_COV_CHLD" not in set(export.sdmx_table(tidy)["SERIES"])
    assert export.opensdg_table(tidy, "SI_COV_CHLD").empty


def test_opensdg_layout_and_round_trip(env, tmp_path):
    tidy = env["tidy"]
    written = export.write_opensdg(tidy, tmp_path)
    assert tmp_path / "indicator_1-3-1.csv" in written
    data = pd.read_csv(tmp_path / "indicator_PAY_ONTIME.csv", dtype=str, keep_default_na=False)
    assert list(data.columns) == [
        "Year",
        "Quarter",
        "Sex",
        "Province",
        "District",
        "Channel",
        "Cycle",
        "GeoCode",
        "Value",
    ]
    assert set(data["Year"]) == {"2022"}  # Open SDG charts years: a number, never "2022-Q2"
    disaggregations = ["Quarter", "Sex", "Province", "District", "Channel", "Cycle"]
    # The headline (every disaggregation empty) is the year as of its latest quarter: 2 on time of 5 due in Q2.
    headline = data[(data[disaggregations] == "").all(axis=1)]
    assert list(headline["Year"]) == ["2022"]
    assert float(headline.iloc[0]["Value"]) == pytest.approx(100 * 2 / 5)
    by_quarter = data[(data[disaggregations[1:]] == "").all(axis=1) & (data["Quarter"] != "")]
    assert list(by_quarter["Quarter"]) == ["Q1", "Q2"]
    # Every quarter row maps back to exactly one tidy row with the same value; year rows repeat their latest quarter.
    names = {v: k for k, v in export.SEX_NAMES.items()}
    provinces = {r["name_en"]: r["iso_code"] for r in reference_rows("provinces")}
    rows = tidy[(tidy["indicator_id"] == "PAY_ONTIME") & tidy["value"].notna()]
    quarters = data[data["Quarter"] != ""]
    assert len(quarters) == len(rows)
    for rec in quarters.sample(25, random_state=1).itertuples(index=False):
        breakdown = next(((b.lower(), getattr(rec, b)) for b in ("Channel", "Cycle") if getattr(rec, b)), ("_T", "_T"))
        match = rows[
            (rows["period"] == f"{rec.Year}-{rec.Quarter}")
            & (rows["sex"] == names.get(rec.Sex, "_T"))
            & (rows["province"] == provinces.get(rec.Province, "LA"))
            & ((rows["district"] == rec.GeoCode) if rec.District else rows["district"].isna())
            & (rows["breakdown"] == breakdown[0])
            & (rows["breakdown_value"] == breakdown[1])
        ]
        assert len(match) == 1 and match["value"].iloc[0] == pytest.approx(float(rec.Value))


def test_command_line_writes_every_format(env, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SP_PARAMETERS", str(env["params"]))
    assert main(["export", str(tmp_path / "out"), "--warehouse", str(env["warehouse"])]) == 0
    table = pd.read_csv(tmp_path / "out" / f"indicators_{VERSION}.csv", dtype={"district": str})
    assert len(table) == len(env["tidy"])
    assert set(table["indicator_id"]) == set(all_indicators())
    assert (
        main(
            [
                "export",
                str(tmp_path / "sdmx"),
                "--format",
                "sdmx",
                "--version",
                VERSION,
                "--warehouse",
                str(env["warehouse"]),
            ]
        )
        == 0
    )
    assert (tmp_path / "sdmx" / "sdg_1-3-1.sdmx.xml").exists()
    assert main(["export", str(tmp_path / "osdg"), "--format", "opensdg", "--warehouse", str(env["warehouse"])]) == 0
    assert len(list((tmp_path / "osdg").glob("indicator_*.csv"))) == len(all_indicators()) + 1
    assert f"{len(all_indicators())} indicators with data" in capsys.readouterr().out


def test_command_line_without_a_warehouse_says_so(tmp_path, capsys):
    assert main(["export", str(tmp_path / "out"), "--warehouse", str(tmp_path / "empty")]) == 2
    assert "no published warehouse version" in capsys.readouterr().err
