"""Time every dashboard page rendered with AppTest on the warehouse named by SP_WAREHOUSE (not a test).

    SP_WAREHOUSE=bench_data/warehouse .venv/bin/python bench/benchmark_pages.py [--repeat 5] [--cold-repeat 9]

Run it once per scale: on the sample warehouse and on a national one (``python -m data_pipeline refresh
/work/bench-data/national`` with SP_GATE_MAX_FILE_MB=2048 into its own SP_WAREHOUSE).

Each page is opened as an anonymous visitor (the public, suppressed figures) in a session whose navigation is
registered, twice over:

- cold: the median of ``--cold-repeat`` first views after a publish: every in-memory cache emptied (Streamlit's and the indicator layer's) and
  the version's disposable disk cache (<warehouse>/cache/<version>/) moved aside, so only what the publish wrote into
  the version is there (put back afterwards);
- warm: the median of ``--repeat`` views with the caches filled, as a reader changing page sees it.

Two floors, measured in the same run and the same harness, warm and cold:

- the app's empty page: this app (app.py, its navigation, sidebar, language switch, filters, header, version banner,
  share box) rendering a page whose only line is ``components.start_page(...)``: what a page costs before it shows
  anything of its own (the goal of issue 13: every page <= 3x it warm, <= 5x cold). It is measured again beside
  each page, view for view in turn, and each page's ratios are to that floor (printed at the end of its line): on a
  shared machine the load changes between a floor measured once at the start and a page measured a minute later.
  Last on each line, the page's view over the empty page's view beside it, round by round (median, [quartiles] and
  (range) of those ratios; which of the two comes first alternates by round, since the second view of a round
  inherits the first's memory and garbage): a cold view of the empty page alone ranged 0.08-0.26 s within one run,
  and a ratio of two medians taken apart moved with it. The empty page's filters list the periods: until session
  10 it read the whole public table for them (~0.13 CPU s cold); since session 11 two of its columns (~0.04 s), so the
  cold floor fell and every cold ratio rose with no page slower: read the absolute times beside the ratios. Every
  page is viewed once, untimed, before any is measured: the first view of the process imported what the pages use
  (plotly's figure classes...) inside whichever page came first; the new process line below measures that first
  view on its own;
- the bare empty page: a two-page Streamlit app with a title, i.e. what AppTest itself costs.

AppTest compiles app.py and the page's script at every run (a new ScriptCache per run: 5-11 ms for a page of this
app, 1 ms for the empty page, measured in session 6), which a server does once per process for every session: part
of each warm figure here is that compiling, no reader's cost (sharing the cache would need Streamlit's internals).

Wall seconds on a shared 2-core machine include waiting; the CPU seconds of the process are printed beside them.
Finally the first page of a NEW process after a publish (python start, imports, AppTest, the overview), beside a new
process that renders the bare empty page.

``--profile N`` prints, per page, where a warm view spends its time instead (cProfile of N warm views, in the script's
own thread and in the harness's, sorted by own time and by cumulative time); with ``--cold``, of N first views after
a publish.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from contextlib import contextmanager
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
]
PARAMS = {"pages/province.py": {"province": "LA-SV"}}

BARE_APP = """import streamlit as st
st.set_page_config(layout="wide", page_title="empty")
st.navigation([st.Page("start.py", default=True), st.Page("empty_page.py")]).run()
"""
APP_EMPTY_PAGE = """from dashboard import components
components.start_page("Empty page", "What does a page cost before it shows anything of its own?")
"""


@contextmanager
def after_publish(version: str | None):
    """Nothing cached but what the publish wrote into the version: in-memory caches emptied, the version's disk cache
    moved aside (and put back on leaving)."""
    import streamlit as st

    from indicators import api

    st.cache_data.clear()
    api.clear_cache()
    cache = api.warehouse_access.warehouse_root() / "cache" / str(version)
    aside = cache.with_name(f".{version}-aside")
    if version and cache.exists():
        cache.rename(aside)
    try:
        yield
    finally:
        if aside.exists():
            shutil.rmtree(cache, ignore_errors=True)
            aside.rename(cache)


def render(app: Path, page: str, params: dict, version: str | None = None, *, cold: bool) -> tuple[float, float]:
    """(wall, CPU) seconds to open ``page`` in a session whose navigation is registered (a first, untimed run on
    the same caches), cold = as the first view after a publish."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(app), default_timeout=900)
    at.run()
    at.query_params.clear()
    at.query_params.update(params)
    at.switch_page(page)
    with after_publish(version) if cold else _nothing():
        started, cpu = time.perf_counter(), time.process_time()
        at.run()
        elapsed, cpu_s = time.perf_counter() - started, time.process_time() - cpu
    if at.exception:
        raise SystemExit(f"{page}: {at.exception[0].value}")
    return elapsed, cpu_s


@contextmanager
def _nothing():
    yield


