"""Kaplan-Meier quantiles of many groups at once (indicators/survival.py) against the estimate written out from its
definition one group at a time, and the engine's statistics against a per-level estimate on the fixture warehouse."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from indicators import engine, survival
from indicators.catalogue import all_indicators
from indicators.parameters import load_parameters
from indicators.warehouse_access import open_version
from indicators_fixture import TABLES, VERSION, D, write_parameters, write_warehouse


def _one_group(days: list[float], paid: list[bool], q: float) -> tuple[float, bool]:
    """The definition, step by step: walk the distinct days in order; at each, the share paid so far is
    1 - prod(1 - paid that day / still unpaid at the start of that day)."""
    still_open, unpaid_share = len(days), 1.0
    for day in sorted(set(days)):
        paid_today = sum(1 for d, p in zip(days, paid) if d == day and p)
        unpaid_share *= 1 - paid_today / still_open
        if 1 - unpaid_share >= q - 1e-12:
            return day, False
        still_open -= sum(1 for d in days if d == day)
    return max(days), True


def _counted(groups: list[tuple[list[float], list[bool]]]):
    rows = [
        (g, day, sum(1 for d in days if d == day), sum(1 for d, p in zip(days, paid) if d == day and p))
        for g, (days, paid) in enumerate(groups)
        for day in sorted(set(days))
    ]
    g, day, count, paid = (np.array(column) for column in zip(*rows))
    return g, day.astype(float), count, paid


@pytest.mark.parametrize("q", [0.5, 0.9, 0.25])
def test_every_group_gets_its_own_estimate(q):
    rng = np.random.default_rng(13)
    groups = []
    for _ in range(400):
        size = int(rng.integers(1, 40))
        days = rng.integers(0, int(rng.integers(1, 120)), size=size).astype(float).tolist()
        paid = (rng.random(size) < rng.random()).tolist()
        groups.append((days, paid))
    groups.append(([3.0, 3.0, 3.0, 9.0], [True, True, False, False]))  # exactly half by day 3
    groups.append(([5.0], [False]))  # nothing paid: at least 5 days
    starts, value, at_least = survival.quantiles(*_counted(groups), q)
    expected = [_one_group(days, paid, q) for days, paid in groups]
    assert len(starts) == len(groups)
    assert value.tolist() == [v for v, _ in expected]
    assert at_least.tolist() == [b for _, b in expected]
    assert sum(at_least) > 10 and sum(~at_least) > 10  # both answers were exercised


def test_quantiles_read_from_one_curve_are_each_estimated_alone():
    """The engine keeps the survival of counted observations for their next quantile (median, then 90th)."""
    rng = np.random.default_rng(7)
    groups = [
        (rng.integers(0, 60, size=n).astype(float).tolist(), (rng.random(n) < 0.7).tolist())
        for n in rng.integers(1, 30, size=200)
    ]
    g, day, count, paid = _counted(groups)
    curve = survival.curves(g, count, paid)
    for q in (0.5, 0.9):
        alone = survival.quantiles(g, day, count, paid, q)
        for got, expected in zip(survival.quantiles_of_curves(curve, day, q), alone):
            assert got.tolist() == expected.tolist()
        assert alone[1].tolist() == [_one_group(d, p, q)[0] for d, p in groups]


def test_half_paid_on_a_day_reaches_the_median_that_day():
    _, value, at_least = survival.quantiles(*_counted([([3.0, 3.0, 3.0, 9.0], [True, True, False, False])]), 0.5)
    assert (value[0], at_least[0]) == (3.0, False)


def test_no_observation_gives_no_estimate():
    assert survival.quantile_of([], 0.5) == (None, False)
    empty = np.zeros(0)
    starts, value, at_least = survival.quantiles(empty, empty, empty, empty, 0.5)
    assert len(starts) == len(value) == len(at_least) == 0


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    root = tmp_path_factory.mktemp("survival")
    payments = TABLES["mecg_payments"] + [
        dict(TABLES["mecg_payments"][0], payment_key=f"extra{i}", due_date=D("2022-04-15"), paid_date=None,
             status="pending", period="2022-Q2", cycle=9)
        for i in range(3)
    ]  # fmt: skip
    write_warehouse(root / "warehouse", dict(TABLES, mecg_payments=payments))
    return root / "warehouse", load_parameters(write_parameters(root / "parameters.toml"))


def _statistics(warehouse) -> pd.DataFrame:
    root, params = warehouse
    con = open_version(VERSION, root)
    engine.prepare(con, params)
    for indicator in all_indicators().values():
        if indicator.kind == "statistic":
            engine.compute_into(con, indicator)
    return con.execute("SELECT * FROM ind_results ORDER BY ALL").df()


def test_statistics_match_one_estimate_per_level(warehouse):
    """Each level's observations, taken from the entry's own SQL and estimated alone, give the engine's figure."""
    root, params = warehouse
    computed = _statistics(warehouse)
    con = open_version(VERSION, root)
    engine.prepare(con, params)
    checked = 0
    for indicator in (i for i in all_indicators().values() if i.kind == "statistic"):
        observations = con.execute(indicator.numerator_sql).df()
        for row in computed[computed["indicator_id"] == indicator.id].itertuples():
            mine = observations[observations["period"] == row.period]
            if row.province != "LA":
                mine = mine[mine["province"] == row.province]
            if isinstance(row.district, str):
                mine = mine[mine["district"] == row.district]
            if row.sex != "_T":
                mine = mine[mine["sex"] == row.sex]
            if row.breakdown != "_T":
                mine = mine[mine[row.breakdown].astype(str) == row.breakdown_value]
            # A row of the entry's SQL may stand for several observations (cells already added up).
            weights = mine["observations"].to_numpy()
            days = np.repeat(mine["observation"].astype(float).to_numpy(), weights).tolist()
            value, at_least = _one_group(days, np.repeat(mine["paid"].to_numpy(), weights).tolist(), indicator.quantile)
            assert row.numerator == len(days)
            assert row.value == value and (row.lower_bound == value if at_least else pd.isna(row.lower_bound))
            checked += 1
    assert checked > 100


