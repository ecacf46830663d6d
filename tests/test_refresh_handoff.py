"""The refresh's hand-off (issue 13): the publish reads the validated tables inside validation's own DuckDB
connection (``validate_returns(hand_off=...)``, ``warehouse.publish(connection=...)``) instead of staged Parquet
written and read back. It must publish exactly what the staged path publishes, leave nothing of itself in the
connection, and keep every crash and refusal guarantee."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from data_pipeline import warehouse
from data_pipeline.ingest import validate_returns
from data_pipeline.refresh import collect_return_files, refresh
from data_pipeline.secrets import DEMO_HASH_KEY, key_fingerprint
from tests.staging_tables import cash_transfer_rows, staged_table
from tests.test_warehouse import tree_digest

PROJECT = Path(__file__).resolve().parent.parent


def returns_folder(folder: Path, *names: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(PROJECT / "sample_data" / name, folder / name)
    return folder


@pytest.fixture(scope="module")
def sample_returns(tmp_path_factory) -> list[Path]:
    """One return of each reader: the payments CSV (partitioned table), the register and a workbook."""
    return collect_return_files(
        returns_folder(
            tmp_path_factory.mktemp("returns"),
            "MoLSW_MECG_payments_to_2022-06-30.csv",
            "MoLSW_MECG_register_2022-06-30.xlsx",
            "LSB_population_births_2020-2022.xlsx",
        )
    )


def published_files(root: Path) -> dict[str, bytes]:
    version = warehouse.version_folder(warehouse.current_version(root), root)
    return {str(p.relative_to(version)): p.read_bytes() for p in sorted((version / "tables").rglob("*.parquet"))}


def test_the_hand_off_publishes_the_same_files_as_staged_parquet(sample_returns, tmp_path):
    report, staged = validate_returns(sample_returns, hash_key=DEMO_HASH_KEY, stage_dir=tmp_path / "staged")
    warehouse.publish(
        staged,
        root=tmp_path / "staged_wh",
        operator="t",
        files=report.returns,
        hash_key_fingerprint=key_fingerprint(DEMO_HASH_KEY),
        demo_key=True,
    )
    result = refresh(sample_returns, root=tmp_path / "handed_wh", operator="t", hash_key=DEMO_HASH_KEY)

    assert result.published and result.table_rows["mecg_payments"] > 1000
    handed, staged_files = published_files(tmp_path / "handed_wh"), published_files(tmp_path / "staged_wh")
    assert handed.keys() == staged_files.keys() and len(handed) > 3
    assert handed == staged_files  # the same rows, in the same order, encoded alike
    manifests = [warehouse.read_manifest("v0001", tmp_path / w) for w in ("handed_wh", "staged_wh")]
    assert manifests[0]["tables"] == manifests[1]["tables"]
    version = warehouse.version_folder("v0001", tmp_path / "handed_wh")
    for path in (version / "tables").rglob("*.parquet"):  # every column OPTIONAL, as the warehouse always wrote
        assert all(field.nullable for field in pq.read_schema(path)), path
        assert pq.ParquetFile(path).metadata.row_group(0).column(0).compression == "ZSTD"


def publish_handed(root: Path, rows: list[dict], **options) -> tuple[str, duckdb.DuckDBPyConnection, list[str]]:
    """Publish cash-transfer ``rows`` from a table in a connection of the caller's, as the refresh hands them over;
    returns the version, the connection and what ``release_staged`` was asked to free."""
    con = duckdb.connect()
    arrow = staged_table("cash_transfer", rows)  # noqa: F841 (DuckDB reads it by its Python name)
    con.execute("CREATE TEMP TABLE validated AS SELECT * FROM arrow")
    released = []

    def release():
        con.execute("DROP TABLE validated")
        released.append("validated")

    options = dict(operator="t", files=[], hash_key_fingerprint="k", connection=con, release_staged=release, **options)
    try:
        return warehouse.publish({"cash_transfer": "validated"}, root=root, **options), con, released
    finally:
        assert released == ["validated"]  # released whatever the outcome
        assert con.execute("SELECT count(*) FROM duckdb_views() WHERE NOT internal").fetchone() == (0,)


def test_publish_on_a_handed_connection_drops_its_views_and_releases_the_staged_rows(tmp_path):
    version, con, released = publish_handed(tmp_path, cash_transfer_rows("2022-Q2", 10))

    assert version == "v0001" and released == ["validated"]
    published = warehouse.open_version(root=tmp_path)
    assert published.execute("SELECT count(*), sum(beneficiaries) FROM cash_transfer").fetchone() == (4, 40)
    assert con.execute("SELECT 1").fetchone() == (1,)  # the connection stays its owner's


def test_a_refused_publish_on_a_handed_connection_writes_nothing_and_still_releases(tmp_path):
    publish_handed(tmp_path, cash_transfer_rows("2022-Q2", 10))
    before = tree_digest(tmp_path)
    with pytest.raises(warehouse.RemovalNotConfirmed):
        publish_handed(tmp_path, cash_transfer_rows("2022-Q2", 10, ("0101",)), replace_whole_periods=True)
    assert tree_digest(tmp_path) == before and not list(tmp_path.glob(".staging-*"))


def test_a_relation_name_without_its_connection_is_refused(tmp_path):
    with pytest.raises(warehouse.WarehouseError, match="no connection holds it"):
        warehouse.publish(
            {"cash_transfer": "validated"}, root=tmp_path, operator="t", files=[], hash_key_fingerprint="k"
        )
    assert warehouse.current_version(tmp_path) is None


def test_a_rejected_refresh_hands_nothing_over(tmp_path):
    bad = tmp_path / "returns" / "MoLSW_MECG_payments_to_2022-06-30.csv"
    bad.parent.mkdir()
    bad.write_text("payment_key,beneficiary_key,cycle\nP1,B1,not a number\n")
    handed = []
    report, outcome = validate_returns([bad], hash_key=DEMO_HASH_KEY, hand_off=lambda *args: handed.append(args))
    assert not report.ok and outcome is None and handed == []


@pytest.mark.parametrize("point", ["parquet_written", "manifest_written", "audit_pending", "current_tmp_written"])
def test_a_refresh_killed_in_its_publish_leaves_the_published_version_byte_identical(tmp_path, point):
    """The CLI's refresh (hand-off path) killed as by a power cut at each step of its publish."""
    root = tmp_path / "wh"
    first = returns_folder(tmp_path / "first", "LSB_population_births_2020-2022.xlsx")
    assert refresh(collect_return_files(first), root=root, operator="t", hash_key=DEMO_HASH_KEY).published
    before = tree_digest(root)
    second = returns_folder(
        tmp_path / "second", "MoLSW_MECG_payments_to_2022-06-30.csv", "MoLSW_MECG_register_2022-06-30.xlsx"
    )
    spill_parent = tmp_path / "tmp"
    spill_parent.mkdir()
    killed = subprocess.run(
        [
            sys.executable,
            "-m",
            "data_pipeline",
            "refresh",
            str(second),
            "--warehouse",
            str(root),
            "--operator",
            "t",
            "--demo-key",
        ],
        cwd=PROJECT,
        # Its own temporary folder: a killed refresh leaves its spill folder behind (the next refresh removes it once
        # stale), which would otherwise pile up in the machine's /tmp, four a run of the suite.
        env={**os.environ, "SP_TEST_CRASH_AT": point, "PYTHONPATH": str(PROJECT), "TMPDIR": str(spill_parent)},
        capture_output=True,
        text=True,
    )
    assert killed.returncode == -9, killed.stderr[-2000:]
    after = tree_digest(root)
    # CURRENT and v0001 are untouched; only at the last point a complete, never-current v0002 exists.
    assert {k: v for k, v in after.items() if not k.startswith("versions/v0002/")} == before
    assert bool([k for k in after if k.startswith("versions/v0002/")]) == (point == "current_tmp_written")
    con = warehouse.open_version(root=root)
    assert con.execute("SELECT count(*) FROM mecg_payments").fetchone() == (0,)
    assert con.execute("SELECT count(*) FROM population").fetchone()[0] > 0


