"""A table's Excel download is written when the reader asks for it, once, and is the workbook it always was."""

from __future__ import annotations

import io
import zipfile

import pandas as pd

from dashboard import components, exports


def test_the_workbook_is_written_on_the_first_call_only_and_equals_the_download(monkeypatch):
    frame = pd.DataFrame({"province": ["LA-VT", "=cmd"], "value": [12.5, None]})
    written = []
    real = exports.excel_bytes
    monkeypatch.setattr(components, "excel_bytes", lambda *a, **k: written.append(1) or real(*a, **k))
    workbook = components._Workbook(frame, "by province")
    assert written == []  # nothing written while the page is shown
    first = workbook()
    assert _parts(first) == _parts(real(frame, sheet_name="by province"))
    assert workbook() is first and written == [1]


def _parts(workbook: bytes) -> dict[str, bytes]:
    """Every part of the workbook but its creation time."""
    with zipfile.ZipFile(io.BytesIO(workbook)) as book:
        return {name: book.read(name) for name in book.namelist() if name != "docProps/core.xml"}


def test_a_download_does_not_rerun_the_page(dashboard_warehouse):
    """A click on CSV must not rerun the page: the rerun gives the Excel button beside it a new deferred id, and an
    Excel click still holding the old one got Streamlit's "Deferred file ... not found" (seen in chromium)."""
    from tests.conftest import run_page

    at = run_page("pages/payments.py")
    assert not at.exception
    buttons = [element.proto for element in at.get("download_button")]
    assert {button.label for button in buttons} >= {"CSV", "Excel"} and len(buttons) >= 10
    assert all(button.ignore_rerun for button in buttons)
    assert all(button.deferred_file_id for button in buttons if button.label == "Excel")
