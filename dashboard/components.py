"""Page building blocks: header, sample-data banner, a chart with its table and downloads, the shareable link."""

from __future__ import annotations

import functools
import hashlib
import importlib
import pickle
import re
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go
import pyarrow as pa
import streamlit as st

from dashboard import auth, data, filters, i18n, navigation, script_run, views
from dashboard.charts import PLOTLY_CONFIG, empty_sentence
from dashboard.charts import new_figure as charts_new_figure
from dashboard.charts import empty_key as charts_empty_key
from dashboard.exports import csv_bytes, excel_bytes, neutralise
from dashboard.format import NO_DATA, SEX_LABELS, SUPPRESSED, readable_cell, readable_cells, sex_label
from dashboard.i18n import t
from indicators import disclosure

# The page's privacy sentence: a slot under the header (navigation.page_state, emptied as each page starts), filled
# once by the first hidden figure the page shows.
_page = navigation.page_state
PRIVACY_NOTE = disclosure.NOTE  # the indicator layer's one sentence; its words in the reader's language


def privacy_note() -> str:
    """indicators.disclosure's sentence in the reader's language, with this deployment's threshold."""
    return t(PRIVACY_NOTE, threshold=data.threshold())


def mark_hidden(hidden: object = True) -> None:
    """Called with what a page shows hidden (a flag, or flags): the page then says why, once, under its header."""
    if not (hidden.any() if hasattr(hidden, "any") else bool(hidden)):
        return
    slot = getattr(_page, "slot", None)
    if slot is not None and not getattr(_page, "noted", False):
        _page.noted = True
        slot.caption(privacy_note())


_NUMBER_COLUMNS = {
    "value",
    "numerator",
    "denominator",
    "lower_bound",
    "upper_bound",
    "target_value",
    "baseline_value",
    "national_value",
    "difference",
    "female",
    "male",
    "female_to_male_ratio",
    "gap_points",
    "payments",
    "allocated_lak",
    "executed_lak",
    "made",
    "completed",
    "feedback_returned",
    "planned",
    "held",
    "members_expected",
    "members_present",
    "score",
}


def page_header(title: str, question: str, f: filters.Filters | None = None) -> None:
    """The title, the question the page answers, and the view (province, sex, period) in words."""
    st.title(t(title))
    st.caption(t(question))
    if f is not None:
        sex = t("both sexes") if f.sex == "_T" else t(SEX_LABELS.get(f.sex, f.sex).lower())
        period = i18n.period_label(f.period) if f.period else t("latest period")
        st.markdown(f"**{data.province_name(f.province)}** · {sex} · {period}")


def no_warehouse_message() -> None:
    st.error(t("No data warehouse has been built yet, so there is nothing to show."))
    st.markdown(t("Build it from the bundled sample data (demo key, sample data only), then reload this page:"))
    st.code("python -m data_pipeline refresh sample_data --operator sample-data --demo-key", language="bash")
    st.caption(
        t("Or run `bash scripts/dashboard.sh`, which builds it on first start. SP_WAREHOUSE chooses its folder.")
    )


def version_banner(version: str, current: str | None = None) -> None:
    """Sidebar: which data the reader sees; a loud banner when it is the bundled sample data."""
    created_at = data.version_created(version)
    created = i18n.date_time_label(created_at) if created_at else ""
    st.sidebar.caption(
        t("Data version **{version}** · refreshed {created}", version=version, created=created or t("unknown"))
    )
    if current is not None and version != current:
        st.sidebar.info(
            t(
                "This link shows data version **{version}**; the current data are **{current}**.",
                version=version,
                current=current,
            ),
            icon=":material/history:",
        )
        st.sidebar.button(t("Show the current data"), on_click=filters.unpin_version, key="sp_unpin_version")
    if data.is_sample_data(version):
        st.warning(
            t(
                "**Sample data** — these figures come from the bundled demonstration returns, not from the "
                "ministries' real data. Do not quote them."
            ),
            icon=":material/science:",
        )


