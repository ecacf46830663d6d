"""Text a spreadsheet would run as a formula ("CSV injection"), made inert.

A text cell or file name that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is stored and
exported with a leading apostrophe (``'=cmd|…`` shows as text in Excel and LibreOffice, and the apostrophe says that
something was changed). Numbers stay numbers: only text is touched.
"""

from __future__ import annotations

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# The same test in DuckDB SQL, for a VARCHAR expression {v}.
FORMULA_TEXT_SQL = r"regexp_matches({v}, '^[=+\-@\t\r]')"


def is_formula_text(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def neutralise_text(value: object) -> object:
    """``value`` with an apostrophe in front when it is text a spreadsheet would run; anything else unchanged."""
    return "'" + value if is_formula_text(value) else value


def neutralised_sql(expression: str) -> str:
    """SQL: the VARCHAR ``expression`` with an apostrophe in front when a spreadsheet would run it."""
    test = FORMULA_TEXT_SQL.replace("{v}", expression)
    return f"CASE WHEN {test} THEN '''' || {expression} ELSE {expression} END"


def neutralise_frame(frame):
    """A copy of a pandas DataFrame whose text cells and column names cannot be run as formulas."""
    import pandas as pd

    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(neutralise_text)
    safe.columns = [neutralise_text(str(c)) for c in safe.columns]
    return safe
