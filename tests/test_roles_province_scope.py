"""Issue 16.5/16.6: an account limited to a province sees that province as computed and every other province exactly
as the public does — in the pages' tables and in their downloads, the indicator page's "Every value" included."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from dashboard import data
from indicators import disclosure as suppression
from tests.roles_fixtures import accounts, run_as  # noqa: F401  (fixture)
from tests.test_roles_public import PUBLIC_VIEWS, counts_persons, downloads, small_person_counts  # noqa: F401

OWN = "LA-AT"
SCOPED_VIEWS = PUBLIC_VIEWS + [
    ("pages/indicator.py", {"indicator": "SI_COV_UEMP"}),
    ("pages/indicator.py", {"indicator": "PAY_ONTIME"}),
]


def other_provinces(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows of a page table or download about a province other than the account's (national rows excluded)."""
    if "province" in frame.columns:
        return frame[~frame["province"].isin([OWN, "LA", "Attapeu", "Lao PDR (national)"])]
    if "province_name" in frame.columns:
        return frame[~frame["province_name"].isin(["Attapeu", "Lao PDR (national)", "Lao PDR"])]
    return frame.iloc[0:0]


def cell(province: str, numerator: float, denominator: float) -> dict:
    return {
        "indicator_id": "SI_COV_UEMP",
        "period": "2022-Q2",
        "province": province,
        "district": None,
        "sex": "_T",
        "breakdown": "_T",
        "breakdown_value": "_T",
        "unit": "percent",
        "numerator": numerator,
        "denominator": denominator,
        "value": 100 * numerator / denominator,
    }


def test_knowing_the_own_province_gives_no_other_province_back():
    # Attapeu and Sekong are small; the public sees neither, and the national total stays visible beside Vientiane.
    tidy = pd.DataFrame([cell("LA", 20, 100), cell(OWN, 3, 40), cell("LA-XE", 2, 30), cell("LA-VT", 15, 30)])
    public = data.public_values(tidy, 5)
    assert public.set_index("province")["suppressed"].to_dict() == {
        "LA": False,
        OWN: True,
        "LA-XE": True,
        "LA-VT": False,
    }
    scoped = data.scoped_values(tidy, public, OWN).set_index("province")
    # Attapeu's own figures are shown; then LA − AT − VT would give Sekong, so one more cell is hidden.
    assert scoped.loc[OWN, "numerator"] == 3 and not scoped.loc[OWN, "suppressed"]
    assert scoped.loc["LA-XE", "suppressed"] and np.isnan(scoped.loc["LA-XE", "numerator"])
    assert scoped.loc["LA", "suppressed"] or scoped.loc["LA-VT", "suppressed"]
    others = scoped.drop(index=OWN)
    assert others.loc[others["suppressed"], ["numerator", "denominator", "value"]].isna().all().all()
    assert (others.loc[others["suppressed"], "suppressed_label"] == "suppressed").all()


def test_the_scoped_table_of_the_sample(dashboard_warehouse):
    from indicators import api

    version = api.current_version()
    tidy = api.indicator_values(version)
    public = data.public_values(tidy, 5)
    scoped = data.scoped_values(tidy, public, OWN)
    own = scoped[scoped["province"] == OWN]
    # The own province is complete and as computed (district detail included); nothing of it is hidden.
    assert len(own) == (tidy["province"] == OWN).sum() and not own["suppressed"].any()
    merged = own.merge(tidy, on=list(suppression.CELL_COLUMNS), suffixes=("", "_computed"))
    pd.testing.assert_series_equal(merged["value"], merged["value_computed"], check_names=False)
    # Every other province: never a small count, and at least everything the public does not see stays hidden.
    others = scoped[scoped["province"] != OWN]
    assert small_person_counts(others[~others["suppressed"]]) == []
    outside = public["province"] != OWN
    assert (scoped.loc[: len(public) - 1][outside]["suppressed"] >= public[outside]["suppressed"]).all()
    # What the account may now work out by subtraction is only what its own figures make up (national cells).
    # (The indicator layer's audit: every figure equation that holds, numerators and denominators apart.)
    rows = scoped.loc[: len(public) - 1]
    computed = tidy[tidy["district"].isna() | (tidy["breakdown"] == "_T")].reset_index(drop=True)
    assert suppression.audit(public, computed).empty
    newly = set(suppression.audit(rows, computed).index) - set(suppression.audit(public, computed).index)
    assert all(rows.loc[row, "province"] == "LA" for row in newly)


@pytest.mark.parametrize("page,params", SCOPED_VIEWS)
def test_a_provincial_account_sees_other_provinces_as_the_public_does(
    dashboard_warehouse, accounts, downloads, page, params
):
    at = run_as(page, "attapeu", params, role="commission", province=OWN)
    assert not at.exception
    frames = [d.value for d in at.dataframe]
    assert frames and downloads
    for frame in frames:
        assert small_person_counts(other_provinces(frame)) == [], frame.columns.tolist()
    tables = [pd.read_csv(io.BytesIO(b), encoding="utf-8-sig") for b in downloads if not b.startswith(b"PK")]
    for table in tables:
        assert small_person_counts(other_provinces(table)) == [], table.columns.tolist()


def test_every_value_download_hides_other_provinces_small_cells_but_not_the_own(
    dashboard_warehouse, accounts, downloads
):
    at = run_as("pages/indicator.py", "attapeu", {"indicator": "SI_COV_UEMP"}, role="commission", province=OWN)
    every_value = pd.read_csv(io.BytesIO(downloads[-2]), encoding="utf-8-sig")  # the last table's CSV
    # It holds hidden figures, so it ends with the privacy sentence (issue 14), in its first column.
    assert every_value.iloc[-1, 0] == "Figures based on fewer than 5 persons are hidden to protect privacy."
    every_value = every_value.iloc[:-1]
    assert len(every_value) == len(at.dataframe[-1].value)
    others = other_provinces(every_value)
    assert (others["value"] == "suppressed").sum() > 0 and small_person_counts(others) == []
    own = every_value[every_value["province"] == OWN]
    assert not (own["value"] == "suppressed").any()
    assert small_person_counts(own), "Attapeu's own small cells are shown to its commission"
