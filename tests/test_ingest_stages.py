"""Validation's stage timer (data_pipeline.ingest.stages): off unless recording, nested stages not counted twice, and
a real validation names its stages per file."""

from __future__ import annotations

import time

from data_pipeline.ingest import stages, validate_returns
from data_pipeline.secrets import DEMO_HASH_KEY


def test_stages_are_not_recorded_unless_asked():
    with stages.stage("f.csv", "read"):
        pass
    with stages.recording() as records:
        pass
    assert records == []


def test_a_stage_holds_its_own_time_without_its_childrens():
    with stages.recording() as records:
        with stages.stage("f.csv", "typing"):
            time.sleep(0.05)
            with stages.stage("f.csv", "hashing ids"):
                time.sleep(0.1)
    by_name = {r.stage: r for r in records}
    assert set(by_name) == {"typing", "hashing ids"}
    assert 0.09 <= by_name["hashing ids"].wall_s < 0.5
    assert 0.04 <= by_name["typing"].wall_s < 0.09  # the child's 0.1 s is not in it
    totals = stages.totals(records)
    assert list(totals) == ["hashing ids", "typing"]  # largest first


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