def _safe_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def _column_config(frame: pd.DataFrame) -> dict:
    config = {}
    for column in frame.columns:
        if column in _NUMBER_COLUMNS or column.endswith(("_lak", "_rate")):
            if pd.api.types.is_numeric_dtype(frame[column]):
                config[column] = st.column_config.NumberColumn(i18n.column_title(column), format="localized")
    return config


def _may_hold_objects(cells: pd.Series) -> bool:
    return cells.dtype == object or isinstance(cells.dtype, pd.CategoricalDtype)


def _flat(table: pd.DataFrame) -> pd.DataFrame:
    """List cells (periods of a file, sources of an indicator) as text, which every spreadsheet can hold."""
    # Only a column of Python objects (or categories) can hold a list: a number column is not read cell by cell.
    listy = [
        c
        for c in table.columns
        if _may_hold_objects(table[c]) and table[c].map(lambda v: isinstance(v, (list, tuple, dict))).any()
    ]
    if not listy:
        return table
    return table.assign(**{c: table[c].map(readable_cell) for c in listy})


# Figures a suppressed row hides; in a shown or downloaded table they read "suppressed", never blank or zero.
_HIDDEN_WITH_ROW = (
    "value",
    "numerator",
    "denominator",
    "lower_bound",
    "upper_bound",
    "status",
    "status_label",
    "status_base_value",
    "growth_actual",
    "growth_required",
    "progress_ratio",
    "payments",
    "made",
    "completed",
    "feedback_returned",
)


def labelled(table: pd.DataFrame) -> pd.DataFrame:
    """Suppressed figures written as the word 'suppressed'; the flag columns themselves are dropped.

    A row's ``suppressed`` flag covers its figures; ``<column>_suppressed`` (e.g. ``female_suppressed``) covers
    one column; ``national_suppressed`` covers ``national_value``.
    """
    shown, hidden = _labelled(table)
    mark_hidden(hidden)
    return shown


def _labelled(table: pd.DataFrame) -> tuple[pd.DataFrame, bool]:
    """``labelled`` without drawing anything: the table, and whether it shows a hidden figure."""
    flags = {c: table[f"{c}_suppressed"] for c in table.columns if f"{c}_suppressed" in table.columns}
    if "national_suppressed" in table.columns and "national_value" in table.columns:
        flags["national_value"] = table["national_suppressed"]
    if "suppressed" in table.columns:
        flags.update({c: table["suppressed"] for c in _HIDDEN_WITH_ROW if c in table.columns and c not in flags})
    shown, any_hidden = table.copy(), False
    for column, flag in flags.items():
        hidden = flag.fillna(False).astype(bool) & shown[column].isna()
        if hidden.any():
            any_hidden = True
            shown[column] = shown[column].astype(object).where(~hidden, t(SUPPRESSED))
    drop = [
        c
        for c in shown.columns
        if c in ("suppressed", "suppressed_label", "national_suppressed") or c.endswith("_suppressed")
    ]
    return shown.drop(columns=drop), any_hidden


def _as_text_where_mixed(table: pd.DataFrame) -> pd.DataFrame:
    """For the grid (downloads keep the numbers and blanks): columns holding numbers and the word 'suppressed' as
    text, and an empty cell as '—' (the grid would write 'None')."""
    mixed = [
        c
        for c in table.columns
        if table[c].dtype == object and table[c].map(lambda v: v in (SUPPRESSED, t(SUPPRESSED))).any()
    ]
    gaps = [c for c in table.columns if c not in mixed and table[c].isna().any()]
    no_data = {c: t(NO_DATA) if c in _FIGURE_TITLES else "—" for c in gaps}
    return table.assign(
        **{c: table[c].map(lambda v: v if isinstance(v, str) else "" if pd.isna(v) else f"{v:,.10g}") for c in mixed},
        **{
            c: table[c].map(lambda v, gap=no_data[c]: gap if _missing(v) else v if isinstance(v, str) else f"{v:,.10g}")
            if pd.api.types.is_numeric_dtype(table[c]) and not pd.api.types.is_bool_dtype(table[c])
            else table[c].map(lambda v, gap=no_data[c]: gap if _missing(v) else v)
            for c in gaps
        },
    )


