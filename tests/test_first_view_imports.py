"""What a reader's page imports leaves out the modules only a click needs (a new process's first page pays for every
import; issue 13)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
ON_A_CLICK = ("xlsxwriter", "dashboard.pack.build", "dashboard.pack.content", "dashboard.pack.typeset")


def test_the_modules_pages_import_leave_the_workbook_and_pdf_writers_to_the_click():
    code = (
        "import sys\n"
        "import dashboard.auth, dashboard.charts, dashboard.components, dashboard.data, dashboard.maps\n"
        "import dashboard.navigation, dashboard.pack.button, dashboard.exports\n"
        f"print(sorted(m for m in {ON_A_CLICK!r} if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT, check=True)
    assert done.stdout.strip() == "[]"
