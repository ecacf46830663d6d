"""End to end: `streamlit run app.py` on the sample warehouse, opened in headless Debian chromium with Playwright."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import PROJECT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(base: str, server: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"streamlit exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"streamlit not healthy after {seconds} s")


def save(page, tmp_path: Path, name: str) -> Path:
    shot = tmp_path / name
    page.screenshot(path=str(shot), full_page=True)
    if os.environ.get("SP_ARTIFACTS"):
        Path(os.environ["SP_ARTIFACTS"]).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(os.environ["SP_ARTIFACTS"]) / name)
    return shot


@pytest.mark.browser
@pytest.mark.slow
def test_overview_and_coverage_map_render_and_keep_filters_in_a_real_browser(sample_warehouse, tmp_path):
    from playwright.sync_api import sync_playwright

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(tmp_path / "streamlit.log", "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--browser.gatherUsageStats", "false", "--server.port", str(port), "--server.address", "127.0.0.1",
         "--server.fileWatcherType", "none"],
        cwd=PROJECT, env={**os.environ, "SP_WAREHOUSE": str(sample_warehouse)}, stdout=log,
        stderr=subprocess.STDOUT)
    try:
        wait_healthy(base, server)
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
            page.locator("[data-testid='stSidebarNav']").get_by_text("Coverage").click()
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
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