# Figures whose gap is "no data" (a missing or zero denominator); any other empty cell (a bound, a date) reads "—".
_FIGURES = {"value", "numerator", "denominator", "national_value", "female", "male", "female_to_male_ratio"}
_FIGURE_TITLES = {i18n.column_label(c) for c in _FIGURES} | _FIGURES
# Codes of the tidy table, in words in the grid (a download keeps the codes, so that it joins with other tables).
_TOTAL_CODES = {"_T": "Total", "_U": "Sex not recorded"}


def _codes_in_words(table: pd.DataFrame) -> pd.DataFrame:
    """'_T' -> 'Total', sex 'F' -> 'Female', for the grid."""
    changes = {}
    for column in table.columns:
        cells = table[column]
        if column == i18n.column_label("sex"):
            changes[column] = cells.map(lambda v: sex_label(v) if isinstance(v, str) else v)
        elif cells.dtype == object or pd.api.types.is_string_dtype(cells):
            if cells.isin(list(_TOTAL_CODES)).any():
                changes[column] = cells.map(lambda v: t(_TOTAL_CODES[v]) if v in _TOTAL_CODES else v)
    return table.assign(**changes) if changes else table


def _missing(value: object) -> bool:
    return value is None or (not isinstance(value, (str, list, tuple, dict)) and bool(pd.isna(value)))


def _with_note(table: pd.DataFrame) -> pd.DataFrame:
    """A download holding a hidden figure ends with the privacy sentence, in its first column."""
    word = t(SUPPRESSED)  # a word: never in a number column
    columns = (table.iloc[:, i] for i in range(table.shape[1]))
    if table.columns.empty or not any(
        cells.isin([word]).any() for cells in columns if not pd.api.types.is_numeric_dtype(cells)
    ):
        return table
    note = pd.DataFrame({table.columns[0]: [privacy_note()]})
    return pd.concat([table.astype(object), note], ignore_index=True)


def table_with_downloads(
    table: pd.DataFrame | Callable[[], pd.DataFrame], name: str, *, view: tuple | None = None
) -> None:
    """The numbers, with CSV and Excel downloads (formula-safe, see dashboard.exports). The grid shows the same
    formula-safe text, so its own toolbar's "Download as CSV" (which Streamlit cannot turn off) is safe too.
    Column headers are in the reader's language, in the grid and the downloads alike; ``name`` (English) names the
    files and widget keys. ``view``: as in ``grid_or_phone_table`` (kept under the view, ``table`` then made only
    when it is not kept yet)."""
    key = _safe_key(name)
    language, audience = i18n.language(), data.audience()
    content = _kept_key(key, view, language, audience) if view is not None else _content_key(_made(table))
    # By name: Streamlit looks a cached function's signature up for every argument given by position.
    shaped = _for_reader(
        _table=table,
        content=content,
        key=key,
        language=language,
        audience=audience,
        threshold=data.threshold(),
        generation=_generation_of_this_run(),
    )
    mark_hidden(shaped.hidden)
    st.dataframe(shaped.grid, hide_index=True, column_config=shaped.config, width="stretch")
    buttons = st.container(horizontal=True)
    buttons.download_button(
        t("CSV"),
        shaped.csv,
        file_name=f"{key}.csv",
        mime="text/csv",
        key=f"csv_{key}",
        icon=":material/download:",
        # No rerun on a click: nothing on the page changes, and a rerun replaces the Excel button's deferred id, so an
        # Excel click right after it failed ("Deferred file ... not found").
        on_click="ignore",
    )
    buttons.download_button(
        t("Excel"),
        shaped.xlsx,  # written when the reader asks for it (a deferred download), not with every first view
        file_name=f"{key}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"xlsx_{key}",
        icon=":material/download:",
        on_click="ignore",
    )


