"""The gate every return passes before it is read, from the upload page and from the CLI alike.

    from data_pipeline import gate
    verdict = gate.inspect_path(path)             # or gate.inspect_bytes(name, data)
    verdict.errors, verdict.warnings              # messages that start with the file's shown name

Modules: ``limits`` (what one return may cost, configurable), ``names`` (file names: shown safely, refused when
unusable), ``content`` (size, type from the first bytes, encoding, Parquet footer), ``workbook`` (ZIP directory,
macros, external links, DTDs via defusedxml, sheet area before the reader allocates it), ``formulas`` (the formula
policy), ``formula_text`` (text a spreadsheet would run, made inert), ``sandbox`` (the reader in a child process with
a memory budget).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

from .content import ACCEPTED_EXTENSIONS
from .content import content_problems as _content_problems
from .formula_text import is_formula_text, neutralise_frame, neutralise_text, neutralised_sql
from .limits import Limits, configured_limits
from .names import display_name, name_problems, name_warnings
from .sandbox import ReaderFailed, run_with_memory_budget


@dataclass
class Verdict:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        return bool(self.errors)


def inspect_path(path: Path, limits: Limits | None = None, *, shown: str | None = None) -> Verdict:
    """The gate's verdict on the return at ``path`` (``shown``: the name to give in messages, default its name)."""
    limits = limits or configured_limits()
    path = Path(path)
    name = shown if shown is not None else path.name
    verdict = Verdict(name_problems(name, limits), name_warnings(name))
    if verdict.refused:
        return verdict
    with path.open("rb") as stream:
        errors, warnings = _content_problems(display_name(name), stream, path.stat().st_size, limits)
    return Verdict(errors, verdict.warnings + warnings)


def inspect_bytes(name: str, data: bytes, limits: Limits | None = None) -> Verdict:
    """The same verdict for a file held in memory (an upload before it is saved)."""
    limits = limits or configured_limits()
    verdict = Verdict(name_problems(name, limits), name_warnings(name))
    if verdict.refused:
        return verdict
    errors, warnings = _content_problems(display_name(name), io.BytesIO(data), len(data), limits)
    return Verdict(errors, verdict.warnings + warnings)


__all__ = [
    "ACCEPTED_EXTENSIONS",
    "Limits",
    "ReaderFailed",
    "Verdict",
    "configured_limits",
    "display_name",
    "inspect_bytes",
    "inspect_path",
    "is_formula_text",
    "name_problems",
    "neutralise_frame",
    "neutralise_text",
    "neutralised_sql",
    "run_with_memory_budget",
]
