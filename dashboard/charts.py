"""Plotly figures for the pages: one look (colour-blind-safe palette, units on axes, thousands separators).

Each function takes a small tidy frame from ``dashboard.data`` and returns a figure; pages pass it, with the same frame,
to ``components.chart_with_table`` so that every chart has its numbers one click away.
"""

from __future__ import annotations

from urllib.parse import quote

import pandas as pd
import plotly.graph_objects as go

from dashboard.format import OKABE_ITO, value_with_unit
from dashboard.i18n import period_label, t

PALETTE = [OKABE_ITO[c] for c in ("blue", "orange", "green", "vermillion", "sky_blue", "purple", "yellow", "black")]
# Lao glyphs come from the shipped Phetsarath OT (static/fonts, loaded by the page's theme), so Lao renders on a
# machine without a Lao font; Latin text keeps the dashboard's font.
FONT = "Source Sans Pro, Source Sans, Segoe UI, Helvetica, Arial, Phetsarath OT, sans-serif"

# plotly.js fetches a world topojson from cdn.plot.ly for any geo subplot, even with the base map hidden. Hand it an
# empty topology inline instead (a data: URL; plotly appends "/world_110m.json", which lands in the URL fragment), so
# the province map draws with no internet from the shipped GeoJSON alone.
_EMPTY_TOPOLOGY = '{"type":"Topology","objects":{},"arcs":[]}'
PLOTLY_CONFIG = {"displaylogo": False, "topojsonURL": "data:application/json," + quote(_EMPTY_TOPOLOGY) + "#"}


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


def style(fig: go.Figure, *, title: str | None = None, height: int = 360, unit: str | None = None) -> go.Figure:
    fig.update_layout(
        template="plotly_white",
        height=height,
        colorway=PALETTE,
        separators=".,",
        font={"family": FONT, "size": 13},
        margin={"l": 10, "r": 10, "t": 50 if title else 20, "b": 10},
        title={"text": title, "x": 0, "font": {"size": 16}} if title else None,
        legend={"orientation": "h", "y": -0.15, "x": 0},
        hoverlabel={"font": {"family": FONT}},
    )
    if unit:
        fig.update_yaxes(**_axis_format(unit))
    return fig


def _categories(part: pd.DataFrame, x: str) -> pd.Series:
    """The x categories as text; periods in the reader's language ('2022-Q2' -> 'ໄຕມາດ 2/2022')."""
    text = part[x].astype(str)
    return text.map(period_label) if x == "period" else text


def _hover(values, unit: str | None) -> list[str]:
    return [value_with_unit(v, unit) for v in values]


def lines(
    frame: pd.DataFrame,
    *,
    x: str,
    y: str,
    series: str | None,
    unit: str | None,
    title: str,
    target: float | None = None,
    colours: dict | None = None,
    labels: dict | None = None,
) -> go.Figure:
    """One line per series (or a single line), markers at each period, an optional dashed target line."""
    fig = go.Figure()
    groups = frame.groupby(series, sort=False) if series else [(None, frame)]
    for index, (name, part) in enumerate(groups):
        label = (labels or {}).get(name, name) if name is not None else y
        colour = (colours or {}).get(name, (colours or {}).get(label, PALETTE[index % len(PALETTE)]))
        fig.add_trace(
            go.Scatter(
                x=_categories(part, x),
                y=part[y],
                mode="lines+markers",
                name=t(str(label)),
                line={"width": 3, "color": colour},
                marker={"size": 8, "symbol": ["circle", "square", "diamond", "triangle-up"][index % 4]},
                text=_hover(part[y], unit),
                hovertemplate="%{x}: %{text}<extra>%{fullData.name}</extra>",
            )
        )
    if target is not None and pd.notna(target):
        fig.add_hline(
            y=target,
            line_dash="dash",
            line_color=OKABE_ITO["black"],
            annotation_text=t("target {value}", value=value_with_unit(target, unit)),
            annotation_position="top left",
        )
    fig.update_xaxes(type="category", title=None)
    return style(fig, title=title, unit=unit)


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
    colour: str | None = None,
    flag: str | None = None,
    ranked: bool = True,
) -> go.Figure:
    """Ranked bars; missing values are listed as 'no data' rather than drawn as zero.

    ``highlight`` (a category) and ``flag`` (a boolean column) are drawn in a contrasting colour; ``ranked=False``
    keeps the frame's order (e.g. days-late bins).
    """
    shown = frame.copy()
    hidden = shown["suppressed"] if "suppressed" in shown else [False] * len(shown)
    shown["_text"] = [value_with_unit(v, unit, h) for v, h in zip(shown[value], hidden)]
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
    bar = go.Bar(
        x=lengths if horizontal else shown[category],
        y=shown[category] if horizontal else lengths,
        orientation="h" if horizontal else "v",
        marker_color=colours,
        text=shown["_text"],
        textposition="outside",
        cliponaxis=False,
        hovertemplate="%{text}<extra></extra>",
    )
    fig = go.Figure(bar)
    if target is not None and pd.notna(target):
        (fig.add_vline if horizontal else fig.add_hline)(
            target,
            line_dash="dash",
            line_color=OKABE_ITO["black"],
            annotation_text=t("target {value}", value=value_with_unit(target, unit)),
            annotation_position="bottom right",
        )
    height = max(300, 26 * len(shown) + 90) if horizontal else 360
    style(fig, title=title, height=height)
    axis = _axis_format(unit)
    (fig.update_xaxes if horizontal else fig.update_yaxes)(**axis)
    if horizontal:
        fig.update_yaxes(type="category")
    else:
        fig.update_xaxes(type="category", categoryorder="array", categoryarray=list(shown[category]))
    return fig


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
) -> go.Figure:
    fig = go.Figure()
    for index, (name, part) in enumerate(frame.groupby(series, sort=False)):
        fig.add_trace(
            go.Bar(
                x=_categories(part, x),
                y=part[y],
                name=t(str(name)),
                marker_color=(colours or {}).get(name, PALETTE[index % len(PALETTE)]),
                marker_pattern_shape=["", "/", ".", "x"][index % 4],
                text=_hover(part[y], unit),
                textposition="inside" if stacked else "outside",
                hovertemplate="%{x}: %{text}<extra>%{fullData.name}</extra>",
            )
        )
    fig.update_layout(barmode="stack" if stacked else "group")
    fig.update_xaxes(type="category", title=None)
    return style(fig, title=title, unit=unit)


def funnel(stages: pd.DataFrame, *, title: str) -> go.Figure:
    """Referral funnel: stage, count (made → completed → feedback returned)."""
    fig = go.Figure(
        go.Funnel(
            y=stages["stage"],
            x=stages["count"],
            textinfo="value+percent initial",
            texttemplate="%{value:,} (%{percentInitial:.0%})",
            marker={"color": [OKABE_ITO["blue"], OKABE_ITO["sky_blue"], OKABE_ITO["green"]]},
        )
    )
    return style(fig, title=title, height=300)


def reporting_matrix(matrix: pd.DataFrame, *, row: str, title: str) -> go.Figure:
    """Sender × period, each cell a symbol and a colour: ✔ on time, ◐ late, ✘ missing."""
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
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[period_label(str(c)) for c in wide.columns],
            y=[str(i) for i in wide.index],
            text=text,
            texttemplate="%{text}",
            textfont={"size": 16},
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
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(type="category", side="top")
    return style(fig, title=title, height=max(260, 28 * len(wide) + 110))