@dataclass(frozen=True)
class _ReaderTable:
    grid: pa.Table | pd.DataFrame  # what the grid shows (``_grid_data``): words for codes, "—" or "no data" for gaps,
    # formula-safe text
    config: dict  # its column_config, titles in the reader's language
    csv: bytes  # the downloads: the data's codes and numbers, the privacy sentence last
    xlsx: _Workbook
    hidden: bool  # True when it shows a hidden figure


class _Workbook:
    """The Excel download of a table, written the first time it is asked for (``st.download_button`` calls it when
    the reader clicks) and kept: writing the workbooks was a third of the indicator page's first view (five tables,
    each a workbook) for a download few readers take (issue 13)."""

    def __init__(self, download: pd.DataFrame, sheet_name: str) -> None:
        self._download, self._sheet_name = download, sheet_name
        self._lock = threading.Lock()
        self._bytes: bytes | None = None

    def __call__(self) -> bytes:
        with self._lock:  # a click runs it in a thread of the server: two clicks write it once
            if self._bytes is None:
                self._bytes = excel_bytes(self._download, sheet_name=self._sheet_name)
            return self._bytes


@st.cache_data(show_spinner=False)
def _kept_generation() -> str:
    """A new token each time Streamlit's data cache is emptied (after a refresh, between tests): what is kept with
    st.cache_resource here is then made again too, like the data cache's own entries."""
    return uuid.uuid4().hex


def _generation_of_this_run() -> str:
    """``_kept_generation``, asked once per script run (a cached call, twice per chart: a run that empties the data
    cache reruns anyway)."""
    return script_run.remember("kept_generation", _kept_generation)


def _content_key(table: pd.DataFrame) -> str:
    """A digest of every cell, column name and type (Streamlit's own hash samples tables of 50,000 rows or more)."""
    digest = hashlib.sha256(repr((list(table.columns), [str(d) for d in table.dtypes])).encode())
    try:
        digest.update(pd.util.hash_pandas_object(table, index=False).to_numpy().tobytes())
    except TypeError:  # list cells (sources, periods of a file) cannot be hashed by pandas
        digest.update(pickle.dumps(table))
    return digest.hexdigest()


@st.cache_resource(show_spinner=False, max_entries=1024)
def _for_reader(
    _table: pd.DataFrame, content: str, key: str, language: str, audience: str, threshold: int, generation: str
) -> _ReaderTable:
    """The grid and the downloads of ``table_with_downloads``, made once per (table content, file name, language,
    audience, threshold), its whole input (the audience keeps audiences apart, as dashboard.data does): writing the
    workbook and the CSV on every rerun was most of a warm page (issue 13). Shared by every session and never
    modified (st.cache_resource: not copied on every call, as st.cache_data would)."""
    with i18n.in_language(language):  # the reader's language, fixed: not looked up again for every cell
        return _shaped_for_reader(_made(_table), key)


def _shaped_for_reader(table: pd.DataFrame, key: str) -> _ReaderTable:
    shown, hidden = _labelled(_flat(table))
    table = readable_cells(shown)
    config = _column_config(table)
    titles = {i18n.column_label(c): i18n.column_title(c) for c in table.columns}
    table = i18n.with_column_labels(i18n.with_cell_labels(table))
    config = {i18n.column_label(c): v for c, v in config.items()}
    config = {c: config.get(c, st.column_config.Column(titles.get(c, c))) for c in table.columns}
    for column, title in titles.items():
        config[column]["label"] = title
    grid = _as_text_where_mixed(neutralise(_codes_in_words(table)))
    for column in grid.columns:  # a number column written as text in the grid ('—' for a gap) is shown as text
        if grid[column].dtype == object and config[column].get("type_config", {}).get("type") == "number":
            config[column] = st.column_config.Column(config[column]["label"])
    download = _with_note(table)
    return _ReaderTable(_grid_data(grid), config, csv_bytes(download), _Workbook(download, sheet_name=key[:31]), hidden)


