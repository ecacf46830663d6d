"""Adding issues to the report without drowning it: a broken million-row file gives at most a few dozen lines."""

from __future__ import annotations

from data_pipeline.report import Issue, ValidationReport

MAX_ROWS_PER_PROBLEM = 20  # per file, sheet, column and kind of problem; the rest is one summary line


class IssueLog:
    def __init__(self, report: ValidationReport):
        self.report = report

    def error(self, file: str, message: str, *, code: str, **where) -> None:
        """An error located by ``sheet``, ``row`` and ``column`` (each optional)."""
        self._add("error", file, message, code, **where)

    def warning(self, file: str, message: str, *, code: str, **where) -> None:
        """A warning located like an error."""
        self._add("warning", file, message, code, **where)

    def _add(
        self,
        severity: str,
        file: str,
        message: str,
        code: str,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.report.add(Issue(file, severity, message, sheet, row, column, code))

    def rows(
        self,
        severity: str,
        file: str,
        sheet: str | None,
        column: str | None,
        code: str,
        located: list[tuple[int, str]],
        total: int,
    ) -> None:
        """One issue per (row, message) reported, then 'and N more' when ``total`` exceeds what was listed."""
        for row, message in located[:MAX_ROWS_PER_PROBLEM]:
            self.report.add(Issue(file, severity, message, sheet, row, column, code))
        if total > MAX_ROWS_PER_PROBLEM:
            first = located[0][1] if located else ""
            self.report.add(
                Issue(
                    file,
                    severity,
                    f"and {total - MAX_ROWS_PER_PROBLEM} more row(s) with the same problem as above (first: {first})",
                    sheet,
                    None,
                    column,
                    code,
                )
            )
