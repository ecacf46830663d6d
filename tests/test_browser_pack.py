"""End to end: the overview's *Download the meeting pack (PDF)* button under `streamlit run`, in headless chromium.
The saved PDF's first page is rendered to PNG (kept in SP_ARTIFACTS) and checked to be a real cover."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import settings
from tests.browser_fixtures import CHROMIUM, CHROMIUM_ARGS


@pytest.mark.browser
@pytest.mark.slow
def test_the_overview_button_builds_and_saves_the_meeting_pack(sample_server, tmp_path):
    import pypdfium2 as pdfium
    from playwright.sync_api import sync_playwright

    base = sample_server
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 1800}, accept_downloads=True)
        page.goto(f"{base}/overview")
        page.get_by_role("heading", name="Social protection scorecard").wait_for(timeout=90_000)
        page.get_by_role("button", name="Download the meeting pack (PDF)").click()
        save = page.get_by_role("button", name="Save the meeting pack")
        save.wait_for(timeout=120_000)
        with page.expect_download(timeout=60_000) as download:
            save.click()
        pdf_path = tmp_path / download.value.suggested_filename
        download.value.save_as(pdf_path)
        browser.close()

    assert pdf_path.name.endswith("_public_en.pdf")
    document = pdfium.PdfDocument(str(pdf_path))
    try:
        assert len(document) > 10
        cover = document[0]
        assert "Social protection meeting pack" in cover.get_textpage().get_text_range()
        image = cover.render(scale=1.5).to_pil().convert("L")
    finally:
        document.close()
    shot = tmp_path / "meeting_pack_page1.png"
    image.save(shot)
    if settings.ARTIFACTS.value():
        Path(settings.ARTIFACTS.value()).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(settings.ARTIFACTS.value()) / shot.name)
    # A real page: A4 portrait, mostly white paper with a fair amount of ink (title, table, sample-data box).
    width, height = image.size
    assert 1.35 < height / width < 1.48
    histogram = image.histogram()
    dark = sum(histogram[:128]) / (width * height)
    assert 0.005 < dark < 0.3, dark
