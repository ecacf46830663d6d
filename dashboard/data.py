"""The one door from the pages to the data: cached functions keyed on the warehouse version.

Every run reads the current version cheaply (the CURRENT file); everything else is cached with ``st.cache_data`` on
that version, so a refresh is picked up without a restart and nothing is recomputed while the version is unchanged.
Pages never import ``indicators.api`` themselves: access rules (small-cell suppression, version pinning) belong here.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import views
from indicators import api

REFERENCE = Path(__file__).resolve().parent.parent / "data_pipeline" / "reference"


def current_version() -> str | None:
    """The published version, or None when no warehouse has been built yet (read on every run: it is one file)."""
    try:
        return api.current_version()
    except FileNotFoundError:
        return None


@st.cache_data(show_spinner=False)
def provinces() -> pd.DataFrame:
    """The 18 provinces: iso_code, lsb_code (text, '01'…'18'), name_en, name_lo, population_2015."""
    return pd.read_csv(REFERENCE / "provinces.csv", dtype={"lsb_code": str})


@st.cache_data(show_spinner=False)
def districts() -> pd.DataFrame:
    return pd.read_csv(REFERENCE / "districts.csv", dtype={"lsb_code": str, "province_lsb_code": str})


def province_name(code: str) -> str:
    if code == views.NATIONAL:
        return "Lao PDR (national)"
    names = dict(zip(provinces()["iso_code"], provinces()["name_en"]))
    return names.get(code, code)


@st.cache_data(show_spinner="Loading indicators…")
def values(version: str) -> pd.DataFrame:
    return api.indicator_values(version)


@st.cache_data(show_spinner=False)
def catalogue(version: str) -> pd.DataFrame:
    # Keyed on the version although the catalogue is code: its targets come from the parameters file.
    return api.catalogue()


@st.cache_data(show_spinner=False)
def parameters(version: str) -> dict:
    return api.parameters()


@st.cache_data(show_spinner=False)
def supporting(version: str, name: str) -> pd.DataFrame:
    return api.supporting_table(version, name)


@st.cache_data(show_spinner=False)
def version_info(version: str) -> dict:
    return api.version_info(version)


@st.cache_data(show_spinner=False, ttl=30)
def versions() -> pd.DataFrame:
    # Not keyed on the version: a rejected refresh adds a log line without publishing a version.
    return api.list_versions()


@st.cache_data(show_spinner=False, ttl=30)
def refresh_log() -> pd.DataFrame:
    return api.refresh_log()


def is_sample_data(version: str) -> bool:
    """True when the version was built with the public demo key, i.e. from the bundled sample data."""
    from data_pipeline.secrets import DEMO_HASH_KEY, key_fingerprint
    info = version_info(version)
    fingerprint = info.get("hash_key_fingerprint") or info.get("key_fingerprint")
    if fingerprint:
        return fingerprint == key_fingerprint(DEMO_HASH_KEY)
    return str(info.get("operator", "")).startswith("sample")


# --- shaped tables (cached pure functions from dashboard.views) -------------------------------------------------

@st.cache_data(show_spinner=False)
def periods(version: str) -> list[str]:
    return views.periods(values(version))


@st.cache_data(show_spinner=False)
def scorecard(version: str, province: str, sex: str, period: str | None) -> pd.DataFrame:
    return views.scorecard(values(version), catalogue(version), province=province, sex=sex, period=period)


@st.cache_data(show_spinner=False)
def trend(version: str, indicator_id: str, province: str, sex: str) -> pd.DataFrame:
    return views.trend(values(version), province=province, sex=sex, indicator_id=indicator_id)


@st.cache_data(show_spinner=False)
def by_province(version: str, indicator_id: str, sex: str, period: str | None) -> pd.DataFrame:
    return views.by_province(values(version), provinces(), indicator_id=indicator_id, sex=sex, period=period)


@st.cache_data(show_spinner=False)
def by_sex(version: str, indicator_id: str, province: str, period: str | None) -> pd.DataFrame:
    return views.by_sex(values(version), indicator_id=indicator_id, province=province, period=period)


@st.cache_data(show_spinner=False)
def breakdown(version: str, indicator_id: str, dimension: str, province: str, sex: str,
              period: str | None = None) -> pd.DataFrame:
    return views.breakdown(values(version), indicator_id=indicator_id, dimension=dimension, province=province,
                           sex=sex, period=period)


@st.cache_data(show_spinner=False)
def by_district(version: str, indicator_id: str, sex: str, province: str | None,
                period: str | None) -> pd.DataFrame:
    return views.by_district(values(version), districts(), indicator_id=indicator_id, sex=sex, province=province,
                             period=period)


@st.cache_data(show_spinner=False)
def province_profile(version: str, province: str, sex: str, period: str | None) -> pd.DataFrame:
    return views.province_profile(values(version), catalogue(version), province=province, sex=sex, period=period)


@st.cache_data(show_spinner=False)
def indicator_rows(version: str, indicator_id: str) -> pd.DataFrame:
    """Every value of one indicator (the indicator page's table)."""
    frame = values(version)
    return frame[frame["indicator_id"] == indicator_id].reset_index(drop=True)


@st.cache_data(show_spinner=False)
def disaggregations(version: str, indicator_id: str) -> list[str]:
    return views.indicator_disaggregations(values(version), indicator_id)


@st.cache_data(show_spinner=False)
def programmes(version: str, indicator_id: str) -> dict[str, str]:
    """Programme codes an indicator is broken down by, with readable names."""
    frame = values(version)
    codes = sorted(frame.loc[(frame["indicator_id"] == indicator_id) & (frame["breakdown"] == "programme"),
                             "breakdown_value"].dropna().unique())
    return {code: PROGRAMME_NAMES.get(code, code.replace("_", " ").capitalize()) for code in codes}


PROGRAMME_NAMES = {"mecg": "Mother and Early Childhood Grant (MoLSW)", "cash_transfer": "Cash transfer (MAF)"}
