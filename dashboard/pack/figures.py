"""The pack's charts as vector images: plotly's static export (kaleido) through Debian's chromium, all figures of a
pack in ONE browser session (starting the browser is most of the cost).

The figures are the dashboard's own (``dashboard.charts`` / ``dashboard.maps``) on a white background. They are
exported as PDF, not SVG: chromium then lays out and draws every label with the same fonts (its own, Lao shaped by
HarfBuzz), whereas in an SVG Typst would draw text that chromium measured in another font (labels clipped).
"""

from __future__ import annotations

import logging
from pathlib import Path

import plotly.graph_objects as go

import settings
from dashboard.charts import PLOTLY_CONFIG, SUPPRESSED_GREY, TOOLBAR_STRIP, is_suppressed_band, wrapped

WIDTH_PX = 720  # drawn at this width, set at the text width (about 170 mm): 13 px type reads as about 9 pt
# Titles are wrapped for a 390 px phone on screen ("MECG paid on time: digital wallet vs / cash"); the page is wider.
TITLE_WIDTH = 64
TITLE_LINE_PX = 22  # what charts.style gives each title line


class ChartsUnavailable(RuntimeError):
    """No browser to draw the charts with: the pack is built from its tables alone, and says so."""


def chromium() -> Path:
    return settings.chromium_path()


def _tint(colour: str, share: float = 0.2) -> str:
    """``colour`` (#rrggbb) mixed with white: a light fill that still names its series."""
    if not (isinstance(colour, str) and len(colour) == 7 and colour.startswith("#")):
        colour = SUPPRESSED_GREY
    channels = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{round(255 - (255 - c) * share):02x}" for c in channels)


def _without_hatches(figure: go.Figure) -> None:
    """chromium's PDF export rasterises every SVG pattern (a hatched "suppressed" band cost ~400 KB, a public pack
    7-8 MB): on paper a band is a light solid fill in an outline, the word "suppressed" in it and in the legend,
    which reads the same in black and white. A hatched data series keeps its colour (the legend names it)."""
    for trace in figure.data:
        if trace.type != "bar" or not (trace.marker.pattern and trace.marker.pattern.shape):
            continue
        if is_suppressed_band(trace):
            outline = trace.marker.line.color or SUPPRESSED_GREY
            trace.update(opacity=1, marker={"color": _tint(outline), "pattern": {"shape": ""}})
        else:
            trace.update(marker_pattern_shape="")


def _rewrapped_title(figure: go.Figure) -> None:
    """The title in the page's width, and without the strip kept clear for the screen's toolbar (paper has none)."""
    title = figure.layout.title.text
    if not title:
        return
    rewrapped = wrapped(title.replace("<br>", " "), TITLE_WIDTH)
    # plotly lifts a title's first line by the lines below it (a two-line Lao title lost its top with 6 px): the pad
    # keeps a line's height for each further line.
    pad = 6 + TITLE_LINE_PX * rewrapped.count("<br>")
    saved = TITLE_LINE_PX * (title.count("<br>") - rewrapped.count("<br>")) + max(0, TOOLBAR_STRIP - pad)
    figure.update_layout(
        title_text=rewrapped,
        title_pad_t=min(pad, TOOLBAR_STRIP),
        margin_t=figure.layout.margin.t - saved,
        height=(figure.layout.height or 360) - saved,
    )


def for_print(figure: go.Figure) -> go.Figure:
    printed = go.Figure(figure)
    printed.update_layout(paper_bgcolor="white", hovermode=False)
    _without_hatches(printed)
    _rewrapped_title(printed)
    if any(getattr(trace, "orientation", None) == "h" for trace in printed.data):
        # Ranked bars write their value past the bar's end: room for "100.0%" at the right edge of the page.
        printed.update_layout(margin_r=max(printed.layout.margin.r or 0, 60))
    return printed


def export(charts: dict[str, go.Figure], folder: Path) -> set[str]:
    """Write ``folder/<name>.pdf`` for each chart; returns the names drawn. ``ChartsUnavailable`` when there is no
    browser, or it cannot start."""
    if not charts:
        return set()
    browser = chromium()
    if not browser.exists():
        raise ChartsUnavailable(str(browser))
    import kaleido

    # kaleido and its browser driver report each step at INFO/WARNING: the pack reports what matters itself.
    for name in ("kaleido", "choreographer", "logistro"):
        logging.getLogger(name).setLevel(logging.ERROR)
    jobs = []
    for name, figure in charts.items():
        printed = for_print(figure)
        height = int(printed.layout.height or 360)
        jobs.append(
            {
                "fig": printed,
                "path": folder / f"{name}.pdf",
                "opts": {"format": "pdf", "width": WIDTH_PX, "height": height},
                "topojson": PLOTLY_CONFIG["topojsonURL"],
            }
        )
    try:
        errors = kaleido.write_fig_from_object_sync(jobs, kopts={"path": str(browser), "mathjax": False, "timeout": 60})
    except Exception as error:  # the browser would not start, or died: the pack goes on without charts
        raise ChartsUnavailable(f"{browser}: {error}") from error
    if errors:
        logging.getLogger(__name__).warning("charts not drawn: %s", errors)
    return {name for name in charts if (folder / f"{name}.pdf").exists()}
