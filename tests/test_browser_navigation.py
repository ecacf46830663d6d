"""The first session of a fresh server, in headless chromium: a typed URL of a restricted page does not run it, and
the menu lists only the pages the reader's role opens (Streamlit's own menu of the pages/ folder never shows)."""

from __future__ import annotations

import os

import pytest

from tests.browser_fixtures import CHROMIUM, CHROMIUM_ARGS, save, streamlit_server


def labels(menu) -> list[str]:
    """The links' labels (each link's text starts with its icon's ligature name, e.g. "dashboard")."""
    return [text.split("\n")[-1] for text in menu.all_inner_texts()]


def settled_labels(menu, expected: list[str], timeout_s: float = 30) -> list[str]:
    """The menu's labels once they stop changing: the root URL hops to /overview (one rerun), and a read in the
    middle of that rerun sees the sidebar half redrawn. Returns as soon as they equal ``expected``, else the last."""
    import time

    deadline = time.monotonic() + timeout_s
    while True:
        found = labels(menu)
        if found == expected or time.monotonic() > deadline:
            return found
        time.sleep(0.25)


PUBLIC_MENU = ["Overview", "Coverage", "Payment delays", "Coordination", "Province profile", "Indicator"]


@pytest.mark.browser
@pytest.mark.slow
def test_a_fresh_server_routes_its_first_session_through_the_role_navigation(sample_warehouse, tmp_path):
    from playwright.sync_api import sync_playwright

    environment = {**os.environ, "SP_WAREHOUSE": str(sample_warehouse)}
    with streamlit_server(environment, tmp_path / "streamlit.log") as base:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            # The very first script run of this server is a public reader typing the refresh page's URL.
            first = browser.new_page(viewport={"width": 1440, "height": 1400})
            first.goto(f"{base}/refresh")
            first.get_by_text("Page not found").wait_for(timeout=90_000)
            first.get_by_role("heading", name="Social protection scorecard").wait_for(timeout=90_000)
            save(first, tmp_path, "first_session_typed_refresh.png")
            # The refresh page did not run, not even its role check ("This page is for ... Please sign in").
            assert first.get_by_role("heading", name="Data refresh").count() == 0
            assert first.get_by_text("This page is for the").count() == 0
            assert first.locator("[data-testid='stFileUploaderDropzoneInput']").count() == 0
            menu = first.locator("[data-testid='stSidebar'] [data-testid='stPageLink']")
            assert settled_labels(menu, PUBLIC_MENU) == PUBLIC_MENU
            assert first.locator("[data-testid='stSidebarNav']").count() == 0  # no automatic pages/ menu
            assert first.locator("[data-testid='stAppDeployButton']").count() == 0  # viewer toolbar

            # A second fresh session on the home page: the same public menu, and its links work.
            second = browser.new_context().new_page()
            second.set_viewport_size({"width": 1440, "height": 1400})
            second.goto(base)
            second.get_by_role("heading", name="Social protection scorecard").wait_for(timeout=90_000)
            menu = second.locator("[data-testid='stSidebar'] [data-testid='stPageLink']")
            save(second, tmp_path, "second_session_home.png")
            menu.last.wait_for(timeout=30_000)
            assert settled_labels(menu, PUBLIC_MENU) == PUBLIC_MENU
            menu.filter(has_text="Payment delays").click()
            second.wait_for_url(f"{base}/payments*", timeout=60_000)
            assert second.locator("[data-testid='stSidebarNav']").count() == 0
            browser.close()