def _grid_data(frame: pd.DataFrame) -> pa.Table | pd.DataFrame:
    """``frame`` as the Arrow table st.dataframe makes of a data frame (``pyarrow.Table.from_pandas``, the same bytes
    reach the browser), made once with the rest of a kept table instead of on every rerun; the frame itself where
    Arrow needs Streamlit's own fixes first (mixed types)."""
    try:
        return pa.Table.from_pandas(frame)
    except (pa.ArrowTypeError, pa.ArrowInvalid, pa.ArrowNotImplementedError, OverflowError):
        return frame


# Narrower than 640 px (where Streamlit stacks columns) a table shows as wrapped Markdown, so no column is pushed
# off a phone's screen; wider, as the grid. The switch is CSS on the two containers' keys.
_WIDE_OR_NARROW = (
    "<style>@media (max-width: 640px) { [class*='st-key-sp_wide_'] { display: none; } }"
    "@media (min-width: 641px) { [class*='st-key-sp_narrow_'] { display: none; } }"
    "[class*='st-key-sp_narrow_'] table { width: 100%; table-layout: fixed; }"
    "[class*='st-key-sp_narrow_'] th, [class*='st-key-sp_narrow_'] td { overflow-wrap: anywhere; padding: 0.4rem; }"
    "</style>"
)


def grid_or_phone_table(
    rows: pd.DataFrame | Callable[[], pd.DataFrame],
    *,
    key: str,
    grid: dict,
    phone: dict[str, str],
    view: tuple | None = None,
) -> None:
    """``rows`` as a grid (``grid``: st.dataframe's arguments) on a wide screen and, on a phone, as a wrapped table
    of the few ``phone`` columns (column -> title). No links in it: Markdown here holds no link at all (see
    tests/test_markdown_escaping.py); the indicator's page is one menu away.

    ``view`` (``PageContext.view(...)``): everything ``rows`` is made from. The grid is then kept under it, with the
    reader's language, audience and threshold, and ``rows`` (a table, or a function making it) is not even made on a
    warm rerun; without ``view`` the kept grid is found by hashing every cell of ``rows``."""
    kept = _kept_key(key, view) if view is not None else _content_key(_made(rows))
    data, narrow = _grid_and_phone(
        _rows=rows, content=kept, phone=tuple(phone.items()), generation=_generation_of_this_run()
    )
    st.markdown(_WIDE_OR_NARROW, unsafe_allow_html=True)
    with st.container(key=f"sp_wide_{_safe_key(key)}"):
        st.dataframe(data, hide_index=True, width="stretch", **grid)
    with st.container(key=f"sp_narrow_{_safe_key(key)}"):
        st.markdown(narrow)


@st.cache_resource(show_spinner=False, max_entries=256)
def _grid_and_phone(
    _rows: pd.DataFrame, content: str, phone: tuple, generation: str
) -> tuple[pa.Table | pd.DataFrame, str]:
    # The grid's Arrow table and the phone's Markdown, made once per content or view (shared, never modified).
    rows = _made(_rows)
    return _grid_data(rows), views.narrow_table(rows, dict(phone))


def _made(rows: pd.DataFrame | Callable[[], pd.DataFrame]) -> pd.DataFrame:
    return rows() if callable(rows) else rows


def _kept_key(key: str, view: tuple, language: str | None = None, audience: str | None = None) -> str:
    """What a table kept under its view is found by: the page's view (data version, filters, the page's choices and
    parameters, ...) and the table's own key, with the reader's language and audience (looked up unless the caller
    has them already) and the parameters file."""
    language = i18n.language() if language is None else language
    audience = data.audience() if audience is None else audience
    return repr(("view", key, view, language, audience, data.parameters_hash()))


