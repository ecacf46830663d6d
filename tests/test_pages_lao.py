"""Every page opened with ?lang=lo reads in Lao: the English words left on it are measured, page by page.

The visible text of a run is collected (titles, headers, markdown, captions, alerts, metrics with their help,
widget labels and options, expanders, table headers, charts' titles, axes, legends and hover text) and cut into words; a word in Latin letters counts as English
unless it is a code (all capitals: SDG, LAK, ISO codes, indicator ids), a code in backticks (a source's name), or
one of the few proper names in ``PROPER_NAMES``. Lao script runs count as Lao words.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import run_page
from tests.roles_fixtures import accounts, run_as  # noqa: F401  (fixture)

LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z']+")
LAO_RUN = re.compile(r"[\u0E80-\u0EFF]+")
# Names, not words: the language switch names English in English; ministries' own acronyms.
# The test account's display name and the sample's recorded operator are names too.
PROPER_NAMES = {"English", "Language", "MoLSW", "MoH", "MoES", "MoF", "MoHA", "Excel", "Officer"}
OPERATOR_IDS = re.compile(r"\bsample-data\b")


@pytest.fixture(autouse=True)
def _forget_the_last_language():
    """Pure functions outside a run use the last run's language (see dashboard.i18n.language): not for later tests."""
    yield
    from dashboard import i18n

    i18n._last_run_language = None


def visible_text(at) -> list[str]:
    """The strings a reader sees on the page (see the module docstring)."""
    parts: list[str] = []
    for kind in (
        "title",
        "header",
        "subheader",
        "markdown",
        "caption",
        "warning",
        "info",
        "error",
        "success",
        "exception",
    ):
        parts += [str(e.value) for e in getattr(at, kind)]
    for metric in at.metric:
        parts += [metric.label, str(metric.value), metric.proto.help or "", str(metric.delta or "")]
    for kind in ("selectbox", "radio", "multiselect", "segmented_control"):
        for widget in getattr(at, kind, []):
            parts.append(widget.label)
            parts += [str(o) for o in widget.options]  # as shown (already formatted)
    for kind in ("toggle", "checkbox", "button", "text_input", "expander", "tabs"):
        for widget in getattr(at, kind, []):
            parts.append(getattr(widget, "label", "") or "")
    for frame in at.dataframe:
        config = json.loads(frame.proto.columns or "{}")
        labelled = {name: c.get("label") for name, c in config.items() if isinstance(c, dict)}
        shown = list(frame.proto.column_order) or list(frame.value.columns)  # hidden columns are not read
        for column in shown:
            parts.append(labelled.get(str(column)) or labelled.get(f"col:{column}") or str(column))
    for button in at.get("download_button"):
        parts.append(button.proto.label)
    for link in at.get("page_link"):  # the sidebar menu (dashboard.navigation)
        parts.append(link.proto.label)
    for chart in at.get("plotly_chart"):
        parts += chart_text(json.loads(chart.proto.spec))
    return parts


def chart_text(figure: dict) -> list[str]:
    """A plotly figure's words: title, axis and colour-bar titles, legend names, annotations, the fixed text of
    hover templates and the categories of a trace's axis (not the values: numbers and names of places)."""
    layout = figure.get("layout", {})
    title = lambda node: (node or {}).get("text", "") if isinstance(node, dict) else str(node or "")  # noqa: E731
    parts = [title(layout.get("title")), title((layout.get("title") or {}).get("subtitle"))]
    parts += [title(axis.get("title")) for name, axis in layout.items() if name.startswith(("xaxis", "yaxis"))]
    parts += [a.get("text", "") for a in layout.get("annotations", [])]
    for trace in figure.get("data", []):
        parts.append(str(trace.get("name") or ""))
        parts.append(re.sub(r"%\{[^}]*\}|<[^>]*>", " ", trace.get("hovertemplate") or ""))
        parts.append(title((trace.get("colorbar") or {}).get("title")))
        if trace.get("type") == "funnel":
            parts += [str(v) for v in trace.get("y", [])]
    return [re.sub(r"<[^>]*>", " ", part) for part in parts]  # line breaks (<br>) are markup, not words


def english_words(parts: list[str]) -> tuple[list[str], int]:
    """(English words found, number of words in all)."""
    found, total = [], 0
    for part in parts:
        text = re.sub(r"`[^`]*`", " ", part)  # codes in backticks
        text = re.sub(r"<style>.*?</style>", " ", text, flags=re.S)  # a page's CSS, never shown
        text = OPERATOR_IDS.sub(" ", text)
        text = re.sub(r"(?<!\w)\.[a-z]{2,7}\b", " ", text)  # file extensions (.xlsx, .csv)
        text = re.sub(r"\b[A-Z]{2}-[A-Z]{2}\b", " ", text)  # ISO 3166-2 province codes
        total += len(LAO_RUN.findall(text))
        for word in LATIN_WORD.findall(text):
            total += 1
            if word.isupper() or word in PROPER_NAMES:
                continue
            found.append(word)
    return found, total


PAGES = [
    ("pages/overview.py", {}, None),
    ("pages/coverage.py", {"province": "LA-SV", "sex": "F"}, None),
    ("pages/payments.py", {}, None),
    ("pages/coordination.py", {"rows": "province"}, None),
    ("pages/province.py", {"province": "LA-AT"}, None),
    ("pages/indicator.py", {"indicator": "PAY_ONTIME"}, None),
    ("pages/indicator.py", {"indicator": "SI_COV_BENFTS", "province": "LA-VT"}, None),
    ("pages/indicator.py", {"indicator": "PCI"}, None),
    ("pages/coordination.py", {}, None),
    ("pages/data_status.py", {}, "officer"),
]


