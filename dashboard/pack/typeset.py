"""Typesetting: the pack's JSON and charts, laid out by ``template.typ`` with Typst into an A4 PDF.

Typst (the ``typst`` wheel: no system dependency) shapes Lao with rustybuzz in the shipped Phetsarath OT, numbers the
pages, builds the table of contents, and compiles a pack in well under a second. Fonts are the shipped ones and
Typst's own, never the machine's, so a pack looks the same wherever it is built.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import typst

from settings import PROJECT_ROOT

TEMPLATE = Path(__file__).resolve().parent / "template.typ"
FONTS = PROJECT_ROOT / "static" / "fonts"


def compile_pdf(document: dict, folder: Path) -> bytes:
    """The PDF of ``document`` (``blocks.Document.as_json``); ``folder`` holds the charts' SVG files."""
    (folder / "pack.json").write_text(json.dumps(document, ensure_ascii=False, default=str), encoding="utf-8")
    shutil.copy(TEMPLATE, folder / "pack.typ")
    return typst.compile(
        str(folder / "pack.typ"),
        root=str(folder),
        font_paths=[str(FONTS)],
        ignore_system_fonts=True,
        format="pdf",
    )
