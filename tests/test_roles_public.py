"""What the public (nobody signed in) can see: suppressed aggregates only — no figure of fewer than five people, no
name or id from the returns — and links that pin the data version they were shared with."""

from __future__ import annotations

import re
import shutil

import pandas as pd
import pytest

from dashboard import components, data
from indicators import disclosure as suppression
from tests.conftest import PROJECT, run_page, shown_text
from tests.roles_fixtures import accounts, fixed_return, run_as  # noqa: F401  (fixture)

THRESHOLD = 5
PERSON_COUNT_COLUMNS = ("numerator", "denominator", "payments", "made", "completed", "feedback_returned")
PUBLIC_VIEWS = [
    ("pages/overview.py", {}),
    ("pages/coverage.py", {}),
    ("pages/payments.py", {}),
    ("pages/coordination.py", {}),
    ("pages/province.py", {"province": "LA-AT"}),
    ("pages/indicator.py", {"indicator": "NSPS_SW_MECG"}),
    ("pages/indicator.py", {"indicator": "PAY_NEVER_PAID", "province": "LA-SV"}),
    ("pages/coverage.py", {"indicator": "NSPS_SW_MECG", "province": "LA-AT", "sex": "F"}),
]


def personal_data() -> set[str]:
    """Names, record ids, national ids and phone numbers of the sample MECG register (as written in the file)."""
    register = pd.read_excel(
        PROJECT / "sample_data" / "MoLSW_MECG_register_2022-06-30.xlsx", header=3, engine="calamine", dtype=str
    )
    found = set()
    for column in ("Record ID", "National ID", "Name", "Phone number"):
        found |= {v.strip() for v in register[column].dropna() if len(v.strip()) >= 8}
    return found


