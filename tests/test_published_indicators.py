"""Indicators computed at publish (issue 13.1): stored inside the version with the public (suppressed) table, read back
as computed, recomputed on demand after a parameters edit or a code change, and a failure while computing them
publishes nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from data_pipeline import warehouse
from indicators import api, disclosure, published, stored_figures
from tests.staging_tables import cash_transfer_rows, staged_table


def _publish(root, staged, **options):
    return warehouse.publish(
        staged, root=root, operator="tester", files=[], warnings=[], hash_key_fingerprint="key-a", **options
    )


def _computed_now(version, root):
    con = warehouse.open_version(version, root)
    try:
        return published.compute(con, version, api.parameters())
    finally:
        con.close()


def _assert_same_table(left: pd.DataFrame, right: pd.DataFrame) -> None:
    """Equal as read back from Parquet: text columns compared with any missing value as None."""

    def plain(frame: pd.DataFrame) -> pd.DataFrame:
        text = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
        return frame.assign(**{c: frame[c].astype(object).where(frame[c].notna(), None) for c in text})

    pd.testing.assert_frame_equal(plain(left), plain(right), rtol=1e-12, check_dtype=False)


@pytest.fixture
def copied_warehouse(sample_warehouse, tmp_path):
    root = tmp_path / "warehouse"
    shutil.copytree(sample_warehouse, root, ignore=shutil.ignore_patterns("cache"))
    api.clear_cache()
    yield root
    api.clear_cache()


def test_the_cli_publishes_a_version_with_its_indicators_equal_to_computing_them(copied_warehouse, monkeypatch):
    version = warehouse.current_version(copied_warehouse)
    entry = warehouse.read_manifest(version, copied_warehouse)["derived"]
    folder = warehouse.version_folder(version, copied_warehouse)
    assert entry["code_hash"] == published.code_hash() and entry["parameters_hash"] == api.parameters()["_hash"]
    assert (folder / entry["indicators"]["path"]).is_file() and (folder / entry["pci"]["path"]).is_file()
    tidy_now, pci_now = _computed_now(version, copied_warehouse)
    assert entry["indicators"]["rows"] == len(tidy_now) > 1000

    def no_computing(*args, **kwargs):
        raise AssertionError("the catalogue was computed although the version holds it")

    monkeypatch.setattr(published, "compute", no_computing)
    assert api.computed_where(version, copied_warehouse) == "stored at publish"
    stored_tidy = api.indicator_values(version, copied_warehouse)
    # DuckDB sums doubles in parallel: the last bit of a sum may differ between two computations.
    pd.testing.assert_frame_equal(stored_tidy, tidy_now, rtol=1e-12)
    pd.testing.assert_frame_equal(api.supporting_table(version, "pci", copied_warehouse), pci_now, rtol=1e-12)
    assert not (copied_warehouse / "cache").exists()  # nothing was computed, so nothing was cached


def test_a_parameters_edit_recomputes_once_into_the_cache(copied_warehouse, monkeypatch, tmp_path):
    version = warehouse.current_version(copied_warehouse)
    edited = tmp_path / "parameters.toml"
    edited.write_text(Path(api.parameters()["_path"]).read_text() + "\n# edited\n")
    monkeypatch.setenv("SP_PARAMETERS", str(edited))
    assert api.computed_where(version, copied_warehouse) == "computed now"
    calls = []
    real_compute = published.compute
    monkeypatch.setattr(published, "compute", lambda *a: calls.append(1) or real_compute(*a))
    first = api.indicator_values(version, copied_warehouse)
    api.clear_cache()
    again = api.indicator_values(version, copied_warehouse)  # from the disk cache, not computed a second time
    assert calls == [1]
    assert api.computed_where(version, copied_warehouse) == "in the cache"
    pd.testing.assert_frame_equal(first, again)


def test_a_failure_while_computing_the_indicators_publishes_nothing(tmp_path):
    first = _publish(
        tmp_path,
        {"cash_transfer": staged_table("cash_transfer", cash_transfer_rows("2022-Q2", 10))},
        derive=published.derive,
    )
    current_before = (tmp_path / "CURRENT").read_bytes()

    def failing(open_tables, folder, version):
        folder.mkdir(parents=True)
        (folder / "indicators.parquet").write_bytes(b"half")
        raise RuntimeError("indicator code failed")

    with pytest.raises(RuntimeError, match="indicator code failed"):
        _publish(
            tmp_path, {"cash_transfer": staged_table("cash_transfer", cash_transfer_rows("2022-Q3", 5))}, derive=failing
        )
    assert (tmp_path / "CURRENT").read_bytes() == current_before
    assert [v.version for v in warehouse.list_versions(tmp_path)] == [first]
    assert not list(tmp_path.glob(".staging-*"))


def test_a_small_publish_stores_the_indicators_of_its_own_tables(tmp_path):
    version = _publish(
        tmp_path,
        {"cash_transfer": staged_table("cash_transfer", cash_transfer_rows("2022-Q2", 10))},
        derive=published.derive,
    )
    stored = stored_figures.stored(version, tmp_path, api.parameters()["_hash"])
    assert stored is not None
    tidy, _ = stored
    tidy_now, _ = _computed_now(version, tmp_path)
    pd.testing.assert_frame_equal(tidy, tidy_now, rtol=1e-12)
    assert set(tidy["data_version"]) == {version}
    assert stored_figures.stored(version, tmp_path, "another-parameters-file") is None


def test_the_public_table_is_written_at_publish_and_read_back_without_computing(copied_warehouse, monkeypatch):
    version = warehouse.current_version(copied_warehouse)
    entry = warehouse.read_manifest(version, copied_warehouse)["derived"]
    stored_file = warehouse.version_folder(version, copied_warehouse) / entry["public"]["path"]
    assert stored_file.is_file() and entry["public"]["rows"] > 1000 and entry["public"]["suppressed"] > 0
    tidy_now, _ = _computed_now(version, copied_warehouse)
    funnel = api.supporting_table(version, "referral_funnel", copied_warehouse)
    days_late = api.supporting_table(version, "days_late_distribution", copied_warehouse)
    public_now = disclosure.public_table(tidy_now, 5, funnel=funnel, days_late=days_late)
    assert set(public_now["indicator_id"]) >= {disclosure.FUNNEL, disclosure.DAYS_LATE}

    def no_computing(*args, **kwargs):
        raise AssertionError("the public table was computed although the version holds it")

    monkeypatch.setattr(disclosure, "public_table", no_computing)
    monkeypatch.setattr(published, "compute", no_computing)
    public = api.public_table(version, copied_warehouse)
    # The same cells hidden as computing it now, and nothing an attacker holding every public figure gets back.
    _assert_same_table(public, public_now)
    assert int(public["suppressed"].sum()) == entry["public"]["suppressed"]
    assert disclosure.audit(public, disclosure.public_rows(tidy_now, funnel, days_late)).empty
    assert not (copied_warehouse / "cache").exists()  # nothing was computed, so nothing was cached


@pytest.mark.parametrize("stale", ["parameters", "code"])
def test_a_stale_stamp_computes_the_public_table_once(copied_warehouse, monkeypatch, tmp_path, stale):
    version = warehouse.current_version(copied_warehouse)
    stored = stored_figures.stored_public(version, copied_warehouse, api.parameters()["_hash"])
    assert stored is not None
    if stale == "parameters":
        edited = tmp_path / "parameters.toml"
        edited.write_text(Path(api.parameters()["_path"]).read_text() + "\n# edited\n")
        monkeypatch.setenv("SP_PARAMETERS", str(edited))
    else:
        monkeypatch.setattr(published, "code_hash", lambda: "other-code")
    assert stored_figures.stored_public(version, copied_warehouse, api.parameters()["_hash"]) is None
    calls = []
    real = disclosure.public_table
    monkeypatch.setattr(disclosure, "public_table", lambda *a, **k: calls.append(1) or real(*a, **k))
    first = api.public_table(version, copied_warehouse)
    api.clear_cache()
    again = api.public_table(version, copied_warehouse)  # from the disk cache, not computed a second time
    assert calls == [1]
    _assert_same_table(first, again)
    _assert_same_table(first, stored)  # the same parameters' values: the same table
