"""views.by_sex without pivot tables (issue 13): the same frame as pivoting the rows of one indicator and area by
sex, column names, types and the columns' own name included, on the sample's tables and on the awkward cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashboard import views
from indicators import api


def _pivoted(values: pd.DataFrame, *, indicator_id: str, province: str, period: str | None) -> pd.DataFrame:
    """views.by_sex as it was written with pandas' pivot_table (sessions 1-10)."""
    rows = values[values["district"].isna() & (values["breakdown"] == views.TOTAL)]
    rows = rows[(rows["indicator_id"] == indicator_id) & (rows["province"] == province) & rows["sex"].isin(["F", "M"])]
    rows = views.at_or_before(rows, period)
    wide = rows.pivot_table(index="period", columns="sex", values="value", aggfunc="first")
    for sex in ("F", "M"):
        if sex not in wide.columns:
            wide[sex] = float("nan")
    wide = wide[["F", "M"]].rename(columns={"F": "female", "M": "male"}).reset_index()
    wide["female_to_male_ratio"] = wide["female"] / wide["male"].where(wide["male"] > 0)
    wide["gap_points"] = wide["female"] - wide["male"]
    if "suppressed" in rows.columns:
        hidden = rows.pivot_table(index="period", columns="sex", values="suppressed", aggfunc="any")
        for sex, name in (("F", "female"), ("M", "male")):
            flags = hidden[sex] if sex in hidden.columns else pd.Series(dtype=bool)
            wide[f"{name}_suppressed"] = wide["period"].map(flags).fillna(False).astype(bool)
    return wide.sort_values("period").reset_index(drop=True)


def _assert_same(shown: pd.DataFrame, pivoted: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(shown, pivoted, check_exact=True, check_index_type=True, check_column_type=True)
    assert shown.columns.name == pivoted.columns.name == "sex"


def test_by_sex_is_the_pivot_of_every_indicator_of_the_sample(dashboard_warehouse):
    version = api.current_version()
    compared = 0
    for values in (api.indicator_values(version), api.indicator_values(version, public=True)):
        by_sex = values.loc[values["sex"] == "F", "indicator_id"].unique()  # the others give an empty frame
        for indicator_id in [*by_sex, values.loc[values["sex"] != "F", "indicator_id"].iloc[0]]:
            for province, period in ((views.NATIONAL, None), ("LA-VT", "2021-Q4"), ("LA-XA", "2021")):
                shown = views.by_sex(values, indicator_id=indicator_id, province=province, period=period)
                _assert_same(shown, _pivoted(values, indicator_id=indicator_id, province=province, period=period))
                compared += len(shown)
    assert compared > 300


def _rows(*cells) -> pd.DataFrame:
    """Rows of indicator X, national, no breakdown: (period, sex, value, suppressed)."""
    frame = pd.DataFrame(cells, columns=["period", "sex", "value", "suppressed"])
    return frame.assign(indicator_id="X", province=views.NATIONAL, district=None, breakdown=views.TOTAL)


@pytest.mark.parametrize(
    "rows",
    [
        # the first value that is not null is taken; a null flag hides nothing; a hidden row hides its sex
        _rows(
            ("2021-Q1", "F", np.nan, False),
            ("2021-Q1", "F", 4.0, None),
            ("2021-Q1", "F", 6.0, False),
            ("2021-Q1", "M", 5.0, True),
        ),
        # a period with no value for either sex is left out, though a row of it is hidden
        _rows(("2021-Q2", "F", np.nan, True), ("2021-Q2", "M", np.nan, False), ("2021-Q1", "M", 0.0, False)),
        # no men at all; a period of no value; both sexes' totals ignored
        _rows(
            ("2022-Q1", "F", 1.0, False), ("2021-Q3", "F", 2.0, False), (None, "F", 3.0, True), ("2022-Q1", "_T", 9, 0)
        ),
        # nothing to show
        _rows(("2021-Q1", "_T", 1.0, False)),
    ],
)
@pytest.mark.filterwarnings("ignore:.bool. is not supported as a fill value")  # in the pivoted reference
def test_by_sex_is_the_pivot_in_the_awkward_cases(rows):
    for table in (rows, rows.drop(columns="suppressed")):
        for period in (None, "2021"):
            _assert_same(
                views.by_sex(table, indicator_id="X", province=views.NATIONAL, period=period),
                _pivoted(table, indicator_id="X", province=views.NATIONAL, period=period),
            )
