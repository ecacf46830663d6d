"""How each column kind turns raw cell text into a typed value, in DuckDB SQL.

For every kind: the SQL expression of the typed value (NULL when the text cannot be read), the warehouse type, a
description of a failing cell (called only for the few cells reported, so it can be plain Python), and the harmless
quirks that were absorbed (reported once per column as a warning). Lookups whose answer depends on reference data
(categories, provinces, districts, identifiers) are joined from small mapping tables built by ``lookups``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from data_pipeline.contracts import Column

LOOKUP_KINDS = ("category", "province", "district", "pii_id")

# Numbers: thousands separators are absorbed only when the grouping is unambiguous. "1.234" could be 1234 (dot as
# thousands separator, as in much of Europe) or 1.234, so for counts and amounts it is rejected, never guessed.
_PLAIN = r"[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?"
_COMMA_GROUPS = r"[-+]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?"
_SPACE_GROUPS = "[-+]?[0-9]{1,3}([ \u00a0\u202f\u2009][0-9]{3})+([.,][0-9]+)?"
_DOT_GROUPS = r"[-+]?[0-9]{1,3}((\.[0-9]{3}){2,}(,[0-9]+)?|(\.[0-9]{3})+,[0-9]+)"
_AMBIGUOUS_DOT = r"[-+]?[0-9]{1,3}\.[0-9]{3}"


def number_text(v: str) -> str:
    """SQL: the cell as plain numeric text ('1,234' -> '1234'), NULL when it is not a number written a known way."""
    return (
        f"(CASE WHEN regexp_full_match({v}, '{_PLAIN}') THEN {v} "
        f"WHEN regexp_full_match({v}, '{_COMMA_GROUPS}') THEN replace({v}, ',', '') "
        f"WHEN regexp_full_match({v}, '{_SPACE_GROUPS}') "
        f"THEN replace(regexp_replace({v}, '[ \u00a0\u202f\u2009]', '', 'g'), ',', '.') "
        f"WHEN regexp_full_match({v}, '{_DOT_GROUPS}') THEN replace(replace({v}, '.', ''), ',', '.') END)"
    )


def number_sql(v: str) -> str:
    """SQL: the cell's number as DOUBLE, NULL when it is not a number written a known way."""
    return f"TRY_CAST({number_text(v)} AS DOUBLE)"


def _grouped(v: str) -> str:
    # A grouped number holds a comma, a dot or a group space (every grouped pattern needs one): the byte searches
    # spare the plain numbers, nearly all of a column, the regular expressions (issue 13).
    marks = " OR ".join(f"contains({v}, '{mark}')" for mark in (",", ".", " ", "\u00a0", "\u202f", "\u2009"))
    return f"(({marks}) AND NOT regexp_full_match({v}, '{_PLAIN}') AND {number_text(v)} IS NOT NULL)"


def _ambiguous(v: str) -> str:
    # Without a dot it cannot match: the cheap test spares most cells the regular expression.
    return f"(contains({v}, '.') AND regexp_full_match({v}, '{_AMBIGUOUS_DOT}'))"


