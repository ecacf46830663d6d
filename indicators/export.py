"""Exports of the tidy table: csv (as is), SDMX (SDMX-CSV + SDMX-ML 2.1 structure-specific data, in the shape of the
Lao SDG platform's files, codes from the LSB DSD) and Open SDG (one CSV per indicator).

Given the public table (``api.indicator_values(..., public=True)``, ``--public``), a hidden cell is written as such:
"suppressed" in the csv, OBS_STATUS Q ("Missing value; suppressed", CL_OBS_STATUS of the LSB DSD) with no OBS_VALUE
in SDMX; Open SDG's Value must be a number, so its files leave hidden cells out. Given the computed table, SDMX and
Open SDG leave small cells (``small_cell``) out — not safe to publish: complements are not hidden. Every CSV written here
is formula-safe: a text cell a spreadsheet would run (``=cmd|…`` in a ``source_file``) gets a leading apostrophe
(``data_pipeline.gate.formula_text``); numbers stay numbers.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd

from data_pipeline.gate.formula_text import neutralise_frame
from data_pipeline.reference import reference_rows

from . import disclosure
from .catalogue import all_indicators

DATAFLOW = "LSB-SDGs:SDG(1.1)"
DIMENSIONS = (
    "FREQ",
    "REPORTING_TYPE",
    "SERIES",
    "REF_AREA",
    "SEX",
    "AGE",
    "URBANISATION",
    "INCOME_WEALTH_QUANTILE",
    "EDUCATION_LEV",
    "OCCUPATION",
    "CUST_BREAKDOWN",
    "COMPOSITE_BREAKDOWN",
    "DISABILITY_STATUS",
    "ACTIVITY",
    "PRODUCT",
)
SDMX_COLUMNS = (
    ("DATAFLOW",)
    + DIMENSIONS
    + (
        "TIME_PERIOD",
        "OBS_VALUE",
        "UNIT_MEASURE",
        "UNIT_MULT",
        "OBS_STATUS",
        "NATURE",
        "LOWER_BOUND",
        "UPPER_BOUND",
        "SOURCE_DETAIL",
        "COMMENT_OBS",
    )
)
# Age group of the series' population (CL_AGE); sex of the maternity series is women by definition.
SERIES_AGE = {"SI_COV_CHLD": "Y0T14", "SI_COV_PENSN": "Y_GE60"}
SERIES_SEX = {"SI_COV_MATNL": "F"}
UNIT_CODES = {"percent": "PT", "persons": "NUMBER", "LAK": "CUR_LCU", "days": "NUMBER", "score": "IX", "ratio": "RO"}
SEX_NAMES = {"F": "Female", "M": "Male"}
_SS = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/data/structurespecific"
_MESSAGE = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message"
_COMMON = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_NS1 = f"urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure={DATAFLOW}:ObsLevelDim:TIME_PERIOD"


def province_lsb_codes() -> dict[str, str]:
    return {r["iso_code"]: r["lsb_code"] for r in reference_rows("provinces")}


def _number(value: float) -> str:
    return f"{value:.10g}"


# ---------------------------------------------------------------------------------------------------------- csv
def write_csv(tidy: pd.DataFrame, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    neutralise_frame(said_suppressed(tidy)).to_csv(path, index=False)
    return path


def said_suppressed(tidy: pd.DataFrame) -> pd.DataFrame:
    """Hidden figures of a public table as the word "suppressed" (never an empty cell that reads "no data")."""
    if "suppressed" not in tidy.columns or not tidy["suppressed"].any():
        return tidy
    out = tidy.copy()
    hidden = out["suppressed"].to_numpy(dtype=bool)
    for column in [c for c in disclosure.VALUE_COLUMNS if c in out.columns]:
        out[column] = out[column].astype(object).where(~hidden, disclosure.SUPPRESSED_LABEL)
    return out


def _hidden(tidy: pd.DataFrame) -> pd.Series:
    """Cells a publishing format must not show: the public table's hidden ones, else (computed table) small ones."""
    column = "suppressed" if "suppressed" in tidy.columns else "small_cell"
    return tidy[column].fillna(False).astype(bool)


