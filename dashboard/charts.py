"""Plotly figures for the pages: one look (colour-blind-safe palette, units on axes, thousands separators).

Each function takes a small tidy frame from ``dashboard.data`` and returns a figure; pages pass it, with the same frame,
to ``components.chart_with_table`` so that every chart has its numbers one click away. The functions are pure (no
Streamlit), so the meeting pack prints the same figures.

What every figure promises a reader:
- a figure hidden by the disclosure rule (a ``suppressed`` flag in the frame) is drawn as a hatched band with the
  word "suppressed" and a legend entry, never as a gap, a missing bar or "no data";
- value labels are never clipped (no clipping on the axis, headroom on the value axis), no text is under 11 px;
- a figure with nothing to show carries one sentence instead (``empty_sentence``), which the page shows in its place.
"""

from __future__ import annotations

import copy
import functools
import textwrap
from urllib.parse import quote

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.format import NO_DATA, OKABE_ITO, SEX_COLOURS, SEX_LABELS, SUPPRESSED, sex_label, value_with_unit
from dashboard.i18n import period_label, t

PALETTE = [OKABE_ITO[c] for c in ("blue", "orange", "green", "vermillion", "sky_blue", "purple", "yellow", "black")]
# Lao glyphs come from the shipped Phetsarath OT (static/fonts, loaded by the page's theme), so Lao renders on a
# machine without a Lao font; Latin text keeps the dashboard's font.
FONT = "Source Sans Pro, Source Sans, Segoe UI, Helvetica, Arial, Phetsarath OT, sans-serif"
TEXT_SIZE = 13  # ticks, legend, value labels
MIN_TEXT_SIZE = 12  # no label is drawn smaller (bar labels that would need less are left to the hover and the table)
TITLE_SIZE = 16
# Titles wrap at this many characters: plotly never wraps, and a 390 px phone holds about 40 at 16 px.
TITLE_WIDTH = 38
TOOLBAR_STRIP = 36
SUPPRESSED_GREY = "#595959"
NO_DATA_GREY = "#d9d9d9"
SUPPRESSED_GROUP = "suppressed-"  # legendgroup prefix of the "suppressed" bands (``is_suppressed_band``)

# plotly.js fetches a world topojson from cdn.plot.ly for any geo subplot, even with the base map hidden. Hand it an
# empty topology inline instead (a data: URL; plotly appends "/world_110m.json", which lands in the URL fragment), so
# the province map draws with no internet from the shipped GeoJSON alone.
_EMPTY_TOPOLOGY = '{"type":"Topology","objects":{},"arcs":[]}'
# Only "download as PNG" in the chart's toolbar: zoom and pan tools covered the titles (on a phone, every title).
PLOTLY_CONFIG = {
    "displaylogo": False,
    "topojsonURL": "data:application/json," + quote(_EMPTY_TOPOLOGY) + "#",
    "modeBarButtonsToRemove": [
        "zoom",
        "pan",
        "select",
        "lasso",
        "zoomIn",
        "zoomOut",
        "autoScale",
        "resetScale",
        "zoom2d",
        "pan2d",
        "select2d",
        "lasso2d",
        "zoomIn2d",
        "zoomOut2d",
        "autoScale2d",
        "resetScale2d",
        "zoomInGeo",
        "zoomOutGeo",
        "resetGeo",
        "hoverClosestGeo",
        "hoverClosestCartesian",
        "hoverCompareCartesian",
        "toggleSpikelines",
    ],
    "scrollZoom": False,
}
_EMPTY = "empty"  # key in a figure's layout.meta: the sentence shown instead of a figure with nothing to draw


TEMPLATE = "plotly_white"  # every figure's template (plotly's registered one)
# Validated once: as a layout holds it, its properties in plotly's order (the JSON every figure carried, byte for byte).
_TEMPLATE_OBJECT = go.Layout(template=TEMPLATE).template


