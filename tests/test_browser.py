"""End to end: `streamlit run app.py` on the sample warehouse, opened in headless Debian chromium with Playwright."""

from __future__ import annotations

import pytest

from tests.browser_fixtures import CHROMIUM, CHROMIUM_ARGS, save


@pytest.mark.browser
@pytest.mark.slow
def test_overview_and_coverage_map_render_and_keep_filters_in_a_real_browser(sample_server, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    base = sample_server
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
        page.locator(".js-plotly-plot .choroplethlayer path").nth(17).wait_for(timeout=30_000)  # all 18 provinces
        page.wait_for_function("() => window.location.search.includes('province=LA-AT')", timeout=30_000)
        assert "sex=F" in page.url
        expect(page.get_by_text("Boundaries: OCHA COD-AB Lao PDR (2019), via HDX")).to_have_count(1, timeout=30_000)
        page.wait_for_timeout(1500)
        shot = save(page, tmp_path, "coverage.png")
        assert shot.stat().st_size > 20_000
        browser.close()


@pytest.mark.browser
@pytest.mark.slow
def test_a_lao_page_renders_lao_script_with_the_shipped_font(sample_server, tmp_path):
    """This machine has no Lao font: Lao glyphs can only come from static/fonts/Phetsarath_OT.ttf."""
    from playwright.sync_api import sync_playwright

    base = sample_server
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 1800})
        font = page.request.get(f"{base}/app/static/fonts/Phetsarath_OT.ttf")
        assert font.status == 200 and len(font.body()) > 50_000

        page.goto(f"{base}/coverage?lang=lo&province=LA-AT")
        page.get_by_role("heading", name="ການຄຸ້ມຄອງ").wait_for(timeout=90_000)
        page.locator(".js-plotly-plot .choroplethlayer path").first.wait_for(timeout=60_000)
        assert page.get_by_text("ອັດຕະປື").count() > 0  # Attapeu, in Lao script
        status = page.evaluate("""async () => {
            await document.fonts.load("16px 'Phetsarath OT'", "ການຄຸ້ມຄອງ");
            return [...document.fonts].filter(f => f.family.replace(/["']/g, "") === "Phetsarath OT")
                                      .map(f => f.status);
        }""")
        assert "loaded" in status, status
        # The same Lao word measured in the page's font list and in a list without the shipped font: with no
        # Lao font on the machine the second draws fallback boxes, so the widths differ when Phetsarath OT draws.
        widths = page.evaluate("""() => {
            const canvas = document.createElement("canvas").getContext("2d");
            const measure = family => { canvas.font = "32px " + family;
                                        return canvas.measureText("ການປົກປ້ອງສັງຄົມ").width; };
            const body = getComputedStyle(document.querySelector("h1")).fontFamily;
            return {body, shipped: measure(body), fallback: measure("'Source Sans', sans-serif")};
        }""")
        assert "Phetsarath OT" in widths["body"], widths
        assert abs(widths["shipped"] - widths["fallback"]) > 5, widths
        chart_fonts = page.evaluate("""() => [...document.querySelectorAll('.js-plotly-plot text')]
                                             .map(t => t.style.fontFamily).filter(Boolean)""")
        assert chart_fonts and all("Phetsarath OT" in f for f in chart_fonts[:5]), chart_fonts[:5]
        page.wait_for_timeout(1500)
        shot = save(page, tmp_path, "coverage_lo.png")
        assert shot.stat().st_size > 20_000

        # Another page through the sidebar: still Lao, and the address bar (a copied link) still says so.
        page.locator("[data-testid='stSidebar'] [data-testid='stPageLink']").get_by_text("ການຈ່າຍເງິນຊັກຊ້າ").click()
        page.get_by_role("heading", name="ການຈ່າຍເງິນຊັກຊ້າ").wait_for(timeout=60_000)
        page.wait_for_function("() => window.location.search.includes('lang=lo')", timeout=30_000)
        assert "province=LA-AT" in page.url
        # The switch back to English keeps the province and drops the parameter.
        page.locator("[data-testid='stSidebar']").get_by_text("English", exact=True).click()
        page.get_by_role("heading", name="Payment delays").wait_for(timeout=60_000)
        page.wait_for_function("() => !window.location.search.includes('lang=')", timeout=30_000)
        assert "province=LA-AT" in page.url
        browser.close()
