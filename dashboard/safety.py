"""Safety at the edges of the upload page: where an uploaded file is written, how user text is shown.

What a return may be (size, type, ZIP bombs, macros, external links, DTDs, sheet size, formulas) is decided by the
pipeline's gate, ``data_pipeline.gate``, for the page and the CLI alike; this module keeps only the page's glue:

* ``safe_upload_path(directory, name)`` — an uploaded file's name never decides where it is written.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path, PurePosixPath

from data_pipeline.gate import display_name as upload_display_name

_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,10}")


# ---------------------------------------------------------------------------------------- paths and display text


def safe_upload_path(directory: Path, original_name: str) -> Path:
    """A fresh, random, not-yet-existing path inside ``directory`` for an uploaded file.

    Only the extension of ``original_name`` survives (letters and digits only), so the gate can name a refused
    kind (.xlsm); the name itself is for display (``upload_display_name``).
    """
    directory = Path(directory).resolve()
    extension = PurePosixPath(upload_display_name(original_name)).suffix.lower()
    if not _EXTENSION.fullmatch(extension):
        extension = ".upload"
    while True:
        path = directory / f"{secrets.token_hex(16)}{extension}"
        if not path.exists():
            return path


def save_upload(directory: Path, original_name: str, data: bytes) -> Path:
    """Write an upload to a fresh path from ``safe_upload_path`` (created exclusively, mode 0600)."""
    Path(directory).mkdir(parents=True, exist_ok=True)
    while True:
        path = safe_upload_path(directory, original_name)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        return path