@pytest.fixture
def downloads(monkeypatch) -> list[bytes]:
    """Every CSV and Excel download the pages build, as bytes."""
    captured: list[bytes] = []
    for name in ("csv_bytes", "excel_bytes"):
        original = getattr(components, name)

        def recording(*args, _original=original, **kwargs):
            captured.append(_original(*args, **kwargs))
            return captured[-1]

        monkeypatch.setattr(components, name, recording)

    class ClickedWorkbook(components._Workbook):
        """The Excel download written at once, as a reader's click writes it (the page defers it to the click)."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self()

    monkeypatch.setattr(components, "_Workbook", ClickedWorkbook)
    return captured


def counts_persons() -> set[str]:
    from indicators.catalogue import all_indicators

    return {i for i, indicator in all_indicators().items() if indicator.person_based}


def small_person_counts(frame: pd.DataFrame) -> list:
    """Figures of fewer than THRESHOLD persons (indicators that count no persons, e.g. meetings, are skipped)."""
    if "indicator_id" in frame.columns:
        frame = frame[frame["indicator_id"].isin(counts_persons())]
    small = []
    for column in [c for c in PERSON_COUNT_COLUMNS if c in frame.columns]:
        numbers = pd.to_numeric(frame[column], errors="coerce")
        small += numbers[(numbers > 0) & (numbers < THRESHOLD)].tolist()
    if "unit" in frame.columns and "value" in frame.columns:
        persons = pd.to_numeric(frame.loc[frame["unit"] == "persons", "value"], errors="coerce")
        small += persons[(persons > 0) & (persons < THRESHOLD)].tolist()
    return small


def test_the_public_table_hides_every_small_cell_and_keeps_the_rest(dashboard_warehouse):
    from indicators import api

    version = api.current_version()
    every_row = api.indicator_values(version)
    public = data.public_values(every_row, THRESHOLD)
    shown = public[~public["suppressed"]]
    assert small_person_counts(shown) == []
    # District figures reach the public without a further breakdown (cycle, channel...); every other row is there.
    full = every_row[every_row["district"].isna() | (every_row["breakdown"] == "_T")].reset_index(drop=True)
    assert len(full) < len(every_row)
    assert not (public["district"].notna() & (public["breakdown"] != "_T")).any()
    assert public["suppressed"].any() and len(public) == len(full)
    # Indicators that count no persons (meetings held, roadmap actions) are never hidden.
    assert not public.loc[public["indicator_id"].isin(["COORD_MEETINGS", "COORD_ROADMAP"]), "suppressed"].any()
    assert suppression.revealed_cells(public[public["indicator_id"] == "SI_COV_UEMP"].reset_index(drop=True)).empty
    # Cells left visible keep their exact figures; hidden ones have none, nor anything derived from them.
    visible = full.loc[~public["suppressed"].to_numpy()]
    pd.testing.assert_series_equal(visible["value"].astype(float), shown["value"].astype(float).set_axis(visible.index))
    hidden = public[public["suppressed"]]
    assert hidden[["numerator", "denominator", "value", "growth_actual", "progress_ratio"]].isna().all().all()
    assert "small_cell" not in public.columns


@pytest.mark.parametrize("page,params", PUBLIC_VIEWS)
def test_a_public_page_renders_no_small_count_and_no_personal_data(dashboard_warehouse, downloads, page, params):
    at = run_page(page, params)
    assert not at.exception
    frames = [d.value for d in at.dataframe]
    assert frames, "the page shows tables"
    for frame in frames:
        assert small_person_counts(frame) == [], frame.columns.tolist()
    persons = [m.value for m in at.metric if "persons" in str(m.value)]
    for figure in persons:
        count = float(re.sub(r"[^\d.]", "", figure.split(" ")[0]) or "nan")
        assert not 0 < count < THRESHOLD, figure
    text = shown_text(at) + "\n".join(f.to_csv() for f in frames)
    blobs = [text.encode("utf-8"), *downloads]
    assert downloads, "the page offers downloads"
    for secret in personal_data():
        assert not any(secret.encode("utf-8") in blob for blob in blobs), secret
    for csv in (b for b in downloads if not b.startswith(b"PK")):  # Excel files are zipped: checked as CSV twins
        table = pd.read_csv(pd.io.common.BytesIO(csv), encoding="utf-8-sig")
        assert small_person_counts(table) == []


def test_a_suppressed_cell_reads_suppressed_never_zero_or_no_data(dashboard_warehouse, downloads):
    at = run_page("pages/indicator.py", {"indicator": "SI_COV_UEMP"})
    every_value = at.dataframe[-1].value
    hidden = every_value[every_value["value"] == suppression.SUPPRESSED_LABEL]
    assert len(hidden), "unemployment benefits have small provincial cells in the sample"
    assert (hidden["numerator"] == "suppressed").all()
    csv = pd.read_csv(pd.io.common.BytesIO(downloads[-2]), encoding="utf-8-sig")
    assert (csv["value"] == "suppressed").sum() == len(hidden)
    assert "suppressed" not in csv.columns and "suppressed_label" not in csv.columns


def test_a_signed_in_member_sees_the_figures_as_computed(dashboard_warehouse, accounts):
    from indicators import api

    at = run_as("pages/indicator.py", "member", {"indicator": "NSPS_SW_MECG"}, role="commission")
    every_value = at.dataframe[-1].value
    assert not (every_value["value"].astype(str) == "suppressed").any()
    full = api.indicator_values(api.current_version())
    assert len(every_value) == (full["indicator_id"] == "NSPS_SW_MECG").sum()


@pytest.fixture
def two_versions(sample_warehouse, tmp_path, monkeypatch):
    """The sample warehouse plus a second version (the fixed school-meals return), v0002 current."""
    import streamlit as st

    from data_pipeline import refresh
    from data_pipeline.secrets import DEMO_HASH_KEY

    root = tmp_path / "warehouse"
    shutil.copytree(sample_warehouse, root)
    assert refresh.refresh([fixed_return(tmp_path)], root=root, operator="test", hash_key=DEMO_HASH_KEY).published
    monkeypatch.setenv("SP_WAREHOUSE", str(root))
    st.cache_data.clear()
    return root


def test_a_shared_link_pins_its_version_on_every_page(two_versions):
    at = run_page("pages/overview.py", {"version": "v0001", "province": "LA-PH"})
    assert not at.exception
    captions = "\n".join(c.value for c in at.sidebar.caption)
    assert "Data version **v0001**" in captions
    assert "the current data are **v0002**" in "\n".join(i.value for i in at.sidebar.info)
    assert any(code.value == "?version=v0001&province=LA-PH" for code in at.code)
    at.query_params.clear()  # navigation clears the address bar; the version follows the reader
    at.switch_page("pages/coverage.py").run()
    assert "Data version **v0001**" in "\n".join(c.value for c in at.sidebar.caption)
    assert at.query_params["version"] == "v0001"
    next(b for b in at.sidebar.button if b.label == "Show the current data").click().run()
    assert "Data version **v0002**" in "\n".join(c.value for c in at.sidebar.caption)
    assert "version" not in at.query_params


def test_the_pinned_version_gives_that_versions_numbers(two_versions, accounts):
    # Signed in, to compare the figures as computed (and to skip suppressing two more versions).
    old = run_as("pages/indicator.py", "member", {"indicator": "NSPS_SW_MEALS", "version": "v0001"}, role="commission")
    new = run_as("pages/indicator.py", "member", {"indicator": "NSPS_SW_MEALS"}, role="commission")
    assert old.dataframe[-1].value["data_version"].unique().tolist() == ["v0001"]
    assert new.dataframe[-1].value["data_version"].unique().tolist() == ["v0002"]
    # v0002 corrects three districts of 2022-Q2: the same cells, some with other figures.
    figures = [c for c in old.dataframe[-1].value.columns if c != "data_version"]
    before, after = (t.dataframe[-1].value[figures].reset_index(drop=True) for t in (old, new))
    assert len(before) == len(after) and not before.equals(after)


def test_a_bad_version_in_a_link_warns_and_shows_the_current_data(two_versions, accounts):
    at = run_as("pages/overview.py", "member", {"version": "v0099"}, role="commission")
    assert not at.exception
    warning = "\n".join(w.value for w in at.warning)
    assert "**v0099** is not a published data version" in warning and "v0002, v0001" in warning
    assert "Data version **v0002**" in "\n".join(c.value for c in at.sidebar.caption)
    assert "version" not in at.query_params
