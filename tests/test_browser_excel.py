"""In headless chromium: the Excel download, written only when the reader clicks it (a deferred download), holds the
same table as the CSV beside it."""

from __future__ import annotations

import io
import os

import openpyxl
import pandas as pd
import pytest

from tests.browser_fixtures import CHROMIUM, CHROMIUM_ARGS, streamlit_server


@pytest.mark.browser
def test_the_excel_download_is_written_on_the_click_and_holds_the_csv_table(sample_warehouse, tmp_path):
    from playwright.sync_api import sync_playwright

    environment = {**os.environ, "SP_WAREHOUSE": str(sample_warehouse), "SP_ALLOW_DEMO_KEY": "1"}
    with streamlit_server(environment, tmp_path / "streamlit.log") as base:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1440, "height": 1800}, accept_downloads=True)
            page.goto(f"{base}/indicator?indicator=PAY_ONTIME")
            page.get_by_role("heading", name="Indicator").first.wait_for(timeout=90_000)
            page.wait_for_function("() => !document.querySelector('[data-testid=stStatusWidget]')", timeout=90_000)
            files = {}
            for kind in ("CSV", "Excel"):
                with page.expect_download(timeout=60_000) as download:
                    page.locator("[data-testid='stDownloadButton']").filter(has_text=kind).last.click()
                files[kind] = (download.value.suggested_filename, download.value.path().read_bytes())
            # A CSV click, then at once the Excel beside it: the CSV click must not rerun the page (a rerun replaces
            # the Excel button's deferred id, and a click still holding the old one got "Deferred file not found").
            page.goto(f"{base}/payments")
            page.get_by_role("heading", name="Payment delays").first.wait_for(timeout=90_000)
            page.wait_for_function("() => !document.querySelector('[data-testid=stStatusWidget]')", timeout=90_000)
            for table in page.locator("[data-testid='stExpander'] summary").all():  # the tables are folded
                table.click()
            workbooks = []
            downloads = page.locator("[data-testid='stDownloadButton']")
            for pair in range(4):  # several tables: the race is a matter of time
                for kind in ("CSV", "Excel"):
                    with page.expect_download(timeout=20_000) as download:
                        downloads.filter(has_text=kind).nth(pair).click()
                workbooks.append(download.value.path().read_bytes())
            browser.close()
    assert len(workbooks) == 4
    assert all(openpyxl.load_workbook(io.BytesIO(workbook)).active.max_row > 1 for workbook in workbooks)
    assert files["Excel"][0] == "pay_ontime_values.xlsx" and files["CSV"][0] == "pay_ontime_values.csv"
    sheet = openpyxl.load_workbook(io.BytesIO(files["Excel"][1])).active
    rows = list(sheet.iter_rows(values_only=True))
    csv = pd.read_csv(io.BytesIO(files["CSV"][1]), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(rows[0]) == list(csv.columns) and len(rows) - 1 == len(csv) > 10
    first = ["" if v is None else str(v) for v in rows[1]]
    assert first[: csv.columns.get_loc("period") + 1] == list(csv.iloc[0][: csv.columns.get_loc("period") + 1])
