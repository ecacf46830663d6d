"""What holds for the whole of one script run, looked up once per run: the reader's language and the signed-in
user are asked for hundreds of times a run (every word, every cached view), and each answer read Streamlit's query
parameters, the session, the secrets and the accounts file again.

A run begins with ``start()``: app.py and every page call it first (through ``i18n.mark_script_run``). Streamlit runs
a session's script in a thread of its own, so the values live in a thread-local and never reach the CLI, a test's
main thread or another session. Whatever changes one of them within a run (a sign-in, a sign-out) calls ``forget``
(and reruns anyway). A widget callback, such as the language switch, runs before the script: it needs nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

_run = threading.local()
T = TypeVar("T")


def start() -> None:
    """A script run begins in this thread: nothing of an earlier run is remembered."""
    _run.values = {}


def running() -> bool:
    """True in a thread that runs a reader's script (``start`` was called in it)."""
    return getattr(_run, "values", None) is not None


def remember(name: str, compute: Callable[[], T]) -> T:
    """``compute()`` once per run (every call outside a run)."""
    values = getattr(_run, "values", None)
    if values is None:
        return compute()
    if name not in values:
        values[name] = compute()
    return values[name]


def forget(name: str) -> None:
    """Look ``name`` up again at its next use in this run."""
    getattr(_run, "values", {}).pop(name, None)
