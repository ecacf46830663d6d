"""Validation's stage timer (data_pipeline.ingest.stages): off unless recording, nested stages not counted twice, and
a real validation names its stages per file."""

from __future__ import annotations

from data_pipeline.ingest import stages, validate_returns
from data_pipeline.secrets import DEMO_HASH_KEY


def test_stages_are_not_recorded_unless_asked():
    with stages.stage("f.csv", "read"):
        pass
    with stages.recording() as records:
        pass
    assert records == []


def test_a_stage_holds_its_own_time_without_its_childrens(monkeypatch):
    clock = [0.0]  # a clock the test moves: wall and CPU alike, so no timing depends on the machine's load
    monkeypatch.setattr(stages.time, "perf_counter", lambda: clock[0])
    monkeypatch.setattr(stages.time, "process_time", lambda: clock[0] / 2)
    with stages.recording() as records:
        with stages.stage("f.csv", "typing"):
            clock[0] += 5
            with stages.stage("f.csv", "hashing ids"):
                clock[0] += 10
            clock[0] += 1
    by_name = {r.stage: (r.wall_s, r.cpu_s) for r in records}
    assert by_name == {"hashing ids": (10, 5), "typing": (6, 3)}  # the child's 10 s are not in typing's 16
    assert list(stages.totals(records).items()) == [("hashing ids", (10, 5)), ("typing", (6, 3))]  # largest first


def test_validation_records_its_stages_per_file(tmp_path):
    path = tmp_path / "roadmap.csv"
    path.write_text(
        "action_id,pillar,responsible_ministry,due_date,completed_date,status\n"
        "A-1,cross_cutting,MoLSW,2022-12-31,,in_progress\n"
    )
    with stages.recording() as records:
        report, staged = validate_returns([path], hash_key=DEMO_HASH_KEY)
    assert report.ok, [str(i) for i in report.errors]
    names = {r.stage for r in records if r.file == "roadmap.csv"}
    assert {"gate", "read", "header detection", "typing", "column checks"} <= names
    assert {r.stage for r in records if r.file == ""} >= {"hand-over (staged tables)"}
    assert all(r.wall_s >= 0 and r.cpu_s >= 0 for r in records)