def measure(app: Path, page: str, params: dict, version: str | None, repeat: int, cold_repeat: int) -> dict:
    cold = [render(app, page, params, version, cold=True) for _ in range(cold_repeat)]
    warm = [render(app, page, params, cold=False) for _ in range(repeat)]
    return _summary(cold, warm)


def _summary(cold: list[tuple[float, float]], warm: list[tuple[float, float]]) -> dict[str, float]:
    """Medians: one cold view of the app's empty page measured anywhere from 0.09 to 0.25 s in one quiet run."""
    return {
        "cold": statistics.median(w for w, _ in cold),
        "cold_cpu": statistics.median(c for _, c in cold),
        "warm": statistics.median(w for w, _ in warm),
        "warm_cpu": statistics.median(c for _, c in warm),
    }


def measure_beside(
    app: Path, page: str, params: dict, empty: str, version: str | None, repeat: int, cold_repeat: int
) -> tuple[dict[str, float], dict[str, float]]:
    """``page`` and the app's empty page measured in turn (``cold_repeat`` cold views, then ``repeat`` warm views
    each, alternating): on a machine whose load changes by the second, a page's ratio is taken against the floor of
    the same few seconds."""
    floor_cold, page_cold = [], []
    for round_ in range(cold_repeat):
        # In turn which of the two comes first (empty, page; page, empty; ...): the view after another one inherits
        # its memory and garbage, and always giving that place to the same one tilted the ratio.
        if round_ % 2:
            page_cold.append(render(app, page, params, version, cold=True))
            floor_cold.append(render(app, empty, {}, version, cold=True))
        else:
            floor_cold.append(render(app, empty, {}, version, cold=True))
            page_cold.append(render(app, page, params, version, cold=True))
    floor_warm, page_warm = [], []
    for round_ in range(repeat):
        if round_ % 2:
            page_warm.append(render(app, page, params, cold=False))
            floor_warm.append(render(app, empty, {}, cold=False))
        else:
            floor_warm.append(render(app, empty, {}, cold=False))
            page_warm.append(render(app, page, params, cold=False))
    measured = _summary(page_cold, page_warm)
    measured["paired"] = {
        f"{kind} {clock}": _paired(pages, floors, index)
        for kind, pages, floors in (("cold", page_cold, floor_cold), ("warm", page_warm, floor_warm))
        for clock, index in (("s", 0), ("CPU", 1))
    }
    return measured, _summary(floor_cold, floor_warm)


def _paired(
    pages: list[tuple[float, float]], floors: list[tuple[float, float]], index: int
) -> tuple[float, float, float, float, float]:
    """The page's wall (``index`` 0) or CPU (1) seconds over the empty page's measured beside it, round by round:
    (median, lowest, highest, lower quartile, upper quartile). A round's load is shared by both, so the ratios spread
    less than two medians taken apart (one cold view of the empty page ranged 0.08-0.26 s in one run); the quartiles
    say where most rounds fell when one round's outlier stretches the range."""
    ratios = [page[index] / floor[index] for page, floor in zip(pages, floors)]
    quartiles = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else [ratios[0]] * 3
    return statistics.median(ratios), min(ratios), max(ratios), quartiles[0], quartiles[2]


def profile(app: Path, page: str, params: dict, views: int, top: int = 25, version: str | None = None) -> str:
    """The warm views of ``page`` under cProfile (the cold ones, first views after a publish, when ``version`` is
    given): Streamlit runs the script in a thread of its own (profiled from its first call on), AppTest turns the
    messages into elements in the calling thread (profiled around ``run``)."""
    from streamlit.testing.v1 import AppTest

    render(app, page, params, cold=False)  # the caches filled
    kind = "cold" if version else "warm"
    script_threads: list[cProfile.Profile] = []

    def start_in_thread(frame, event, arg):
        sys.setprofile(None)
        profiler = cProfile.Profile()
        profiler.enable()
        script_threads.append(profiler)

    harness = cProfile.Profile()
    for _ in range(views):
        at = AppTest.from_file(str(app), default_timeout=900)
        at.run()
        at.query_params.clear()
        at.query_params.update(params)
        at.switch_page(page)
        with after_publish(version) if version else _nothing():
            threading.setprofile(start_in_thread)
            harness.enable()
            try:
                at.run()
            finally:
                harness.disable()
                threading.setprofile(None)
    out = io.StringIO()
    for name, profilers in (("script thread", script_threads), ("harness (AppTest, calling thread)", [harness])):
        stats = pstats.Stats(*profilers, stream=out)
        stats.strip_dirs()
        for order in ("tottime", "cumulative"):
            out.write(f"--- {page}: {name}, {views} {kind} views, by {order}\n")
            stats.sort_stats(order).print_stats(top)
    return out.getvalue()


NEW_PROCESS = """
import sys, time, logging
started = time.perf_counter()
sys.path.insert(0, {project!r})
from streamlit.testing.v1 import AppTest
logging.getLogger("streamlit").setLevel(logging.ERROR)
at = AppTest.from_file({app!r}, default_timeout=900)
at.run()
if at.exception:
    raise SystemExit(str(at.exception[0].value))
print(time.perf_counter() - started)
"""


