"""Benchmark (not a test): how long a national-size refresh takes and how much memory it needs, against the floor of
merely reading the same files with the same readers, at 1x and 4x the national data (issue 13).

    .venv/bin/python bench/benchmark_pipeline.py [--data DIR [--data DIR4 ...]] [--pipeline-only] [--regenerate]

With no ``--data``: bench_data/national and bench_data/national4 (git-ignored; generated when missing, as
``python -m data_pipeline generate-sample --scale national`` / ``--scale national4`` would). Each measurement runs in a fresh subprocess so its peak RSS (ru_maxrss) is its own. Steps,
per data set:
  read      read every return with the ingestion's readers (calamine for .xlsx, DuckDB read_csv for .csv, pyarrow for
            .parquet) into Arrow, nothing else: the floor any refresh pays
  refresh   validate + publish into an empty temporary warehouse (the first refresh), the pipeline only; the slowest
            stages (from the refresh's progress messages) are printed as its profile
  whole     the same as the CLI does it: the publish also computes the indicator catalogue (``derive``)
  again     the pipeline refresh onto that warehouse (merge path: every period replaced)
  carry     publish one small table onto it (every other table carried over as hard links), and for comparison the
            time to copy the version's files instead
Then the ratios: refresh / read floor of the same run, and each data set against the first (growth), the repeat
refresh and its merge plan included.
For the refresh, the same refresh again and the carry-over, the publish is profiled by stage (wall and CPU seconds:
the merge plan, each table written, the carry-over, fsyncs, manifest and CURRENT, the audit lines, the catalogue).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
# A national payments CSV is larger than the gate's default 100 MB per file (data_pipeline/gate/limits.py).
os.environ.setdefault("SP_GATE_MAX_FILE_MB", "2048")
DEFAULT_DATA = {scale: PROJECT / "bench_data" / scale for scale in ("national", "national4")}  # 1x and 4x


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def _cpu_s() -> float:
    """CPU seconds of this process, threads included: steadier than wall time on a machine shared with others."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _files(data: Path) -> list[Path]:
    from data_pipeline.refresh import collect_return_files

    return collect_return_files(data)


# ------------------------------------------------------------------------------------------------- child steps
def step_read(data: Path, _warehouse: Path) -> dict:
    import duckdb
    import pyarrow as pa
    import pyarrow.parquet as pq
    from python_calamine import CalamineWorkbook

    started = time.perf_counter()
    cells = 0
    per_file = {}  # file -> [wall s, cpu s]: each return's own floor, set beside its validation
    for path in _files(data):
        file_started = (time.perf_counter(), _cpu_s())
        suffix = path.suffix.lower()
        if suffix == ".xlsx":
            workbook = CalamineWorkbook.from_path(str(path))
            for name in workbook.sheet_names:
                rows = workbook.get_sheet_by_name(name).to_python()
                width = max((len(r) for r in rows), default=0)
                table = pa.table(
                    {
                        f"c{j}": pa.array([None if j >= len(r) or r[j] == "" else str(r[j]) for r in rows], pa.string())
                        for j in range(width)
                    }
                )
                cells += table.num_rows * table.num_columns
        elif suffix == ".csv":
            con = duckdb.connect()
            table = con.sql(f"SELECT * FROM read_csv('{path}', all_varchar = true)").to_arrow_table()
            cells += table.num_rows * table.num_columns
            con.close()
        else:
            table = pq.read_table(path)
            cells += table.num_rows * table.num_columns
        per_file[path.name] = [time.perf_counter() - file_started[0], _cpu_s() - file_started[1]]
    return {"wall_s": time.perf_counter() - started, "cells": cells, "per_file": per_file}


