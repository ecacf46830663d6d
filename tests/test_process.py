"""The app freezes what its imports made once per process, the page modules included."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def test_the_startup_objects_are_frozen_once_with_the_page_modules():
    code = (
        "import gc, sys\n"
        "from dashboard import process\n"
        "assert gc.get_freeze_count() == 0\n"
        "process.freeze_startup_objects()\n"
        "frozen = gc.get_freeze_count()\n"
        "assert frozen > 10_000 and all(name in sys.modules for name in process.PAGE_MODULES)\n"
        "extra = [object() for _ in range(1000)] + [[] for _ in range(1000)]\n"
        "process.freeze_startup_objects()\n"
        "assert gc.get_freeze_count() == frozen, 'frozen twice'\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT)
    assert done.stdout.strip() == "ok", done.stderr[-2000:]
