"""What readers see (issue 14): words, not internals; 'suppressed' where a figure is hidden; one privacy sentence on
exactly the pages that hide something; a file name with a NUL byte refused in words."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from tests.conftest import shown_text
from tests.roles_fixtures import accounts, run_as  # noqa: F401  (fixture)

NOTE = "Figures based on fewer than 5 persons are hidden to protect privacy."
PUBLIC_PAGES = [
    ("pages/overview.py", {}),
    ("pages/overview.py", {"province": "LA-XS"}),
    ("pages/coverage.py", {"province": "LA-XS", "indicator": "SI_COV_UEMP"}),
    ("pages/payments.py", {}),
    ("pages/coordination.py", {}),
    ("pages/province.py", {"province": "LA-XS"}),
    ("pages/indicator.py", {"indicator": "COORD_GRIEVANCE_TIMELY", "province": "LA-XS"}),
]
INTERNAL_WORDS = re.compile(r"\b(None|nan|NaN|NaT)\b|\{'|00:00:00|\d{4}-\d{2}-\d{2}T\d{2}|sdg_131|\w+_days\b")


def shown_grids(at) -> list[tuple[list[str], pd.DataFrame]]:
    """Each grid as the reader sees it: its column titles and the cells of its shown columns."""
    grids = []
    for grid in at.dataframe:
        config = json.loads(grid.proto.columns or "{}")
        columns = list(grid.proto.column_order) or [
            c for c in grid.value.columns if not config.get(c, {}).get("hidden")
        ]
        titles = [config.get(c, {}).get("label") or c for c in columns]
        grids.append((titles, grid.value[columns]))
    return grids


SHARE_NOTE = "(without signing in, small numbers are suppressed)"  # the 'Copy link' box's words, on every page


def everything_shown(at) -> str:
    """Every text, tile and grid cell of a run, the privacy sentences themselves left out."""
    cells = [" ".join(frame.map(str).to_numpy().ravel()) for _, frame in shown_grids(at)]
    return (shown_text(at) + "\n" + "\n".join(cells)).replace(SHARE_NOTE, "").replace(NOTE, "")


@pytest.mark.parametrize(
    ("page", "params", "user"), [(*p, None) for p in PUBLIC_PAGES] + [("pages/data_status.py", {}, "officer")]
)
def test_no_internals_in_titles_cells_or_text(dashboard_warehouse, accounts, page, params, user):
    at = run_as(page, user, params)
    assert not at.exception
    for titles, frame in shown_grids(at):
        assert not [t for t in titles if "_" in t], titles  # 'As of', never 'as_of_date'
        text = frame.select_dtypes(exclude="number")
        assert not text.isna().any().any(), titles  # a gap reads 'no data' or '—', never None
        bad = [str(v) for v in text.to_numpy().ravel() if isinstance(v, str) and INTERNAL_WORDS.search(v)]
        assert not bad, (titles, bad[:3])
    words = [line for line in shown_text(at).splitlines() if line.strip() not in ("None.",)]
    bad = [line for line in words if INTERNAL_WORDS.search(line)]
    assert not bad, bad[:3]


def test_data_status_reads_as_words(dashboard_warehouse, accounts):
    at = run_as("pages/data_status.py", "officer")
    grids = dict((tuple(titles), frame) for titles, frame in shown_grids(at))
    versions = next(frame for titles, frame in grids.items() if "Created" in titles)
    assert versions["table_rows"].iloc[0].startswith("Capacity building: ")  # was "{'capacity_building': 6, …}"
    assert re.fullmatch(r"\d{1,2} [A-Z][a-z]+ \d{4}, \d{2}:\d{2}", versions["created_at"].iloc[0])
    files = next(frame for titles, frame in grids.items() if "SHA-256 checksum" in titles)
    assert files["periods"].str.contains("; ").any()  # a list as a list, not "['2020-Q1', …]"


@pytest.mark.parametrize(("page", "params"), PUBLIC_PAGES)
def test_the_privacy_sentence_is_on_exactly_the_pages_that_hide_a_figure(dashboard_warehouse, accounts, page, params):
    public = run_as(page, None, params)
    hides = "suppressed" in everything_shown(public)
    notes = [c.value for c in public.caption if c.value == NOTE]
    assert len(notes) == (1 if hides else 0), (page, params, hides, notes)
    member = run_as(page, "officer", params)  # sees every figure as computed: nothing hidden, nothing to explain
    assert "suppressed" not in everything_shown(member) and not [c for c in member.caption if c.value == NOTE]


def test_some_page_hides_a_figure_and_says_why(dashboard_warehouse, accounts):
    at = run_as("pages/province.py", None, {"province": "LA-XS"})
    assert NOTE in [c.value for c in at.caption]


def test_a_hidden_tile_reads_suppressed_where_the_member_has_a_number(dashboard_warehouse, accounts):
    params = {"province": "LA-XS", "indicator": "SI_COV_UEMP"}
    public = {m.label: m.value for m in run_as("pages/coverage.py", None, params).metric}
    member = {m.label: m.value for m in run_as("pages/coverage.py", "officer", params).metric}
    tile = "Xaisomboun, both sexes"
    assert public[tile] == "suppressed"  # never an older quarter's value, never "no data"
    assert re.fullmatch(r"[\d.,]+%", member[tile]), member[tile]
    assert public["Men and boys"] == "suppressed" and member["Men and boys"] != "suppressed"


def test_the_province_profile_says_suppressed_and_compares_nothing_hidden(dashboard_warehouse, accounts):
    at = run_as("pages/province.py", None, {"province": "LA-XS"})
    profile = pd.concat([frame for _, frame in shown_grids(at) if "province_value" in frame.columns])
    hidden = profile[profile["province_value"] == "suppressed"]
    assert len(hidden) and (hidden["compared_with_national"] == "suppressed").all()
    either = (profile["province_value"] == "suppressed") | (profile["national"] == "suppressed")
    assert ((profile["compared_with_national"] == "suppressed") == either).all()


def test_a_download_with_a_hidden_figure_ends_with_the_privacy_sentence(dashboard_warehouse, monkeypatch):
    from dashboard import components

    captured = []
    original = components.csv_bytes
    monkeypatch.setattr(components, "csv_bytes", lambda frame: captured.append(frame) or original(frame))
    run_as("pages/province.py", None, {"province": "LA-XS"})
    with_hidden = [f for f in captured if f.isin(["suppressed"]).any().any()]
    assert with_hidden and all(f.iloc[-1, 0] == NOTE for f in with_hidden)
    assert all(f.iloc[-1, 0] != NOTE for f in captured if not f.isin(["suppressed"]).any().any())


def test_an_upload_whose_name_holds_a_nul_byte_is_refused_in_words(tmp_path):
    from dashboard import i18n, refresh_flow
    from data_pipeline.secrets import DEMO_HASH_KEY

    checked = refresh_flow.check_returns(
        [("road\x00map.csv", b"action_id\nA1\n"), ("tab\tname.csv", b"a\n1\n")],
        hash_key=DEMO_HASH_KEY,
        directory=tmp_path / "upload",
    )
    assert not checked.ok and not list((tmp_path / "upload").iterdir())  # nothing written
    issues = checked.report.issues
    assert [i.file for i in issues] == ["road map.csv", "tab name.csv"]  # the name shown without its control bytes
    assert all("control characters" in i.message for i in issues)
    lao = i18n.message_text(issues[0].message, "lo")
    assert lao != issues[0].message and not re.search(r"[A-Za-z]{4,}", lao.replace("NUL", "")), lao
