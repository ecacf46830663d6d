"""The validation report: what ingestion found, located to the cell, readable by a Secretariat officer.

Shared by the CLI (printed), the refresh page (shown as a table, downloadable) and the refresh log (stored).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Issue:
    """One finding. ``row`` is the 1-based row number as Excel shows it (for CSV: the line number)."""

    file: str
    severity: Severity
    message: str  # says what was found and what was expected
    sheet: str | None = None
    row: int | None = None
    column: str | None = None  # the header as written in the file (or the contract's column name)
    code: str = ""  # stable machine code, e.g. "not_a_number", "unknown_province", "duplicate_key"

    def location(self) -> str:
        parts = [self.file]
        if self.sheet:
            parts.append(f"sheet '{self.sheet}'")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column '{self.column}'")
        return ", ".join(parts)

    def __str__(self) -> str:
        return f"{self.severity.upper()}: {self.location()}: {self.message}"


@dataclass
class ReturnInfo:
    """One table read from one file (a workbook may hold several)."""

    file: str  # file name as received (never used to decide where anything is written)
    sha256: str
    sheet: str | None
    contract: str | None  # matched contract name; None when no contract matched
    rows: int = 0
    periods: list[str] = field(default_factory=list)  # periods ("2022-Q2", "2021") the return covers


@dataclass
class ValidationReport:
    issues: list[Issue] = field(default_factory=list)
    returns: list[ReturnInfo] = field(default_factory=list)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def add(self, issue: Issue) -> None:
        self.issues.append(issue)

    def in_reading_order(self) -> list[Issue]:
        """Errors first, then as a reader goes through each file: by file, sheet and row."""
        return sorted(
            self.issues,
            key=lambda i: (i.severity != "error", i.file, i.sheet or "", i.row if i.row is not None else -1),
        )

    def to_records(self) -> list[dict]:
        return [asdict(i) for i in self.in_reading_order()]

    def to_frame(self):
        """A table with columns file, sheet, row, column, severity, message, code (for display and download)."""
        import pandas as pd

        columns = ["file", "sheet", "row", "column", "severity", "message", "code"]
        return pd.DataFrame(self.to_records(), columns=columns)[columns]

    def summary(self) -> str:
        return (
            f"{len(self.returns)} table(s) read from {len({r.file for r in self.returns})} file(s): "
            f"{len(self.errors)} error(s), {len(self.warnings)} warning(s)"
        )
