"""The reader's language (Lao or English) and every word the dashboard shows in it.

``t("English text", **params)`` gives the text in the current language: the English wording is the key, so a page
reads as it did, and a missing translation shows English rather than a blank. The translations are plain TOML files,
one per language, in ``locales/`` (``lo.toml``, ``en.toml``): a Lao-speaking officer corrects a wording there without
touching code. Each file has ``[ui]`` (interface words, keyed by the English text) and ``[indicators.ID]`` (an
indicator's name, short name, definition and method note), ``[phrases]`` (generated sentences) and ``[messages]``
(the pipeline's validation messages as templates, see ``message_text``).

The language comes from ``?lang=lo|en`` (a shared link opens in the language it was copied in), else the one chosen
earlier in the session, else the deployment's default ``SP_LANG`` (``en`` when unset).
"""

from __future__ import annotations

import contextlib
import contextvars
import re
from collections.abc import Iterator
import tomllib
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import settings
from dashboard import script_run

LOCALES = Path(__file__).resolve().parent.parent / "locales"
LANGUAGES = {"lo": "ລາວ", "en": "English"}
_SESSION_KEY = "_sp_lang"
_last_run_language: str | None = None
_WIDGET_KEY = "_sp_lang_widget"
# An entry's Lao content: name (long_name), short_name, its definition (numerator, denominator), method_note and
# pending_label (cases not judged yet, where the entry has them).
INDICATOR_FIELDS = ("name", "short_name", "numerator", "denominator", "method_note", "pending_label")

MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_PERIOD = re.compile(r"^(\d{4})-Q([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def default_language() -> str:
    wanted = settings.default_language()
    return wanted if wanted in LANGUAGES else "en"


@lru_cache(maxsize=4)
def catalogue(language: str) -> dict:
    """The translation file of one language, parsed ({} for English when the file is absent)."""
    path = LOCALES / f"{language}.toml"
    with path.open("rb") as handle:
        return tomllib.load(handle)


def mark_script_run() -> None:
    """Called first by app.py and by every page (navigation.enter_page): this thread runs a reader's script, so the
    language comes from the link and the session (looked up once per run: ``dashboard.script_run``). Streamlit runs
    scripts in threads of their own, so the mark never reaches the CLI or a test's main thread. (Streamlit has no
    public test for "inside a script run"; its private one is not used, see tests/test_supported_apis.py.)"""
    script_run.start()


def _streamlit_running() -> bool:
    return script_run.running()


_chosen_language: contextvars.ContextVar[str | None] = contextvars.ContextVar("sp_language", default=None)


@contextlib.contextmanager
def in_language(lang: str) -> Iterator[None]:
    """Words in ``lang`` while the block runs, outside a reader's script run (the meeting pack's command line)."""
    token = _chosen_language.set(lang if lang in LANGUAGES else default_language())
    try:
        yield
    finally:
        _chosen_language.reset(token)


def language() -> str:
    """The current reader's language: ?lang= (valid), else carried in the session, else the deployment default."""
    if (chosen := _chosen_language.get()) is not None:
        return chosen
    if not _streamlit_running():
        # Outside a script run: the CLI and pure functions (the default), or a test harness formatting the widgets
        # of the run it just made (AppTest calls their format functions between runs): that run's language.
        return _last_run_language or default_language()
    # One per run: a language switch is a widget callback, which runs before the script.
    return script_run.remember("language", _language_of_this_run)


def _language_of_this_run() -> str:
    global _last_run_language
    import streamlit as st

    raw = str(st.query_params.get("lang", "")).strip().lower()
    if raw in LANGUAGES:
        st.session_state[_SESSION_KEY] = raw
    else:
        carried = st.session_state.get(_SESSION_KEY)
        raw = carried if carried in LANGUAGES else default_language()
    _last_run_language = raw
    return raw


def t(text: str, **params) -> str:
    """``text`` (English) in the reader's language, with ``{name}`` placeholders filled from ``params``."""
    shown = catalogue(language()).get("ui", {}).get(text) or text
    return shown.format(**params) if params else shown


def indicator_text(indicator_id: str, field: str, english: str | None, lang: str | None = None) -> str | None:
    """One field (see ``INDICATOR_FIELDS``) of a catalogue entry in the reader's language."""
    lang = lang or language()
    if lang == "en":
        return english
    entry = catalogue(lang).get("indicators", {}).get(indicator_id, {})
    return entry.get(field) or english


def column_label(column: str) -> str:
    """A table column's header in a download (English keeps the data's own names, so a file stays joinable)."""
    if language() == "en":
        return column
    return catalogue(language()).get("columns", {}).get(column, column)


def column_title(column: str) -> str:
    """A column's title in the grid, in words: 'as_of_date' -> 'As of' (en.toml [columns]), the Lao header in Lao;
    a column the catalogue does not name reads 'Snake case' rather than 'snake_case'."""
    label = catalogue(language()).get("columns", {}).get(column)
    if label:
        return label
    return column.replace("_", " ").capitalize() if isinstance(column, str) and "_" in column else column


def with_column_labels(frame):
    """``frame`` with its column headers in the reader's language (for the grid and the downloads)."""
    return frame.rename(columns=column_label)


# Columns that hold identifiers (codes, names of files or people, periods): never translated, so a download stays
# joinable with other tables.
_IDENTIFIER_COLUMNS = {
    "indicator_id",
    "province",
    "district",
    "district_name",
    "province_name",
    "period",
    "national_period",
    "version",
    "previous_version",
    "parent",
    "file",
    "files",
    "sha256",
    "operator",
    "sex",
    "lsb_code",
    "action_id",
    "description",
    "coa_code",
    "when",
    "timestamp",
    "sheet",
    "column",
    "row",
    "message",
}


_CODE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$")


def code_text(code: object) -> object:
    """A code of the data ('cash_transfer', 'capacity_building') in words: the catalogue's, else 'Capacity
    building'; any other value unchanged."""
    if not isinstance(code, str):
        return code
    shown = catalogue(language()).get("ui", {}).get(code)
    if shown:
        return shown
    return code.replace("_", " ").capitalize() if _CODE.match(code) else code


def with_cell_labels(frame):
    """``frame`` with its coded text cells (units, statuses, channels, levels…) in the reader's language where the
    catalogue has them; identifiers, names and numbers stay as they are."""
    words = catalogue(language()).get("ui", {})
    if frame.empty:
        return frame
    changes = {}
    for column in frame.columns:
        if column in ("message", "warning"):  # the pipeline's validation messages (a report, a refresh's warnings)
            changes[column] = frame[column].map(message_text)
            continue
        if column in _IDENTIFIER_COLUMNS or str(frame[column].dtype).startswith(
            ("int", "float", "bool", "Int", "Float", "datetime")
        ):
            continue
        cells = frame[column]
        if column in ("reasons", "sender"):
            changes[column] = cells.map(phrases_text)
        elif column == "partly_covered_provinces":  # 'LA-XA (3 of 5 districts), …' (data_pipeline.coverage)
            changes[column] = cells.map(lambda v: phrases_text(v, separator=", "))
        elif cells.map(lambda v: isinstance(v, str) and (v in words or bool(_CODE.match(v)))).any():
            changes[column] = cells.map(code_text)
    return frame.assign(**changes) if changes else frame


@lru_cache(maxsize=4)
def _phrase_patterns(language: str) -> list[tuple[re.Pattern, str]]:
    """[phrases] of a catalogue as (regex of the English with its {names} as groups, translation), longest first."""
    patterns = []
    for english, translated in catalogue(language).get("phrases", {}).items():
        regex = "".join(
            f"(?P<{part[1:-1]}>.+)" if part.startswith("{") else re.escape(part)
            for part in re.split(r"(\{\w+\})", english)
            if part
        )
        patterns.append((re.compile(f"^{regex}$"), translated))
    return sorted(patterns, key=lambda p: -len(p[0].pattern))


@lru_cache(maxsize=4)
def _province_names(language: str) -> dict[str, str]:
    """English province name -> its name in ``language`` (the reference table's name_lo), for filled-in phrases."""
    from data_pipeline.reference import reference_rows

    rows = reference_rows("provinces")
    column = f"name_{language}"
    return {row["name_en"]: row.get(column) or row["name_en"] for row in rows}


def phrases_text(text: str, separator: str = "; ") -> str:
    """Generated English sentences (e.g. a PCI's reasons) in the reader's language, phrase by phrase: each phrase
    matching a [phrases] template is translated, its filled-in words too; anything else is kept as it came."""
    lang = language()
    if lang == "en" or not isinstance(text, str):
        return text
    words = {**_province_names(lang), **catalogue(lang).get("ui", {})}

    def one(phrase: str, depth: int = 0) -> str:
        if phrase in words:
            return words[phrase]
        for pattern, translated in _phrase_patterns(lang) if depth < 2 else ():
            if match := pattern.match(phrase):
                return translated.format(**{k: one(v, depth + 1) for k, v in match.groupdict().items()})
        return phrase

    return separator.join(one(phrase) for phrase in text.split(separator))


_PLACEHOLDER = re.compile(r"(\{\w+\})")


@lru_cache(maxsize=4)
def _message_patterns(language: str) -> list[tuple[re.Pattern, str, frozenset[str], bool]]:
    """[messages] of a catalogue as (regex, translation, placeholders kept verbatim), the most specific first (most
    fixed words): a placeholder matches as little as it can. A placeholder written in quotes ('{value}') is a value
    from the file and is never translated."""
    patterns = []
    for english, translated in catalogue(language).get("messages", {}).items():
        parts = [part for part in _PLACEHOLDER.split(english) if part]
        regex = "".join(f"(?P<{p[1:-1]}>.*?)" if _PLACEHOLDER.fullmatch(p) else re.escape(p) for p in parts)
        verbatim = frozenset(re.findall(r"'\{(\w+)\}'", english))
        fixed = sum(len(p) for p in parts if not _PLACEHOLDER.fullmatch(p))
        # '{first} or {second}', '{name} ({code})': connectors between placeholders, only for a part of a message
        inner_only = bool(_PLACEHOLDER.fullmatch(parts[0]) and _PLACEHOLDER.fullmatch(parts[-1]))
        try:
            compiled = re.compile(f"^{regex}$", re.DOTALL)
        except re.error:  # a {name} used twice in one template (tests/test_i18n.py says which): left out
            continue
        patterns.append((fixed, compiled, translated, verbatim, inner_only))
    patterns.sort(key=lambda p: -p[0])
    return [pattern[1:] for pattern in patterns]


@lru_cache(maxsize=4)
def _message_words(language: str) -> dict[str, str]:
    """Whole parts a message may hold, translated: province names, [ui] words, [messages] without placeholders."""
    exact = {k: v for k, v in catalogue(language).get("messages", {}).items() if not _PLACEHOLDER.search(k)}
    return {**_province_names(language), **catalogue(language).get("ui", {}), **exact}


# What data_pipeline.ingest.table writes instead of a quoted cell of a return holding personal data.
_HIDDEN_VALUE = "the value (not shown: this return holds personal data)"


def _kept(value: str, words: dict[str, str]) -> str:
    """A quoted part is the file's own text, kept as it came; only the pipeline's own stand-in for a hidden value
    ('(not shown: personal data)') is translated."""
    return words.get(value, value) if value.startswith("(not shown") else value


def message_text(message: str, lang: str | None = None) -> str:
    """A validation message of the pipeline (data_pipeline.report.Issue.message, a report's summary, a refusal) in
    the reader's language: matched against the [messages] templates, its variable parts filled in (translated too
    when they are known words, phrases or province names). A message no template matches stays as it came."""
    lang = lang or language()
    if lang == "en" or not isinstance(message, str):
        return message
    words, patterns = _message_words(lang), _message_patterns(lang)

    def one(text: str, depth: int) -> str:
        if text in words:
            return words[text]
        for pattern, translated, verbatim, inner_only in patterns if depth < 4 else ():
            if (depth or not inner_only) and (match := pattern.match(text)):
                parts = {
                    k: _kept(v, words) if k in verbatim else one(v, depth + 1) for k, v in match.groupdict().items()
                }
                return translated.format(**parts)
        return text

    try:
        if _HIDDEN_VALUE in message:  # a cell of a personal-data return, hidden where the message quoted it
            hidden = words.get(_HIDDEN_VALUE, _HIDDEN_VALUE)
            return one(message.replace(_HIDDEN_VALUE, "'\x00'"), 0).replace("'\x00'", hidden)
        # ' — row 5', ' — rows 2, 4 and 17 more': the rows a message of one value names (data_pipeline.ingest.table)
        return " — ".join(one(part, 0) for part in message.split(" — "))
    except (KeyError, IndexError, ValueError):  # a catalogue entry with a wrong placeholder: English, not a crash
        return message


def url_param() -> dict[str, str]:
    """``{"lang": ...}`` when the language differs from the deployment default (it then rides in every link)."""
    lang = language()
    return {} if lang == default_language() else {"lang": lang}


def _on_switch() -> None:
    import streamlit as st

    chosen = st.session_state[_WIDGET_KEY]
    st.session_state[_SESSION_KEY] = chosen
    if chosen == default_language():
        st.query_params.pop("lang", None)
    else:
        st.query_params["lang"] = chosen


def language_switch() -> str:
    """The sidebar switch (labelled in both languages, so either reader finds it); keeps ?lang= in the URL."""
    import streamlit as st

    lang = language()
    st.session_state[_SESSION_KEY] = lang
    st.session_state[_WIDGET_KEY] = lang
    st.sidebar.segmented_control(
        "ພາສາ · Language",
        list(LANGUAGES),
        key=_WIDGET_KEY,
        format_func=LANGUAGES.get,
        on_change=_on_switch,
        selection_mode="single",
    )
    if lang != default_language():
        st.query_params["lang"] = lang
    return lang


# --- numbers of the calendar ------------------------------------------------------------------------------------


def period_label(period: object) -> str:
    """'2022-Q2' -> 'ໄຕມາດ 2/2022' in Lao (unchanged in English); '2022-05' -> 'ພຶດສະພາ 2022'; other text as is."""
    if period is None or (isinstance(period, float) and period != period):
        return t("no data")
    text = str(period)
    if language() == "en":
        return text
    if match := _PERIOD.match(text):
        return t("Q{quarter}/{year}", quarter=match.group(2), year=match.group(1))
    if match := _MONTH.match(text):
        return f"{month_name(int(match.group(2)))} {match.group(1)}"
    return text


def month_name(month: int) -> str:
    return t(MONTHS_EN[month - 1])


def date_time_label(stamp: object) -> str:
    """An ISO timestamp as '1 December 2026, 16:20' / '1 ທັນວາ 2026, 16:20'; unparseable text as it came."""
    text = str(stamp or "")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text[:16].replace("T", " ")
    return f"{moment.day} {month_name(moment.month)} {moment.year}, {moment:%H:%M}"
