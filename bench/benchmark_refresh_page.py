"""Benchmark (not a test): the refresh page's flow against the CLI's refresh on the same files, time and peak memory
(issue 13: "peak memory <= 1.5 GB" holds for the page too).

    SP_GATE_MAX_FILE_MB=2048 .venv/bin/python bench/benchmark_refresh_page.py --data DIR [--no-indicator-preview]
        [--onto]

Each flow runs in a fresh subprocess, so its peak RSS (ru_maxrss) is its own:
  cli   ``python -m data_pipeline refresh DIR`` (validate, publish with the indicator catalogue)
  page  the page's steps, driven without a browser through ``dashboard.refresh_flow`` as pages/refresh.py calls them:
        the uploads held as bytes (as Streamlit's uploader holds them), checked (saved + validated), the removals
        (every run of the page), the preview (tables, replaced rows, indicators: the "Preview" button; skipped with
        --no-indicator-preview), then the publish. Wall and CPU seconds per step, and the peak RSS after each. With
        --release-uploads the bytes are dropped after the check: the flow's own memory, without what Streamlit's
        uploader keeps while the files are shown.
Into an empty warehouse by default; with --onto both publish onto a warehouse holding the same data already (the
quarterly case: every period replaced), built once by the CLI and hard-link copied for each flow.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
from bench.benchmark_pipeline import _cpu_s, _files, _peak_rss_mb  # noqa: E402  (after the path: run as a script)


class Steps:
    """Wall s, CPU s and the running peak RSS after each step."""

    def __init__(self):
        self.found: list[tuple[str, float, float, float]] = []

    def run(self, name: str, work):
        wall, cpu = time.perf_counter(), _cpu_s()
        result = work()
        self.found.append((name, time.perf_counter() - wall, _cpu_s() - cpu, _peak_rss_mb()))
        return result


def child_cli(data: Path, warehouse_dir: Path, _options: argparse.Namespace) -> dict:
    from data_pipeline.cli import main

    steps = Steps()
    argv = ["refresh", str(data), "--operator", "bench", "--demo-key"]
    os.environ["SP_WAREHOUSE"] = str(warehouse_dir)
    code = steps.run("refresh (CLI)", lambda: main(argv))
    return {"steps": steps.found, "published": code == 0}


def child_page(data: Path, warehouse_dir: Path, options: argparse.Namespace) -> dict:
    from dashboard import refresh_flow
    from data_pipeline.secrets import DEMO_HASH_KEY

    steps = Steps()
    uploads = steps.run("uploads held as bytes", lambda: [(p.name, p.read_bytes()) for p in _files(data)])
    checked = steps.run("check (save + validate)", lambda: refresh_flow.check_returns(uploads, hash_key=DEMO_HASH_KEY))
    if not checked.ok:
        return {"steps": steps.found, "published": False, "errors": [str(i) for i in checked.report.errors[:5]]}
    if options.release_uploads:
        del uploads  # what the flow itself needs, apart from the bytes Streamlit's uploader keeps while they are shown
    steps.run("removals", lambda: refresh_flow.removals(checked, warehouse_dir))
    if not options.no_indicator_preview:
        steps.run("preview: tables", lambda: refresh_flow.table_changes(checked, warehouse_dir))
        steps.run("preview: replaced rows", lambda: refresh_flow.replaced_rows(checked, warehouse_dir))
        steps.run(
            "preview: indicators",
            lambda: refresh_flow.indicator_preview(checked, hash_key=DEMO_HASH_KEY, root=warehouse_dir),
        )
    result = steps.run(
        "publish",
        lambda: refresh_flow.publish(
            checked, operator="bench", hash_key=DEMO_HASH_KEY, root=warehouse_dir, confirm_removals=True
        ),
    )
    refresh_flow.discard(checked)
    return {"steps": steps.found, "published": result.published, "errors": [str(i) for i in result.report.errors[:5]]}


CHILDREN = {"cli": child_cli, "page": child_page}


def run_child(flow: str, data: Path, warehouse_dir: Path, options: argparse.Namespace) -> dict:
    command = [sys.executable, __file__, "--child", flow, "--data", str(data), "--warehouse", str(warehouse_dir)]
    command += ["--no-indicator-preview"] * options.no_indicator_preview + [
        "--release-uploads"
    ] * options.release_uploads
    out = subprocess.run(command, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"{flow} failed:\n{out.stderr[-3000:]}")
    found = json.loads(out.stdout.strip().splitlines()[-1])
    print(
        f"  {flow}: {found['wall_s']:.1f} s wall, {found['cpu_s']:.1f} s CPU, peak RSS {found['peak_rss_mb']:.0f} MB"
        + ("" if found["published"] else f"  NOT PUBLISHED {found.get('errors')}"),
        flush=True,
    )
    for name, wall, cpu, peak in found["steps"]:
        print(f"      {name:<28} {wall:7.1f} s wall {cpu:7.1f} s CPU   peak so far {peak:6.0f} MB")
    return found


def _link_copy(src: Path, dst: Path) -> None:
    shutil.copytree(src, dst, copy_function=os.link)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--no-indicator-preview", action="store_true")
    parser.add_argument("--onto", action="store_true", help="publish onto a warehouse holding the data already")
    parser.add_argument(
        "--release-uploads",
        action="store_true",
        help="page: drop the uploaded bytes once checked (Streamlit keeps them)",
    )
    parser.add_argument("--child", choices=sorted(CHILDREN))
    parser.add_argument("--warehouse", type=Path)
    args = parser.parse_args()
    if args.child:
        wall, cpu = time.perf_counter(), _cpu_s()
        found = CHILDREN[args.child](args.data, args.warehouse, args)
        found.update(wall_s=time.perf_counter() - wall, cpu_s=_cpu_s() - cpu, peak_rss_mb=_peak_rss_mb())
        print(json.dumps(found))
        return
    files = _files(args.data)
    print(f"{args.data}: {len(files)} files, {sum(f.stat().st_size for f in files) / 2**20:.0f} MB")
    with tempfile.TemporaryDirectory(prefix="bench-page-") as tmp:
        tmp = Path(tmp)
        if args.onto:
            print("building the warehouse both flows publish onto (CLI) …", flush=True)
            run_child("cli", args.data, tmp / "base", args)
        found = {}
        for flow in ("cli", "page"):
            target = tmp / flow
            if args.onto:
                _link_copy(tmp / "base", target)
            found[flow] = run_child(flow, args.data, target, args)
    cli, page = found["cli"], found["page"]
    print(
        f"page / CLI: {page['wall_s'] / cli['wall_s']:.2f}x wall, {page['cpu_s'] / cli['cpu_s']:.2f}x CPU, "
        f"peak RSS {page['peak_rss_mb']:.0f} vs {cli['peak_rss_mb']:.0f} MB"
    )


if __name__ == "__main__":
    main()
