"""Every page's charts in a real browser, as a donor sees them, at desktop (1280 px) and phone (390 px) width:
screenshots to SP_ARTIFACTS, and what can be measured on the drawn SVG (issue 14) — no label under 11 px, no value
label cut at the figure's edge, no chart wider than the screen, the toolbar clear of the title."""

from __future__ import annotations

import pytest

import shutil
from pathlib import Path

import settings
from tests.browser_fixtures import CHROMIUM, CHROMIUM_ARGS, save

# page, URL parameters, charts expected on it (for a donor, sample data)
PAGES = [
    ("coverage", "indicator=SI_COV_BENFTS", 4),
    ("payments", "", 7),
    ("coordination", "", 5),
    ("province", "province=LA-AT", 1),
    ("indicator", "indicator=COORD_GRIEVANCE_TIMELY", 6),
    ("indicator", "indicator=COORD_GRIEVANCE_TIMELY&lang=lo", 6),
]

# For each drawn chart: its width, the smallest font size of its text, value labels reaching past its edges, and
# whether the (hover) toolbar's box overlaps the title's.
MEASURE = """() => [...document.querySelectorAll('.js-plotly-plot')].map(plot => {
    const box = plot.getBoundingClientRect();
    const texts = [...plot.querySelectorAll('text')].filter(t => t.textContent.trim() && t.getBBox().width > 0);
    const sizes = texts.map(t => parseFloat(getComputedStyle(t).fontSize));
    const cut = [...plot.querySelectorAll('text.bartext, .funnellayer text')].filter(t => {
        const r = t.getBoundingClientRect();
        return r.width > 0 && (r.right > box.right + 1 || r.left < box.left - 1);
    }).map(t => t.textContent);
    const title = plot.querySelector('.gtitle'), bar = plot.querySelector('.modebar');
    let covered = false;
    if (title && bar) {
        const a = title.getBoundingClientRect(), b = bar.getBoundingClientRect();
        covered = b.width > 0 && a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
    }
    return {title: title ? title.textContent : '', width: box.width, smallest: Math.min(...sizes), cut, covered};
})"""


def save_element(locator, tmp_path: Path, name: str) -> Path:
    """One element's screenshot (the page scrolls inside Streamlit's main block, which a full-page shot misses),
    copied to $SP_ARTIFACTS when set."""
    shot = tmp_path / name
    locator.screenshot(path=str(shot))
    if settings.ARTIFACTS.value():
        Path(settings.ARTIFACTS.value()).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(settings.ARTIFACTS.value()) / name)
    return shot


@pytest.mark.browser
@pytest.mark.slow
def test_every_chart_reads_right_at_desktop_and_phone_width_for_a_donor(sample_server, tmp_path):
    from playwright.sync_api import sync_playwright

    problems = []
    base = sample_server
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for width, height in ((1280, 900), (390, 844)):
            page = browser.new_page(viewport={"width": width, "height": height})
            for name, query, expected in PAGES:
                page.goto(f"{base}/{name}?{query}")
                page.wait_for_function(
                    f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= {expected}",
                    timeout=90_000,
                )
                page.wait_for_timeout(2500)  # the last traces and fonts settle
                lang = "-lo" if "lang=lo" in query else ""
                save(page, tmp_path, f"charts-{name}{lang}-{width}.png")
                for index in range(expected):
                    save_element(
                        page.locator("[data-testid='stPlotlyChart']").nth(index),
                        tmp_path,
                        f"charts-{name}{lang}-{width}-{index}.png",
                    )
                drawn = page.evaluate(MEASURE)
                assert len(drawn) >= expected, (name, width, len(drawn))
                for chart in drawn:
                    where = f"{name}{lang} at {width} px, '{chart['title']}'"
                    if chart["smallest"] < 11:
                        problems.append(f"{where}: text at {chart['smallest']} px")
                    if chart["cut"]:
                        problems.append(f"{where}: labels cut at the edge: {chart['cut']}")
                    if chart["width"] > width:
                        problems.append(f"{where}: {chart['width']:.0f} px wide")
                    if chart["covered"]:
                        problems.append(f"{where}: the toolbar covers the title")
            page.close()
        browser.close()
    assert not problems, "\n".join(problems)
