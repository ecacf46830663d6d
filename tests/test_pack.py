"""The meeting pack (issue 12): the command's PDF read back with pypdfium2 — the same headline figures as the
overview, the public pack hiding what the public views hide, the Lao pack in Lao, the command's errors.

Packs are built once per module by the real command (`python -m dashboard.pack`). Only the public English pack draws
its charts (chromium, a few seconds); the others are built with ``SP_CHROMIUM`` pointing nowhere, which also shows
the tables-only fallback.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import PROJECT, run_page

pdfium = pytest.importorskip("pypdfium2")


def build_pack(warehouse: Path, out: Path, *args: str, charts: bool = False) -> subprocess.CompletedProcess:
    env = {**os.environ, "SP_WAREHOUSE": str(warehouse)}
    if not charts:
        env["SP_CHROMIUM"] = str(out.parent / "no-chromium-here")
    return subprocess.run(
        [sys.executable, "-m", "dashboard.pack", str(out), *args],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def page_texts(path: Path) -> list[str]:
    document = pdfium.PdfDocument(str(path))
    try:
        return [document[i].get_textpage().get_text_range() for i in range(len(document))]
    finally:
        document.close()


# The public pack with its charts measured 542 KB once its "suppressed" bands were drawn without a hatch (6.8 MB
# with one: chromium's PDF export rasterises SVG patterns); the commission pack 535 KB.
PUBLIC_PACK_MAX_KB = 1200


@pytest.fixture(scope="module")
def pack_folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("packs")


@pytest.fixture(scope="module")
def packs(sample_warehouse, pack_folder) -> dict[str, list[str]]:
    folder = pack_folder
    kinds = {
        "en-public": (["--lang", "en", "--audience", "public"], True),
        "en-commission": (["--lang", "en", "--audience", "commission"], False),
        "lo-public": (["--lang", "lo", "--audience", "public"], False),
        "en-public-AT": (["--lang", "en", "--audience", "public", "--province", "LA-AT"], False),
    }
    texts = {}
    for name, (args, charts) in kinds.items():
        done = build_pack(sample_warehouse, folder / f"{name}.pdf", *args, charts=charts)
        assert done.returncode == 0, done.stderr
        texts[name] = page_texts(folder / f"{name}.pdf")
    return texts


def section_page(texts: list[str], heading: str) -> str:
    """The text of the page a section starts on (its heading, after the contents page)."""
    return next(text for text in texts[2:] if text.lstrip().startswith(heading))


def test_the_cover_says_what_the_pack_is(packs):
    cover = packs["en-public"][0]
    assert "Social protection meeting pack" in cover
    assert "Lao PDR (national)" in cover
    assert "Public edition" in cover
    assert "Sample data" in cover
    assert re.search(r"Data version\s+v\d{4}", cover)
    assert "Commission edition" in packs["en-commission"][0]
    contents = packs["en-public"][1]
    for heading in ("Summary", "Coverage", "Payment delays", "Coordination", "Provincial Coordination Index"):
        assert heading in contents
    total = len(packs["en-public"])
    assert f"Page 3 / {total}" in packs["en-public"][2]


def test_the_summary_holds_the_overview_pages_headline_figures(packs, dashboard_warehouse):
    at = run_page("pages/overview.py")
    assert not at.exception
    tiles = [(m.label, m.value) for m in at.metric]
    assert len(tiles) == 5
    summary = " ".join(section_page(packs["en-public"], "Summary").split())
    for label, value in tiles:
        assert f"{label} {value}" in summary, (label, value)


def test_charts_are_drawn_with_a_browser_and_said_missing_without(packs):
    drawn = "\n".join(packs["en-public"])
    assert "Trend (both sexes)" in drawn  # the chart's own title, text inside the embedded vector chart
    assert "Charts are left out" not in drawn
    assert "Boundaries: OCHA COD-AB Lao PDR (2019), via HDX" in drawn
    assert "Charts are left out of this pack" in " ".join("\n".join(packs["en-commission"]).split())


def grievance_rows(texts: list[str]) -> dict[str, str]:
    """Province -> its row in the table 'Grievances resolved in time, by province' (one line of text each)."""
    start = next(i for i, text in enumerate(texts) if "Grievances resolved in time, by province" in text)
    # The table may run onto the next page (its header repeats there).
    table = "\n".join(texts[start : start + 2]).split("Grievances resolved in time, by province", 1)[1]
    rows = {}
    for line in table.splitlines():
        match = re.match(r"^([A-Z][A-Za-z ]+?) (\d{4}-Q\d) (.*)$", line.strip())
        if match:
            rows.setdefault(match.group(1), match.group(3))
    return rows


def test_the_public_pack_reads_suppressed_where_the_commission_has_a_number(packs, dashboard_warehouse):
    from indicators import api

    public = api.indicator_values(api.current_version(), public=True)
    rows = public[
        (public["indicator_id"] == "COORD_GRIEVANCE_TIMELY")
        & (public["province"] != "LA")
        & public["district"].isna()
        & (public["sex"] == "_T")
        & (public["breakdown"] == "_T")
    ]
    latest = rows[rows["period"] == rows["period"].max()]
    hidden = set(latest.loc[latest["suppressed"].astype(bool), "province"])
    assert hidden, "the sample data hides some provinces' grievances: the test needs one"
    from data_pipeline.reference import reference_rows

    names = {r["iso_code"]: r["name_en"] for r in reference_rows("provinces")}
    member, reader = grievance_rows(packs["en-commission"]), grievance_rows(packs["en-public"])
    for code in hidden:
        name = names[code]
        assert "suppressed" not in member[name] and re.search(r"\d", member[name]), member[name]
        assert reader[name].split() == ["suppressed"] * 3, reader[name]
    whole_public = "\n".join(packs["en-public"])
    assert whole_public.count("suppressed") > len(hidden)
    assert "suppressed" not in "\n".join(packs["en-commission"]).replace("Small numbers", "")


def pci_rows(texts: list[str]) -> dict[str, str]:
    """Province -> the rest of its row in the PCI ranking table ('17 Oudomxay suppressed ⚑ yes')."""
    start = next(i for i, text in enumerate(texts) if text.lstrip().startswith("Provincial Coordination Index"))
    rows = {}
    for line in "\n".join(texts[start : start + 2]).splitlines():
        match = re.match(r"^\d+ ([A-Z][A-Za-z ]+?) (suppressed|no data|\d\.\d\d)\b", line.strip())
        if match:
            rows.setdefault(match.group(1), match.group(2))
    return rows


def test_a_pci_score_hidden_from_the_public_reads_suppressed_not_no_data(packs, dashboard_warehouse):
    from indicators import api, disclosure

    version = api.current_version()
    public_pci = disclosure.public_pci(api.supporting_table(version, "pci"), api.public_table(version))
    latest = public_pci[(public_pci["period"] == public_pci["period"].max()) & (public_pci["province"] != "LA")]
    hidden = latest[latest["score_suppressed"].astype(bool)]
    assert len(hidden), "the sample hides some provinces' PCI from the public: the test needs one"
    from data_pipeline.reference import reference_rows

    names = {r["iso_code"]: r["name_en"] for r in reference_rows("provinces")}
    member, reader = pci_rows(packs["en-commission"]), pci_rows(packs["en-public"])
    for code in hidden["province"]:
        assert re.fullmatch(r"\d\.\d\d", member[names[code]]), member[names[code]]
        assert reader[names[code]] == "suppressed"


def letters_in_lao(text: str) -> float:
    letters = [c for c in text if unicodedata.category(c).startswith("L")]
    return sum("\u0e80" <= c <= "\u0eff" for c in letters) / max(len(letters), 1)


def test_the_lao_pack_is_in_lao(packs):
    # Typst's PDF repeats some Lao clusters in extracted text ("ປະຊຸຊຸມ"), so the test counts Lao letters and looks
    # for words that survive extraction whole rather than comparing sentences.
    lao = "\n".join(packs["lo-public"])
    assert letters_in_lao(lao) > 0.85
    assert letters_in_lao("\n".join(packs["en-public"])) < 0.01
    for word in ("ສາລະບານ", "ສປປ ລາວ", "ໄຕມາດ"):  # contents, Lao PDR, quarter
        assert word in lao
    assert "ໄຕມາດ" in packs["lo-public"][0]  # the period on the cover, in Lao ("quarter")


def test_unknown_period_province_or_version_exit_2_with_what_is_accepted(dashboard_warehouse, capsys, tmp_path):
    from dashboard.pack.__main__ import main

    out = tmp_path / "pack.pdf"
    assert main([str(out), "--period", "2099-Q1"]) == 2
    error = capsys.readouterr().err
    assert "Unknown period 2099-Q1" in error and "2022-Q2" in error
    assert main([str(out), "--province", "LA-ZZ"]) == 2
    assert "Unknown province LA-ZZ" in capsys.readouterr().err
    assert main([str(out), "--version", "v9999"]) == 2
    assert "Unknown data version v9999" in capsys.readouterr().err
    assert main([str(out), "--province", "LA-ZZ", "--lang", "lo"]) == 2
    assert "ບໍ່ຮູ້ຈັກແຂວງ LA-ZZ" in capsys.readouterr().err
    assert not out.exists()


def test_no_warehouse_is_a_clear_error(monkeypatch, tmp_path, capsys):
    import streamlit as st

    from dashboard.pack.__main__ import main

    monkeypatch.setenv("SP_WAREHOUSE", str(tmp_path / "empty"))
    st.cache_data.clear()
    assert main([str(tmp_path / "pack.pdf")]) == 2
    assert "No data warehouse has been built yet" in capsys.readouterr().err


def test_the_overview_and_the_province_profile_offer_the_pack(dashboard_warehouse):
    for page, params in (("pages/overview.py", {}), ("pages/province.py", {"province": "LA-AT"})):
        at = run_page(page, params)
        assert not at.exception
        assert [b.label for b in at.button if b.key == "sp_meeting_pack"] == ["Download the meeting pack (PDF)"]


def test_the_public_pack_with_its_charts_stays_small(packs, pack_folder):
    size_kb = (pack_folder / "en-public.pdf").stat().st_size / 1024
    assert 100 < size_kb < PUBLIC_PACK_MAX_KB, size_kb


def test_the_contents_page_says_what_the_pack_is_and_keys_its_symbols(packs):
    public, member = (" ".join(packs[kind][1].split()) for kind in ("en-public", "en-commission"))
    for page in (public, member):
        assert "About this pack" in page and "How to read it" in page
        assert "from data version v0" in page
        assert "✔ Target achieved · ▲ On track" in page and "⚑" in page and "pts" in page
    assert "Small numbers (1 to 4)" in public and "suppressed" in public
    assert "suppressed" not in member
    assert "ປິດບັງ" in packs["lo-public"][1]  # "suppressed", in the Lao pack's key


def test_printed_charts_draw_suppressed_without_a_hatch_but_with_the_word_and_a_legend_entry():
    from dashboard import charts
    from dashboard.pack import figures

    frame = pd.DataFrame({"province": ["A", "B", "C"], "value": [60.0, None, 40.0], "suppressed": [False, True, False]})
    screen = charts.bars(frame, category="province", value="value", unit="percent", title="Grievances")
    [band] = [tr for tr in screen.data if charts.is_suppressed_band(tr)]
    assert band.marker.pattern.shape == "/"  # the screen keeps its hatch
    printed = figures.for_print(screen)
    [band] = [tr for tr in printed.data if charts.is_suppressed_band(tr)]
    assert not band.marker.pattern.shape and band.opacity == 1
    assert band.marker.color.startswith("#") and band.marker.color != "#ffffff"
    assert set(band.text) == {"suppressed"} and band.showlegend and band.name == "suppressed"
    assert screen.data[1].marker.pattern.shape == "/"  # printing works on a copy

    series = pd.DataFrame({"period": ["2022-Q1", "2022-Q1"], "channel": ["cash", "wallet"], "value": [10.0, 20.0]})
    grouped = charts.grouped_bars(series, x="period", y="value", series="channel", unit="percent", title="T")
    assert [tr.marker.pattern.shape for tr in grouped.data] == ["", "/"]
    assert not any(tr.marker.pattern.shape for tr in figures.for_print(grouped).data)


def test_the_days_late_chart_of_the_pack_keeps_its_labels_apart(dashboard_warehouse):
    from dashboard import charts, data, i18n
    from dashboard.pack import content
    from dashboard.pack.request import checked_request

    with data.as_audience(data.PUBLIC), i18n.in_language("en"):
        request = checked_request(version=None, period=None, province=None, language="en", audience=data.PUBLIC)
        days_late = content.document(request).charts["payments_days_late"]
    # Bins down the side, one per line (six side by side at the pack's width ran into each other).
    [bar] = [tr for tr in days_late.data if not charts.is_suppressed_band(tr)]
    assert bar.orientation == "h" and len(bar.y) == 6
    assert all(len(line) <= charts.LABEL_WIDTH for label in bar.y for line in label.split("<br>"))


def test_a_roadmap_action_not_yet_due_is_not_late(packs, dashboard_warehouse):
    from dashboard import data

    roadmap = data.supporting(data.current_version(), "roadmap")
    # The pack is for 2022-Q2 (the latest quarter): actions due after 30 June 2022 and not done are not late yet.
    ahead = roadmap[roadmap["completed_date"].isna() & (pd.to_datetime(roadmap["due_date"]) > "2022-06-30")]
    overdue = roadmap[roadmap["completed_date"].isna() & (pd.to_datetime(roadmap["due_date"]) <= "2022-06-30")]
    assert len(ahead) and len(overdue)
    text = " ".join("\n".join(packs["en-commission"]).split())

    def on_time(action: str) -> str:
        """The action's 'On time' cell: the first of the three words after its id."""
        row = text.split(action + " ", 1)[1]
        return min(("not yet due", "✘ no", "✔ yes"), key=lambda word: row.find(word) % (len(row) + 1))

    assert {on_time(a) for a in ahead["action_id"]} == {"not yet due"}
    assert {on_time(a) for a in overdue["action_id"]} == {"✘ no"}


