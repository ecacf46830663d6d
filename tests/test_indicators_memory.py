"""The catalogue's DuckDB connection has a memory budget (indicators.warehouse_access.limit_memory): past it, DuckDB
spills to a private folder, removed with the connection."""

from __future__ import annotations

import gc
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from indicators import engine, published, warehouse_access
from indicators.parameters import load_parameters
from indicators.warehouse_access import CATALOGUE_MEMORY_MB, open_version
from indicators_fixture import TABLES, VERSION, write_parameters, write_warehouse


def test_the_catalogue_is_computed_within_a_memory_budget(tmp_path):
    write_warehouse(tmp_path / "warehouse", TABLES)
    params = load_parameters(write_parameters(tmp_path / "parameters.toml"))
    con = open_version(VERSION, tmp_path / "warehouse")
    engine.prepare(con, params)
    first = con.execute("SELECT current_setting('temp_directory')").fetchone()[0]
    engine.prepare(con, params)  # prepared again: the same budget and folder
    limit = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    assert limit.endswith("MiB") and abs(float(limit.split()[0]) - CATALOGUE_MEMORY_MB * 1e6 / 2**20) < 2
    spill = Path(con.execute("SELECT current_setting('temp_directory')").fetchone()[0])
    assert spill == Path(first)
    assert spill.is_dir() and oct(spill.stat().st_mode)[-3:] == "700"
    assert len(engine.compute(con, "PAY_DELAY_MEDIAN", prepared=True)) > 0
    con.close()
    del con
    gc.collect()
    assert not spill.exists()


def test_a_catalogue_that_cannot_stay_within_the_budget_is_computed_without_it(tmp_path, monkeypatch):
    write_warehouse(tmp_path / "warehouse", TABLES)
    params = load_parameters(write_parameters(tmp_path / "parameters.toml"))
    expected = engine.compute_all(open_version(VERSION, tmp_path / "warehouse"), VERSION, params)
    monkeypatch.setattr(warehouse_access, "CATALOGUE_MEMORY_MB", 1)  # nothing fits in 1 MB
    con = open_version(VERSION, tmp_path / "warehouse")
    with pytest.raises(duckdb.OutOfMemoryException):
        engine.prepare(con, params)
    tidy = engine.compute_all(open_version(VERSION, tmp_path / "warehouse"), VERSION, params)
    pd.testing.assert_frame_equal(tidy, expected)


def test_a_publish_whose_catalogue_ran_out_of_its_budget_still_writes_every_derived_table(tmp_path, monkeypatch):
    """Out of memory while creating a helper table, DuckDB can leave that table half-made in the connection, and
    creating it again there conflicts: the catalogue is computed again on a fresh connection, and the PCI and
    supporting tables are read from that one (the retry failed this way in about half of the runs)."""
    write_warehouse(tmp_path / "warehouse", TABLES)
    monkeypatch.setenv("SP_PARAMETERS", str(write_parameters(tmp_path / "parameters.toml")))
    expected = published.derive(lambda: open_version(VERSION, tmp_path / "warehouse"), tmp_path / "ample", VERSION)
    monkeypatch.setattr(warehouse_access, "CATALOGUE_MEMORY_MB", 1)  # nothing fits in 1 MB
    for attempt in range(4):  # where the budget runs out varies from run to run
        folder = tmp_path / f"tight{attempt}"
        entry = published.derive(lambda: open_version(VERSION, tmp_path / "warehouse"), folder, VERSION)
        for name in (*published.FILES, "public"):
            assert entry[name]["rows"] == expected[name]["rows"] > 0, name
        assert entry["supporting"].keys() == expected["supporting"].keys()
        for name, table in entry["supporting"].items():
            assert table["rows"] == expected["supporting"][name]["rows"], name
        pd.testing.assert_frame_equal(
            pd.read_parquet(folder / published.FILES["pci"]),
            pd.read_parquet(tmp_path / "ample" / published.FILES["pci"]),
        )
