"""``python -m dashboard.pack OUT.pdf [--version V] [--period P] [--province ISO] [--lang en|lo]
[--audience public|commission]``: write the meeting pack. Exit 0 when written, 2 when the request names a version,
period or province the data do not have (the message says which are accepted)."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

import streamlit  # noqa: F401  (imported first so that its loggers exist and can be quietened below)


def _quiet_streamlit() -> None:
    """The dashboard's data functions are cached with st.cache_data; outside ``streamlit run`` Streamlit logs a
    warning for every cache and call ("No runtime found"), which says nothing to the pack's user."""
    for name in list(logging.root.manager.loggerDict):
        if name.startswith("streamlit"):
            logging.getLogger(name).setLevel(logging.ERROR)


def main(argv: list[str] | None = None) -> int:
    _quiet_streamlit()
    from dashboard import data, i18n
    from dashboard.i18n import t
    from dashboard.pack import build, figures
    from dashboard.pack.request import AUDIENCES, PackError, checked_request

    _quiet_streamlit()  # loggers the dashboard's modules created on import
    parser = argparse.ArgumentParser(prog="python -m dashboard.pack", description="Write the meeting pack (PDF).")
    parser.add_argument("out", type=Path, help="the PDF to write")
    parser.add_argument("--version", help="data version (default: the current one)")
    parser.add_argument("--period", help="period YYYY-Qn (default: the latest with data)")
    parser.add_argument("--province", help="ISO 3166-2 province code, e.g. LA-AT (default: LA, the whole country)")
    parser.add_argument("--lang", choices=sorted(i18n.LANGUAGES), default=i18n.default_language())
    parser.add_argument("--audience", choices=sorted(AUDIENCES), default="public")
    args = parser.parse_args(argv)

    with data.as_audience(AUDIENCES[args.audience]), i18n.in_language(args.lang):
        try:
            request = checked_request(
                version=args.version,
                period=args.period,
                province=args.province,
                language=args.lang,
                audience=AUDIENCES[args.audience],
            )
        except PackError as error:
            print(f"{t('Error')}: {error}", file=sys.stderr)
            return 2

        def progress(fraction: float, message: str) -> None:
            print(f"[{fraction:4.0%}] {message}", file=sys.stderr)

        pack = build.build(request, progress=progress)
        if not pack.charts_drawn:
            print(
                t(
                    "Warning: no charts drawn (browser {path} not found or failed); the pack holds tables only.",
                    path=str(figures.chromium()),
                ),
                file=sys.stderr,
            )
    try:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_bytes(pack.pdf)
    except OSError as error:
        print(f"cannot write {args.out}: {error}", file=sys.stderr)
        return 1
    timings = ", ".join(f"{stage} {seconds:.1f} s" for stage, seconds in pack.seconds.items())
    print(f"{args.out} ({len(pack.pdf) / 1024:,.0f} KB; {timings})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