def new_process(app: Path) -> float:
    """Seconds for a new Python process to import Streamlit and render ``app``'s default page once."""
    code = textwrap.dedent(NEW_PROCESS.format(project=str(PROJECT), app=str(app)))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT, check=False)
    if done.returncode:
        raise SystemExit(f"new process: {done.stderr[-2000:]}")
    return float(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="warm runs per page (default 5)")
    parser.add_argument("--cold-repeat", type=int, default=9, help="cold runs per page (default 9)")
    parser.add_argument("--pages", nargs="*", default=PAGES, help="pages to time (default: every public page)")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="profile N warm views of each page instead")
    parser.add_argument("--cold", action="store_true", help="with --profile: profile first views after a publish")
    args = parser.parse_args()
    import logging

    import settings

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    if not settings.WAREHOUSE.value():
        raise SystemExit("set SP_WAREHOUSE to the warehouse to measure (e.g. the national-scale one)")

    from dashboard import data, navigation

    version = data.current_version()
    if args.profile:
        for page in args.pages:
            cold = version if args.cold else None
            print(profile(PROJECT / "app.py", page, PARAMS.get(page, {}), args.profile, version=cold), flush=True)
        return
    rows = data.api.indicator_values(version) if version else None
    print(
        f"warehouse {settings.WAREHOUSE.value()} version {version}, {0 if rows is None else len(rows):,} indicator "
        f"rows; anonymous visitor (public figures); warm = median of {args.repeat}, cold of {args.cold_repeat}\n"
    )

    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        (folder / "app.py").write_text(BARE_APP)
        (folder / "start.py").write_text("import streamlit as st\nst.title('Start')\n")
        (folder / "empty_page.py").write_text("import streamlit as st\nst.title('Empty page')\n")
        empty = folder / "app_empty_page.py"
        empty.write_text(APP_EMPTY_PAGE)
        # The app's navigation registers its PageEntry list: the empty page joins it for this process only.
        navigation.PAGES = (
            *navigation.PAGES,
            navigation.PageEntry(str(empty), "Empty page", "", "bench_empty", "Bench"),
        )
        for page in args.pages:  # the process's first views (imports, first calls), untimed
            render(PROJECT / "app.py", page, PARAMS.get(page, {}), version, cold=True)
        bare = measure(folder / "app.py", "empty_page.py", {}, None, args.repeat, args.cold_repeat)
        floor = measure(PROJECT / "app.py", str(empty), {}, version, args.repeat, args.cold_repeat)
        new_bare = new_process(folder / "app.py")
        new_first = None
        with after_publish(version):
            new_first = new_process(PROJECT / "app.py")

        def line(name: str, m: dict[str, float], beside: dict[str, float] | None = None) -> str:
            own = beside or floor
            return (
                f"{name:30} {m['cold']:7.3f} {m['cold_cpu']:7.3f} {m['warm']:7.3f} {m['warm_cpu']:7.3f}"
                f"   {m['cold'] / own['cold']:5.1f}x {m['cold_cpu'] / own['cold_cpu']:5.1f}x"
                f" {m['warm'] / own['warm']:5.1f}x {m['warm_cpu'] / own['warm_cpu']:5.1f}x"
                f"   {m['cold'] / bare['cold']:6.1f}x {m['warm'] / bare['warm']:6.1f}x"
                + (
                    f"   {own['cold']:6.3f} {own['cold_cpu']:6.3f} {own['warm']:6.3f} {own['warm_cpu']:6.3f}"
                    if beside
                    else ""
                )
                + "".join(
                    f"   {kind} {median:4.1f}x [{q1:.1f}-{q3:.1f}] ({low:.1f}-{high:.1f})"
                    for kind, (median, low, high, q1, q3) in m.get("paired", {}).items()
                )
            )

        print(
            f"{'':30} {'cold':>15} {'warm (median)':>15}   {'/ app empty':>24}   {'/ bare empty':>14}"
            f"   {'app empty beside it':>27}   {'paired with it, round by round: median [quartiles] (range)':>56}"
        )
        print(
            f"{'page':30} {'s':>7} {'CPU s':>7} {'s':>7} {'CPU s':>7}   {'cold':>5}  {'CPU':>5}  {'warm':>5} {'CPU':>5}"
            f"   {'cold':>6}  {'warm':>6}   {'cold':>6} {'CPU':>6} {'warm':>6} {'CPU':>6}"
        )
        print(line("(bare Streamlit empty page)", bare))
        print(line("(the app's empty page)", floor))
        for page in args.pages:
            m, beside = measure_beside(
                PROJECT / "app.py", page, PARAMS.get(page, {}), str(empty), version, args.repeat, args.cold_repeat
            )
            print(line(page, m, beside), flush=True)
        print(
            f"\nfirst page of a new process after a publish (the overview): {new_first:.2f} s; "
            f"a new process rendering the bare empty page: {new_bare:.2f} s ({new_first / new_bare:.1f}x)"
        )


if __name__ == "__main__":
    main()