@pytest.mark.parametrize(
    "page, params, role", PAGES, ids=[p[0].split("/")[1][:-3] + "-" + "-".join(p[1].values()) for p in PAGES]
)
def test_a_page_in_lao_has_no_english_left(dashboard_warehouse, accounts, page, params, role):
    at = run_as(page, role, {**params, "lang": "lo"})
    assert not at.exception, at.exception
    found, total = english_words(visible_text(at))
    assert total > 20, "the page showed almost nothing"
    share = len(found) / total
    assert not found, f"{page}: {len(found)} English words of {total} ({share:.1%}): {sorted(set(found))}"


def test_the_refresh_page_in_lao_has_no_english_left(dashboard_warehouse, accounts, monkeypatch, tmp_path):
    """The Secretariat's refresh page on a demonstration deployment (demo key): its own interface is Lao. The
    pipeline's validation messages show after an upload, in Lao too (tests/test_lao_messages.py)."""
    monkeypatch.delenv("SP_HASH_KEY", raising=False)
    monkeypatch.setenv("SP_HASH_KEY_FILE", str(tmp_path / "no_key"))
    monkeypatch.setenv("SP_ALLOW_DEMO_KEY", "1")
    at = run_as("pages/refresh.py", "officer", {"lang": "lo"})
    assert not at.exception, at.exception
    assert at.title[0].value == "ປັບປຸງຂໍ້ມູນ" and any("DEMO" in w.value for w in at.warning)
    found, total = english_words(visible_text(at) + [at.get("file_uploader")[0].proto.label])
    assert total > 20 and not found, f"{len(found)} English words of {total}: {sorted(set(found))}"


def test_the_same_page_in_english_is_measured_as_english(dashboard_warehouse):
    """The measure can fail: the English page is full of English words."""
    at = run_page("pages/overview.py", {"lang": "en"})
    found, total = english_words(visible_text(at))
    assert len(found) / total > 0.5


def test_lao_keeps_across_pages_and_in_the_share_link(dashboard_warehouse):
    at = run_page("pages/overview.py", {"lang": "lo", "province": "LA-AT"})
    assert at.query_params.get("lang") == "lo"
    at.query_params.clear()  # what Streamlit's navigation does to the address bar
    at.switch_page("pages/payments.py").run()
    assert not at.exception
    assert at.query_params == {"lang": "lo", "province": "LA-AT"}
    assert "ອັດຕະປື" in "\n".join(str(m.value) for m in at.markdown)  # Attapeu, in Lao script
    assert any("lang=lo" in code.value for code in at.code)


def test_the_sidebar_switch_changes_the_language_and_the_link(dashboard_warehouse):
    at = run_page("pages/coverage.py")
    assert at.title[0].value == "Coverage"
    at.sidebar.get("segmented_control")[0].set_value("lo").run()
    assert not at.exception
    assert at.title[0].value == "ການຄຸ້ມຄອງ"
    assert at.query_params.get("lang") == "lo"
    assert at.sidebar.selectbox(key="_sp_widget_sex").label == "ເພດ"


def test_the_menu_and_the_page_tab_are_in_lao(dashboard_warehouse, accounts):
    """Navigation titles and sections come from dashboard.navigation: in Lao, the Secretariat's whole menu."""
    at = run_as("pages/overview.py", "officer", {"lang": "lo"})
    links = {link.proto.page: link.proto.label for link in at.sidebar.get("page_link")}
    assert links["overview"] == "ພາບລວມ" and links["data_status"] == "ສະຖານະຂໍ້ມູນ"
    assert "refresh" in links and not any(LATIN_WORD.search(label) for label in links.values()), links
    captions = [c.value for c in at.sidebar.caption]
    assert all(section in captions for section in ("ຕິດຕາມ", "ລາຍລະອຽດ", "ຂໍ້ມູນ")), captions


def test_the_deployment_default_is_sp_lang_and_a_link_overrides_it(dashboard_warehouse, monkeypatch):
    monkeypatch.setenv("SP_LANG", "lo")
    at = run_page("pages/overview.py")
    assert at.title[0].value == "ຕາຕະລາງຜົນງານການປົກປ້ອງສັງຄົມ"
    assert "lang" not in at.query_params  # the default needs no parameter
    at = run_page("pages/overview.py", {"lang": "en"})
    assert at.title[0].value == "Social protection scorecard"
    assert at.query_params.get("lang") == "en"  # not the default here: it rides in the link


@pytest.mark.parametrize(("page", "params"), [("pages/overview.py", {}), ("pages/province.py", {"province": "LA-SV"})])
def test_an_english_reader_after_a_lao_one_gets_english_names(dashboard_warehouse, page, params):
    """The scorecard and the profile are cached per view, not per language: a Lao reader's view cached first gave
    the next English reader of the same view the indicators' Lao names."""
    lao = run_page(page, {**params, "lang": "lo"})
    english = run_page(page, params)
    lao_names, english_names = (
        next(list(grid.value["short_name"]) for grid in at.dataframe if "short_name" in grid.value.columns)
        for at in (lao, english)
    )
    assert all(LAO_RUN.search(name) for name in lao_names)
    assert not any(LAO_RUN.search(name) for name in english_names), english_names[:3]
    assert "Effective coverage: at least one benefit" in english_names