# The publish's stages, as the functions that do them: timed in the child by wrapping them (wall and process CPU,
# DuckDB's threads included). A renamed function fails here loudly rather than dropping out of the profile.
PUBLISH_STAGES = [
    ("publish, all of it", "data_pipeline.warehouse", "publish"),
    ("merge plan: register staged rows", "data_pipeline.warehouse", "_MergePlan.__init__"),
    ("merge plan: conflicts", "data_pipeline.warehouse", "_MergePlan.conflicts"),
    ("merge plan: changes and removals", "data_pipeline.warehouse", "_MergePlan.changes"),
    # Inside it: whether any replaced row would go, the per-cell key fingerprint first, then (when a cell differs)
    # the anti-join; the fingerprint alone settles a repeat refresh.
    ("  removal check, all of it", "data_pipeline.warehouse", "_MergePlan._any_gone"),
    ("  removal check: key fingerprints", "data_pipeline.warehouse", "_MergePlan._same_keys_in_every_cell"),
    ("write changed tables", "data_pipeline.warehouse", "_write_table"),
    ("carry over unchanged tables", "data_pipeline.warehouse", "_carry_over"),
    ("fsync the version", "data_pipeline.warehouse", "_fsync_tree"),
    ("manifest and CURRENT (durable)", "data_pipeline.warehouse", "_write_durably"),
    ("audit log lines", "data_pipeline.warehouse", "append_log"),
    ("staged Parquet write (old path)", "data_pipeline.ingest.validate", "_staged_tables"),
]


