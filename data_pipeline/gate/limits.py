"""What one return may cost: bytes on disk, bytes once unzipped, parts, cells, memory while it is read.

One set of limits for the upload page and the CLI. Each can be raised for a deployment through the environment
(the ``GATE_LIMITS`` of settings.py, e.g. ``SP_GATE_MAX_FILE_MB=400`` for national-size CSV returns); tests pass
their own.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import settings

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    max_file_mb: float = 100  # one return on disk (a national payments CSV is tens of MB)
    max_uncompressed_mb: float = 1024  # a workbook's parts once unzipped, all together
    max_ratio: float = 100  # one part's unzipped/zipped size, from ratio_from_mb up
    ratio_from_mb: float = 1  # tiny parts may compress extremely well without being a threat
    max_parts: int = 2000  # ZIP members of one workbook
    max_cells: int = 20_000_000  # rows x columns of one sheet, from A1 (what the reader allocates)
    max_name_chars: int = 200  # a file name, extension included
    read_memory_mb: float = 1536  # address space of the child process that reads a workbook

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


def configured_limits(overrides_by_field: dict[str, str] | None = None) -> Limits:
    """The defaults, with the deployment's gate settings (or the given texts, by field name) applied."""
    given = settings.gate_limit_overrides() if overrides_by_field is None else overrides_by_field
    overrides = {}
    for field in fields(Limits):
        text = given.get(field.name)
        if text:
            cast = int if field.type in ("int", int) else float
            try:
                overrides[field.name] = cast(text)
            except ValueError:
                setting = next(s.name for s in settings.GATE_LIMITS if s.name.lower().endswith(field.name))
                raise ValueError(f"{setting}={text!r} is not a number") from None
    return Limits(**overrides)


def megabytes(size: int) -> str:
    return f"{size / MB:,.1f} MB"