def chart_with_table(
    fig,
    table: pd.DataFrame | Callable[[], pd.DataFrame],
    name: str,
    caption: str | None = None,
    label: str | None = None,
    *,
    view: tuple | None = None,
) -> None:
    """A chart and, one click away, the table behind it with its downloads. ``name`` (English) keys the widgets and
    names the files; ``label`` is what the reader sees (default: ``name`` translated). A figure with nothing to draw
    is replaced by its one sentence (axes alone say nothing). ``view``: see ``table_with_downloads``; by default the
    view the figure was made under (``figure(..., view=...)``), which the table is made from too."""
    if view is None and isinstance(fig, ServedFigure):
        view = fig.view
    sentence = fig.sentence if isinstance(fig, ServedFigure) else empty_sentence(fig)
    if sentence:
        st.info(sentence, icon=":material/info:")
        return
    st.plotly_chart(
        fig,
        width="stretch",
        key=f"chart_{_safe_key(name)}",
        config={**PLOTLY_CONFIG, "toImageButtonOptions": {"filename": _safe_key(name)}},
    )
    if caption:
        st.caption(caption)
    with st.expander(t("Table: {name}", name=label or t(name)), icon=":material/table:"):
        table_with_downloads(table, name, view=view)


def figure(build, *args, view: tuple | None = None, **kwargs):
    """``build(*args, **kwargs)``, a figure of ``dashboard.charts`` or ``dashboard.maps`` (or a tuple holding one, as
    ``maps.province_map`` returns), made once per (builder, arguments, language) and served as it was made
    (``ServedFigure``): building a plotly figure, and copying it out of plotly's objects again for Streamlit, was
    most of a warm chart page, and the same view asks for the same figures on every rerun.

    ``view`` (``PageContext.view(...)``): everything the tables among the arguments are made from. The figure is then
    kept under it and the arguments that are not tables (titles, column names...), rather than under a hash of every
    cell of every table, which Streamlit computed on every rerun."""
    language, generation = i18n.language(), _generation_of_this_run()
    module, name = build.__module__, build.__qualname__
    if view is None:
        args, kwargs = _now(args), _now(kwargs)
        made = _figure_parts(
            module=module, name=name, language=language, args=args, kwargs=kwargs, generation=generation
        )
    else:
        key = _kept_key(f"figure {module}.{name} {_without_tables(args)!r} {_without_tables(kwargs)!r}", view, language)
        _once_per_page(key)
        made = _figure_parts_of_view(
            module=module, name=name, language=language, key=key, _args=args, _kwargs=kwargs, generation=generation
        )
    return tuple(_served(part, view) for part in made) if isinstance(made, tuple) else _served(made, view)


def _once_per_page(key: str) -> None:
    """Two figures of one page under one key would show the same picture: a page must tell them apart (``view``)."""
    drawn = getattr(_page, "figures", None)
    if drawn is None:
        return
    if key in drawn:
        raise ValueError(f"Two figures of this page have the same view ({key}): add what differs to their view.")
    drawn.add(key)


def _without_tables(arguments):
    """``arguments`` (a tuple or a dict) with each table, series or ``later`` written as its kind: what ``view``
    stands for."""
    if isinstance(arguments, dict):
        return {k: _without_tables((v,))[0] for k, v in arguments.items()}
    return tuple(f"<{type(a).__name__}>" if isinstance(a, (pd.DataFrame, pd.Series, Later)) else a for a in arguments)


@dataclass(frozen=True)
class Later:
    """An argument of ``figure(..., view=...)`` made only when the figure is: a table (or a subtitle) made from the
    page's view, which a warm rerun then does not make at all (``later(lambda: ...)``)."""

    make: Callable[[], object]


def later(make: Callable[[], object]) -> Later:
    """``make()``, called only if the figure it is an argument of is not kept under its view yet."""
    return Later(make)


def _now(arguments):
    """``arguments`` (a tuple or a dict) with each ``later`` made."""
    if isinstance(arguments, dict):
        return {k: v.make() if isinstance(v, Later) else v for k, v in arguments.items()}
    return tuple(a.make() if isinstance(a, Later) else a for a in arguments)