def test_each_level_has_its_own_number_and_no_level_keyed_on_nothing(warehouse):
    """Levels are numbered by packing their columns' codes: distinct by construction, one per level; a group whose
    district (or sex, or breakdown) is blank is part of its totals but no level of its own."""
    root, params = warehouse
    con = open_version(VERSION, root)
    engine.prepare(con, params)
    for indicator in (i for i in all_indicators().values() if i.kind == "statistic"):
        name = engine._observations(con, indicator)
        levels = con.execute(f"SELECT * FROM {name}_levels").df()
        assert levels["g"].is_unique
        assert not levels.duplicated(list(engine._LEVELS)).any()
        assert levels["period"].notna().all() and levels["breakdown_value"].notna().all()
        assert set(levels["sex"]) <= {"_T", "F", "M"}
        assert set(np.concatenate([part["g"] for part in engine.counted_days(con, name)])) <= set(levels["g"])
        national = levels[(levels["province"] == "LA") & (levels["sex"] == "_T") & (levels["breakdown"] == "_T")]
        assert len(national) == levels["period"].nunique() and national["district"].isna().all()


def test_days_read_out_of_order_are_sorted_first(warehouse, monkeypatch):
    """The per-day counts are stored sorted; were a scan ever to return them in another order, they are sorted."""
    g, days = np.array([1, 1, 2, 2]), np.array([3.0, 5.0, 0.0, 1.0])
    assert engine._sorted(g, days)
    assert not engine._sorted(g[::-1], days[::-1]) and not engine._sorted(g, days[[1, 0, 2, 3]])
    assert engine._sorted(g[::-1], days[[2, 3, 0, 1]])  # groups in any order, each together
    assert not engine._sorted(np.array([1, 2, 1]), np.array([0.0, 0.0, 1.0]))  # group 1 comes back
    assert engine._sorted(np.array([], dtype=np.int64), np.array([])) and engine._sorted(g[:1], days[:1])
    expected = _statistics(warehouse)
    monkeypatch.setattr(engine, "_sorted", lambda group, days: False)
    pd.testing.assert_frame_equal(_statistics(warehouse), expected)


