"""views.trend selects in one step (issue 13): the same frame as filtering step by step and sorting every column."""

from __future__ import annotations

import pandas as pd

from dashboard import views
from indicators import api


def _step_by_step(values: pd.DataFrame, province: str, sex: str, indicator_id: str | None) -> pd.DataFrame:
    rows = values[values["district"].isna() & (values["breakdown"] == views.TOTAL)]
    rows = rows[(rows["province"] == province) & (rows["sex"] == sex)]
    if indicator_id:
        rows = rows[rows["indicator_id"] == indicator_id]
    columns = ["indicator_id", "period", "value", "numerator", "denominator", "lower_bound", "upper_bound"]
    columns += ["pending", "as_of_date", "unit", *(["suppressed"] if "suppressed" in rows.columns else [])]
    return rows.sort_values(["indicator_id", "period"])[columns].reset_index(drop=True)


def test_trend_is_the_step_by_step_selection(dashboard_warehouse):
    version = api.current_version()
    compared = 0
    for values in (api.indicator_values(version), api.indicator_values(version, public=True)):
        for indicator_id in [None, *values["indicator_id"].unique()[:12]]:
            for province, sex in ((views.NATIONAL, views.TOTAL), ("LA-VT", "F"), ("LA-XA", views.TOTAL)):
                shown = views.trend(values, province=province, sex=sex, indicator_id=indicator_id)
                pd.testing.assert_frame_equal(
                    shown, _step_by_step(values, province, sex, indicator_id), check_exact=True
                )
                compared += len(shown)
    assert compared > 500