def _profile_publish() -> dict[str, list[float]]:
    """Wrap the publish's stages with timers; returns label -> [wall s, cpu s, calls], filled as they run. The
    biggest table written gets its own line (``write <name>``)."""
    import functools
    import importlib

    found: dict[str, list[float]] = {}

    def timed(label, function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            wall, cpu = time.perf_counter(), _cpu_s()
            try:
                return function(*args, **kwargs)
            finally:
                spent = (time.perf_counter() - wall, _cpu_s() - cpu)
                names = [label] + ([f"  write {args[1]}"] if function.__name__ == "_write_table" else [])
                for name in names:
                    entry = found.setdefault(name, [0.0, 0.0, 0])
                    entry[0], entry[1], entry[2] = entry[0] + spent[0], entry[1] + spent[1], entry[2] + 1

        return wrapper

    for label, module_name, attribute in PUBLISH_STAGES:
        owner = importlib.import_module(module_name)
        *path, name = attribute.split(".")
        for part in path:
            owner = getattr(owner, part)
        setattr(owner, name, timed(label, getattr(owner, name)))
    return found


def _publish_stages(found: dict[str, list[float]]) -> list[tuple[str, float, float, int]]:
    """The stages that ran, in PUBLISH_STAGES order; of the tables written, the three costliest."""
    order = [label for label, _, _ in PUBLISH_STAGES]
    stages = [(label, *found[label]) for label in order if label in found]
    tables = sorted((k for k in found if k.startswith("  write ")), key=lambda k: -found[k][1])[:3]
    at = next((i + 1 for i, s in enumerate(stages) if s[0] == "write changed tables"), len(stages))
    return stages[:at] + [(k, *found[k]) for k in tables] + stages[at:]


def _watch_spill() -> dict:
    """Sample the size of the spill folders the pipeline's DuckDB connections make (``duckdb_memory.limit_memory``)
    every 0.2 s in a thread; the returned dict's ``peak_mb`` holds the largest total seen. Spilling is what made the
    4x refresh grow faster than its data (issue 13): the figure shows whether a run spilled at all."""
    import threading

    from data_pipeline import duckdb_memory, warehouse

    folders: list[str] = []
    found = {"peak_mb": 0.0}
    original = duckdb_memory.limit_memory

    def recorded(*args, **kwargs):
        folder = original(*args, **kwargs)
        folders.append(folder)
        return folder

    duckdb_memory.limit_memory = recorded
    warehouse.limit_memory = recorded

    def size(folder: str) -> int:
        total = 0
        for f in Path(folder).rglob("*"):
            try:
                total += f.stat().st_size
            except OSError:
                pass
        return total

    def sample():
        while True:
            found["peak_mb"] = max(found["peak_mb"], sum(size(f) for f in list(folders)) / 2**20)
            time.sleep(0.2)

    threading.Thread(target=sample, daemon=True).start()
    return found


def step_refresh(data: Path, warehouse_dir: Path, derive=None) -> dict:
    from data_pipeline.ingest import stages as validation_stages
    from data_pipeline.refresh import refresh
    from data_pipeline.secrets import DEMO_HASH_KEY

    spill = _watch_spill()
    profile = _profile_publish()
    if derive is not None:
        derive = _timed_derive(derive, profile)
    marks = []  # (seconds since start, progress message): each stage lasts until the next message
    started = time.perf_counter()

    def progress(fraction, message):
        marks.append((time.perf_counter() - started, message))

    with validation_stages.recording() as stage_times:
        result = refresh(
            _files(data),
            root=warehouse_dir,
            operator="benchmark",
            hash_key=DEMO_HASH_KEY,
            progress=progress,
            derive=derive,
        )
    wall = time.perf_counter() - started
    validated = next((t for t, m in marks if m == "publishing"), wall)
    stages = [(m, (marks[i + 1][0] if i + 1 < len(marks) else wall) - t) for i, (t, m) in enumerate(marks)]
    return {
        "wall_s": wall,
        "validate_s": validated,
        "publish_s": wall - validated,
        "stages": sorted(stages, key=lambda s: -s[1])[:6],
        "version": result.version,
        "rows": sum(result.table_rows.values()),
        "errors": len(result.report.errors),
        "warnings": len(result.report.warnings),
        "first_errors": [str(i) for i in result.report.errors[:5]],
        # Validation per stage (every file) and its slowest (file, stage) pairs: wall s, CPU s.
        "validation_stages": [(name, w, c) for name, (w, c) in validation_stages.totals(stage_times).items()],
        "validation_slowest": [
            (t.file, t.stage, t.wall_s, t.cpu_s) for t in sorted(stage_times, key=lambda t: -t.cpu_s)[:8]
        ],
        "publish_stages": _publish_stages(profile),
        "spill_peak_mb": spill["peak_mb"],
        "validation_per_file": _per_file(stage_times),
        # Workbooks are read in forked children (gate.sandbox): their CPU is not in this process's cpu_s.
        "children_cpu_s": _children_cpu_s(),
    }


def _per_file(stage_times) -> dict[str, list[float]]:
    """File -> [wall s, cpu s] of validation's stages run on it (the checks across files are under the table)."""
    summed: dict[str, list[float]] = {}
    for record in stage_times:
        entry = summed.setdefault(record.file or "(across files)", [0.0, 0.0])
        entry[0] += record.wall_s
        entry[1] += record.cpu_s
    return summed


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed_derive(derive, found: dict[str, list[float]]):
    """The catalogue hook, timed as one more publish stage (the indicator layer's work, reported apart)."""

    def timed(*args, **kwargs):
        wall, cpu = time.perf_counter(), _cpu_s()
        try:
            return derive(*args, **kwargs)
        finally:
            found["catalogue (derive)"] = [time.perf_counter() - wall, _cpu_s() - cpu, 1]

    return timed


def step_whole(data: Path, warehouse_dir: Path) -> dict:
    """The refresh as ``python -m data_pipeline refresh`` runs it: the catalogue is computed inside the publish."""
    from indicators.published import derive

    return step_refresh(data, warehouse_dir, derive=derive)


def step_carry(_data: Path, warehouse_dir: Path) -> dict:
    import datetime as dt

    import pyarrow as pa

    from data_pipeline import warehouse
    from data_pipeline.contracts import get_contract

    schema = warehouse.table_schema(get_contract("roadmap_actions"))
    types = {"VARCHAR": pa.string(), "DATE": pa.date32()}
    row = {
        "action_id": "BENCH-1",
        "description": None,
        "pillar": "cross_cutting",
        "responsible_ministry": "MoLSW",
        "due_date": dt.date(2022, 12, 31),
        "completed_date": None,
        "status": "in_progress",
        "source_file": "bench.xlsx",
    }
    staged = {"roadmap_actions": pa.Table.from_pylist([row], pa.schema([(c, types[t]) for c, t in schema]))}
    parent = warehouse.current_version(warehouse_dir)
    profile = _profile_publish()
    started = time.perf_counter()
    version = warehouse.publish(
        staged,
        root=warehouse_dir,
        operator="benchmark",
        files=[],
        hash_key_fingerprint=warehouse.read_manifest(parent, warehouse_dir)["hash_key_fingerprint"],
        confirm_removals=True,
    )  # the one-row snapshot drops 19
    linked_s = time.perf_counter() - started
    tables = warehouse_dir / "versions" / parent / "tables"
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(dir=warehouse_dir) as copy_dir:
        shutil.copytree(tables, Path(copy_dir) / "tables")
        for f in (Path(copy_dir) / "tables").rglob("*.parquet"):  # a fair copy is also a durable one
            fd = os.open(f, os.O_RDONLY)
            os.fsync(fd)
            os.close(fd)
        copied_s = time.perf_counter() - started
    size = sum(f.stat().st_size for f in tables.rglob("*.parquet"))
    # Every file of every table the publish did not touch must be the parent's own file (a hard link), not a copy.
    carried = [f for f in tables.rglob("*.parquet") if not f.is_relative_to(tables / "roadmap_actions.parquet")]
    new_tables = warehouse_dir / "versions" / version / "tables"
    linked = sum(f.stat().st_ino == (new_tables / f.relative_to(tables)).stat().st_ino for f in carried)
    return {
        "wall_s": linked_s,
        "version": version,
        "copy_s": copied_s,
        "parquet_mb": size / 2**20,
        "publish_stages": _publish_stages(profile),
        "carried_files": len(carried),
        "linked_files": linked,
    }


STEPS = {"read": step_read, "refresh": step_refresh, "whole": step_whole, "again": step_refresh, "carry": step_carry}


def run_child(step: str, data: Path, warehouse_dir: Path) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", step, "--data", str(data), "--warehouse", str(warehouse_dir)],
        capture_output=True,
        text=True,
        cwd=PROJECT,
    )
    if out.returncode != 0:
        sys.exit(f"step {step} failed:\n{out.stderr[-3000:]}")
    found = json.loads(out.stdout.strip().splitlines()[-1])
    print(  # as it goes: a 4x run takes minutes, and a shared machine may be slow
        f"  {step}: {found['wall_s']:.2f} s wall, {found['cpu_s']:.2f} s cpu, {found['peak_rss_mb']:.0f} MB peak RSS",
        flush=True,
    )
    return found


