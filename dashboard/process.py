"""What a server process does once, at its first script run (``freeze_startup_objects``)."""

from __future__ import annotations

import gc
import importlib
import threading

# The modules every data page imports at its first run: imported here first, so their objects are frozen too.
PAGE_MODULES = ("dashboard.components", "dashboard.charts", "dashboard.maps", "dashboard.data", "dashboard.filters")

_lock = threading.Lock()
_frozen = False


def freeze_startup_objects() -> None:
    """Take what the imports made (modules, classes, functions, Streamlit's, pandas' and plotly's tables) out of the
    garbage collector's view, once per process: it lives as long as the process anyway, and every full collection
    walked it again. A first view after a publish allocates enough to start several collections; their time on
    national data went from 47-94 ms of a cold view to 14-56 ms (issue 13). Objects made later (data, figures) are
    collected as before."""
    global _frozen
    with _lock:
        if _frozen:
            return
        for name in PAGE_MODULES:
            importlib.import_module(name)
        gc.freeze()
        _frozen = True
