"""A return replaces exactly what it covers, on a copy of the sample warehouse: one-province corrections of every
period-based source, an explicit whole-period replacement, a refused removal, and who has reported."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from data_pipeline import coverage, warehouse
from data_pipeline.contracts import all_contracts

PROJECT = Path(__file__).resolve().parent.parent
CORRECTED = "correction.csv"


def run_cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "data_pipeline", *map(str, args)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=300,
    )


def digest(root: Path) -> str:
    """One hash over CURRENT and every file of versions/ (names and bytes)."""
    h = hashlib.sha256()
    for path in [root / "CURRENT", *sorted((root / "versions").rglob("*"))]:
        if path.is_file():
            h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


@pytest.fixture
def sample_copy(sample_warehouse, tmp_path) -> Path:
    copy = tmp_path / "warehouse"
    shutil.copytree(sample_warehouse, copy)
    return copy


def period_contracts_by_province() -> list[str]:
    return [n for n, c in all_contracts().items() if warehouse.period_key(c) and "province" in c.covers]


def count_columns(name: str) -> list[str]:
    return [c.name for c in all_contracts()[name].warehouse_columns if c.kind == "count"]


@pytest.mark.parametrize("name", period_contracts_by_province())
def test_a_one_province_correction_changes_only_that_province_of_that_period(sample_copy, name):
    contract = all_contracts()[name]
    key = warehouse.period_key(contract)
    con = warehouse.open_version(root=sample_copy)
    period, province, cell_rows = con.execute(
        f'SELECT CAST("{key}" AS VARCHAR), province, count(*) FROM {name} WHERE province IS NOT NULL '
        f"GROUP BY ALL ORDER BY 1 DESC, 3 DESC, 2 LIMIT 1"
    ).fetchone()
    in_cell = f"CAST(\"{key}\" AS VARCHAR) = '{period}' AND province = '{province}'"
    bumped = ", ".join(f'"{c}" + 1 AS "{c}"' for c in count_columns(name))
    replace = (
        f"REPLACE ({bumped}, '{CORRECTED}' AS source_file)" if bumped else f"REPLACE ('{CORRECTED}' AS source_file)"
    )
    staged = con.cursor().sql(f"SELECT * {replace} FROM {name} WHERE {in_cell}").to_arrow_table()
    before = con.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
    outside_before = con.execute(
        f"SELECT * FROM {name} WHERE NOT ({in_cell}) OR province IS NULL ORDER BY ALL"
    ).fetchall()

    change = next(c for c in warehouse.preview_changes({name: staged}, sample_copy) if c.table == name)
    # The preview says exactly that: one period, one province, its rows replaced one for one, nothing removed.
    assert {(a.period, a.province, a.rows_before, a.rows_after, a.rows_removed) for a in change.areas} == {
        (period, province, cell_rows, cell_rows, 0)
    }
    assert (change.rows_replaced, change.rows_kept, change.rows_after, change.rows_removed) == (
        cell_rows,
        before - cell_rows,
        before,
        0,
    )

    version = warehouse.publish(
        {name: staged},
        root=sample_copy,
        operator="test",
        files=[],
        hash_key_fingerprint=warehouse.read_manifest(warehouse.current_version(sample_copy), sample_copy)[
            "hash_key_fingerprint"
        ],
    )
    after = warehouse.open_version(version, sample_copy)
    assert after.execute(f"SELECT count(*) FROM {name}").fetchone()[0] == before
    assert (
        after.execute(f"SELECT * FROM {name} WHERE NOT ({in_cell}) OR province IS NULL ORDER BY ALL").fetchall()
        == outside_before
    )  # every other row kept, value for value
    assert after.execute(
        f"SELECT count(*), count(*) FILTER (WHERE source_file = '{CORRECTED}') FROM {name} WHERE {in_cell}"
    ).fetchone() == (cell_rows, cell_rows)
    for column in count_columns(name):
        old_sum = con.execute(f'SELECT sum("{column}") FROM {name} WHERE {in_cell}').fetchone()[0]
        new_sum = after.execute(f'SELECT sum("{column}") FROM {name} WHERE {in_cell}').fetchone()[0]
        if old_sum is not None:
            assert (
                new_sum == old_sum + con.execute(f'SELECT count("{column}") FROM {name} WHERE {in_cell}').fetchone()[0]
            )


def write_correction(con, folder: Path, name: str, select: str, file_name: str) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / file_name
    con.execute(f"COPY ({select}) TO '{path}' (HEADER)")
    return path


def test_the_cli_publishes_a_one_province_correction_and_says_what_it_replaced(sample_copy, tmp_path):
    con = warehouse.open_version(root=sample_copy)
    write_correction(
        con,
        tmp_path / "in",
        "health_insurance",
        "SELECT period, province, sex, age_group, scheme, members + 1 AS members FROM health_insurance "
        "WHERE period = '2022-Q2' AND province = 'LA-AT'",
        "NHIB_members_2022-Q2.csv",
    )
    done = run_cli("refresh", tmp_path / "in", "--warehouse", sample_copy, "--demo-key")
    assert done.returncode == 0, done.stdout + done.stderr
    assert (
        "health_insurance     merged   by period × province: 30 published row(s) replaced, 5,370 kept, "
        "0 removed; 5,400 -> 5,400 rows"
    ) in done.stdout
    assert "      2022-Q2 LA-AT: 30 -> 30 row(s)\n" in done.stdout
    assert "health_insurance     2022-Q2  18 covered" in done.stdout
    new = warehouse.open_version(root=sample_copy)
    assert new.execute(
        "SELECT count(*), count(DISTINCT province) FROM health_insurance WHERE period = '2022-Q2'"
    ).fetchone() == (540, 18)
    assert (
        new.execute(
            "SELECT sum(members) FROM health_insurance WHERE period = '2022-Q2' AND province = 'LA-AT'"
        ).fetchone()[0]
        == con.execute(
            "SELECT sum(members) + 30 FROM health_insurance WHERE period = '2022-Q2' AND province = 'LA-AT'"
        ).fetchone()[0]
    )


def test_replacing_whole_periods_is_refused_byte_identical_until_confirmed(sample_copy, tmp_path):
    con = warehouse.open_version(root=sample_copy)
    write_correction(
        con,
        tmp_path / "in",
        "school_meals",
        "SELECT period, province, district, sex, pupils_enrolled, pupils_receiving_meals "
        "FROM school_meals WHERE period = '2022-Q2' AND province = 'LA-PH'",
        "MoES_2022-Q2.csv",
    )
    kept = con.execute("SELECT count(*) FROM school_meals WHERE period = '2022-Q2' AND province = 'LA-PH'").fetchone()[
        0
    ]
    provinces_removed = con.execute(
        "SELECT count(DISTINCT province), count(*) FROM school_meals WHERE period = '2022-Q2' AND province <> 'LA-PH'"
    ).fetchone()
    before = digest(sample_copy)
    refused = run_cli("refresh", tmp_path / "in", "--warehouse", sample_copy, "--demo-key", "--replace-whole-periods")
    assert refused.returncode == 1
    assert f"Rows that would be removed ({provinces_removed[1]:,})" in refused.stdout
    assert refused.stdout.count("school_meals         2022-Q2") == provinces_removed[0]
    assert "run the same command again with --confirm-removals" in refused.stdout
    assert digest(sample_copy) == before
    assert warehouse.read_refresh_log(sample_copy)[-1]["outcome"] == "rejected"

    done = run_cli(
        "refresh",
        tmp_path / "in",
        "--warehouse",
        sample_copy,
        "--demo-key",
        "--replace-whole-periods",
        "--confirm-removals",
    )
    assert done.returncode == 0, done.stdout + done.stderr
    new = warehouse.open_version(root=sample_copy)
    assert new.execute("SELECT count(*) FROM school_meals").fetchone()[0] == 580 - provinces_removed[1]
    assert new.execute(
        "SELECT count(*), list(DISTINCT province) FROM school_meals WHERE period = '2022-Q2'"
    ).fetchone() == (kept, ["LA-PH"])
    # Who has reported now shows the quarter as partial: every other province of the programme is missing.
    frame = coverage.version_coverage(root=sample_copy, sources=["school_meals"], periods=["2022-Q2"])
    assert dict(frame["status"].value_counts()) == {"never reported": 9, "missing": provinces_removed[0], "covered": 1}
    shown = run_cli("coverage", "--warehouse", sample_copy, "--source", "school_meals", "--period", "2022-Q2")
    assert f"1 covered,  0 partly covered, {provinces_removed[0]:>2} missing" in shown.stdout


def test_a_province_missing_some_districts_is_partly_covered(sample_copy):
    con = warehouse.open_version(root=sample_copy)
    province, districts = con.execute(
        "SELECT province, list(DISTINCT district ORDER BY district) FROM school_meals "
        "WHERE period = '2022-Q1' GROUP BY 1 HAVING count(DISTINCT district) > 1 "
        "ORDER BY 1 LIMIT 1"
    ).fetchone()
    dropped = districts[0]
    staged = (
        con.cursor()
        .sql(
            f"SELECT * FROM school_meals WHERE period = '2022-Q1' AND province = '{province}' "
            f"AND district <> '{dropped}'"
        )
        .to_arrow_table()
    )
    fingerprint = warehouse.read_manifest(warehouse.current_version(sample_copy), sample_copy)["hash_key_fingerprint"]
    # District grain: leaving a district out of a correction keeps it ...
    warehouse.publish(
        {"school_meals": staged}, root=sample_copy, operator="t", files=[], hash_key_fingerprint=fingerprint
    )
    assert coverage.version_coverage(root=sample_copy, sources=["school_meals"], periods=["2022-Q1"]).query(
        f"province == '{province}'"
    )["status"].tolist() == ["covered"]
    # ... and only a confirmed whole-period replacement removes it: the province is then partly covered.
    warehouse.publish(
        {
            "school_meals": con.cursor()
            .sql(f"SELECT * FROM school_meals WHERE period = '2022-Q1' AND district <> '{dropped}'")
            .to_arrow_table()
        },
        root=sample_copy,
        operator="t",
        files=[],
        hash_key_fingerprint=fingerprint,
        replace_whole_periods=True,
        confirm_removals=True,
    )
    row = (
        coverage.version_coverage(root=sample_copy, sources=["school_meals"], periods=["2022-Q1"])
        .query(f"province == '{province}'")
        .iloc[0]
    )
    assert (row["status"], row["districts_reported"], row["districts_expected"]) == (
        "partly covered",
        len(districts) - 1,
        len(districts),
    )
    assert row["districts_missing"].startswith(dropped + " ")
