"""A return's file name: shown safely, and refused when no file system or reader could use it honestly."""

from __future__ import annotations

import unicodedata
from pathlib import PurePosixPath, PureWindowsPath

from .formula_text import is_formula_text
from .limits import Limits


def display_name(original_name: str, limit: int = 120) -> str:
    """The name as display text only: no folders, no control characters, bounded length (the extension is kept)."""
    base = PureWindowsPath(PurePosixPath(original_name or "").name).name  # strips both / and \\ folders
    cleaned = "".join(" " if unicodedata.category(ch).startswith("C") else ch for ch in base)
    cleaned = " ".join(cleaned.split()) or "unnamed file"
    if len(cleaned) <= limit:
        return cleaned
    suffix = PurePosixPath(cleaned).suffix
    suffix = suffix if len(suffix) <= 12 else ""
    return cleaned[: limit - 1 - len(suffix)] + "…" + suffix


def name_problems(original_name: str, limits: Limits) -> list[str]:
    """Why a name is refused (each message starts with the shown name); an empty list: the name is fine."""
    shown = display_name(original_name)
    problems = []
    if any(unicodedata.category(ch) == "Cc" for ch in original_name or ""):
        problems.append(
            f"{shown}: the file name holds control characters (such as NUL or a line break); "
            "rename the file and send it again."
        )
    if len(original_name or "") > limits.max_name_chars:
        problems.append(
            f"{shown}: the file name is {len(original_name)} characters long, more than the "
            f"{limits.max_name_chars} accepted; rename the file and send it again."
        )
    return problems


def name_warnings(name: str) -> list[str]:
    if is_formula_text(display_name(name)):
        return [
            f"{display_name(name)}: the file name begins with {display_name(name)[0]!r}, which a spreadsheet "
            "would run as a formula; it is recorded with a leading apostrophe."
        ]
    return []
