"""Sums of fractional figures are exact: the same data gives the same figures, to the last bit, whatever the order of
the rows and however many threads DuckDB runs (indicators.sql_helpers.exact_sum).

Adding doubles one after another rounds at every step, so the order of the additions shows in the last bits of the
total; DuckDB adds in whatever order its threads meet the rows. Every expected total below is worked out with exact
rational arithmetic (Fraction) and rounded once to a double."""

from __future__ import annotations

import datetime as dt
import random
from fractions import Fraction

import duckdb
import pyarrow as pa
import pytest

from indicators import engine
from indicators.parameters import load_parameters
from indicators.sql_helpers import exact_sum, from_exact_units
from indicators.warehouse_access import open_version
from indicators_fixture import TABLES, VERSION, write_parameters, write_warehouse

# Populations x a 2% prevalence, as SI_COV_DISAB's denominators are: fractional doubles whose running sum depends
# on the order they are added in (checked below, so the tests keep meaning something).
FIGURES = [population * 0.02 for population in (48_731, 51_229, 9_877, 120_443, 77_019, 3_301, 64_457, 15_083)] * 4


def _exactly_rounded(values) -> float:
    return float(sum(map(Fraction, values), Fraction(0)))


def _orders(values, count: int = 12) -> list[list[float]]:
    rng = random.Random(13)
    orders = [list(values), list(reversed(values))]
    for _ in range(count - 2):
        orders.append(rng.sample(values, len(values)))
    return orders


def test_the_figures_used_here_add_up_differently_in_different_orders():
    left_to_right = {sum(order) for order in _orders(FIGURES)}
    assert len(left_to_right) > 1  # else the tests below could not tell an exact sum from a lucky one


@pytest.mark.parametrize("threads", [1, 4])
def test_a_sum_of_fractional_figures_is_their_exact_sum_rounded_once_in_any_order(threads):
    expected = _exactly_rounded(FIGURES)
    con = duckdb.connect()
    con.execute(f"SET threads = {threads}")
    for order in _orders(FIGURES):
        con.register("figures", pa.table({"x": order}))
        assert con.execute(f"SELECT {exact_sum('x')} FROM figures").fetchall() == [(expected,)]
        con.unregister("figures")


def test_an_exact_sum_skips_blanks_and_filters_as_sum_does():
    con = duckdb.connect()
    con.register("figures", pa.table({"x": [0.1, None, 0.2, 0.3], "keep": [True, True, False, True]}))
    total, kept, none = con.execute(
        f"SELECT {exact_sum('x')}, {exact_sum('x', where='keep')}, {exact_sum('x', where='FALSE')} FROM figures"
    ).fetchone()
    assert (total, kept, none) == (_exactly_rounded([0.1, 0.2, 0.3]), _exactly_rounded([0.1, 0.3]), None)
    assert total == 0.6 != 0.1 + 0.2 + 0.3  # left to right, doubles give 0.6000000000000001


@pytest.mark.parametrize(
    "units",
    [
        2**117 + 2**64 + 1,  # just past half a unit in the last place: rounds up (high and low halves apart would not)
        2**117 + 2**64,  # exactly half: to even (down)
        3 * 2**116 - 2**63 - 1,
        -(2**100 + 2**47 + 1),
        2**64 * 7_500_000 + 3,
    ],
    ids=["past half up", "half to even", "below half down", "negative", "a population and a little"],
)
def test_a_total_becomes_a_figure_rounded_to_nearest(units):
    # The total of exact units is a 128-bit integer: made a double in one correctly rounded step.
    got = duckdb.connect().execute(f"SELECT {from_exact_units(f'CAST({units} AS HUGEINT)')}").fetchone()[0]
    assert got == float(Fraction(units, 2**64))


def _spending_lines(allocations: list[float], order: list[int]) -> list[dict]:
    lines = [
        dict(
            year=2022,
            ministry="MoLSW",
            coa_code=f"6{i:03d}",
            coa_label="Social welfare transfers",
            programme="MECG",
            allocated_lak=allocated,
            executed_lak=allocated / 3,
            reported_to=dt.date(2022, 6, 30),
        )
        for i, allocated in enumerate(allocations)
    ]
    return [lines[i] for i in order]


@pytest.mark.parametrize("threads", [1, 4])
def test_a_national_figure_is_the_exact_sum_of_its_parts_whatever_the_order_of_the_rows(tmp_path, threads):
    # NSPS_FIN_EXEC's denominator is each budget line's allocation x the share of the year elapsed: fractional LAK.
    # The lines' rows shuffled, on one and on four threads: the national total is always the exact sum of the
    # lines' own figures (its rows by Chart-of-Accounts line), rounded once.
    rng = random.Random(7)
    allocations = [round(rng.uniform(1e5, 5e9), 2) for _ in range(40)]
    params = load_parameters(write_parameters(tmp_path / "p.toml"))
    seen = set()
    for attempt in range(4):
        order = rng.sample(range(len(allocations)), len(allocations))
        root = write_warehouse(tmp_path / f"wh{attempt}", dict(TABLES, sp_spending=_spending_lines(allocations, order)))
        con = open_version(VERSION, root)
        con.execute(f"SET threads = {threads}")
        rows = engine.compute(con, "NSPS_FIN_EXEC", params)
        rows = rows[rows["period"] == "2022"]
        lines = rows[rows["breakdown"] == "coa_code"]
        total = rows[rows["breakdown"] == "_T"].iloc[0]
        assert len(lines) == len(allocations)
        assert total["denominator"] == _exactly_rounded(lines["denominator"])
        assert total["numerator"] == _exactly_rounded(lines["numerator"])
        seen.add((total["numerator"], total["denominator"]))
    assert len(seen) == 1
