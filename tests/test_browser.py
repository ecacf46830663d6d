"""End to end: `streamlit run app.py` on the sample warehouse, opened in headless Debian chromium with Playwright."""
from __future__ import annotations

import os

import pytest

from tests.browser_fixtures import CHROMIUM, CHROMIUM_ARGS, save, streamlit_server


@pytest.mark.browser
@pytest.mark.slow
def test_overview_and_coverage_map_render_and_keep_filters_in_a_real_browser(sample_warehouse, tmp_path):
    from playwright.sync_api import sync_playwright

    with streamlit_server({**os.environ, "SP_WAREHOUSE": str(sample_warehouse)}, tmp_path / "streamlit.log") as base:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1440, "height": 1800})

            page.goto(f"{base}/overview?province=LA-AT&sex=F")
            page.get_by_role("heading", name="Social protection scorecard").wait_for(timeout=90_000)
            page.locator("[data-testid='stMetric']").first.wait_for(timeout=60_000)
            page.get_by_text("Sample data").first.wait_for(timeout=30_000)
            assert "Lao PDR social protection monitor" in page.title()
            assert page.get_by_text("Attapeu").count() > 0
            page.wait_for_timeout(1500)
            save(page, tmp_path, "overview.png")

            # Change page through the sidebar: the filters must still be chosen, and in the address bar.
            page.locator("[data-testid='stSidebar'] [data-testid='stPageLink']").get_by_text("Coverage").click()
            page.get_by_role("heading", name="Coverage").wait_for(timeout=60_000)
            page.locator(".js-plotly-plot .choroplethlayer path").first.wait_for(timeout=60_000)
            assert page.locator(".js-plotly-plot .choroplethlayer path").count() >= 18
            page.wait_for_function("() => window.location.search.includes('province=LA-AT')", timeout=30_000)
            assert "sex=F" in page.url
            assert page.get_by_text("Boundaries: OCHA COD-AB Lao PDR (2019), via HDX").count() == 1
            page.wait_for_timeout(1500)
            shot = save(page, tmp_path, "coverage.png")
            assert shot.stat().st_size > 20_000
            browser.close()
