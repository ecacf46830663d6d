"""A publish that follows the preview of the same batch publishes the indicator tables the preview computed (the
catalogue once, not twice), and they are what a plain publish writes; anything that makes them another publish's
(other whole-period choice, a version published or rolled back in between) computes them again."""

from __future__ import annotations

import shutil

import duckdb
import pandas as pd
import pytest

from dashboard import refresh_flow
from data_pipeline import warehouse
from data_pipeline.secrets import DEMO_HASH_KEY
from indicators import api, engine, preview
from tests.roles_fixtures import FIXED_NAME, fixed_return
from tests.test_refresh_page_staged import same_up_to_float_noise, upload_dir, version_rows  # noqa: F401  (fixture)


@pytest.fixture
def catalogue_runs(monkeypatch):
    """How many times the whole catalogue is computed (every path to it goes through engine.compute_all)."""
    runs = []
    compute_all = engine.compute_all

    def counted(*args, **kwargs):
        runs.append(args[1])
        return compute_all(*args, **kwargs)

    monkeypatch.setattr(engine, "compute_all", counted)
    return runs


def _copies(sample_warehouse, tmp_path, *names):
    roots = [tmp_path / name for name in names]
    for root in roots:
        shutil.copytree(sample_warehouse, root)
    return roots


def _checked(tmp_path):
    fixed = fixed_return(tmp_path)
    checked = refresh_flow.check_returns([(FIXED_NAME, fixed.read_bytes())], hash_key=DEMO_HASH_KEY)
    assert checked.ok
    return checked


def _derived_rows(root, version):
    return {name: rows for name, rows in version_rows(root, version).items() if name.startswith("derived/")}


def _assert_same_derived(root, other, version):
    rows, expected = _derived_rows(root, version), _derived_rows(other, version)
    assert sorted(rows) == sorted(expected) and len(rows) > 3
    for name, found in rows.items():
        assert len(found) == len(expected[name]), name
        assert all(map(same_up_to_float_noise, found, expected[name])), name


def test_a_publish_after_its_preview_computes_nothing_and_writes_what_a_plain_publish_writes(
    sample_warehouse, tmp_path, upload_dir, catalogue_runs
):
    plain_root, page_root = _copies(sample_warehouse, tmp_path, "plain", "page")
    plain = refresh_flow.publish(_checked(tmp_path), operator="officer", hash_key=DEMO_HASH_KEY, root=plain_root)
    assert catalogue_runs == [plain.version]
    catalogue_runs.clear()

    checked = _checked(tmp_path)
    cells = refresh_flow.indicator_preview(checked, hash_key=DEMO_HASH_KEY, root=page_root)
    assert len(cells) and catalogue_runs == [plain.version]  # the preview computed it, for the real version id
    result = refresh_flow.publish(checked, operator="officer", hash_key=DEMO_HASH_KEY, root=page_root)
    assert result.version == plain.version == "v0002"
    assert catalogue_runs == [plain.version]  # and the publish did not compute it again
    _assert_same_derived(page_root, plain_root, "v0002")
    # What the preview showed is what the plain publish changed.
    before, after = (api.indicator_values(version, plain_root) for version in ("v0001", "v0002"))
    pd.testing.assert_frame_equal(cells, preview.indicator_changes(before, after))
    manifests = [warehouse.read_manifest("v0002", root)["derived"] for root in (page_root, plain_root)]
    assert manifests[0] == manifests[1]


def test_a_publish_with_another_whole_period_choice_than_the_preview_computes_again(
    sample_warehouse, tmp_path, upload_dir, catalogue_runs
):
    (root,) = _copies(sample_warehouse, tmp_path, "page")
    checked = _checked(tmp_path)
    refresh_flow.indicator_preview(checked, hash_key=DEMO_HASH_KEY, root=root)
    catalogue_runs.clear()
    result = refresh_flow.publish(
        checked,
        operator="officer",
        hash_key=DEMO_HASH_KEY,
        root=root,
        replace_whole_periods=True,
        confirm_removals=True,
    )
    assert result.published and catalogue_runs == [result.version]


def test_a_version_published_between_preview_and_publish_makes_the_publish_compute(
    sample_warehouse, tmp_path, upload_dir, catalogue_runs
):
    (root,) = _copies(sample_warehouse, tmp_path, "page")
    checked = _checked(tmp_path)
    refresh_flow.indicator_preview(checked, hash_key=DEMO_HASH_KEY, root=root)
    meanwhile = refresh_flow.publish(_checked(tmp_path), operator="other", hash_key=DEMO_HASH_KEY, root=root)
    catalogue_runs.clear()
    result = refresh_flow.publish(checked, operator="officer", hash_key=DEMO_HASH_KEY, root=root)
    assert (meanwhile.version, result.version) == ("v0002", "v0003") and catalogue_runs == ["v0003"]


def test_after_a_roll_back_the_previewed_tables_carry_the_id_the_publish_gives(
    sample_warehouse, tmp_path, upload_dir, catalogue_runs
):
    """The preview's throw-away copy holds the current version only: after a roll-back to v0001 its next id would be
    v0002, while the real publish writes v0003 (v0002 exists). The kept tables carry v0003, as a plain publish's."""
    plain_root, page_root = _copies(sample_warehouse, tmp_path, "plain", "page")
    for root in (plain_root, page_root):
        refresh_flow.publish(_checked(tmp_path), operator="officer", hash_key=DEMO_HASH_KEY, root=root)
        warehouse.rollback("v0001", root=root, operator="officer")
    plain = refresh_flow.publish(_checked(tmp_path), operator="officer", hash_key=DEMO_HASH_KEY, root=plain_root)
    catalogue_runs.clear()
    checked = _checked(tmp_path)
    refresh_flow.indicator_preview(checked, hash_key=DEMO_HASH_KEY, root=page_root)
    result = refresh_flow.publish(checked, operator="officer", hash_key=DEMO_HASH_KEY, root=page_root)
    assert plain.version == result.version == "v0003" and catalogue_runs == ["v0003"]
    _assert_same_derived(page_root, plain_root, "v0003")
    tidy = warehouse.version_folder("v0003", page_root) / "derived" / "indicators.parquet"
    stamped = duckdb.sql(f"SELECT DISTINCT data_version FROM read_parquet('{tidy}')").fetchall()
    assert stamped == [("v0003",)]