def test_a_refresh_of_one_return_links_every_file_of_every_other_table(sample_returns, tmp_path):
    root = tmp_path / "wh"
    assert refresh(sample_returns, root=root, operator="t", hash_key=DEMO_HASH_KEY).published
    one = returns_folder(tmp_path / "one", "LSB_population_births_2020-2022.xlsx")
    assert refresh(collect_return_files(one), root=root, operator="t", hash_key=DEMO_HASH_KEY).version == "v0002"

    first, second = (warehouse.version_folder(v, root) / "tables" for v in ("v0001", "v0002"))
    carried = [f for f in first.rglob("*.parquet") if f.name.startswith("mecg_") or "mecg_payments" in f.parts]
    assert len(carried) >= 4  # the register and every partition of the ledger
    assert all(f.stat().st_ino == (second / f.relative_to(first)).stat().st_ino for f in carried)
    rewritten = [f for f in first.rglob("*.parquet") if f.name in ("population.parquet", "births.parquet")]
    assert rewritten and all(f.stat().st_ino != (second / f.relative_to(first)).stat().st_ino for f in rewritten)


def test_the_validated_tables_handed_over_hold_no_raw_text(sample_returns):
    """Each column's text as written serves validation's messages only: the tables waiting for the publish no longer
    hold it (at 4x they outgrow the memory budget and spill; issue 13), only the src_row, the warehouse's columns and
    a derived period."""
    columns = set()

    def look(report, staged, con, release):
        tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE temporary").fetchall()]
        for table in (t for t in tables if t.startswith("typed_")):
            columns.update(r[0] for r in con.execute(f"DESCRIBE {table}").fetchall())
        release()

    report, _ = validate_returns(sample_returns, hash_key=DEMO_HASH_KEY, hand_off=look)
    assert report.ok
    assert columns and not [c for c in columns if c.endswith("__raw")]
    assert "payment_key" in columns and "src_row" in columns