def new_figure(data=None) -> go.Figure:
    """A new figure in ``TEMPLATE``, each builder's first step. The template is put in without validating it again,
    as plotly puts in its default template (``BaseFigure._initialize_layout_template``): ``update_layout(template=...)``
    copied and validated it for every figure (7-9 ms, about half of a styled figure; issue 13), and plotly's default
    template is process-wide state that Streamlit sets to its own. tests/test_charts.py checks every builder's JSON
    against the validated template."""
    fig = go.Figure(data)
    layout = fig.layout
    layout._validate = False
    try:
        layout.template = _TEMPLATE_OBJECT
    finally:
        layout._validate = fig._validate
    return fig


# Programme and ministry codes that read as acronyms ('mecg' -> 'MECG').
ACRONYMS = frozenset({"mecg", "maf", "moh", "mof", "moes", "molsw", "lsso", "nhi", "nhib", "nssf"})


def category_label(value: object) -> str:
    """A category value in the reader's words: 'F' -> 'Female', 'cash_transfer' -> 'Cash transfer', 'mecg' -> 'MECG'
    (the catalogue's translation where it has one)."""
    text = str(value)
    if text in SEX_LABELS or text.lower() in ("female", "male"):
        return sex_label(text)
    shown = t(text)
    if shown != text:
        return shown
    if text in ACRONYMS:
        return text.upper()
    words = text.replace("_", " ")
    return words[:1].upper() + words[1:]


def _flags(frame: pd.DataFrame, column: str | None) -> np.ndarray:
    """The suppression flag of each row (False where the frame carries none: a member's figures)."""
    if not column or column not in frame.columns:
        return np.zeros(len(frame), dtype=bool)
    return frame[column].fillna(False).astype(bool).to_numpy()


def _nothing(frame: pd.DataFrame, value: str, suppressed: str | None) -> bool:
    """True when no row has a figure to draw or a hidden one to mark."""
    return bool(frame.empty or not (frame[value].notna().to_numpy() | _flags(frame, suppressed)).any())


