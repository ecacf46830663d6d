"""Invariants every computed table must keep, checked on the fixture warehouse for the whole catalogue."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from indicators.catalogue import all_indicators
from indicators.engine import TIDY_COLUMNS, compute_all
from indicators.parameters import load_parameters
from indicators.warehouse_access import open_version
from indicators_fixture import TABLES, VERSION, write_parameters, write_warehouse

# Rows without a province (central meetings, ministries' returns, national training events) or without a sex
# (absent members) count in the totals only: there, parts add up to at most the total. (Grievances without a sex
# are counted under "_U", so theirs add up exactly.)
PARTIAL_PROVINCE = {
    "COORD_MEETINGS",
    "COORD_ATTENDANCE",
    "COORD_ATTENDANCE_LEVEL",
    "COORD_REPORT_TIMELY",
    "COORD_REPORT_COMPLETE",
    "COORD_TRAINING",
    "COORD_TRAINING_WOMEN",
}
PARTIAL_SEX = {"COORD_ATTENDANCE_LEVEL"}
PARTIAL_DISTRICT = {"COORD_GRIEVANCE_TIMELY"}


@pytest.fixture(scope="module")
def tidy(tmp_path_factory):
    root = tmp_path_factory.mktemp("invariants")
    write_warehouse(root / "warehouse")
    params = load_parameters(write_parameters(root / "parameters.toml"))
    return compute_all(open_version(VERSION, root / "warehouse"), VERSION, params)


def _additive(tidy: pd.DataFrame) -> pd.DataFrame:
    kinds = {i.id: i.kind for i in all_indicators().values()}
    return tidy[tidy["indicator_id"].map(kinds) != "index"]


def test_columns_in_the_documented_order(tidy):
    assert list(tidy.columns) == TIDY_COLUMNS
    assert TIDY_COLUMNS[:12] == [
        "indicator_id",
        "period",
        "province",
        "district",
        "sex",
        "breakdown",
        "breakdown_value",
        "numerator",
        "denominator",
        "value",
        "lower_bound",
        "upper_bound",
    ]
    assert TIDY_COLUMNS[-1] == "data_version" and set(tidy["data_version"]) == {VERSION}


def test_one_row_per_key(tidy):
    key = ["indicator_id", "period", "province", "district", "sex", "breakdown", "breakdown_value"]
    assert not tidy.duplicated(key).any()


def test_every_indicator_has_values(tidy):
    assert set(tidy.loc[tidy["value"].notna(), "indicator_id"]) == set(all_indicators())


def test_female_plus_male_equals_total(tidy):
    key = ["indicator_id", "period", "province", "district", "breakdown", "breakdown_value"]
    rows = _additive(tidy)
    # Rows exist where the numerator has data, so a denominator can only be checked where both sexes have a row.
    by_sex = (
        rows[rows["sex"] != "_T"]
        .groupby(key, dropna=False)
        .agg(
            numerator=("numerator", lambda s: s.sum(min_count=1)),
            denominator=("denominator", lambda s: s.sum(min_count=1)),
            sexes=("sex", "nunique"),
        )
    )
    total = rows[rows["sex"] == "_T"].set_index(key)[["numerator", "denominator"]].add_suffix("_total")
    joined = by_sex.join(total, how="inner")
    assert len(joined) > 100
    exact = ~joined.index.get_level_values("indicator_id").isin(PARTIAL_SEX)
    for col in ("numerator", "denominator"):
        both = joined[col].notna() & joined[f"{col}_total"].notna()
        if col == "denominator":
            both &= joined["sexes"] == 2
        np.testing.assert_allclose(joined.loc[exact & both, col], joined.loc[exact & both, f"{col}_total"])
        assert (joined.loc[both, col] <= joined.loc[both, f"{col}_total"] + 1e-9).all()


@pytest.mark.parametrize("level", ["province", "district"])
def test_parts_add_up_to_the_level_above(tidy, level):
    rows = _additive(tidy)
    if level == "province":
        parts = rows[(rows["province"] != "LA") & rows["district"].isna()]
        whole = rows[rows["province"] == "LA"]
        key, partial = ["indicator_id", "period", "sex", "breakdown", "breakdown_value"], PARTIAL_PROVINCE
    else:
        parts = rows[rows["district"].notna()]
        whole = rows[(rows["province"] != "LA") & rows["district"].isna()]
        key, partial = ["indicator_id", "period", "province", "sex", "breakdown", "breakdown_value"], PARTIAL_DISTRICT
    # Bounded numerators are floored/capped per province and sex, so they add up too.
    summed = parts.groupby(key)[["numerator", "lower_bound"]].agg(lambda s: s.sum(min_count=1))
    joined = summed[["numerator"]].join(whole.set_index(key)[["numerator"]].add_suffix("_whole"), how="inner")
    assert len(joined) > 50
    exact = ~joined.index.get_level_values("indicator_id").isin(partial)
    np.testing.assert_allclose(joined.loc[exact, "numerator"], joined.loc[exact, "numerator_whole"])
    assert (joined["numerator"] <= joined["numerator_whole"] + 1e-6).all()


def test_ratios_come_from_summed_numerator_and_denominator(tidy):
    scale = {i.id: i.scale for i in all_indicators().values() if i.kind == "ratio"}
    rows = tidy[tidy["indicator_id"].isin(scale) & tidy["value"].notna()]
    expected = rows["indicator_id"].map(scale) * rows["numerator"] / rows["denominator"]
    np.testing.assert_allclose(rows["value"], expected)


def test_values_lie_within_their_bounds(tidy):
    bounded = tidy[tidy["lower_bound"].notna()]
    at_least = {i.id for i in all_indicators().values() if i.statistic_is_lower_bound}
    assert set(bounded["indicator_id"]) - at_least == {i.id for i in all_indicators().values() if i.bounded}
    assert (bounded["lower_bound"] <= bounded["value"] + 1e-9).all()
    ranged = bounded[~bounded["indicator_id"].isin(at_least)]
    assert (ranged["value"] <= ranged["upper_bound"] + 1e-9).all()
    assert (ranged["upper_bound"] <= 100 + 1e-9).all()
    # A statistic that is only "at least" has its value as lower bound and no upper bound.
    open_ended = bounded[bounded["indicator_id"].isin(at_least)]
    assert len(open_ended) and open_ended["upper_bound"].isna().all()
    assert (open_ended["lower_bound"] == open_ended["value"]).all()


def test_zero_or_missing_denominator_is_no_data_not_zero(tmp_path):
    tables = dict(TABLES)
    # A target district with nobody enrolled (0/0), and population withdrawn for Savannakhet.
    tables["school_meals"] = TABLES["school_meals"] + [
        dict(period="2022-Q2", province="LA-AT", district="1703", sex="F", pupils_enrolled=0, pupils_receiving_meals=0)
    ]
    tables["population"] = [r for r in TABLES["population"] if r["province"] != "LA-SV"]
    root = write_warehouse(tmp_path / "wh", tables)
    params = load_parameters(write_parameters(tmp_path / "p.toml"))
    tidy = compute_all(open_version(VERSION, root), VERSION, params)
    meals = tidy[(tidy["indicator_id"] == "NSPS_SW_MEALS") & (tidy["district"] == "1703") & (tidy["sex"] == "F")]
    assert len(meals) == 1 and meals["denominator"].iloc[0] == 0 and pd.isna(meals["value"].iloc[0])
    pensions = tidy[(tidy["indicator_id"] == "SI_COV_PENSN") & (tidy["province"] == "LA-SV")]
    assert len(pensions) == 3 and pensions["value"].isna().all() and (pensions["status"] == "not_available").all()
    # ... while the national figure uses the population that is there (Attapeu's 150 persons 60+).
    national = tidy[(tidy["indicator_id"] == "SI_COV_PENSN") & (tidy["province"] == "LA") & (tidy["sex"] == "_T")]
    assert national["denominator"].iloc[0] == 150


def test_small_cells_are_marked_for_person_counts_only(tidy):
    small = tidy[tidy["small_cell"].fillna(False).astype(bool)]
    person_based = {i.id for i in all_indicators().values() if i.person_based}
    assert set(small["indicator_id"]) <= person_based
    assert ((small["numerator"] < 5) | (small["denominator"] < 5)).all()
    big = tidy[tidy["indicator_id"].isin(person_based) & (tidy["numerator"] >= 5) & (tidy["denominator"] >= 5)]
    assert not big["small_cell"].fillna(False).astype(bool).any()


def test_values_trace_to_their_source_files(tidy):
    row = tidy[(tidy["indicator_id"] == "SI_COV_BENFTS") & (tidy["period"] == "2022-Q2")].iloc[0]
    assert set(row["source_files"].split(";")) == {
        "cash_transfer_2022.xlsx",
        "mecg_payments_2022.xlsx",
        "mecg_register_2022.xlsx",
        "population_2022.xlsx",
        "social_security_2022.xlsx",
    }
