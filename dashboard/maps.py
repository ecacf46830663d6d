"""The 18 provinces on a map that needs no internet.

First choice: a choropleth drawn from the shipped GeoJSON (OCHA COD-AB boundaries), matched on ``ADM1_PCODE`` =
"LA" + the LSB province code of the reference table — never on names, which every publisher spells differently.
When the GeoJSON is missing or unreadable: a tile grid, one square per province laid out roughly as on the map.
No tile server and no base map are used (``geo.visible=False``), so the figure draws offline.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from dashboard.charts import FONT, MIN_TEXT_SIZE, NO_DATA_GREY, new_figure, nothing_to_show, style
from dashboard.format import NO_DATA, OKABE_ITO, SUPPRESSED, value_with_unit
from dashboard.i18n import t

GEOJSON = Path(__file__).resolve().parent / "assets" / "lao_provinces_cod_ab.geojson"
ATTRIBUTION = "Boundaries: OCHA COD-AB Lao PDR (2019), via HDX"
FEATURE_KEY = "ADM1_PCODE"
# "No data" and "suppressed" are two different things: a pale grey and a mid grey (no colour of the Viridis scale is
# grey; a dark grey read as its dark low end), each with its legend entry.
MAP_SUPPRESSED_GREY = "#8f8f8f"
MISSING_COLOURS = {NO_DATA: NO_DATA_GREY, SUPPRESSED: MAP_SUPPRESSED_GREY}
# Black labels over the dark end of Viridis were unreadable ("Attapeu: 4.3%" in the pack): a white halo round them.
HALO = "1px 1px 1px #fff, -1px -1px 1px #fff, 1px -1px 1px #fff, -1px 1px 1px #fff"

# (column, row) of each province in the tile grid, north at the top.
TILE_GRID = {
    "LA-LM": (1, 0),
    "LA-PH": (2, 0),
    "LA-BK": (0, 1),
    "LA-OU": (1, 1),
    "LA-LP": (2, 1),
    "LA-HO": (3, 1),
    "LA-XA": (1, 2),
    "LA-VI": (2, 2),
    "LA-XS": (3, 2),
    "LA-XI": (4, 2),
    "LA-VT": (2, 3),
    "LA-BL": (3, 3),
    "LA-KH": (3, 4),
    "LA-SV": (3, 5),
    "LA-SL": (3, 6),
    "LA-XE": (4, 6),
    "LA-CH": (3, 7),
    "LA-AT": (4, 7),
}


@lru_cache(maxsize=4)
def load_geojson(path: str = str(GEOJSON)) -> dict | None:
    """The boundaries, or None when the file is missing or not a usable GeoJSON (the caller falls back)."""
    try:
        shapes = json.loads(Path(path).read_text(encoding="utf-8"))
        features = shapes["features"]
        if not features or any(FEATURE_KEY not in f["properties"] for f in features):
            return None
        for feature in features:
            _round_coordinates(feature["geometry"])
            _rewind_for_d3(feature["geometry"])
        return shapes
    except (OSError, ValueError, KeyError, TypeError):
        return None


# Decimal places kept of each longitude and latitude: 11 m, far below a pixel of a map of the country, and the map's
# JSON, sent to the browser on every view, is about half as long as with the file's 15 places.
COORDINATE_DECIMALS = 4


def _round_coordinates(geometry: dict) -> None:
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    for polygon in polygons:
        for ring in polygon:
            ring[:] = [[round(x, COORDINATE_DECIMALS), round(y, COORDINATE_DECIMALS)] for x, y, *_ in ring]


def _signed_area(ring: list) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1])) / 2


def _rewind_for_d3(geometry: dict) -> None:
    """plotly.js (d3-geo) reads rings on the sphere: an outer ring must run clockwise, or the polygon is taken as the
    whole globe minus the province. GeoJSON (RFC 7946) files usually run them anticlockwise; turn them round."""
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    for polygon in polygons:
        for index, ring in enumerate(polygon):
            outer = index == 0
            if (_signed_area(ring) > 0) == outer:  # anticlockwise outer ring, or clockwise hole
                ring.reverse()


def _centroids(shapes: dict) -> dict[str, tuple[float, float]]:
    """A label point per feature: the vertex mean of its largest ring (good enough for 18 labels)."""
    points = {}
    for feature in shapes["features"]:
        geometry = feature["geometry"]
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        ring = max((p[0] for p in polygons), key=len)
        points[feature["properties"][FEATURE_KEY]] = (
            sum(x for x, _ in ring) / len(ring),
            sum(y for _, y in ring) / len(ring),
        )
    return points


def _hidden(frame: pd.DataFrame) -> pd.Series:
    """True where the figure is hidden by the disclosure rule (public views), False where it is shown or missing."""
    if "suppressed" not in frame.columns:
        return pd.Series(False, index=frame.index)
    return frame["suppressed"].fillna(False).astype(bool)


def _labels(frame: pd.DataFrame, unit: str | None) -> list[str]:
    return [value_with_unit(v, unit, h) for v, h in zip(frame["value"], _hidden(frame))]


def _missing_kind(frame: pd.DataFrame) -> pd.Series:
    """'suppressed', 'no data', or None (has a value), per province."""
    kind = pd.Series(None, index=frame.index, dtype=object)
    kind[frame["value"].isna()] = NO_DATA
    kind[_hidden(frame)] = SUPPRESSED
    return kind


def province_map(
    frame: pd.DataFrame, *, unit: str | None, title: str, geojson_path: str = str(GEOJSON), highlight: str | None = None
) -> tuple[go.Figure, str]:
    """``frame``: province (ISO), lsb_code, province_name, value (null = no data), optionally ``suppressed``.
    Returns (figure, kind); a figure with nothing to draw carries its sentence (``charts.empty_sentence``)."""
    if not (frame["value"].notna() | _hidden(frame)).any():
        return nothing_to_show(title), "empty"
    shapes = load_geojson(geojson_path)
    if shapes is None:
        return tile_grid(frame, unit=unit, title=title, highlight=highlight), "tile grid"
    return choropleth(frame, shapes, unit=unit, title=title, highlight=highlight), "choropleth"


def _colour_range(frame: pd.DataFrame, unit: str | None) -> tuple[float, float]:
    """From 0 to the largest value: a share of 87% must not look like the 0% end of the scale because the smallest
    province has 87%. Only data below zero widens the scale down (``_scale_title`` says so)."""
    known = frame["value"].dropna()
    if not len(known):
        return 0.0, 1.0
    low, high = min(0.0, float(known.min())), float(known.max())
    return (low, high) if high > low else (low, low + 1.0)


def _scale_title(unit: str | None, low: float) -> str:
    name = "%" if unit == "percent" else t(unit or "")
    return name if low == 0 else t("{unit}, scale from {low}", unit=name, low=value_with_unit(low, unit))


def _legend_entries(trace_type) -> list:
    """'no data' and 'suppressed' in the legend, always both: a reader must not have to guess what grey means."""
    return [
        trace_type(
            **({"lon": [None], "lat": [None]} if trace_type is go.Scattergeo else {"x": [None], "y": [None]}),
            mode="markers",
            marker={"symbol": "square", "size": 16, "color": colour, "line": {"width": 1, "color": "#7f7f7f"}},
            name=t(kind),
            showlegend=True,
            hoverinfo="skip",
        )
        for kind, colour in MISSING_COLOURS.items()
    ]


def _colourbar(unit: str | None, low: float) -> dict:
    # Horizontal, under the map: an upright bar beside it took a fifth of a phone's width.
    return {
        "title": {"text": _scale_title(unit, low), "side": "top", "font": {"size": MIN_TEXT_SIZE}},
        "orientation": "h",
        "thickness": 12,
        "len": 0.6,
        "x": 0,
        "xanchor": "left",
        "y": -0.02,
        "yanchor": "top",
        "tickformat": ",.3~g" if unit == "percent" else ",.0f",
        "ticksuffix": "%" if unit == "percent" else "",
        "tickfont": {"size": MIN_TEXT_SIZE},
    }


def _provinces(shapes: dict, rows: pd.DataFrame, **colouring) -> go.Choropleth:
    """The provinces of ``rows`` filled as ``colouring`` says, named and labelled on hover."""
    return go.Choropleth(
        geojson=shapes,
        featureidkey=f"properties.{FEATURE_KEY}",
        locations=rows["feature"],
        marker_line_color="white",
        marker_line_width=1,
        text=rows["province_name"],
        customdata=rows["label"],
        hovertemplate="%{text}: %{customdata}<extra></extra>",
        **colouring,
    )


def choropleth(
    frame: pd.DataFrame, shapes: dict, *, unit: str | None, title: str, highlight: str | None = None
) -> go.Figure:
    shown = frame.assign(
        feature=("LA" + frame["lsb_code"].astype(str).str.zfill(2)),
        label=_labels(frame, unit),
        missing=_missing_kind(frame),
    )
    has = shown[shown["missing"].isna()]
    low, high = _colour_range(shown, unit)
    fig = new_figure()
    for kind, colour in MISSING_COLOURS.items():
        lacks = shown[shown["missing"] == kind]
        if len(lacks):
            fig.add_trace(
                _provinces(
                    shapes,
                    lacks,
                    z=[0] * len(lacks),
                    colorscale=[[0, colour], [1, colour]],
                    showscale=False,
                    name=t(kind),
                )
            )
    if len(has):
        fig.add_trace(
            _provinces(
                shapes, has, z=has["value"], zmin=low, zmax=high, colorscale="Viridis", colorbar=_colourbar(unit, low)
            )
        )
    for entry in _legend_entries(go.Scattergeo):
        fig.add_trace(entry)
    if highlight:
        # Only the chosen province is named on the map: 18 labels would hide the small northern provinces.
        centres = _centroids(shapes)
        chosen = shown[(shown["province"] == highlight) & shown["feature"].isin(centres)]
        fig.add_trace(
            go.Scattergeo(
                lon=[centres[f][0] for f in chosen["feature"]],
                lat=[centres[f][1] for f in chosen["feature"]],
                mode="text+markers",
                marker={"size": 9, "color": "white", "line": {"width": 2, "color": "black"}, "symbol": "star"},
                text=[f"<b>{n}: {lab}</b>" for n, lab in zip(chosen["province_name"], chosen["label"])],
                textposition="top center",
                textfont={"size": 13, "family": FONT, "color": "black", "shadow": HALO},
                hoverinfo="skip",
                showlegend=False,
            )
        )
    fig.update_geos(fitbounds="locations", visible=False, projection_type="mercator")
    style(fig, title=title, height=520)
    fig.update_layout(margin={"l": 0, "r": 0, "b": 70})
    return fig


def tile_grid(frame: pd.DataFrame, *, unit: str | None, title: str, highlight: str | None = None) -> go.Figure:
    """Fallback map: one square per province in its rough position, value written in it."""
    shown = frame[frame["province"].isin(TILE_GRID)]
    shown = shown.assign(label=_labels(shown, unit), missing=_missing_kind(shown))
    x = [TILE_GRID[p][0] for p in shown["province"]]
    y = [-TILE_GRID[p][1] for p in shown["province"]]
    low, high = _colour_range(shown, unit)
    fig = new_figure()
    fig.add_trace(
        go.Scatter(
            x=x,
            y=y,
            mode="markers+text",
            text=[f"{c[3:]}<br>{lab}" for c, lab in zip(shown["province"], shown["label"])],
            textfont={"size": MIN_TEXT_SIZE, "family": FONT, "color": "black", "shadow": HALO},
            customdata=shown["province_name"],
            hovertemplate="%{customdata}: %{text}<extra></extra>",
            showlegend=False,
            marker={
                "symbol": "square",
                "size": 62,
                "color": shown["value"].fillna(low),
                "cmin": low,
                "cmax": high,
                "colorscale": "Viridis",
                "showscale": True,
                "opacity": 0.85,
                "line": {
                    "width": [3 if p == highlight else 1 for p in shown["province"]],
                    "color": [OKABE_ITO["black"] if p == highlight else "white" for p in shown["province"]],
                },
                "colorbar": _colourbar(unit, low),
            },
        )
    )
    # No-data and suppressed tiles drawn over in their greys, so they are never read as the lowest colour.
    for kind, colour in MISSING_COLOURS.items():
        blank = (shown["missing"] == kind).to_numpy()
        if not blank.any():
            continue
        fig.add_trace(
            go.Scatter(
                x=[v for v, b in zip(x, blank) if b],
                y=[v for v, b in zip(y, blank) if b],
                mode="markers+text",
                marker={"symbol": "square", "size": 62, "color": colour},
                text=[f"{c[3:]}<br>{lab}" for c, lab, b in zip(shown["province"], shown["label"], blank) if b],
                textfont={"size": MIN_TEXT_SIZE, "family": FONT, "color": "black", "shadow": HALO},
                hoverinfo="skip",
                showlegend=False,
            )
        )
    for entry in _legend_entries(go.Scatter):
        fig.add_trace(entry)
    fig.update_xaxes(visible=False, range=[-0.7, 4.7])
    fig.update_yaxes(visible=False, range=[-7.7, 0.7], scaleanchor="x")
    style(fig, title=title, height=640)
    fig.update_layout(plot_bgcolor="white", margin={"b": 70})
    return fig
