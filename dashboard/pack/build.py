"""One meeting pack, from request to PDF bytes, in three timed stages: data, charts, typesetting.

``build(request, progress=...)`` is what the command line and the dashboard's button call; ``progress(fraction,
message)`` drives the page's progress bar. It runs inside the request's audience and language, so every figure is
the one that reader sees on the pages, in the pack's language.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from dashboard import data, i18n
from dashboard.i18n import t
from dashboard.pack import content, figures, typeset
from dashboard.pack.request import PackRequest

Progress = Callable[[float, str], None]


@dataclass
class Pack:
    pdf: bytes
    file_name: str
    charts_drawn: bool
    seconds: dict[str, float] = field(default_factory=dict)  # stage -> wall time


def file_name(request: PackRequest) -> str:
    period = request.period or "latest"
    edition = "public" if request.is_public else "commission"
    return f"meeting-pack_{request.province}_{period}_{request.version}_{edition}_{request.language}.pdf"


def build(request: PackRequest, progress: Progress | None = None) -> Pack:
    report = progress or (lambda fraction, message: None)
    seconds: dict[str, float] = {}
    audience = data.as_audience(request.audience)
    with audience, i18n.in_language(request.language), tempfile.TemporaryDirectory(prefix="sp-pack-") as tmp:
        folder = Path(tmp)
        start = time.perf_counter()
        report(0.05, t("Reading the figures…"))
        document = content.document(request)
        seconds["data"] = time.perf_counter() - start

        start = time.perf_counter()
        report(0.35, t("Drawing {count} charts…", count=len(document.charts)))
        try:
            drawn = figures.export(document.charts, folder)
            missing_text = t("This chart could not be drawn; its figures are in the table beside it.")
        except figures.ChartsUnavailable as error:
            drawn = set()
            missing_text = t(
                "Charts are left out of this pack: no browser to draw them was found ({path}). The tables hold "
                "every figure.",
                path=str(error),
            )
            document.meta["no_charts"] = missing_text
        seconds["charts"] = time.perf_counter() - start

        start = time.perf_counter()
        report(0.85, t("Typesetting the PDF…"))
        pdf = typeset.compile_pdf(document.as_json(drawn, missing_text), folder)
        seconds["typesetting"] = time.perf_counter() - start
        report(1.0, t("The meeting pack is ready."))
    return Pack(pdf, file_name(request), charts_drawn=bool(drawn), seconds=seconds)
