"""Time every dashboard page rendered with AppTest on the warehouse named by SP_WAREHOUSE (not a test).

    SP_WAREHOUSE=bench_data/warehouse .venv/bin/python bench/benchmark_pages.py [--repeat 3]

For each page: the cold run (caches emptied: loads and shapes the data) and the warm runs (cached, as a reader
changing page sees it), next to an empty page rendered the same way — the floor AppTest itself costs. First, the
first page a visitor opens after a publish: every in-memory cache emptied and the version's disposable disk cache
(<warehouse>/cache/<version>/) moved aside, so only what the publish itself wrote is there (put back afterwards).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

PAGES = [
    "pages/overview.py",
    "pages/coverage.py",
    "pages/payments.py",
    "pages/coordination.py",
    "pages/province.py",
    "pages/indicator.py",
    "pages/data_status.py",
]
PARAMS = {"pages/province.py": {"province": "LA-SV"}}


def first_view_after_publish(version: str) -> float:
    """Seconds for a new session's first page (the overview) with nothing cached but what the publish wrote into
    the version."""
    import shutil

    from indicators import api

    cache = api.warehouse_access.warehouse_root() / "cache" / version
    aside = cache.with_name(f".{version}-aside")
    if cache.exists():
        cache.rename(aside)
    try:
        import streamlit as st
        from streamlit.testing.v1 import AppTest

        api.clear_cache()
        st.cache_data.clear()
        at = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=600)
        started = time.perf_counter()
        at.run()  # a new session opens the default page: the overview
        elapsed = time.perf_counter() - started
        if at.exception:
            raise SystemExit(f"first page after a publish: {at.exception[0].value}")
        return elapsed
    finally:
        if aside.exists():
            shutil.rmtree(cache, ignore_errors=True)
            aside.rename(cache)


def render(app: Path, page: str, params: dict, *, cold: bool) -> float:
    """Seconds to open ``page`` in a session whose navigation is registered (a first, untimed run)."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(app), default_timeout=600)
    at.run()
    if cold:
        st.cache_data.clear()
    at.query_params.clear()
    at.query_params.update(params)
    started = time.perf_counter()
    at.switch_page(page).run()
    elapsed = time.perf_counter() - started
    if at.exception:
        raise SystemExit(f"{page}: {at.exception[0].value}")
    return elapsed


EMPTY_APP = """import streamlit as st
st.set_page_config(layout="wide", page_title="empty")
st.navigation([st.Page("start.py", default=True), st.Page("empty_page.py")]).run()
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="warm runs per page (default 3)")
    args = parser.parse_args()
    import settings

    if not settings.WAREHOUSE.value():
        raise SystemExit("set SP_WAREHOUSE to the warehouse to measure (e.g. the national-scale one)")

    from dashboard import data

    version = data.current_version()
    first = first_view_after_publish(version) if version else float("nan")
    started = time.perf_counter()
    rows = data.values(version) if version else None
    print(
        f"warehouse {settings.WAREHOUSE.value()} version {version}, "
        f"{0 if rows is None else len(rows):,} indicator rows, first load {time.perf_counter() - started:.2f} s "
        "(the indicator layer's own cache may already hold them)\n"
    )

    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        (folder / "app.py").write_text(EMPTY_APP)
        (folder / "start.py").write_text("import streamlit as st\nst.title('Start')\n")
        (folder / "empty_page.py").write_text("import streamlit as st\nst.title('Empty page')\n")
        floor = statistics.median(
            render(folder / "app.py", "empty_page.py", {}, cold=False) for _ in range(args.repeat)
        )
    print(
        f"first page of a new session after a publish (the overview; nothing cached but the version): {first:.2f} s, "
        f"{first / floor:.0f}x the empty page\n"
    )
    print(f"{'page':28} {'cold s':>8} {'warm s (median)':>16} {'empty page s':>13}")
    print("(as an anonymous visitor: the public, suppressed figures)")
    for page in PAGES:
        params = PARAMS.get(page, {})
        try:
            cold = render(PROJECT / "app.py", page, params, cold=True)
        except ValueError:  # not registered in the public's navigation
            print(f"{page:28} {'-- signed-in users only, not measured':>40}")
            continue
        warm = statistics.median(render(PROJECT / "app.py", page, params, cold=False) for _ in range(args.repeat))
        print(
            f"{page:28} {cold:8.2f} {warm:16.2f} {floor:13.3f}   ratios cold {cold / floor:.1f}x, warm {warm / floor:.1f}x"
        )


if __name__ == "__main__":
    main()
