"""Where validation's time goes: wall and CPU seconds per stage and file, recorded only when asked (the benchmark,
``bench/benchmark_pipeline.py``; issue 13). Off, a stage costs one context-variable lookup.

Stages nest (the lookups and hashing run inside the typing query's preparation); each record holds its own time
without its children's, so the records of one run add up to the whole.
"""

from __future__ import annotations

import contextlib
import contextvars
import time
from dataclasses import dataclass


@dataclass
class StageTime:
    file: str
    stage: str
    wall_s: float
    cpu_s: float  # this process's CPU, every thread (DuckDB's included): steadier than wall on a shared machine


_records: contextvars.ContextVar[list[StageTime] | None] = contextvars.ContextVar("validation_stages", default=None)
_children: contextvars.ContextVar[list[list[float]] | None] = contextvars.ContextVar("stage_children", default=None)


@contextlib.contextmanager
def recording():
    """Record every stage run inside the block; yields the list the records are appended to."""
    records: list[StageTime] = []
    token = _records.set(records)
    try:
        yield records
    finally:
        _records.reset(token)


@contextlib.contextmanager
def stage(file: str, name: str):
    records = _records.get()
    if records is None:
        yield
        return
    spent_by_children = [0.0, 0.0]
    parent = _children.get()
    token = _children.set(spent_by_children)
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        yield
    finally:
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        _children.reset(token)
        if parent is not None:
            parent[0] += wall
            parent[1] += cpu
        records.append(StageTime(file, name, wall - spent_by_children[0], cpu - spent_by_children[1]))


def totals(records: list[StageTime]) -> dict[str, tuple[float, float]]:
    """Stage -> (wall s, CPU s) over every file, largest wall first."""
    summed: dict[str, list[float]] = {}
    for record in records:
        entry = summed.setdefault(record.stage, [0.0, 0.0])
        entry[0] += record.wall_s
        entry[1] += record.cpu_s
    return {name: (w, c) for name, (w, c) in sorted(summed.items(), key=lambda kv: -kv[1][0])}