def test_counts_let_go_for_another_statistic_are_counted_again_alike(warehouse):
    """Only the latest statistic's per-day counts are kept: one computed in another order is counted again, alike."""
    expected = _statistics(warehouse)
    root, params = warehouse
    con = open_version(VERSION, root)
    engine.prepare(con, params)
    statistics = [i for i in all_indicators().values() if i.kind == "statistic"]
    sharing = [i for i in statistics if i.numerator_sql == statistics[0].numerator_sql]
    other = next(i for i in statistics if i.numerator_sql != statistics[0].numerator_sql)
    assert len(sharing) > 1
    for indicator in [sharing[0], other] + sharing[1:] + [i for i in statistics if i not in sharing and i != other]:
        engine.compute_into(con, indicator)
    assert len(engine._COUNTED_DAYS[con]) == 1  # the latest statistic's counts only
    pd.testing.assert_frame_equal(con.execute("SELECT * FROM ind_results ORDER BY ALL").df(), expected)


def test_levels_counted_in_numpy_or_by_duckdb_alike(warehouse, monkeypatch):
    """Observations too spread out for numpy's dense counts are counted by DuckDB set by set: the same figures."""
    counted_in_cubes = []
    original = engine._counted_in_cubes

    def recorded(*args):
        result = original(*args)
        counted_in_cubes.append(result is not None)
        return result

    monkeypatch.setattr(engine, "_counted_in_cubes", recorded)
    expected = _statistics(warehouse)
    assert counted_in_cubes and all(counted_in_cubes)
    monkeypatch.setattr(engine, "CUBE_CELLS", 0)
    counted_in_cubes.clear()
    by_sets = _statistics(warehouse)
    assert counted_in_cubes and not any(counted_in_cubes)
    pd.testing.assert_frame_equal(by_sets, expected)
    assert expected["value"].notna().sum() > 50 and expected["lower_bound"].notna().any()


def test_blank_levels_and_days_counted_in_numpy_as_by_duckdb(monkeypatch):
    """Blank (NULL) places, sexes, breakdown values and days: part of their totals, no level of their own, and no
    day counted - alike whichever way the levels are counted."""
    import duckdb

    from indicators.catalogue.base import Indicator

    rng = np.random.default_rng(5)
    choices = {
        "period": ["2022-Q1", "2022-Q2", None],
        "province": ["P1", "P2", None],
        "district": ["D1", "D2", "D3", None],
        "sex": ["F", "M", None],
        "channel": ["cash", "wallet", "it's", None],
    }
    rows = []
    for _ in range(400):
        picked = {column: values[rng.integers(len(values))] for column, values in choices.items()}
        day = None if rng.random() < 0.05 else int(rng.integers(0, 30))
        rows.append((*picked.values(), day, bool(rng.random() < 0.6), int(rng.integers(1, 4))))
    indicator = Indicator(
        id="TEST_BLANKS", short_name="t", long_name="t", area="delivery", unit="days", polarity="lower_is_better",
        kind="statistic", frequency="quarterly", sources=(), numerator_label="n", denominator_label=None,
        method_note="", statistic="survival_quantile", quantile=0.5, disaggregations=("province", "district", "sex"),
        breakdowns=("channel",), numerator_sql="SELECT * FROM test_rows",
    )  # fmt: skip

    def computed() -> pd.DataFrame:
        con = duckdb.connect()
        con.execute(
            "CREATE TABLE test_rows (period VARCHAR, province VARCHAR, district VARCHAR, sex VARCHAR, channel VARCHAR,"
            " observation INTEGER, paid BOOLEAN, observations INTEGER)"
        )
        con.executemany("INSERT INTO test_rows VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
        con.execute(engine._RESULTS_DDL)
        engine.compute_into(con, indicator)
        return con.execute("SELECT * FROM ind_results ORDER BY ALL").df()

    in_numpy = computed()
    monkeypatch.setattr(engine, "CUBE_CELLS", 0)
    pd.testing.assert_frame_equal(computed(), in_numpy)
    assert not in_numpy[["period", "province", "sex", "breakdown_value"]].isna().any().any()
    assert {"LA", "P1", "P2"} == set(in_numpy["province"]) and len(in_numpy) > 60