@st.cache_resource(show_spinner=False, max_entries=512)
def _figure_parts_of_view(
    module: str, name: str, language: str, key: str, _args: tuple, _kwargs: dict, generation: str
):
    """``_figure_parts`` kept under the figure's view (``figure(view=...)``): its tables are not hashed."""
    return _plain_parts(module, name, language, _args, _kwargs)


@st.cache_resource(show_spinner=False, max_entries=512)
def _figure_parts(module: str, name: str, language: str, args: tuple, kwargs: dict, generation: str):
    """The figure as plain data (``to_dict``), shared by every session and never modified (st.cache_resource: no
    copy per call; ``ServedFigure`` hands out fresh outer containers)."""
    return _plain_parts(module, name, language, args, kwargs)


def _plain_parts(module: str, name: str, language: str, args: tuple, kwargs: dict):
    build = getattr(importlib.import_module(module), name)
    with i18n.in_language(language):
        made = build(*_now(args), **_now(kwargs))
    return tuple(_plain_figure(part) for part in made) if isinstance(made, tuple) else _plain_figure(made)


class _PlainFigure(dict):
    """A figure's ``to_dict()``, marked as one (a tuple may hold other things, e.g. the map's kind)."""


def _plain_figure(part):
    if not isinstance(part, go.Figure):
        return part
    # Through plotly's objects once more, as Streamlit used to receive it: the same JSON, key for key, byte for byte.
    # The copy's own dicts are taken, not a deep copy of them (``to_dict``): it is thrown away, and what ``to_dict``
    # adds (numbers as base64 arrays) the first ``to_dict`` did. The template every figure carries (``new_figure``'s)
    # goes through as a stand-in and is put back as its round trip made it once: copying it in and out of plotly's
    # objects was most of the round trip (a figure is thrown away after this, so its own layout is changed).
    layout = part._layout
    standard = layout.get("template") == _template()
    if standard:
        layout["template"] = _TEMPLATE_STAND_IN
    again = go.Figure(part.to_dict(), _validate=False)
    if standard:
        again._layout["template"] = _plain_template()
    return _PlainFigure({"data": again._data, "layout": again._layout})


_TEMPLATE_STAND_IN = {"layout": {"meta": "template"}}  # any small template: only its place in the layout counts


@functools.cache
def _template() -> dict:
    """The template as ``charts.new_figure`` puts it in a figure."""
    return charts_new_figure()._layout["template"]


@functools.cache
def _plain_template() -> dict:
    """``_template`` as ``_plain_figure``'s round trip makes it (shared by every kept figure, never modified)."""
    return go.Figure(charts_new_figure().to_dict(), _validate=False)._layout["template"]


def _served(part, view: tuple | None = None):
    return ServedFigure(part, view) if isinstance(part, _PlainFigure) else part


class ServedFigure(go.Figure):
    """A figure made by ``figure``, for ``st.plotly_chart`` (or ``plotly.io.to_json``) only. Streamlit asks a plotly
    figure for ``to_dict()`` and writes that as JSON; this one answers with the data it was made as, instead of
    rebuilding plotly's object tree and copying it out again on every rerun (a province map: about 20 ms).

    Not a plotly object tree: plotly's own methods (``update_layout``...) are not available on it; what a page wants
    changed is an argument of the builder."""

    def __init__(self, plain: dict, view: tuple | None = None) -> None:  # noqa: D107 (plotly's constructor is not run)
        self._plain = plain
        self._view = view  # what it was made under (``figure(..., view=...)``): its table's view in chart_with_table
        meta = plain.get("layout", {}).get("meta")
        self._sentence = meta.get(charts_empty_key()) if isinstance(meta, dict) else None

    @property
    def view(self) -> tuple | None:
        """The view the figure was made under, or None."""
        return self._view

    @property
    def sentence(self) -> str | None:
        """``charts.empty_sentence`` of the figure: shown instead of it when it has nothing to draw."""
        return self._sentence

    def to_dict(self) -> dict:
        # Fresh outer containers: plotly.io.to_json removes each trace's "uid" in place. The rest is shared, read-only.
        return {**self._plain, "data": [dict(trace) for trace in self._plain.get("data", ())]}

    def to_plotly_json(self) -> dict:
        return self.to_dict()

    def __repr__(self) -> str:
        return f"ServedFigure({len(self._plain.get('data', ()))} traces)"