# ------------------------------------------------------------------------------------------------- parent
def ensure_data(data: Path, scale: str, seed: int, regenerate: bool) -> None:
    if data.is_dir() and any(data.iterdir()) and not regenerate:
        print(f"reusing {data} (--regenerate to rebuild)")
        return
    try:
        from data_pipeline.sample import generate
    except ImportError as e:
        sys.exit(f"the sample generator (data_pipeline.sample.generate) is not available yet: {e}")
    if data.exists():
        shutil.rmtree(data)
    print(f"generating the {scale} sample into {data} (seed {seed}) …")
    started = time.perf_counter()
    generate(data, scale=scale, seed=seed)
    print(f"  generated in {time.perf_counter() - started:.1f} s")


def measure(data: Path, pipeline_only: bool) -> dict:
    """Every step on one data set, each in its own process; printed as it goes (a 4x run takes minutes)."""
    files = _files(data)
    size_mb = sum(f.stat().st_size for f in files) / 2**20
    print(f"\n== {data}: {len(files)} files, {size_mb:.1f} MB ({', '.join(sorted({f.suffix.lower() for f in files}))})")
    found = {"data": data, "size_mb": size_mb}
    with tempfile.TemporaryDirectory(prefix="bench-warehouse-") as tmp:
        warehouse_dir = Path(tmp)
        found["read"] = run_child("read", data, warehouse_dir)
        found["refresh"] = run_child("refresh", data, warehouse_dir / "pipeline")
        first = found["refresh"]
        if first["errors"]:
            print(
                f"note: the refresh was REJECTED with {first['errors']} error(s), e.g.:\n  "
                + "\n  ".join(first["first_errors"])
            )
        if first["version"]:
            found["again"] = run_child("again", data, warehouse_dir / "pipeline")
            found["carry"] = run_child("carry", data, warehouse_dir / "pipeline")
        if not pipeline_only:
            found["whole"] = run_child("whole", data, warehouse_dir / "whole")
    print_one(found)
    return found


