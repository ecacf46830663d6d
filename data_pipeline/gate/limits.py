"""What one return may cost: bytes on disk, bytes once unzipped, parts, cells, memory while it is read.

One set of limits for the upload page and the CLI. Each can be raised for a deployment through the environment
(``SP_GATE_<NAME>``, e.g. ``SP_GATE_MAX_FILE_MB=400`` for national-size CSV returns); tests pass their own.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, fields

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    max_file_mb: float = 100            # one return on disk (a national payments CSV is tens of MB)
    max_uncompressed_mb: float = 1024   # a workbook's parts once unzipped, all together
    max_ratio: float = 100              # one part's unzipped/zipped size, from ratio_from_mb up
    ratio_from_mb: float = 1            # tiny parts may compress extremely well without being a threat
    max_parts: int = 2000               # ZIP members of one workbook
    max_cells: int = 20_000_000         # rows x columns of one sheet, from A1 (what the reader allocates)
    max_name_chars: int = 200           # a file name, extension included
    read_memory_mb: float = 1536        # address space of the child process that reads a workbook

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * MB)

    @property
    def max_uncompressed_bytes(self) -> int:
        return int(self.max_uncompressed_mb * MB)

    @property
    def ratio_from_bytes(self) -> int:
        return int(self.ratio_from_mb * MB)

    @property
    def read_memory_bytes(self) -> int:
        return int(self.read_memory_mb * MB)


def configured_limits(environ=None) -> Limits:
    """The defaults, with any ``SP_GATE_<FIELD>`` environment variable applied."""
    environ = os.environ if environ is None else environ
    overrides = {}
    for field in fields(Limits):
        text = environ.get(f"SP_GATE_{field.name.upper()}")
        if text:
            cast = int if field.type in ("int", int) else float
            try:
                overrides[field.name] = cast(text)
            except ValueError:
                raise ValueError(f"SP_GATE_{field.name.upper()}={text!r} is not a number") from None
    return Limits(**overrides)


def megabytes(size: int) -> str:
    return f"{size / MB:,.1f} MB"