def share_box(params: dict[str, str], version: str | None = None) -> None:
    """'Copy link to this view': the full URL in a code box (it has a copy button), pinned to the data version."""
    with st.expander(t("Copy link to this view"), icon=":material/link:"):
        pinned = {"version": version, **{k: v for k, v in params.items() if k != "version"}} if version else params
        st.code(filters.share_link(pinned), language=None, wrap_lines=True)
        st.caption(
            t(
                "Anyone opening this link sees the same page with the same filters and the same data version "
                "(without signing in, small numbers are suppressed)."
            )
        )


@dataclass
class PageContext:
    version: str
    filters: filters.Filters
    params: dict = field(default_factory=dict)
    link_slot: object = None
    page: str = ""  # the page's title (English): keeps the tables of two pages apart

    def view(self, *more) -> tuple:
        """What a table of this page is made from, for ``grid_or_phone_table(view=...)`` and
        ``table_with_downloads(view=...)``: the page, the data version, the filters and every parameter of the page's
        address (its own choices included, as they are now), and ``more`` (what else the table depends on)."""
        return (self.page, self.version, self.filters, tuple(sorted(self.params.items())), *more)

    def refresh_link(self) -> None:
        with self.link_slot.container():
            share_box(self.params, self.version)


# A tile's label and figure wrap rather than end in '…' ("Effective coverage: …", "1 December 2026, 1…").
_TILES_WRAP = (
    "<style>[data-testid='stMetricLabel'] * { white-space: normal !important; overflow: visible !important;"
    " text-overflow: clip !important; }"
    "[data-testid='stMetricValue'] * { white-space: normal !important; overflow-wrap: anywhere;"
    " text-overflow: clip !important; }</style>"
)


def start_page(
    title: str, question: str, *, show=("period", "province", "sex"), programmes=None, page_params: tuple[str, ...] = ()
) -> PageContext | None:
    """Common top of every data page: version check, filters (URL-synced), header. None when there is no data."""
    navigation.enter_page()
    current = data.current_version()
    if current is None:
        st.title(t(title))
        no_warehouse_message()
        return None
    version = filters.data_version(current, data.version_ids(filters.requested_version()))
    version_banner(version, current)
    if callable(programmes):  # the programmes on offer depend on the data version
        programmes = programmes(version)
    f = filters.filter_bar(
        periods=data.periods(version),
        provinces=data.provinces(),
        show=show,
        programmes=programmes,
        locked_province=auth.current_user().province,
    )
    params = filters.sync_url(page_params)
    context = PageContext(version, f, params, st.sidebar.empty(), title)
    context.refresh_link()
    st.markdown(_TILES_WRAP, unsafe_allow_html=True)  # CSS only: st.html would add an element per call
    page_header(title, question, f if show else None)  # a page without filters has no view to describe
    _page.slot, _page.noted, _page.figures = st.empty(), False, set()
    return context


def page_choice(
    context: PageContext,
    name: str,
    label: str,
    options: list[str],
    labels: dict[str, str],
) -> str:
    """A page's own choice (which indicator, which view), kept in the URL like the filters."""
    value = filters.page_param(name, options)
    key = f"_sp_choice_{name}"
    st.session_state[key] = value
    widget = st.radio if len(options) <= 5 else st.selectbox
    extra = {"horizontal": True} if widget is st.radio else {}
    widget(
        t(label),
        options,
        key=key,
        format_func=lambda o: labels.get(o, o),
        on_change=filters.on_page_param_change,
        args=(name, key, options[0]),
        **extra,
    )
    if value != options[0]:
        context.params[name] = value
        st.query_params[name] = value
    else:
        context.params.pop(name, None)
        st.query_params.pop(name, None)
    context.refresh_link()
    return value