def print_one(found: dict) -> None:
    read, first = found["read"], found["refresh"]
    print(f"{'step':34} {'wall s':>8} {'cpu s':>8} {'peak RSS MB':>12}")
    print(
        f"{'read files only (floor)':34} {read['wall_s']:8.2f} {read['cpu_s']:8.2f} {read['peak_rss_mb']:12.0f}   "
        f"{read['cells']:,} cells"
    )
    print(
        f"{'refresh, pipeline only (empty wh)':34} {first['wall_s']:8.2f} {first['cpu_s']:8.2f} "
        f"{first['peak_rss_mb']:12.0f}   "
        f"validate {first['validate_s']:.2f} s + publish {first['publish_s']:.2f} s; {first['rows']:,} rows, "
        f"{first['warnings']} warnings"
    )
    print(f"{'':36}DuckDB spill folders at most {first.get('spill_peak_mb', 0):.0f} MB (sampled every 0.2 s)")
    for message, seconds in first["stages"]:
        print(f"{'':36}{seconds:6.2f} s  {message}")
    print_validation_stages(first)
    print_against_floor(read, first)
    print_publish_stages("its publish, by stage", first)
    if "whole" in found:
        whole = found["whole"]
        print(
            f"{'refresh as the CLI (+ catalogue)':34} {whole['wall_s']:8.2f} {whole['cpu_s']:8.2f} "
            f"{whole['peak_rss_mb']:12.0f}   "
            f"validate {whole['validate_s']:.2f} s + publish and catalogue {whole['publish_s']:.2f} s"
        )
        print_publish_stages("its publish, by stage", whole)
    if "again" in found:
        again = found["again"]
        print(
            f"{'same refresh again (merge)':34} {again['wall_s']:8.2f} {again['cpu_s']:8.2f} "
            f"{again['peak_rss_mb']:12.0f}   "
            f"validate {again['validate_s']:.2f} s + publish {again['publish_s']:.2f} s"
        )
        print_publish_stages("its publish, by stage", again)
    if "carry" in found:
        carry = found["carry"]
        print(
            f"{'publish 1 table, carry the rest':34} {carry['wall_s']:8.2f} {carry['cpu_s']:8.2f} "
            f"{carry['peak_rss_mb']:12.0f}   "
            f"hard links; copying the {carry['parquet_mb']:.1f} MB instead: {carry['copy_s']:.2f} s"
        )
        print(f"{'':36}{carry['linked_files']} of the {carry['carried_files']} files carried over are hard links")
        print_publish_stages("its publish, by stage", carry)
    print(
        f"refresh / read floor: {first['wall_s'] / read['wall_s']:.1f}x wall, "
        f"{first['cpu_s'] / read['cpu_s']:.1f}x cpu, {first['peak_rss_mb'] / read['peak_rss_mb']:.1f}x peak RSS"
        + (f"; as the CLI: {found['whole']['wall_s'] / read['wall_s']:.1f}x wall" if "whole" in found else "")
    )


def print_validation_stages(refresh: dict) -> None:
    """Validation's own breakdown (``data_pipeline.ingest.stages``): each stage over every file, then the slowest
    stages of single files."""
    stages = refresh.get("validation_stages") or []
    if not stages:
        return
    wall = sum(w for _, w, _ in stages)
    cpu = sum(c for _, _, c in stages)
    print(f"{'validation by stage':34} {wall:8.2f} {cpu:8.2f}")
    for name, w, c in stages:
        if w >= 0.05 or c >= 0.05:
            print(f"{'':36}{w:6.2f} s wall {c:6.2f} s cpu  {name}")
    print(f"{'  slowest (file, stage)':34}")
    for file, name, w, c in refresh["validation_slowest"]:
        print(f"{'':36}{w:6.2f} s wall {c:6.2f} s cpu  {name}: {file}")


def print_against_floor(read: dict, refresh: dict) -> None:
    """Each return's validation beside the floor of reading it alone (the read step, file by file): where the time
    above the floor goes. Files under 0.1 s of validation CPU are summed in one line."""
    floors, validated = read.get("per_file") or {}, refresh.get("validation_per_file") or {}
    if not floors or not validated:
        return
    print(f"{'  validation per file vs its read':34} {'floor cpu':>10} {'valid. cpu':>10} {'ratio':>6}")
    small = [0.0, 0.0, 0]
    for name, (_, cpu) in sorted(validated.items(), key=lambda kv: -kv[1][1]):
        floor = floors.get(name, [0.0, 0.0])[1]
        if cpu < 0.1:
            small[0], small[1], small[2] = small[0] + floor, small[1] + cpu, small[2] + 1
            continue
        ratio = f"{cpu / floor:5.1f}x" if floor > 0.01 else ""
        print(f"{'':36}{floor:8.2f} {cpu:10.2f} {ratio:>6}  {name}")
    if small[2]:
        print(
            f"{'':36}{small[0]:8.2f} {small[1]:10.2f} {'':>6}  {small[2]} more (files, or tables for the checks across files)"
        )
    if refresh.get("children_cpu_s"):
        print(
            f"{'':36}+ {refresh['children_cpu_s']:.2f} s cpu in the workbook readers' child processes (not in cpu s above)"
        )


