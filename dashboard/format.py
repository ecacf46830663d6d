"""How numbers, statuses and names read on the pages: units, thousands separators, icons with words.

Pure functions (no Streamlit), so tables, charts and tests share one way of writing a number.
"""

from __future__ import annotations

import datetime
import math
import re

from dashboard.i18n import month_name, t

NO_DATA = "no data"
# A figure hidden by small-cell suppression (public views): shown with this word, never as zero or "no data".
SUPPRESSED = "suppressed"

# Okabe–Ito: distinguishable with the common colour-vision deficiencies.
OKABE_ITO = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "grey": "#999999",
    "black": "#000000",
}
SEX_COLOURS = {"Female": OKABE_ITO["vermillion"], "Male": OKABE_ITO["blue"], "Total": OKABE_ITO["grey"]}
SEX_LABELS = {"F": "Female", "M": "Male", "_U": "Sex not recorded", "_T": "Total"}

UNIT_SUFFIX = {"percent": "%", "persons": "persons", "LAK": "LAK", "days": "days", "score": "", "ratio": ""}


def is_missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return math.isnan(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def number(value: object, decimals: int = 0) -> str:
    """1234567.8 -> '1,234,568'; missing -> 'no data' (in the reader's language)."""
    if is_missing(value):
        return t(NO_DATA)
    return f"{float(value):,.{decimals}f}"  # type: ignore[arg-type]


def value_with_unit(value: object, unit: str | None, suppressed: object = False) -> str:
    """An indicator value as a reader wants it: '54.3%', '1,186 persons', '12,450,000 LAK', '0.72'.

    ``suppressed`` (a hidden small cell) gives the word 'suppressed' whatever the value holds.
    """
    if suppressed is True or (not is_missing(suppressed) and bool(suppressed)):
        return t(SUPPRESSED)
    if is_missing(value):
        return t(NO_DATA)
    v = float(value)  # type: ignore[arg-type]
    if unit == "percent":
        # A small share keeps two significant digits: 0.042% must not read "0.0%", which is what a true zero reads.
        return f"{v:.2g}%" if 0 < abs(v) < 0.1 else f"{v:,.1f}%"
    if unit in ("score", "ratio"):
        return f"{v:,.2f}"
    if unit == "days":
        return t("{n} days", n=f"{v:,.0f}")
    decimals = 0 if abs(v - round(v)) < 1e-9 or abs(v) >= 100 else 1
    suffix = UNIT_SUFFIX.get(unit or "", unit or "")
    return f"{v:,.{decimals}f} {t(suffix) if suffix else ''}".strip()


def at_least(value: object, unit: str | None, lower: object, upper: object) -> str:
    """A value that is only a lower bound (lower bound given, no upper bound) reads 'at least …'."""
    text = value_with_unit(value, unit)
    return (
        t("at least {value}", value=text)
        if not is_missing(lower) and is_missing(upper) and text != t(NO_DATA)
        else text
    )


def date_text(value: object) -> str:
    """2022-06-30 (date, timestamp or text) -> '30 June 2022'; missing -> 'no date'."""
    if is_missing(value) or value is None or str(value).strip() in ("", "NaT"):
        return t("no date")
    import pandas as pd

    day = pd.Timestamp(value)
    return f"{day.day} {month_name(day.month)} {day.year}"


def change_on_previous(trend, unit: str | None) -> tuple[str | None, bool]:
    """The tile's change since the previous period, as shown, and whether it is no change at all.

    A change that rounds to zero at the shown precision is "no change" (no arrow, no colour): "+0.0" must not read
    as progress.
    """
    if len(trend) < 2 or is_missing(trend[-1]) or is_missing(trend[-2]):
        return None, False
    change = float(trend[-1]) - float(trend[-2])
    # The change at the precision its value is shown with, and in its unit: "+0.05" for a score, "-12 days".
    decimals = 1 if unit == "percent" else 2 if unit in ("score", "ratio") else 0
    if round(change, decimals) == 0:
        return t("no change on previous"), True
    if unit == "percent":
        shown = t("{points} pts", points=f"{change:+,.1f}")
    elif unit in ("score", "ratio"):
        shown = f"{change:+,.2f}"
    else:
        shown = f"{value_with_unit(change, unit)}" if change < 0 else f"+{value_with_unit(change, unit)}"
    return t("{change} on previous", change=shown), False


def bounds_text(lower: object, upper: object, unit: str | None) -> str:
    """'between 41.0% and 47.5%' where overlap leaves a value only bounded."""
    if is_missing(lower) or is_missing(upper):
        return ""
    return t("between {lower} and {upper}", lower=value_with_unit(lower, unit), upper=value_with_unit(upper, unit))


# Progress against target (Open SDG / Statistics Canada method): icon and words, never colour alone.
# Symbols from common text fonts (not emoji), so they show in every browser and in the downloaded tables.
_STATUS_WORDS = (
    ("no_target", "○", "No target set"),
    ("achieved", "✔", "Target achieved"),
    ("substantial", "▲", "On track"),
    ("on_track", "▲", "On track"),
    ("on track", "▲", "On track"),
    ("moderate", "◐", "Moderate progress"),
    ("negligible", "▽", "Limited progress"),
    ("limited", "▽", "Limited progress"),
    ("deterioration", "▼", "Moving away from target"),
    ("moving away", "▼", "Moving away from target"),
    ("away", "▼", "Moving away from target"),
)


def status_label(status: object) -> str:
    """'substantial_progress' -> '▲ On track'; unknown or missing -> '○ No assessment'."""
    if is_missing(status) or not str(status).strip():
        return "○ " + t("No assessment")
    key = str(status).strip().lower()
    if "not_available" in key or "not available" in key or key in ("na", "n/a", "no_data", "insufficient_data"):
        return "○ " + t("No assessment")
    for fragment, icon, words in _STATUS_WORDS:
        if fragment in key:
            return f"{icon} {t(words)}"
    return f"○ {str(status).replace('_', ' ').capitalize()}"


REPORTING_SYMBOLS = {"on time": "✔ on time", "late": "◐ late", "missing": "✘ missing"}


def reporting_label(status: object) -> str:
    """'late' -> '◐ late' in the reader's language; other values as they came."""
    return t(REPORTING_SYMBOLS[status]) if status in REPORTING_SYMBOLS else status


def sex_label(code: str) -> str:
    """'F' -> 'Female', 'female' -> 'Female', in the reader's language."""
    word = SEX_LABELS.get(code) or {"female": "Female", "male": "Male"}.get(str(code).lower(), str(code))
    return t(word)


_ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def readable_cell(value: object) -> object:
    """One cell as a person reads it: a dict as 'name: value; …', a list as 'a; b', a list of files by their names,
    a timestamp as '1 December 2026, 18:41', a date as '30 April 2022'; anything else unchanged."""
    from dashboard.i18n import code_text, date_time_label

    if isinstance(value, dict):
        return "; ".join(f"{code_text(str(k))}: {readable_cell(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return "; ".join(
            (
                f"{v['file']}: {v['message']}"
                if v.get("file") and v.get("message")
                else str(v.get("file") or readable_cell(v))
            )
            if isinstance(v, dict)
            else str(readable_cell(v))
            for v in value
        )
    if isinstance(value, str) and _ISO_MOMENT.match(value):
        return date_time_label(value)
    if isinstance(value, str) and _ISO_DAY.match(value):
        return date_text(value)
    if isinstance(value, (datetime.datetime, datetime.date)):
        moment = datetime.datetime.combine(value, datetime.time()) if type(value) is datetime.date else value
        return date_text(moment) if moment.time() == datetime.time() else date_time_label(moment.isoformat())
    return value


def readable_cells(frame):
    """A table's cells as people read them (see ``readable_cell``): no dict or list reprs, no ISO timestamps, no
    '00:00:00' after a date. Number, flag and code columns are left alone."""
    import pandas as pd

    changes = {}
    for column in frame.columns:
        cells = frame[column]
        if pd.api.types.is_datetime64_any_dtype(cells):
            changes[column] = cells.map(lambda v: readable_cell(v.to_pydatetime()) if not pd.isna(v) else None)
        elif (cells.dtype == object or pd.api.types.is_string_dtype(cells)) and cells.map(
            lambda v: isinstance(v, (dict, list, tuple, str, datetime.date))
        ).any():
            changes[column] = cells.map(readable_cell)
    return frame.assign(**changes) if changes else frame