# ---------------------------------------------------------------------------------------------------------- sdmx
def sdmx_table(tidy: pd.DataFrame) -> pd.DataFrame:
    """One row per published 1.3.1 observation (national, provinces, districts; by sex), SDMX-CSV columns."""
    catalogue = all_indicators()
    series = {i.id: i for i in catalogue.values() if i.sdg_series}
    hidden = _hidden(tidy)
    # The public table's hidden cells are observations marked suppressed; a computed table's small ones are left out.
    published = (tidy["value"].notna() | hidden) if "suppressed" in tidy.columns else (tidy["value"].notna() & ~hidden)
    rows = tidy[tidy["indicator_id"].isin(series) & (tidy["breakdown"] == "_T") & published]
    lsb = province_lsb_codes()
    out = []
    for row in rows.itertuples(index=False):
        indicator = series[row.indicator_id]
        ref_area = "LA" if row.province == "LA" else lsb[row.province]
        if isinstance(row.district, str):
            ref_area = row.district
        quarterly = "-Q" in row.period
        sex = SERIES_SEX.get(indicator.sdg_series, row.sex) if row.sex == "_T" else row.sex
        out.append(
            {
                "DATAFLOW": DATAFLOW,
                "FREQ": "Q" if quarterly else "A",
                "REPORTING_TYPE": "N",
                "SERIES": indicator.sdg_series,
                "REF_AREA": ref_area,
                "SEX": sex,
                "AGE": SERIES_AGE.get(indicator.sdg_series, "_T"),
                "URBANISATION": "_T",
                "INCOME_WEALTH_QUANTILE": "_T",
                "EDUCATION_LEV": "_T",
                "OCCUPATION": "_T",
                "CUST_BREAKDOWN": "_T",
                "COMPOSITE_BREAKDOWN": "_T",
                "DISABILITY_STATUS": "_T",
                "ACTIVITY": "_T",
                "PRODUCT": "_T",
                "TIME_PERIOD": row.period,
                "OBS_VALUE": "" if pd.isna(row.value) else _number(row.value),
                "UNIT_MEASURE": UNIT_CODES[indicator.unit],
                "UNIT_MULT": "0",
                "OBS_STATUS": disclosure.OBS_STATUS_SUPPRESSED if getattr(row, "suppressed", False) else "A",
                "NATURE": "C",
                "LOWER_BOUND": "" if pd.isna(row.lower_bound) else _number(row.lower_bound),
                "UPPER_BOUND": "" if pd.isna(row.upper_bound) else _number(row.upper_bound),
                "SOURCE_DETAIL": "National Social Protection Commission monitoring tool, data version "
                f"{row.data_version}: {', '.join(indicator.sources)}",
                "COMMENT_OBS": "Bounded: sources that cannot be linked may overlap" if indicator.bounded else "",
            }
        )
    return pd.DataFrame(out, columns=list(SDMX_COLUMNS), dtype=str)


