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

from dashboard.charts import FONT, style
from dashboard.format import NO_DATA, OKABE_ITO, value_with_unit
from dashboard.i18n import t

GEOJSON = Path(__file__).resolve().parent / "assets" / "lao_provinces_cod_ab.geojson"
ATTRIBUTION = "Boundaries: OCHA COD-AB Lao PDR (2019), via HDX"
FEATURE_KEY = "ADM1_PCODE"
NO_DATA_GREY = "#d9d9d9"

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
            _rewind_for_d3(feature["geometry"])
        return shapes
    except (OSError, ValueError, KeyError, TypeError):
        return None


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


def _labels(frame: pd.DataFrame, unit: str | None) -> list[str]:
    hidden = frame["suppressed"] if "suppressed" in frame else [False] * len(frame)
    return [value_with_unit(v, unit, h) for v, h in zip(frame["value"], hidden)]


def province_map(
    frame: pd.DataFrame, *, unit: str | None, title: str, geojson_path: str = str(GEOJSON), highlight: str | None = None
) -> tuple[go.Figure, str]:
    """``frame``: province (ISO), lsb_code, province_name, value (null = no data). Returns (figure, kind)."""
    shapes = load_geojson(geojson_path)
    if shapes is None:
        return tile_grid(frame, unit=unit, title=title, highlight=highlight), "tile grid"
    return choropleth(frame, shapes, unit=unit, title=title, highlight=highlight), "choropleth"


def _colour_range(frame: pd.DataFrame, unit: str | None) -> tuple[float, float]:
    """The data's own range, so that 3% and 14% do not share one colour on a 0-100 scale."""
    known = frame["value"].dropna()
    if not len(known):
        return 0.0, 1.0
    low, high = float(known.min()), float(known.max())
    return (low, high) if high > low else (low - 1.0, high + 1.0)


def choropleth(
    frame: pd.DataFrame, shapes: dict, *, unit: str | None, title: str, highlight: str | None = None
) -> go.Figure:
    shown = frame.assign(feature=("LA" + frame["lsb_code"].astype(str).str.zfill(2)), label=_labels(frame, unit))
    has = shown[shown["value"].notna()]
    lacks = shown[shown["value"].isna()]
    low, high = _colour_range(shown, unit)
    fig = go.Figure()
    if len(lacks):
        fig.add_trace(
            go.Choropleth(
                geojson=shapes,
                featureidkey=f"properties.{FEATURE_KEY}",
                locations=lacks["feature"],
                z=[0] * len(lacks),
                colorscale=[[0, NO_DATA_GREY], [1, NO_DATA_GREY]],
                showscale=False,
                marker_line_color="white",
                marker_line_width=1,
                text=lacks["province_name"],
                name=t(NO_DATA),
                customdata=lacks["label"],
                hovertemplate="%{text}: %{customdata}<extra></extra>",
            )
        )
    if len(has):
        fig.add_trace(
            go.Choropleth(
                geojson=shapes,
                featureidkey=f"properties.{FEATURE_KEY}",
                locations=has["feature"],
                z=has["value"],
                zmin=low,
                zmax=high,
                colorscale="Viridis",
                reversescale=False,
                marker_line_color="white",
                marker_line_width=1,
                customdata=has["label"],
                text=has["province_name"],
                colorbar={
                    "title": {"text": "%" if unit == "percent" else t(unit or "")},
                    "thickness": 12,
                    "len": 0.7,
                    "tickformat": ",.1f" if unit == "percent" else ",.0f",
                },
                hovertemplate="%{text}: %{customdata}<extra></extra>",
            )
        )
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
                textfont={"size": 13, "family": FONT, "color": "black"},
                hoverinfo="skip",
                showlegend=False,
            )
        )
    fig.update_geos(fitbounds="locations", visible=False, projection_type="mercator")
    style(fig, title=title, height=560)
    fig.update_layout(margin={"l": 0, "r": 0, "t": 50, "b": 0})
    return fig


def tile_grid(frame: pd.DataFrame, *, unit: str | None, title: str, highlight: str | None = None) -> go.Figure:
    """Fallback map: one square per province in its rough position, value written in it."""
    shown = frame[frame["province"].isin(TILE_GRID)].assign(label=_labels(frame, unit))
    x = [TILE_GRID[p][0] for p in shown["province"]]
    y = [-TILE_GRID[p][1] for p in shown["province"]]
    low, high = _colour_range(shown, unit)
    colours = shown["value"]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=x,
            y=y,
            mode="markers+text",
            text=[f"{c[3:]}<br>{lab}" for c, lab in zip(shown["province"], shown["label"])],
            textfont={"size": 11, "family": FONT, "color": "black"},
            customdata=shown["province_name"],
            hovertemplate="%{customdata}: %{text}<extra></extra>",
            marker={
                "symbol": "square",
                "size": 62,
                "color": colours.fillna(low),
                "cmin": low,
                "cmax": high,
                "colorscale": "Viridis",
                "showscale": True,
                "opacity": 0.85,
                "line": {
                    "width": [3 if p == highlight else 1 for p in shown["province"]],
                    "color": [OKABE_ITO["black"] if p == highlight else "white" for p in shown["province"]],
                },
                "colorbar": {"thickness": 12, "len": 0.7},
            },
        )
    )
    # No-data tiles drawn over in grey so they are never read as the lowest colour.
    blank = shown["value"].isna().to_numpy()
    if blank.any():
        fig.add_trace(
            go.Scatter(
                x=[v for v, b in zip(x, blank) if b],
                y=[v for v, b in zip(y, blank) if b],
                mode="markers",
                marker={"symbol": "square", "size": 62, "color": NO_DATA_GREY},
                hoverinfo="skip",
                showlegend=False,
            )
        )
        fig.add_trace(
            go.Scatter(
                x=[v for v, b in zip(x, blank) if b],
                y=[v for v, b in zip(y, blank) if b],
                mode="text",
                text=[f"{c[3:]}<br>{lab}" for c, lab, b in zip(shown["province"], shown["label"], blank) if b],
                textfont={"size": 11, "family": FONT},
                hoverinfo="skip",
                showlegend=False,
            )
        )
    fig.update_xaxes(visible=False, range=[-0.7, 4.7])
    fig.update_yaxes(visible=False, range=[-7.7, 0.7], scaleanchor="x")
    style(fig, title=title, height=640)
    fig.update_layout(showlegend=False, plot_bgcolor="white")
    return fig