def nothing_to_show(title: str, sentence: str | None = None) -> go.Figure:
    """A figure with nothing to draw: its one sentence (``empty_sentence``) in place of empty axes."""
    sentence = sentence or t("{title}: no data for this selection.", title=title)
    fig = new_figure()
    fig.add_annotation(
        text=sentence, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False, font={"size": TEXT_SIZE}
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    style(fig, title=title, height=160)
    fig.update_layout(meta={_EMPTY: sentence})
    return fig


def empty_key() -> str:
    """The key of a figure's ``layout.meta`` that holds its ``empty_sentence`` (for a figure kept as plain data)."""
    return _EMPTY


def empty_sentence(fig: go.Figure) -> str | None:
    """The sentence to show instead of ``fig`` when it has nothing to draw, else None."""
    meta = fig.layout.meta
    return meta.get(_EMPTY) if isinstance(meta, dict) else None


def _axis_format(unit: str | None) -> dict:
    if unit == "percent":
        # Three significant digits, trailing zeros trimmed: 0.05%, 0.1%, 12.5%, 100% (a fixed ".0f" turned every tick
        # of a small coverage rate into "0%").
        return {"ticksuffix": "%", "tickformat": ".3~g", "rangemode": "tozero"}
    if unit == "LAK":
        return {"tickformat": ",.0f", "title": t("LAK"), "rangemode": "tozero"}
    if unit == "days":
        return {"tickformat": ",.0f", "title": t("days"), "rangemode": "tozero"}
    return {"tickformat": ",", "rangemode": "tozero"}


@functools.lru_cache(maxsize=8192)
def wrapped(text: str, width: int = TITLE_WIDTH) -> str:
    """``text`` broken into lines of at most ``width`` characters (plotly's <br>), so a title fits a phone. Kept per
    text: a page's first view after a publish wraps the same titles and labels again (the reporting matrix's ~20 ms)."""
    return "<br>".join(textwrap.wrap(text, width, break_long_words=False)) or text


def style(
    fig: go.Figure,
    *,
    title: str | None = None,
    height: int = 360,
    unit: str | None = None,
    subtitle: str | None = None,
) -> go.Figure:
    """The one look (its template from ``new_figure``). ``subtitle`` says what the chart leaves out (a filter it
    ignores, the scale it uses)."""
    heading = wrapped(title) if title else None
    lines = (heading.count("<br>") + 1 if heading else 0) + (wrapped(subtitle, 52).count("<br>") + 1 if subtitle else 0)
    # The title starts below a strip of TOOLBAR_STRIP px where plotly's toolbar appears on hover (a tap, on a
    # phone): drawn over the title, it hid every title on a phone.
    top = TOOLBAR_STRIP + 12 + 22 * lines
    _set_new_layout_properties(
        fig,
        height=height + top,
        colorway=PALETTE,
        separators=".,",
        font={"family": FONT, "size": TEXT_SIZE},
        margin={"l": 10, "r": 10, "t": top, "b": 10},
        title={
            "text": heading,
            "x": 0,
            "xanchor": "left",
            "y": 1,
            "yref": "container",
            "yanchor": "top",
            "pad": {"t": TOOLBAR_STRIP},
            "font": {"size": TITLE_SIZE},
            **({"subtitle": {"text": wrapped(subtitle, 52), "font": {"size": MIN_TEXT_SIZE}}} if subtitle else {}),
        }
        if title
        else None,
        # Below the plot, left-aligned: beside it, a legend takes half of a phone's width.
        legend={
            "orientation": "h",
            "yref": "container",
            "y": 0,
            "yanchor": "bottom",
            "x": 0,
            "font": {"size": TEXT_SIZE},
        },
        hoverlabel={"font": {"family": FONT, "size": TEXT_SIZE}},
        uniformtext={"minsize": MIN_TEXT_SIZE, "mode": "hide"},
    )
    if unit:
        fig.update_yaxes(**_axis_format(unit))
    return fig


# Validated layout properties by their arguments' text (``_set_new_layout_properties``): code, not data, so kept for
# the process's life (a publish changes no title); bounded, as the titles of a process are.
_VALIDATED_LAYOUTS: dict[str, dict] = {}
_VALIDATED_LAYOUTS_KEPT = 1024


def _set_new_layout_properties(fig: go.Figure, **properties) -> None:
    """``fig.update_layout(**properties)`` for properties the figure's layout does not hold yet, validated once per
    distinct ``properties`` rather than once per figure: plotly's validation of ``style``'s nested properties was about
    a third of building a figure, and a page's first view after a publish builds every figure again (issue 13). The
    properties go through the same ``update_layout`` on a new figure, so the figure holds the same values in the same
    order (tests/test_charts.py compares the JSON with plotly's own ``update_layout``)."""
    held = fig._layout  # the figure's layout properties (plotly keeps the whole tree in this one dict)
    if any(name in held for name in properties):
        fig.update_layout(**properties)  # a merge into what is there: plotly's own rules
        return
    key = repr(properties)
    validated = _VALIDATED_LAYOUTS.get(key)
    if validated is None:
        # On a figure, not a lone go.Layout: a figure's update applies its edits in its own order (a legend's font
        # first), which its JSON keeps.
        scratch = new_figure()
        scratch.update_layout(**properties)
        validated = {name: value for name, value in scratch._layout.items() if name in properties}
        if len(_VALIDATED_LAYOUTS) < _VALIDATED_LAYOUTS_KEPT:
            _VALIDATED_LAYOUTS[key] = validated
    held.update(copy.deepcopy(validated))


def _categories(part: pd.DataFrame, x: str) -> pd.Series:
    """The x categories as text; periods in the reader's language ('2022-Q2' -> 'ໄຕມາດ 2/2022')."""
    if x == "period":
        return part[x].astype(str).map(period_label)
    return part[x].map(category_label)


def _hover(values, unit: str | None) -> list[str]:
    return [value_with_unit(v, unit) for v in values]


def _short(values, unit: str | None) -> list[str]:
    """Value labels beside bars: the number alone where the axis names the unit ('36', not '36 meetings'), so that
    neighbouring labels do not run into each other; percentages, scores and LAK keep their sign."""
    if unit in ("percent", "score", "ratio"):
        return _hover(values, unit)
    return [
        t(NO_DATA) if pd.isna(v) else f"{v:,.0f}" if abs(v - round(v)) < 1e-9 or abs(v) >= 100 else f"{v:,.1f}"
        for v in values
    ]


# Category labels on a horizontal bar chart's axis wrap at this many characters (they take the width from the bars).
LABEL_WIDTH = 24
# Under a vertical bar, a label shares the width with its neighbours: "on or before the due date" ran into "1-15 days".
TICK_LABEL_WIDTH = 14


def _axis_labels(categories) -> list[str]:
    return [wrapped(str(c), LABEL_WIDTH) for c in categories]


# A category axis gives every category the slot of the tallest label: one name of four lines doubled the province
# page's chart (1,890 px, two phone screens). Names on a crowded axis stop at two lines, the rest in the hover.
LABEL_LINES = 2


def _two_line_labels(categories) -> list[str]:
    """Each name in at most LABEL_LINES lines of LABEL_WIDTH, cut with '…' (whole names where two would collide)."""
    labels = []
    for name in map(str, categories):
        lines = textwrap.wrap(name, LABEL_WIDTH, break_long_words=False) or [name]
        if len(lines) > LABEL_LINES:
            last = " ".join(lines[LABEL_LINES - 1 :])
            lines = lines[: LABEL_LINES - 1] + [textwrap.shorten(last, LABEL_WIDTH, placeholder="…")]
        labels.append("<br>".join(lines))
    return labels if len(set(labels)) == len(set(map(str, categories))) else _axis_labels(categories)


def _suppressed_band(
    fig: go.Figure,
    categories: list,
    *,
    horizontal: bool,
    name: str,
    colour: str = SUPPRESSED_GREY,
    hover: list[str] | None = None,
) -> None:
    """A hatched band across the whole value axis at each hidden category, with the word and a legend entry.

    The band sits on a second value axis fixed to 0..1, so it never reads as a figure on the first one.
    """
    if not len(categories):
        return
    word = t(SUPPRESSED)
    band = go.Bar(
        x=[1] * len(categories) if horizontal else list(categories),
        y=list(categories) if horizontal else [1] * len(categories),
        orientation="h" if horizontal else "v",
        name=name,
        showlegend=True,
        marker={
            "color": "rgba(255,255,255,0)",
            "line": {"color": colour, "width": 1},
            "pattern": {"shape": "/", "fgcolor": colour, "size": 8, "solidity": 0.15},
        },
        opacity=0.8,
        text=[word] * len(categories),
        textposition="inside",
        insidetextanchor="middle" if not horizontal else "start",
        textangle=0 if horizontal else -90,
        textfont={"size": TEXT_SIZE, "color": "#1a1a1a"},
        customdata=hover or [name] * len(categories),
        hovertemplate=f"%{{{'y' if horizontal else 'x'}}}: {word}<extra>%{{customdata}}</extra>",
        legendgroup=f"{SUPPRESSED_GROUP}{name}",
    )
    if horizontal:
        band.update(xaxis="x2")
        fig.update_layout(xaxis2={"overlaying": "x", "range": [0, 1], "visible": False, "fixedrange": True})
    else:
        band.update(yaxis="y2")
        fig.update_layout(yaxis2={"overlaying": "y", "range": [0, 1], "visible": False, "fixedrange": True})
    fig.add_trace(band)


def is_suppressed_band(trace) -> bool:
    """True for a band drawn by ``_suppressed_band`` (the pack draws these without their hatch)."""
    return trace.type == "bar" and str(trace.legendgroup or "").startswith(SUPPRESSED_GROUP)


def _target_text(target: float, unit: str | None, year: object) -> str:
    shown = value_with_unit(target, unit)
    if year is None or pd.isna(year):
        return t("target {value}", value=shown)
    return t("target {value} by {year}", value=shown, year=int(year))


def lines(
    frame: pd.DataFrame,
    *,
    x: str,
    y: str,
    series: str | None,
    unit: str | None,
    title: str,
    target: float | None = None,
    target_year: object = None,
    colours: dict | None = None,
    labels: dict | None = None,
    subtitle: str | None = None,
    suppressed: str | None = "suppressed",
) -> go.Figure:
    """One line per series (or a single line), markers at each period, an optional dashed target line (with its
    year); a hidden figure is a hatched band with the word "suppressed"."""
    if _nothing(frame, y, suppressed):
        return nothing_to_show(title)
    fig = new_figure()
    order = sorted(frame[x].astype(str).unique()) if x == "period" else list(dict.fromkeys(frame[x]))
    frame = frame.assign(_hidden=_flags(frame, suppressed))
    groups = frame.groupby(series, sort=False) if series else [(None, frame)]
    bands = []
    for index, (name, part) in enumerate(groups):
        label = (labels or {}).get(name, category_label(name)) if name is not None else None
        colour = (colours or {}).get(name, (colours or {}).get(label, PALETTE[index % len(PALETTE)]))
        fig.add_trace(
            go.Scatter(
                x=_categories(part, x),
                y=part[y],
                mode="lines+markers",
                name=label or title,
                showlegend=label is not None,
                line={"width": 3, "color": colour},
                marker={"size": 8, "symbol": ["circle", "square", "diamond", "triangle-up"][index % 4]},
                text=_hover(part[y], unit),
                hovertemplate="%{x}: %{text}<extra>%{fullData.name}</extra>",
            )
        )
        hidden = part[part["_hidden"]]
        if len(hidden):
            bands.append((label, colour if label else SUPPRESSED_GREY, list(_categories(hidden, x))))
    for label, colour, categories in bands:
        name = t("{series}: suppressed", series=label) if label else t(SUPPRESSED)
        _suppressed_band(fig, categories, horizontal=False, name=name, colour=colour)
    if target is not None and pd.notna(target):
        fig.add_hline(
            y=target,
            line_dash="dash",
            line_color=OKABE_ITO["black"],
            annotation_text=_target_text(target, unit, target_year),
            annotation_position="top left",
            annotation_font_size=TEXT_SIZE,
        )
    categories = [period_label(p) for p in order] if x == "period" else [category_label(c) for c in order]
    fig.update_xaxes(type="category", title=None, categoryorder="array", categoryarray=categories)
    return style(fig, title=title, unit=unit, subtitle=subtitle)


def _label_room(texts) -> int:
    """Pixels a value label needs beside its bar (about 7.5 px a character at 13 px)."""
    return int(7.5 * max((len(str(s)) for s in texts), default=0)) + 12


def bars(
    frame: pd.DataFrame,
    *,
    category: str,
    value: str,
    unit: str | None,
    title: str,
    horizontal: bool = True,
    highlight: str | None = None,
    target: float | None = None,
    target_year: object = None,
    colour: str | None = None,
    flag: str | None = None,
    ranked: bool = True,
    suppressed: str | None = "suppressed",
    subtitle: str | None = None,
) -> go.Figure:
    """Ranked bars; missing values are listed as 'no data' rather than drawn as zero, hidden ones as a hatched band
    with the word "suppressed".

    ``highlight`` (a category) and ``flag`` (a boolean column) are drawn in a contrasting colour; ``ranked=False``
    keeps the frame's order (e.g. days-late bins). ``suppressed`` names the frame's flag column.
    """
    if _nothing(frame, value, suppressed):
        return nothing_to_show(title)
    shown = frame.assign(_hidden=_flags(frame, suppressed))
    shown["_text"] = ["" if h else value_with_unit(v, unit) for v, h in zip(shown[value], shown["_hidden"])]
    if ranked:
        shown = shown.sort_values(value, ascending=True, na_position="first", kind="stable")
    elif horizontal:
        shown = shown.iloc[::-1]  # first row at the top
    flags = shown[flag].fillna(False).astype(bool) if flag else [False] * len(shown)
    colours = [
        OKABE_ITO["vermillion"]
        if flagged
        else OKABE_ITO["orange"]
        if highlight and c == highlight
        else (colour or OKABE_ITO["blue"])
        for c, flagged in zip(shown[category], flags)
    ]
    # A bar of no length carries the words "no data", so a missing value is never read as zero.
    lengths = shown[value].fillna(0)
    names = (
        _axis_labels(shown[category]) if horizontal else [wrapped(str(c), TICK_LABEL_WIDTH) for c in shown[category]]
    )
    shown["_name"] = names
    bar = go.Bar(
        x=lengths if horizontal else names,
        y=names if horizontal else lengths,
        orientation="h" if horizontal else "v",
        marker_color=colours,
        text=shown["_text"],
        textposition="outside",
        textfont={"size": TEXT_SIZE},
        cliponaxis=False,
        constraintext="none",
        hovertemplate="%{text}<extra></extra>",
        showlegend=False,
    )
    fig = new_figure(bar)
    _suppressed_band(fig, list(shown.loc[shown["_hidden"], "_name"]), horizontal=horizontal, name=t(SUPPRESSED))
    if target is not None and pd.notna(target):
        (fig.add_vline if horizontal else fig.add_hline)(
            target,
            line_dash="dash",
            line_color=OKABE_ITO["black"],
            annotation_text=_target_text(target, unit, target_year),
            annotation_position="bottom right",
            annotation_font_size=TEXT_SIZE,
        )
    height = max(280, 28 * len(shown) + 70) if horizontal else 340
    style(fig, title=title, height=height, subtitle=subtitle)
    axis = _axis_format(unit)
    top = float(np.nanmax([lengths.max(), target if target is not None and pd.notna(target) else 0]))
    if horizontal:
        # The labels sit right of the bars, in the margin: room for the longest, so none is clipped ("16.").
        fig.update_layout(margin={"r": min(150, _label_room(shown["_text"]))})
        fig.update_xaxes(**axis)
        fig.update_yaxes(type="category", automargin=True)
    else:
        fig.update_yaxes(**axis, **({"range": [0, top * 1.18]} if top > 0 else {}))
        fig.update_xaxes(type="category", categoryorder="array", categoryarray=names)
    return fig


def on_time_by_cycle(cycles: pd.DataFrame) -> go.Figure:
    """The grant's on-time rate by payment cycle, each cycle's latest period (``cycle`` in words, ``value``): the
    payments page's chart and the meeting pack's."""
    return bars(
        cycles,
        category="cycle",
        value="value",
        unit="percent",
        title=t("MECG paid on time, by payment cycle"),
        horizontal=False,
        ranked=False,
    )


def grouped_bars(
    frame: pd.DataFrame,
    *,
    x: str,
    y: str,
    series: str,
    unit: str | None,
    title: str,
    colours: dict | None = None,
    stacked: bool = False,
    horizontal: bool = False,
    suppressed: str | None = "suppressed",
    subtitle: str | None = None,
    value_axis: dict | None = None,
) -> go.Figure:
    """Bars by ``x`` (periods, levels, indicators), one colour and hatch per ``series``; value labels where there is
    room for them (at most 12 bars), else in the hover and the table. Hidden figures: a band saying "suppressed".
    ``value_axis``: properties of the value axis beyond the unit's (a title, no tick suffix)."""
    if _nothing(frame, y, suppressed):
        return nothing_to_show(title)
    fig = new_figure()
    frame = frame.assign(_hidden=_flags(frame, suppressed))
    order = sorted(frame[x].astype(str).unique()) if x == "period" else list(dict.fromkeys(frame[x]))
    full_names = dict(zip(order, [period_label(p) for p in order] if x == "period" else map(category_label, order)))
    axis_names = full_names
    if horizontal:
        axis_names = dict(zip(full_names, _two_line_labels(full_names.values())))
    groups = list(frame.groupby(series, sort=False))
    labelled = stacked or frame[y].notna().sum() <= 12
    bands: list[tuple[str, str, list]] = []
    hidden_in: dict[str, list[str]] = {}  # category -> the series hidden there
    for index, (name, part) in enumerate(groups):
        label = category_label(name)
        colour = (colours or {}).get(name, PALETTE[index % len(PALETTE)])
        keys = list(part[x].astype(str) if x == "period" else part[x])
        categories = [axis_names[c] for c in keys]
        fig.add_trace(
            go.Bar(
                x=part[y] if horizontal else categories,
                y=categories if horizontal else part[y],
                orientation="h" if horizontal else "v",
                name=label,
                marker_color=colour,
                marker_pattern_shape=["", "/", ".", "x"][index % 4] if not horizontal else "",
                text=_short(part[y], unit) if labelled else None,
                # The whole category name in the hover: the axis may show it cut to two lines.
                customdata=list(zip(_hover(part[y], unit), (full_names[c] for c in keys))),
                textposition="inside" if stacked else "outside",
                textfont={"size": TEXT_SIZE},
                cliponaxis=False,
                constraintext="none" if not stacked else "both",
                hovertemplate="%{customdata[1]}: %{customdata[0]}<extra>%{fullData.name}</extra>",
            )
        )
        hidden = [c for c, h in zip(categories, part["_hidden"]) if h]
        if hidden:
            bands.append((label, colour, hidden))
            for c in hidden:
                hidden_in.setdefault(c, []).append(label)
    if len(groups) <= 2:
        for label, colour, categories in bands:
            _suppressed_band(
                fig, categories, horizontal=horizontal, name=t("{series}: suppressed", series=label), colour=colour
            )
    else:
        # Many series: one grey band per category, its hover naming the hidden series (a band per series crowds).
        _suppressed_band(
            fig,
            list(hidden_in),
            horizontal=horizontal,
            name=t(SUPPRESSED),
            hover=[", ".join(names) for names in hidden_in.values()],
        )
    fig.update_layout(barmode="stack" if stacked else "group")
    categories = list(axis_names.values())
    top = float(frame[y].max()) if frame[y].notna().any() else 0.0
    legend_rows = (len(groups) + 1) // 2 + (len(bands) + 1) // 2
    if horizontal:
        # Every category gets the slot of the tallest: its bars or its wrapped name.
        # 12 px a bar, 17 px a label line: 26 indicators x 2 areas take 1,060 px rather than 1,890.
        per_category = [max(12 * len(groups) + 8, 17 * (name.count("<br>") + 1)) for name in categories]
        height = max(300, len(per_category) * max(per_category) + 60) + 22 * legend_rows
        style(fig, title=title, height=height, subtitle=subtitle)
        fig.update_xaxes(**_axis_format(unit))
        fig.update_yaxes(
            type="category", categoryorder="array", categoryarray=categories[::-1], automargin=True, title=None
        )
        if labelled:
            fig.update_layout(margin={"r": min(150, _label_room(_short(frame[y], unit)))})
        return fig.update_xaxes(**value_axis) if value_axis else fig
    style(fig, title=title, unit=unit, subtitle=subtitle, height=330 + 22 * legend_rows)
    fig.update_xaxes(type="category", title=None, categoryorder="array", categoryarray=categories)
    if labelled and top > 0 and not stacked:
        fig.update_yaxes(range=[0, top * 1.18])
    return fig.update_yaxes(**value_axis) if value_axis else fig


def funnel(stages: pd.DataFrame, *, title: str, subtitle: str | None = None) -> go.Figure:
    """Referral funnel: stage, count (made → completed → feedback returned), and ``suppressed`` where a stage's count
    is hidden (then a band says so). Shares are of the first stage, when both are known."""
    flags = _flags(stages, "suppressed")
    if (
        _nothing(stages, "count", "suppressed")
        or not (stages["count"].fillna(0).to_numpy() > 0).any()
        and not flags.any()
    ):
        return nothing_to_show(title)
    first = stages["count"].iloc[0]
    texts = [
        ""
        if hidden
        else t(NO_DATA)
        if pd.isna(count)
        else f"{count:,.0f} ({count / first:.0%})"
        if pd.notna(first) and first > 0
        else f"{count:,.0f}"
        for count, hidden in zip(stages["count"], flags)
    ]
    fig = new_figure(
        go.Funnel(
            y=stages["stage"],
            x=stages["count"].fillna(0),
            text=texts,
            textinfo="text",
            textposition="outside",
            textfont={"size": TEXT_SIZE},
            constraintext="none",
            cliponaxis=False,
            hovertemplate="%{y}: %{text}<extra></extra>",
            marker={"color": [OKABE_ITO["blue"], OKABE_ITO["sky_blue"], OKABE_ITO["green"]][: len(stages)]},
            showlegend=False,
        )
    )
    _suppressed_band(fig, list(stages.loc[flags, "stage"]), horizontal=True, name=t(SUPPRESSED))
    style(fig, title=title, height=260, subtitle=subtitle)
    fig.update_layout(margin={"r": min(150, _label_room(texts))})
    fig.update_yaxes(automargin=True)
    return fig


def reporting_matrix(matrix: pd.DataFrame, *, row: str, title: str, subtitle: str | None = None) -> go.Figure:
    """Sender × period, each cell a symbol and a colour: ✔ on time, ◐ late, ✘ missing."""
    if matrix.empty:
        return nothing_to_show(title)
    codes = {"on time": 2, "late": 1, "missing": 0}
    symbols = {"on time": "✔", "late": "◐", "missing": "✘"}
    wide = matrix.pivot_table(index=row, columns="period", values="status", aggfunc="first")
    z = wide.apply(lambda col: col.map(codes)).to_numpy(dtype=float)
    text = wide.apply(lambda col: col.map(lambda s: symbols.get(s, ""))).to_numpy()
    hover = wide.apply(lambda col: col.map(lambda s: t(s) if isinstance(s, str) else t("not expected"))).to_numpy()
    scale = [
        [0, OKABE_ITO["vermillion"]],
        [0.33, OKABE_ITO["vermillion"]],
        [0.34, OKABE_ITO["yellow"]],
        [0.66, OKABE_ITO["yellow"]],
        [0.67, OKABE_ITO["sky_blue"]],
        [1, OKABE_ITO["sky_blue"]],
    ]
    fig = new_figure(
        go.Heatmap(
            z=z,
            x=[period_label(str(c)) for c in wide.columns],
            y=[wrapped(str(i), LABEL_WIDTH) for i in wide.index],
            text=text,
            texttemplate="%{text}",
            textfont={"size": 14},
            customdata=hover,
            zmin=0,
            zmax=2,
            colorscale=scale,
            showscale=False,
            xgap=2,
            ygap=2,
            hovertemplate="%{y}, %{x}: %{customdata}<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed", type="category", automargin=True)
    fig.update_xaxes(type="category")
    return style(fig, title=title, height=max(240, 32 * len(wide) + 90), subtitle=subtitle)


SEX_SERIES_COLOURS = {"female": SEX_COLOURS["Female"], "male": SEX_COLOURS["Male"]}  # by_sex_long's series


def women_and_men(gap: pd.DataFrame, *, unit: str | None, title: str) -> go.Figure:
    """A ``dashboard.data.by_sex`` frame as two lines over time, women and men, each in its sex's colour; a hidden
    figure is a band saying "suppressed"."""
    return lines(
        by_sex_long(gap), x="period", y="value", series="sex", unit=unit, title=title, colours=SEX_SERIES_COLOURS
    )


def by_sex_long(gap: pd.DataFrame, value: str = "value") -> pd.DataFrame:
    """A ``dashboard.data.by_sex`` frame (period, female, male, <sex>_suppressed) as rows: period, sex, ``value``,
    suppressed — the shape ``lines`` and ``grouped_bars`` draw."""
    parts = []
    for sex in ("female", "male"):
        flag = gap[f"{sex}_suppressed"] if f"{sex}_suppressed" in gap.columns else False
        parts.append(pd.DataFrame({"period": gap["period"], "sex": sex, value: gap[sex], "suppressed": flag}))
    long = pd.concat(parts, ignore_index=True)
    long["suppressed"] = long["suppressed"].fillna(False).astype(bool)
    return long