def print_publish_stages(title: str, found: dict) -> None:
    stages = found.get("publish_stages") or []
    if stages:
        print(f"{'':36}{title} (wall s, cpu s):")
    for label, wall, cpu, calls in stages:
        print(f"{'':38}{label:34} {wall:7.2f} {cpu:7.2f}" + (f"  ({calls} calls)" if calls > 1 else ""))


def print_growth(runs: list[dict]) -> None:
    base = runs[0]
    print(f"\ngrowth against {base['data']} (goal: n times the data costs at most n times the time):")
    print(f"{'data':40} {'size':>6} {'read':>6} {'refresh wall':>13} {'cpu':>6} {'peak RSS':>9} {'CLI wall':>9}")

    def ratio(run: dict, step: str, key: str) -> str:
        if step not in run or step not in base:
            return "-"
        return f"{run[step][key] / base[step][key]:.2f}x"

    for run in runs:
        print(
            f"{str(run['data']):40} {run['size_mb'] / base['size_mb']:5.2f}x {ratio(run, 'read', 'wall_s'):>6} "
            f"{ratio(run, 'refresh', 'wall_s'):>13} {ratio(run, 'refresh', 'cpu_s'):>6} "
            f"{ratio(run, 'refresh', 'peak_rss_mb'):>9} {ratio(run, 'whole', 'wall_s'):>9}"
        )
    print_repeat_growth(runs)


def _merge_plan(run: dict) -> tuple[float, float] | None:
    """Wall and CPU seconds of the repeat refresh's merge plan ("changes and removals")."""
    stage = next(
        (s for s in run.get("again", {}).get("publish_stages", []) if s[0].startswith("merge plan: changes")), None
    )
    return (stage[1], stage[2]) if stage else None


def print_repeat_growth(runs: list[dict]) -> None:
    """The same refresh onto a warehouse that holds a version (every period replaced) must grow linearly too: its
    whole time and its merge plan, each data set against the first."""
    base = runs[0]
    if "again" not in base:
        return
    print(f"\nrepeat refresh (merge) against {base['data']}:")
    print(f"{'data':40} {'size':>6} {'wall':>8} {'cpu':>8} {'growth':>13} {'merge plan wall/cpu s':>22} {'growth':>13}")
    for run in runs:
        if "again" not in run:
            continue
        again, plan, base_plan = run["again"], _merge_plan(run), _merge_plan(base)
        plan_text = f"{plan[0]:.2f} / {plan[1]:.2f}" if plan else "-"
        plan_growth = (
            f"{plan[0] / base_plan[0]:.2f}x / {plan[1] / base_plan[1]:.2f}x"
            if plan and base_plan and base_plan[0] and base_plan[1]
            else "-"
        )
        print(
            f"{str(run['data']):40} {run['size_mb'] / base['size_mb']:5.2f}x {again['wall_s']:8.2f} "
            f"{again['cpu_s']:8.2f} {again['wall_s'] / base['again']['wall_s']:5.2f}x / "
            f"{again['cpu_s'] / base['again']['cpu_s']:.2f}x {plan_text:>22} {plan_growth:>13}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, action="append", help="a folder of returns; repeat for 1x and 4x")
    parser.add_argument("--seed", type=int, default=20220630)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--pipeline-only", action="store_true", help="skip the refresh with the catalogue")
    parser.add_argument("--child", choices=sorted(STEPS), help=argparse.SUPPRESS)
    parser.add_argument("--warehouse", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        started_cpu = _cpu_s()
        result = STEPS[args.child](args.data[0], args.warehouse)
        result["peak_rss_mb"] = _peak_rss_mb()
        result["cpu_s"] = _cpu_s() - started_cpu
        print(json.dumps(result))
        return

    datasets = args.data
    if not datasets:
        for scale, folder in DEFAULT_DATA.items():
            ensure_data(folder, scale, args.seed, args.regenerate)
        datasets = list(DEFAULT_DATA.values())
    runs = [measure(data, args.pipeline_only) for data in datasets]
    if len(runs) > 1:
        print_growth(runs)


if __name__ == "__main__":
    main()
