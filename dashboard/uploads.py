"""Where the refresh page keeps uploaded returns, and for how long: only while a batch is checked, previewed and
published.

Ministry returns hold personal data (the MECG register: names, phone numbers) that must not rest on the server
outside the warehouse's guarantees. Each batch gets a private folder (mode 0700) under ``SP_UPLOAD_DIR`` (default:
``sp-uploads`` in the system temp directory); the page deletes it when the batch is published or discarded, the
folder goes when its session ends (the batch object is garbage-collected with the session's state), and folders left
by a crashed process are swept when the app starts once they are older than a day.

The batch's validated tables wait in a folder inside it (``new_stage_dir``) until the operator confirms the publish,
which writes the version from them: nothing of a national ledger is held in the server's memory.
"""

from __future__ import annotations

import shutil
import tempfile
import time
import weakref
from functools import cache
from pathlib import Path

import settings

UPLOAD_DIR_ENV = settings.UPLOAD_DIR.name
BATCH_PREFIX = "batch-"
STAGE_PREFIX = "staged-"
STALE_AFTER_S = 24 * 3600


def upload_root() -> Path:
    """The deployment's upload folder (created private when missing)."""
    configured = settings.UPLOAD_DIR.value()
    root = Path(configured) if configured else Path(tempfile.gettempdir()) / "sp-uploads"
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    return root


def new_batch_dir() -> Path:
    """A fresh private folder for one batch of uploads."""
    return Path(tempfile.mkdtemp(prefix=BATCH_PREFIX, dir=upload_root()))


def discard(directory: Path | str | None) -> None:
    """Delete a batch folder and the returns in it (only folders this module made: a batch under the upload root)."""
    if directory is None:
        return
    directory = Path(directory)
    if directory.name.startswith(BATCH_PREFIX) and directory.parent.resolve() == upload_root().resolve():
        shutil.rmtree(directory, ignore_errors=True)


def new_stage_dir(batch: Path) -> Path:
    """A fresh private folder inside ``batch`` for its validated tables (Parquet, identifiers hashed, no names or
    phone numbers): it goes with the batch, and on its own with ``discard_stage``."""
    return Path(tempfile.mkdtemp(prefix=STAGE_PREFIX, dir=batch))


def discard_stage(folder: Path | str | None) -> None:
    """Delete a batch's validated tables (only a folder ``new_stage_dir`` made)."""
    if folder is not None and Path(folder).name.startswith(STAGE_PREFIX):
        shutil.rmtree(folder, ignore_errors=True)


def discard_with(owner: object, directory: Path | None, stage: Path | None = None) -> None:
    """Delete ``directory`` (a batch folder) and ``stage`` (a ``new_stage_dir``) when ``owner`` (the batch kept in a
    session's state) is garbage-collected."""
    weakref.finalize(owner, _discard_both, directory, stage)


def _discard_both(directory: Path | None, stage: Path | None) -> None:
    discard_stage(stage)
    discard(directory)


def sweep_stale(max_age_s: float = STALE_AFTER_S, now: float | None = None) -> list[Path]:
    """Delete batch folders older than ``max_age_s`` (left by a killed process); returns what was removed."""
    now = time.time() if now is None else now
    removed = []
    for folder in upload_root().glob(BATCH_PREFIX + "*"):
        try:
            if folder.is_dir() and now - folder.stat().st_mtime > max_age_s:
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(folder)
        except FileNotFoundError:  # another process swept it first
            continue
    return removed


@cache
def sweep_on_start() -> int:
    """``sweep_stale`` once per process (the app calls it on every run; only the first does the work)."""
    return len(sweep_stale())