# Dates: ISO text, Excel serial numbers (Excel counts days from 1899-12-30), and day/month/year text: Lao PDR writes
# the day first, so 03/04/2022 is 3 April; 04/13/2022 is not a date (there is no month 13) and is rejected.
_SERIAL_MIN, _SERIAL_MAX = 18264, 73050  # 1950-01-01 .. 2099-12-31: anything else is not a plausible date here
_ISO_DATE = r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([ T][0-9]{1,2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?)?"
_DMY = r"[0-9]{1,2}[/.-][0-9]{1,2}[/.-][0-9]{4}"
_YMD_SLASH = r"[0-9]{4}/[0-9]{1,2}/[0-9]{1,2}"
_SERIAL = r"[0-9]{5}(\.[0-9]+)?"


def _date(v: str) -> str:
    return (
        f"(CASE WHEN regexp_full_match({v}, '{_ISO_DATE}') "
        # An ISO text of at most 10 characters has no time part (a time adds 5 or more): the date is the whole text.
        f"THEN CAST(try_strptime(CASE WHEN length({v}) <= 10 THEN {v} ELSE regexp_extract({v}, '^[0-9-]+') END, "
        f"'%Y-%m-%d') AS DATE) "
        f"WHEN regexp_full_match({v}, '{_YMD_SLASH}') THEN CAST(try_strptime({v}, '%Y/%m/%d') AS DATE) "
        f"WHEN regexp_full_match({v}, '{_DMY}') "
        f"THEN CAST(try_strptime(regexp_replace({v}, '[.-]', '/', 'g'), '%d/%m/%Y') AS DATE) "
        f"WHEN regexp_full_match({v}, '[0-9]{{8}}') THEN CAST(try_strptime({v}, '%Y%m%d') AS DATE) "
        f"WHEN regexp_full_match({v}, '{_SERIAL}') AND CAST({v} AS DOUBLE) BETWEEN {_SERIAL_MIN} AND {_SERIAL_MAX} "
        f"THEN DATE '1899-12-30' + CAST(floor(CAST({v} AS DOUBLE)) AS INTEGER) END)"
    )


_PERIOD_YQ = r"([0-9]{4})\s*[-/ _.]?\s*q([1-4])"
_PERIOD_QY = r"q([1-4])\s*[-/ _.]?\s*([0-9]{4})"


def _period(v: str) -> str:
    low = f"lower({v})"
    return (
        f"(CASE WHEN regexp_full_match({low}, '{_PERIOD_YQ}') "
        f"THEN regexp_replace({low}, '^{_PERIOD_YQ}$', '\\1-Q\\2') "
        f"WHEN regexp_full_match({low}, '{_PERIOD_QY}') THEN regexp_replace({low}, '^{_PERIOD_QY}$', '\\2-Q\\1') END)"
    )


TRUE_WORDS = ("yes", "y", "true", "t", "1", "ແມ່ນ", "ມີ", "✓", "✔")
FALSE_WORDS = ("no", "n", "false", "f", "0", "ບໍ່", "ບໍ່ແມ່ນ", "ບໍ່ມີ")
FEMALE_WORDS = ("f", "female", "woman", "women", "girl", "girls", "ຍິງ", "ເພດຍິງ", "ຍ")
MALE_WORDS = ("m", "male", "man", "men", "boy", "boys", "ຊາຍ", "ເພດຊາຍ", "ຊ")


def _in(v: str, words: tuple[str, ...]) -> str:
    return f"lower({v}) IN ({', '.join(repr(w) for w in words)})"


def period_of_date(d: str) -> str:
    """SQL: the quarter (YYYY-Qn) a date falls in."""
    return f"(CAST(year({d}) AS VARCHAR) || '-Q' || CAST(quarter({d}) AS VARCHAR))"


def lookup_key_sql(v: str) -> str:
    """SQL twin of ``lookup_key``: case, spaces and underscores do not matter in category values."""
    return f"lower(trim(regexp_replace({v}, '[\\s_]+', ' ', 'g')))"


def lookup_key(text: str) -> str:
    return re.sub(r"[ \t\r\n\f_]+", " ", text).strip().lower()


def category_values(column: Column) -> dict[str, str]:
    """Every accepted spelling's key -> allowed code."""
    values = {lookup_key(code): code for code in column.allowed}
    values.update({lookup_key(alias): code for alias, code in column.value_aliases.items()})
    return values


@dataclass
class Quirk:
    """A harmless quirk absorbed in a column: counted, reported once as a warning."""

    code: str
    condition: str  # SQL over the raw text {v}
    message: str  # with {n} (cells) and {example}


@dataclass
class KindRule:
    typed: str  # SQL over raw text {v}, its number {n}, or the looked-up value {m}
    quirks: list[Quirk] = field(default_factory=list)
    number_of: str | None = None  # SQL over {v}: the text whose number is {n} (computed once per cell)


_SEPARATORS = Quirk(
    "thousands_separator",
    _grouped("{v}"),
    "{n} number(s) written as text with thousands separators were read as numbers (e.g. '{example}')",
)


def rule_for(column: Column) -> KindRule:
    kind = column.kind
    if kind == "text":
        return KindRule("{v}")
    if kind in LOOKUP_KINDS:
        return KindRule("{m}")
    if kind == "count":
        return KindRule(
            f"(CASE WHEN NOT {_ambiguous('{v}')} AND {{n}} = trunc({{n}}) AND abs({{n}}) < 1e15 "
            f"THEN CAST({{n}} AS BIGINT) END)",
            [_SEPARATORS],
            "{v}",
        )
    if kind == "amount":
        return KindRule(f"(CASE WHEN NOT {_ambiguous('{v}')} THEN {{n}} END)", [_SEPARATORS], "{v}")
    if kind == "rate":
        percent = "regexp_full_match({v}, '.*[0-9]\\s*%')"
        return KindRule(
            f"(CASE WHEN {percent} THEN {{n}} / 100 ELSE {{n}} END)",
            [Quirk("percent", percent, "{n} rate(s) written as percentages were divided by 100 (e.g. '{example}')")],
            "rtrim(rtrim({v}, '%'))",
        )
    if kind == "year":
        return KindRule(
            "(CASE WHEN {n} = trunc({n}) AND {n} BETWEEN 1900 AND 2100 THEN CAST({n} AS BIGINT) END)", number_of="{v}"
        )
    if kind == "period":
        return KindRule(
            _period("{v}"),
            [
                Quirk(
                    "period_spelling",
                    "NOT regexp_full_match({v}, '[0-9]{4}-Q[1-4]')",
                    "{n} period(s) not written YYYY-Qn were read (e.g. '{example}')",
                )
            ],
        )
    if kind == "date":
        return KindRule(
            _date("{v}"),
            [
                Quirk(
                    "excel_serial_date",
                    # An ISO date (nearly every cell) has a dash, a serial number never: the byte search goes first.
                    f"(NOT contains({{v}}, '-') AND regexp_full_match({{v}}, '{_SERIAL}'))",
                    "{n} date(s) were Excel serial numbers and were read as dates (e.g. '{example}'); format the "
                    "column as dates",
                ),
                Quirk(
                    "day_first_date",
                    f"regexp_full_match({{v}}, '{_DMY}')",
                    "{n} date(s) written as text were read day/month/year (e.g. '{example}')",
                ),
            ],
        )
    if kind == "bool":
        return KindRule(f"(CASE WHEN {_in('{v}', TRUE_WORDS)} THEN TRUE WHEN {_in('{v}', FALSE_WORDS)} THEN FALSE END)")
    if kind == "sex":
        return KindRule(f"(CASE WHEN {_in('{v}', FEMALE_WORDS)} THEN 'F' WHEN {_in('{v}', MALE_WORDS)} THEN 'M' END)")
    raise ValueError(f"column {column.name}: no rule for kind {kind!r}")


# The largest amount a cell may hold, in LAK: above Lao PDR's whole GDP (~3e14), so a larger one is a typo. It also
# keeps the catalogue's exact sums (indicators/sql_helpers.py, totals below 9.2e18) from overflowing at publish: a
# typo is reported on its cell here instead of stopping the publish with an arithmetic error.
AMOUNT_MAXIMUM = 1e15


def expected(column: Column) -> str:
    """What a cell of this column should hold, in words, for error messages."""
    kind = column.kind
    if kind == "category":
        return "one of: " + ", ".join(column.allowed)
    return {
        "count": "a whole number such as 1234 (thousands separators allowed)",
        "amount": "a number such as 150000 or 150,000",
        "rate": "a number between 0 and 1, or a percentage such as 12%",
        "year": "a four-digit year such as 2022",
        "period": "a quarter written like 2022-Q2",
        "date": "a date (an Excel date, 2022-05-31 or 31/05/2022, day first)",
        "bool": "yes or no",
        "sex": "F or M",
        "province": "a province name (English or Lao), ISO code (LA-AT) or LSB code (17)",
        "district": "a district of the row's province (name or LSB 4-digit code)",
    }.get(kind, "a value")


def describe_failure(column: Column, raw: str) -> tuple[str, str]:
    """(code, message) for a cell whose text could not be read as the column's kind."""
    kind = column.kind
    if kind in ("count", "amount") and re.fullmatch(_AMBIGUOUS_DOT, raw):
        return "ambiguous_number", (
            f"'{raw}' is ambiguous: it could be {raw.replace('.', '')} (dot as thousands "
            f"separator) or {raw}; write {raw.replace('.', '')} or {raw.replace('.', ',')}"
        )
    if kind in ("count", "year") and _python_number(raw) is not None:
        value = _python_number(raw)
        if kind == "count" and value != int(value):
            return "decimal_in_count", f"'{raw}' has decimals; expected {expected(column)}"
        return "out_of_range" if kind == "year" else "not_a_number", f"'{raw}' is not {expected(column)}"
    codes = {
        "count": "not_a_number",
        "amount": "not_a_number",
        "rate": "not_a_number",
        "year": "not_a_year",
        "period": "not_a_period",
        "date": "not_a_date",
        "bool": "not_a_bool",
        "sex": "unknown_sex",
        "category": "unknown_value",
        "province": "unknown_province",
        "district": "unknown_district",
    }
    found = {
        "count": "is not a number",
        "amount": "is not a number",
        "rate": "is not a number",
        "year": "is not a year",
        "period": "is not a quarter",
        "date": "is not a date",
        "bool": "is not yes/no",
        "sex": "is not a sex code",
        "category": "is not an accepted value",
        "province": "is not a known province",
        "district": "is not a known district",
    }
    return codes[kind], f"'{raw}' {found[kind]}; expected {expected(column)}"


def _python_number(raw: str) -> float | None:
    text = raw.replace(",", "").replace(" ", "")
    try:
        return float(text)
    except ValueError:
        return None