def test_a_provinces_hidden_figure_is_compared_as_suppressed_not_no_data(packs, dashboard_warehouse):
    from dashboard import data

    with data.as_audience(data.PUBLIC):
        profile = data.province_profile(data.current_version(), "LA-AT", "_T", None)
    hidden = profile[profile["suppressed"].fillna(False).astype(bool)]
    assert len(hidden), "the sample hides some of Attapeu's figures from the public: the test needs one"
    page = next(text for text in packs["en-public-AT"] if text.lstrip().startswith("Attapeu compared with Lao PDR"))
    assert f"Suppressed: {len(hidden)}." in " ".join(page.split())
    for name in hidden["short_name"]:
        [line] = [line for line in page.splitlines() if line.startswith(name + " ")]
        assert line.split()[-1] == "suppressed" and "no data" not in line, line


def test_sums_over_quarters_say_which_quarters(packs):
    text = " ".join("\n".join(packs["en-commission"]).split())
    assert re.search(r"Commission meetings: planned vs held \(\d{4}-Q\d – \d{4}-Q\d\)", text)


def test_printed_titles_use_the_page_width_and_drop_the_toolbar_strip():
    from dashboard import charts
    from dashboard.pack import figures

    frame = pd.DataFrame({"period": ["2022-Q1", "2022-Q2"], "value": [1.0, 2.0]})
    screen = charts.lines(
        frame, x="period", y="value", series=None, unit="percent", title="MECG paid on time: digital wallet vs cash"
    )
    assert screen.layout.title.text.count("<br>") == 1  # wrapped for a phone
    printed = figures.for_print(screen)
    assert printed.layout.title.text == "MECG paid on time: digital wallet vs cash"
    assert printed.layout.title.pad.t < charts.TOOLBAR_STRIP
    saved = figures.TITLE_LINE_PX + charts.TOOLBAR_STRIP - printed.layout.title.pad.t
    assert printed.layout.margin.t == screen.layout.margin.t - saved
    assert printed.layout.height == screen.layout.height - saved