def write_sdmx(tidy: pd.DataFrame, out_dir: Path) -> list[Path]:
    """SDMX-CSV (``sdg_1-3-1.sdmx.csv``) and SDMX-ML structure-specific data (``sdg_1-3-1.sdmx.xml``)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    table = sdmx_table(tidy)
    csv_path = out_dir / "sdg_1-3-1.sdmx.csv"
    neutralise_frame(table).to_csv(csv_path, index=False)
    xml_path = out_dir / "sdg_1-3-1.sdmx.xml"
    _write_sdmx_ml(table, xml_path)
    return [csv_path, xml_path]


def _write_sdmx_ml(table: pd.DataFrame, path: Path) -> None:
    ET.register_namespace("message", _MESSAGE)
    ET.register_namespace("common", _COMMON)
    ET.register_namespace("ss", _SS)
    ET.register_namespace("xsi", _XSI)
    # The DSD's namespace is only named in attribute values (xsi:type), so ElementTree would not declare it.
    root = ET.Element(f"{{{_MESSAGE}}}StructureSpecificData", {"xmlns:dsd": _NS1})
    header = ET.SubElement(root, f"{{{_MESSAGE}}}Header")
    ET.SubElement(header, f"{{{_MESSAGE}}}ID").text = "NSPC-SDG131"
    ET.SubElement(header, f"{{{_MESSAGE}}}Test").text = "false"
    ET.SubElement(header, f"{{{_MESSAGE}}}Prepared").text = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    ET.SubElement(header, f"{{{_MESSAGE}}}Sender", id="LA-NSPC")
    structure = ET.SubElement(
        header,
        f"{{{_MESSAGE}}}Structure",
        structureID="LSB-SDGs_SDG_1_1",
        namespace=_NS1,
        dimensionAtObservation="TIME_PERIOD",
    )
    common = ET.SubElement(structure, f"{{{_COMMON}}}Structure")
    ET.SubElement(common, "Ref", agencyID="LSB-SDGs", id="SDG", version="1.1")
    ET.SubElement(header, f"{{{_MESSAGE}}}DataSetAction").text = "Information"
    ET.SubElement(header, f"{{{_MESSAGE}}}DataSetID").text = "SDG"
    dataset = ET.SubElement(
        root,
        f"{{{_MESSAGE}}}DataSet",
        {
            f"{{{_SS}}}dataScope": "DataStructure",
            f"{{{_XSI}}}type": "dsd:DataSetType",
            f"{{{_SS}}}structureRef": "LSB-SDGs_SDG_1_1",
            f"{{{_SS}}}action": "Information",
        },
    )
    keys = list(DIMENSIONS) + ["UNIT_MEASURE"]
    for key, group in table.groupby(keys, sort=True):
        series = ET.SubElement(dataset, "Series", dict(zip(keys, key)))
        for obs in group.sort_values("TIME_PERIOD").itertuples(index=False):
            attrs = {
                "TIME_PERIOD": obs.TIME_PERIOD,
                "OBS_STATUS": obs.OBS_STATUS,
                "UNIT_MULT": obs.UNIT_MULT,
                "NATURE": obs.NATURE,
                "SOURCE_DETAIL": obs.SOURCE_DETAIL,
            }
            for optional in ("OBS_VALUE", "LOWER_BOUND", "UPPER_BOUND", "COMMENT_OBS"):
                if getattr(obs, optional):
                    attrs[optional] = getattr(obs, optional)
            ET.SubElement(series, "Obs", attrs)
    ET.indent(root)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


# ------------------------------------------------------------------------------------------------------- open sdg
def _title(name: str) -> str:
    return name.replace("_", " ").capitalize()


def opensdg_table(tidy: pd.DataFrame, indicator_id: str) -> pd.DataFrame:
    """Open SDG layout: Year (a number), then disaggregation columns (empty on the headline row), GeoCode, Value.

    Open SDG charts years, so quarters go to a ``Quarter`` disaggregation column; the row of a year with Quarter
    empty carries the value of the latest quarter of that year that has data (the position at the end of the year,
    or so far this year), so every year has a headline.
    """
    indicator = all_indicators()[indicator_id]
    rows = tidy[(tidy["indicator_id"] == indicator_id) & tidy["value"].notna() & ~_hidden(tidy)]
    provinces = {r["iso_code"]: r["name_en"] for r in reference_rows("provinces")}
    districts = {r["lsb_code"]: r["name_en"] for r in reference_rows("districts")}
    quarterly = rows["period"].str.len() > 4
    columns = ["Year"] + (["Quarter"] if quarterly.any() else [])
    if "sex" in indicator.disaggregations:
        columns.append("Sex")
    if "province" in indicator.disaggregations:
        columns.append("Province")
    if "district" in indicator.disaggregations:
        columns.append("District")
    columns += [_title(b) for b in indicator.breakdowns] + ["GeoCode", "Value"]
    out = pd.DataFrame(
        {
            "Year": rows["period"].str.slice(0, 4).astype(int).to_numpy(),
            "Quarter": rows["period"].str.slice(5).where(quarterly).to_numpy(),
            "Sex": rows["sex"].map(SEX_NAMES).to_numpy(),
            "Province": rows["province"].map(provinces).to_numpy(),
            "District": rows["district"].map(districts).to_numpy(),
            "GeoCode": rows["district"].fillna(rows["province"].where(rows["province"] != "LA")).to_numpy(),
            "Value": rows["value"].to_numpy(),
        }
    )
    for b in indicator.breakdowns:
        out[_title(b)] = rows["breakdown_value"].where(rows["breakdown"] == b).to_numpy()
    out = out[columns]
    if "Quarter" in columns:
        series = [c for c in columns if c not in ("Year", "Quarter", "Value")]
        year_rows = (
            out.sort_values("Quarter").groupby(["Year", *series], dropna=False, sort=False).tail(1).assign(Quarter=None)
        )
        out = pd.concat([year_rows, out], ignore_index=True).sort_values(
            ["Year", "Quarter"], na_position="first", kind="stable"
        )
    return out.reset_index(drop=True)


def write_opensdg(tidy: pd.DataFrame, out_dir: Path) -> list[Path]:
    """``indicator_<ID>.csv`` per catalogue entry with data, plus ``indicator_1-3-1.csv`` (all series, a Series
    column) as the Lao SDG platform's indicator 1.3.1."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written, series_tables = [], []
    for indicator in all_indicators().values():
        table = opensdg_table(tidy, indicator.id)
        if table.empty:
            continue
        path = out_dir / f"indicator_{indicator.id}.csv"
        neutralise_frame(table).to_csv(path, index=False)
        written.append(path)
        if indicator.sdg_series:
            series_tables.append(table.assign(Series=indicator.sdg_series))
    if series_tables:
        combined = pd.concat(series_tables, ignore_index=True)
        order = ["Year", "Series"] + [c for c in combined.columns if c not in ("Year", "Series", "GeoCode", "Value")]
        combined = combined.astype({"Year": int})
        path = out_dir / "indicator_1-3-1.csv"
        neutralise_frame(combined[order + ["GeoCode", "Value"]]).to_csv(path, index=False)
        written.append(path)
    return written
