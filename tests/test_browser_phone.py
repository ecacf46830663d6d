"""Every page on a phone (390×844) and on a desktop, as a donor (nobody signed in) and as a Commission member, in
headless Debian chromium: nothing wider than the screen, the scorecard's status and target in view, no error.
The screenshots go to $SP_ARTIFACTS (one per page, audience and width) for a person to look at."""

from __future__ import annotations

import pytest

from tests.browser_fixtures import CHROMIUM, CHROMIUM_ARGS, save, session_cookie
from tests.roles_fixtures import PASSWORD

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 1000}
# address -> the page's title (its h1)
PAGES = {
    "overview": "Social protection scorecard",
    "coverage": "Coverage",
    "payments": "Payment delays",
    "coordination": "Coordination",
    "province?province=LA-XS": "Province profile",
    "indicator?indicator=COORD_GRIEVANCE_TIMELY&province=LA-XS": "Indicator",
}
MEMBER_PAGES = {**PAGES, "data_status": "Data status"}


def settle(page, title: str) -> None:
    """The page's title is shown and its script has finished (Streamlit's running indicator is gone)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.get_by_role("heading", name=title, exact=True).first.wait_for(timeout=90_000)
    except PlaywrightTimeout:
        # Say what the reader saw instead (a member's Data status failed so in CI before sign-in waited for the cookie).
        seen = page.evaluate("() => document.body.innerText.slice(0, 600)")
        raise AssertionError(
            f"no heading {title!r} at {page.url}; signed in: {page.get_by_text('Signed in as').count() > 0}; "
            f"'Page not found' shown: {page.get_by_text('Page not found').count() > 0}; the page said: {seen!r}"
        ) from None
    page.wait_for_timeout(1000)
    page.wait_for_function("() => !document.querySelector('[data-testid=stStatusWidget]')", timeout=90_000)
    page.wait_for_timeout(1500)


def widths(page) -> dict:
    """How wide the document and Streamlit's scrolling main area are, and how tall the content is."""
    return page.evaluate(
        """() => { const main = document.querySelector('[data-testid=stMain]');
                   return {document: document.documentElement.scrollWidth, main: main.scrollWidth,
                           height: main.scrollHeight}; }"""
    )


def shoot(page, tmp_path, name: str, viewport: dict) -> None:
    """The whole page in one picture: Streamlit scrolls inside its main area, so the window is made as tall."""
    height = min(max(viewport["height"], widths(page)["height"]), 14_000)
    page.set_viewport_size({"width": viewport["width"], "height": height})
    page.wait_for_timeout(1200)
    save(page, tmp_path, name)
    page.set_viewport_size(viewport)


def visible_text_right_edge(page, text: str) -> float:
    """The right edge (px) of the first visible element whose own text contains ``text``."""
    return page.evaluate(
        """(text) => { for (const el of document.querySelectorAll('[data-testid=stMain] td, [data-testid=stMain] th')) {
                         const box = el.getBoundingClientRect();
                         if (box.width > 0 && el.innerText.includes(text)) return box.right; }
                       return -1; }""",
        text,
    )


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/overview")
    page.get_by_role("heading", name="Social protection scorecard").wait_for(timeout=90_000)
    page.get_by_text("Sign in (Secretariat, Commission)").click()
    page.get_by_role("textbox", name="User name").fill(username)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text(f"Signed in as {username.capitalize()}").wait_for(timeout=60_000)
    # The pages below are opened by address, as new loads: they know the member only by the session cookie, which a
    # script writes in the browser right after sign-in. Leaving before it ran made a member's Data status "not found".
    session_cookie(page.context)


@pytest.mark.browser
@pytest.mark.slow
def test_every_page_fits_a_phone_and_keeps_the_scorecard_status_in_view(sample_server, tmp_path):
    from playwright.sync_api import sync_playwright

    measured = {}
    base = sample_server
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for audience, pages in (("donor", PAGES), ("member", MEMBER_PAGES)):
            page = browser.new_page(viewport=DESKTOP)
            if audience == "member":
                sign_in(page, base, "member")  # the sign-in form sits in the sidebar, open on a desktop
            for width_name, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
                page.set_viewport_size(viewport)
                for address, title in pages.items():
                    page.goto(f"{base}/{address}")
                    settle(page, title)
                    name = address.split("?")[0]
                    assert page.locator("[data-testid=stException]").count() == 0, (audience, address)
                    measured[(audience, width_name, name)] = size = widths(page)
                    assert size["document"] <= viewport["width"], (audience, address, size)
                    assert size["main"] <= viewport["width"], (audience, address, size)
                    if width_name == "phone" and name == "overview":
                        # The status and the target it is judged against are on screen, not scrolled away.
                        for words in ("Status against target", "by 2025"):
                            right = visible_text_right_edge(page, words)
                            assert 0 < right <= PHONE["width"], (audience, words, right)
                    if width_name == "phone" and name == "province":
                        right = visible_text_right_edge(page, "Compared with national")
                        assert 0 < right <= PHONE["width"], (audience, right)
                    shoot(page, tmp_path, f"{width_name}_{audience}_{name}.png", viewport)
            page.close()
        browser.close()
    assert len(measured) == 2 * (len(PAGES) + len(MEMBER_PAGES))
