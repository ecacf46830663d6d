"""Compute the catalogue into one tidy table (docs/DESIGN.md §4).

Each indicator is one DuckDB query: the entry's finest-grain rows are summed with GROUPING SETS at every level it
supports (national, province, district) x (sex, total) x (each breakdown, total), and ratios are taken from the summed
numerator and denominator at each level — a national figure is never an average of provincial percentages. A missing
or zero denominator gives value NULL ("no data"). Every level's sum is exact, rounded once (``sql_helpers.exact_sum``):
the same data gives the same figures whatever the row order or DuckDB's threads. Results stay in DuckDB (table
``ind_results``) until the status, the PCI and the traceability columns are added; pandas only receives the finished
table.
"""

from __future__ import annotations

import hashlib
import weakref

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import pci, sql_helpers, status, survival, warehouse_access
from .catalogue import all_indicators, get_indicator
from .catalogue.base import Indicator
from .parameters import load_parameters

RESULT_COLUMNS = [
    "indicator_id",
    "period",
    "province",
    "district",
    "sex",
    "breakdown",
    "breakdown_value",
    "numerator",
    "denominator",
    "value",
    "lower_bound",
    "upper_bound",
    "pending",
]
TIDY_COLUMNS = RESULT_COLUMNS + [
    "as_of_date",
    "unit",
    "baseline_year",
    "baseline_value",
    "target_year",
    "target_value",
    "status",
    "status_label",
    "status_base_period",
    "status_base_value",
    "status_years",
    "growth_actual",
    "growth_required",
    "progress_ratio",
    "small_cell",
    "source_files",
    "data_version",
]

_RESULTS_DDL = """
    CREATE OR REPLACE TEMP TABLE ind_results (
        indicator_id VARCHAR, period VARCHAR, province VARCHAR, district VARCHAR, sex VARCHAR, breakdown VARCHAR,
        breakdown_value VARCHAR, numerator DOUBLE, denominator DOUBLE, value DOUBLE, lower_bound DOUBLE,
        upper_bound DOUBLE, pending DOUBLE)"""


def _grouping_sets(
    indicator: Indicator, breakdowns: tuple[str, ...], keys: tuple[str, ...] = ()
) -> list[tuple[str, ...]]:
    geo = [()]
    if "province" in indicator.disaggregations:
        geo.append(("province",))
    if "district" in indicator.disaggregations:
        geo.append(("province", "district"))
    sexes = [(), ("sex",)] if "sex" in indicator.disaggregations else [()]
    extra = [()] + [(b,) for b in breakdowns]
    return [("period",) + g + s + b + keys for g in geo for s in sexes for b in extra]


def _level_columns(indicator: Indicator, breakdowns: tuple[str, ...], absent: tuple[str, ...] = ()) -> tuple[str, str]:
    """SELECT expressions naming each row's level, and a condition dropping groups keyed on a NULL value.
    ``absent`` names level columns the grouped rows no longer have (already added up over them)."""
    d = [c for c in indicator.disaggregations if c not in absent]

    def grouped(col: str) -> str:
        return f"GROUPING({col}) = 0"

    province = f"CASE WHEN {grouped('province')} THEN province ELSE 'LA' END" if "province" in d else "'LA'"
    district = f"CASE WHEN {grouped('district')} THEN district END" if "district" in d else "CAST(NULL AS VARCHAR)"
    sex = f"CASE WHEN {grouped('sex')} THEN sex ELSE '_T' END" if "sex" in d else "'_T'"
    if breakdowns:
        name = "CASE " + " ".join(f"WHEN {grouped(b)} THEN '{b}'" for b in breakdowns) + " ELSE '_T' END"
        value = (
            "CASE " + " ".join(f"WHEN {grouped(b)} THEN CAST({b} AS VARCHAR)" for b in breakdowns) + " ELSE '_T' END"
        )
    else:
        name = value = "'_T'"
    keys = [c for c in ("province", "district", "sex") if c in d] + list(breakdowns)
    keep = " AND ".join(["period IS NOT NULL"] + [f"NOT ({grouped(c)} AND {c} IS NULL)" for c in keys])
    select = (
        f"period, {province} AS province, {district} AS district, {sex} AS sex, "
        f"{name} AS breakdown, {value} AS breakdown_value"
    )
    return select, keep


def _grouped(
    indicator: Indicator,
    base: str,
    breakdowns: tuple[str, ...],
    measures: str,
    sums: tuple[str, ...],
) -> str:
    """``measures`` over GROUPING SETS of ``base``'s rows added up into cells (``sums`` names the summed columns).

    The rows are first added up at their finest grain, so each grouping set aggregates cells instead of every ledger
    row; and the province and national sets read those cells already added up over districts, so only the district
    sets read the finest cells. The cells hold their sums exactly, as whole numbers of ``sql_helpers.exact_units``:
    ``measures`` adds them up (plain ``sum``) and makes each level's total a figure once (``_total``), so a figure is
    its rows' exact sum rounded once, whatever the order of the rows or DuckDB's threads."""
    sets = _grouping_sets(indicator, breakdowns)

    def grouping(source: str, chosen: list[tuple[str, ...]], absent: tuple[str, ...] = ()) -> str:
        levels, keep = _level_columns(indicator, breakdowns, absent)
        listed = ", ".join("(" + ", ".join(s) + ")" for s in chosen)
        return f"SELECT {levels}, {measures}, {keep} AS keep FROM {source} GROUP BY GROUPING SETS ({listed})"

    dims = ("period", "province", "district", "sex") + breakdowns
    in_units = ", ".join(f"sum({sql_helpers.exact_units(c)}) AS {c}" for c in sums)
    finest = f"SELECT {', '.join(dims)}, {in_units} FROM {base} GROUP BY {', '.join(dims)}"
    if "district" not in indicator.disaggregations:
        return f"SELECT * EXCLUDE (keep) FROM ({grouping(f'({finest})', sets)}) WHERE keep"
    wider = [c for c in dims if c != "district"]
    added = ", ".join(f"sum({c}) AS {c}" for c in sums)
    over_districts = f"SELECT {', '.join(wider)}, {added} FROM cells_finest GROUP BY {', '.join(wider)}"
    parts = (
        grouping("cells_finest", [s for s in sets if "district" in s]),
        grouping("cells_wider", [s for s in sets if "district" not in s], absent=("district",)),
    )
    return (
        f"WITH cells_finest AS MATERIALIZED ({finest}), cells_wider AS ({over_districts}) "
        f"SELECT * EXCLUDE (keep) FROM ({parts[0]} UNION ALL {parts[1]}) WHERE keep"
    )


def _total(column: str) -> str:
    """A level's figure from its cells' ``column`` (exact units, ``_grouped``): their sum, rounded once."""
    return f"{sql_helpers.from_exact_units(f'sum({column})')} AS {column}"


def indicator_query(indicator: Indicator) -> str:
    """The one query computing ``indicator`` at every level, with the columns of ``RESULT_COLUMNS``."""
    if indicator.kind == "index":
        raise ValueError(f"{indicator.id} is computed from other indicators (indicators.pci), not by a query")
    if indicator.kind == "statistic":
        raise ValueError(f"{indicator.id} is estimated from counted observations (compute_into), not by a query")
    scale = indicator.scale
    bounds = (
        f", {_total('lower_numerator')}, {_total('upper_numerator')}"
        if indicator.bounded
        else ", NULL AS lower_numerator, NULL AS upper_numerator"
    )
    sums = ("numerator",) + (("lower_numerator", "upper_numerator") if indicator.bounded else ())
    if indicator.pending_label:
        bounds += f", {_total('pending')}"
        sums += ("pending",)
    else:
        bounds += ", NULL AS pending"
    base_sql = indicator.numerator_sql
    if indicator.kind == "ratio" and indicator.denominator_sql is None:
        measures = f"{_total('numerator')}, {_total('denominator')}, NULL AS stat" + bounds
        sums += ("denominator",)
    else:
        measures = f"{_total('numerator')}, NULL AS denominator, NULL AS stat" + bounds
    ctes = [
        f"num_base AS ({base_sql})",
        f"num AS ({_grouped(indicator, 'num_base', indicator.breakdowns, measures, sums)})",
    ]
    join = ""
    denominator = "n.denominator"
    if indicator.denominator_sql is not None:
        den_breakdowns = indicator.denominator_breakdowns
        den_measure = _total("denominator")
        ctes += [
            f"den_base AS ({indicator.denominator_sql})",
            f"den AS ({_grouped(indicator, 'den_base', den_breakdowns, den_measure, ('denominator',))})",
        ]
        shared = ("n.breakdown IN (" + ", ".join(f"'{b}'" for b in den_breakdowns) + ")") if den_breakdowns else "FALSE"
        join = (
            " LEFT JOIN den d ON d.period = n.period AND d.province = n.province"
            " AND d.district IS NOT DISTINCT FROM n.district AND d.sex = n.sex"
            f" AND d.breakdown = CASE WHEN {shared} THEN n.breakdown ELSE '_T' END"
            f" AND d.breakdown_value = CASE WHEN {shared} THEN n.breakdown_value ELSE '_T' END"
        )
        denominator = "d.denominator"

    def ratio(numerator: str) -> str:
        return (
            f"CASE WHEN {denominator} IS NULL OR {denominator} = 0 OR {numerator} IS NULL THEN NULL "
            f"ELSE {scale} * {numerator} / {denominator} END"
        )

    if indicator.kind == "ratio":
        value, den_out = ratio("n.numerator"), denominator
        lower, upper = (
            (ratio("n.lower_numerator"), ratio("n.upper_numerator")) if indicator.bounded else ("NULL", "NULL")
        )
    else:
        value, den_out = "n.numerator", "NULL"
        lower, upper = ("n.lower_numerator", "n.upper_numerator") if indicator.bounded else ("NULL", "NULL")
    return (
        f"WITH {', '.join(ctes)} "
        f"SELECT '{indicator.id}' AS indicator_id, n.period, n.province, n.district, n.sex, n.breakdown, "
        f"n.breakdown_value, CAST(n.numerator AS DOUBLE) AS numerator, CAST({den_out} AS DOUBLE) AS denominator, "
        f"CAST({value} AS DOUBLE) AS value, CAST({lower} AS DOUBLE) AS lower_bound, "
        f"CAST({upper} AS DOUBLE) AS upper_bound, CAST(n.pending AS DOUBLE) AS pending FROM num n{join}"
    )


_LEVELS = ("period", "province", "district", "sex", "breakdown", "breakdown_value")


# The per-day counts of each connection's latest statistic (``_observations``): name -> arrays g, observation, n,
# paid.
_COUNTED_DAYS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _observations(con: duckdb.DuckDBPyConnection, indicator: Indicator) -> str:
    """A statistic's observations counted per day at every level: a temp table ``<name>_levels`` (g, the level
    columns, numerator: the observations counted) and the per-day counts (``counted_days``: arrays g, observation,
    n, paid per part - a level set's levels of one period, or a whole level set when DuckDB counts -, each level's
    rows together and in order of days). Built once per connection for each distinct SQL and set of levels, so
    entries estimating several quantiles of the same observations count them once.

    The counting runs on small integer codes, not strings: each level column's distinct values are numbered
    (``<name>_code<i>``, 0 standing for "all") and a level's number g packs its codes (mixed radix), so it is
    distinct by construction. The rows are coded as the entry's SQL gives them (not grouped first) and the level sets
    counted in numpy out of one dense array per period (``_counted_in_cubes``; national 1x, one thread, a first
    count: the delay median 1.6-1.7 -> 0.9-1.0 CPU s; at 4x its peak 1.24 -> 1.26 GB), or, when that array would be too
    large, by DuckDB, each set added up from the smallest set already counted that holds it (``_counted_by_sets``):
    the same counts either way (tests/test_survival.py)."""
    key = repr((indicator.numerator_sql, indicator.disaggregations, indicator.breakdowns))
    name = "ind_observations_" + hashlib.sha256(key.encode()).hexdigest()[:12]
    if name in _COUNTED_DAYS.get(con, {}):
        return name
    # Only the latest statistic's counts are kept (entries sharing them are declared together): memory at 4x data.
    _COUNTED_DAYS.pop(con, None)
    breakdowns = indicator.breakdowns
    dims = ("period", "province", "district", "sex") + breakdowns
    source = f"({indicator.numerator_sql})"
    # Each level column's distinct values, the places (province, district) and the days in one pass (a grouping set
    # each); the values numbered in order.
    listed = ", ".join(dims + ("observation",))
    alone = [(1 << len(dims) + 1) - 1 - (1 << (len(dims) - i)) for i in range(len(dims) + 1)]  # GROUPING_ID of each
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {name}_distinct AS
        SELECT {listed}, GROUPING_ID({listed}) AS set_id FROM {source}
        GROUP BY GROUPING SETS ({", ".join(f"({column})" for column in dims + ("observation",))}, (province, district))""")
    codes, nulls = [], {}
    for i, dim in enumerate(dims):
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE {name}_code{i} AS
            SELECT value, CAST(row_number() OVER (ORDER BY value NULLS LAST) AS BIGINT) AS code
            FROM (SELECT {dim} AS value FROM {name}_distinct WHERE set_id = {alone[i]})""")
        count, null = con.execute(
            f"SELECT count(*), max(code) FILTER (WHERE value IS NULL) FROM {name}_code{i}"
        ).fetchone()
        codes.append(count)
        nulls[f"c{i}"] = null
    places = con.execute(f"""
        SELECT DISTINCT p.code * {codes[2] + 1} + d.code AS place FROM {name}_distinct f
        JOIN {name}_code1 p ON f.province IS NOT DISTINCT FROM p.value
        JOIN {name}_code2 d ON f.district IS NOT DISTINCT FROM d.value
        WHERE set_id = {alone[1] & alone[2]} ORDER BY place""").fetchnumpy()["place"]
    days = con.execute(f"""
        SELECT DISTINCT CAST(observation AS DOUBLE) AS day FROM {name}_distinct
        WHERE set_id = {alone[-1]} AND observation IS NOT NULL ORDER BY day""").fetchnumpy()["day"]
    con.execute(f"DROP TABLE {name}_distinct")
    # The rows coded (not added up first: the level sets add them up, in numpy or in DuckDB).
    joins = " ".join(f"JOIN {name}_code{i} d{i} ON f.{d} IS NOT DISTINCT FROM d{i}.value" for i, d in enumerate(dims))
    columns = tuple(f"c{i}" for i in range(len(dims)))
    coded = f"""
        SELECT {", ".join(f"CAST(d{i}.code AS INTEGER) AS c{i}" for i in range(len(dims)))},
               CAST(observation AS DOUBLE) AS observation, CAST(observations AS DOUBLE) AS n,
               CAST(CAST(paid AS INTEGER) * observations AS DOUBLE) AS paid
        FROM {source} f {joins}"""
    # g = (((period * P + province) * D + district) * S + sex) * B + slot; slot 0 is "no breakdown", and breakdown
    # k's value with code v is slot (codes of the breakdowns before k) + v.
    radix = [count + 1 for count in codes[:4]] + [1 + sum(codes[4:])]
    weight = [1] * 5
    for i in range(3, -1, -1):
        weight[i] = weight[i + 1] * radix[i + 1]
    offsets = [sum(codes[4 : 4 + k]) for k in range(len(breakdowns))]
    sets = sorted(_grouping_sets(indicator, breakdowns, ("observation",)), key=len, reverse=True)
    cubes = _counted_in_cubes(
        con,
        name,
        coded,
        np.asarray(places, dtype=np.int64),
        np.asarray(days),
        dims,
        codes,
        nulls,
        weight,
        offsets,
        sets,
    )
    if cubes is None:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name}_coded AS {coded}")
        parts, counted_levels = _counted_by_sets(con, name, dims, columns, nulls, weight, offsets, sets)
    else:
        parts, levels = cubes
        con.register(f"{name}_counted", levels)
        counted_levels = f"{name}_counted"
    slots = " UNION ALL ".join(
        ["SELECT 0 AS slot, '_T' AS breakdown, '_T' AS breakdown_value"]
        + [
            f"SELECT {offsets[b]} + code, '{d}', CAST(value AS VARCHAR) FROM {name}_code{4 + b}"
            for b, d in enumerate(breakdowns)
        ]
    )
    part = [f"(g // {weight[i]}) % {radix[i]}" for i in range(5)]
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {name}_levels AS
        SELECT g, CAST(d0.value AS VARCHAR) AS period, CASE WHEN l.c1 = 0 THEN 'LA' ELSE CAST(d1.value AS VARCHAR) END AS province,
               CASE WHEN l.c2 <> 0 THEN CAST(d2.value AS VARCHAR) END AS district,
               CASE WHEN l.c3 = 0 THEN '_T' ELSE CAST(d3.value AS VARCHAR) END AS sex,
               s.breakdown, s.breakdown_value, numerator
        FROM (SELECT g, {part[0]} AS c0, {part[1]} AS c1, {part[2]} AS c2, {part[3]} AS c3, {part[4]} AS slot,
                     numerator FROM {counted_levels}) l
             JOIN {name}_code0 d0 ON d0.code = l.c0
             LEFT JOIN {name}_code1 d1 ON d1.code = l.c1 LEFT JOIN {name}_code2 d2 ON d2.code = l.c2
             LEFT JOIN {name}_code3 d3 ON d3.code = l.c3 JOIN ({slots}) s ON s.slot = l.slot""")
    if cubes is None:
        # Read once here for every quantile estimated from them, each level set apart and sorted on its own (a level
        # belongs to one set): no sort of all the sets' rows at once, and each set is estimated alone (memory).
        parts = [
            {
                column: np.asarray(values)
                for column, values in con.execute(f"""
                    SELECT g, CAST(observation AS DOUBLE) AS observation, n, paid FROM ({select})
                    WHERE observation IS NOT NULL ORDER BY g, observation""")
                .fetchnumpy()
                .items()
            }
            for select in parts
        ]
        con.execute(f"DROP VIEW {name}_all")
        for k in range(len(sets)):
            con.execute(f"DROP TABLE {name}_set{k}")
        con.execute(f"DROP TABLE {name}_coded")
    else:
        con.unregister(f"{name}_counted")
    _COUNTED_DAYS[con] = {name: parts}
    for i in range(len(dims)):
        con.execute(f"DROP TABLE {name}_code{i}")
    return name


def _counted_by_sets(con, name, dims, columns, nulls, weight, offsets, sets) -> tuple[list[str], str]:
    """The level sets counted by DuckDB, each from the smallest set already counted that holds it (``_observations``
    when the observations are too spread out for ``_counted_in_cubes``): each set's select and the levels' counts."""
    breakdowns = dims[4:]
    named = dict(zip(dims, columns))
    sources = [
        (set(dims) | {"observation"}, f"{name}_coded", con.execute(f"SELECT count(*) FROM {name}_coded").fetchone()[0])
    ]
    selects = []
    for k, chosen in enumerate(sets):
        chosen_set = set(chosen)
        _, source, _ = min((s for s in sources if chosen_set <= s[0]), key=lambda s: s[2])
        listed = ", ".join(named.get(c, c) for c in chosen)
        table = f"{name}_set{k}"
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE {table} AS
            SELECT {listed}, CAST(sum(n) AS BIGINT) AS n, CAST(sum(paid) AS BIGINT) AS paid FROM {source} GROUP BY {listed}""")
        sources.append((chosen_set, table, con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]))
        terms = [f"{named[d]} * {weight[i]}" for i, d in enumerate(dims[:4]) if d in chosen_set]
        terms += [f"({offsets[b]} + {named[d]})" for b, d in enumerate(breakdowns) if d in chosen_set]
        keep = [f"{named[d]} <> {nulls[named[d]]}" for d in dims if d in chosen_set and nulls[named[d]] is not None]
        selects.append(
            f"SELECT {' + '.join(terms)} AS g, observation, n, paid FROM {table}"
            + (f" WHERE {' AND '.join(keep)}" if keep else "")
        )
    con.execute(f"CREATE OR REPLACE TEMP VIEW {name}_all AS {' UNION ALL '.join(selects)}")
    levels = f"""(SELECT g, coalesce(sum(n) FILTER (WHERE observation IS NOT NULL), 0) AS numerator
                  FROM {name}_all GROUP BY g)"""
    return selects, levels


# The most cells (places x sexes x breakdown values x days) one period's observations are counted in by numpy
# (``_counted_in_cubes``: 64 MB an array); observations more spread out are counted by DuckDB set by set.
CUBE_CELLS = 1 << 23


def _counted_in_cubes(
    con: duckdb.DuckDBPyConnection, name: str, coded: str, places, days, dims, codes, nulls, weight, offsets, sets
) -> tuple[list[dict], pa.Table] | None:
    """The level sets counted in numpy, one period at a time: the coded observations (``coded``, read in order of
    period, a batch at a time: memory) are added up into a dense array (place x sex x each breakdown x day) per
    period, and every level set is summed out of it along its axes, its non-empty cells read in order of level number
    and day - no grouping, no sort. The counts are those DuckDB's sums give (whole numbers, added exactly).
    ``places``: the (province, district) pairs present as codes (province code * (district codes + 1) + district
    code), ascending (a province's districts together); ``days``: the distinct observations, ascending. Returns the
    parts ``counted_days`` holds and the levels' counts (g, numerator), or None when the cells would be too many
    (``CUBE_CELLS``) or a row counts no observation (NULL or not above 0)."""
    k = len(dims)
    place_province, place_district = places // (codes[2] + 1), places % (codes[2] + 1)
    shape = (len(places), codes[3], *codes[4:], len(days) + 1)
    size = int(np.prod(shape))
    if size > CUBE_CELLS:
        return None
    cube = (np.zeros(size), np.zeros(size))  # one period's counts (as doubles: whole numbers, exact up to 2**53)
    buffers: dict[frozenset, tuple] = {}  # its sums over axes, refilled for each period
    found: list[list[tuple]] = [[] for _ in sets]
    # Each row's cell in the period's array, numbered by DuckDB (places and days looked up there), the rows read in
    # order of period: four columns sorted, not every code (memory and time).
    con.register(f"{name}_places", pa.table({"pair": places, "place": np.arange(len(places))}))
    con.register(f"{name}_days", pa.table({"day": days, "day_index": np.arange(len(days))}))
    cell = "p.place"
    for axis in range(3, k):
        cell = f"({cell}) * {shape[axis - 2]} + (x.c{axis} - 1)"
    cell = f"({cell}) * {shape[-1]} + coalesce(d.day_index, {len(days)})"
    reader = con.sql(f"""
        SELECT x.c0, CAST({cell} AS BIGINT) AS cell, x.n, x.paid FROM ({coded}) x
        JOIN {name}_places p ON p.pair = CAST(x.c1 AS BIGINT) * {codes[2] + 1} + x.c2
        LEFT JOIN {name}_days d ON d.day = x.observation
        ORDER BY x.c0""").to_arrow_reader(1 << 17)
    period = None
    try:
        for batch in reader:
            if not batch.num_rows:
                continue
            n, paid = batch.column("n"), batch.column("paid")
            if n.null_count or paid.null_count or pc.min(n).as_py() <= 0:
                return None
            periods, cells = batch.column("c0").to_numpy(), batch.column("cell").to_numpy()
            weights = (n.to_numpy(), paid.to_numpy())
            starts = np.flatnonzero(np.concatenate(([True], periods[1:] != periods[:-1], [True])))
            for start, end in zip(starts[:-1], starts[1:]):
                if periods[start] != period:
                    if period is not None and period != nulls["c0"]:  # no level keyed on a blank period
                        _count_period(period, cube, shape, buffers, found, days, place_province, place_district,
                                      dims, codes, nulls, weight, offsets, sets)  # fmt: skip
                    period = int(periods[start])
                    for counts in cube:
                        counts[:] = 0.0
                for counts, values in zip(cube, weights):
                    np.add.at(counts, cells[start:end], values[start:end])
    finally:
        con.unregister(f"{name}_places")
        con.unregister(f"{name}_days")
    if period is None:
        return None  # no rows
    if period != nulls["c0"]:
        _count_period(period, cube, shape, buffers, found, days, place_province, place_district, dims, codes,
                      nulls, weight, offsets, sets)  # fmt: skip
    return _counted_parts(found)


def _count_period(period, cube, shape, buffers, found, days, place_province, place_district, dims, codes, nulls,
                  weight, offsets, sets) -> None:  # fmt: skip
    """One period's level sets out of its dense counts ``cube`` (``_counted_in_cubes``): appended to ``found``."""
    k = len(dims)
    summed: dict[frozenset, tuple] = {frozenset(): tuple(counts.reshape(shape) for counts in cube)}
    for s, chosen in enumerate(sets):
        kept = [axis for axis in range(3, k) if dims[axis] in chosen]
        arrays = _added_over(summed, frozenset(axis - 2 for axis in range(3, k) if axis not in kept), buffers)
        if "district" in chosen:
            place_codes = (place_province, place_district)
            keep = np.ones(len(place_province), dtype=bool)
            for column, codes_of in ((1, place_province), (2, place_district)):
                if nulls[f"c{column}"] is not None:
                    keep &= codes_of != nulls[f"c{column}"]
            if not keep.all():
                arrays = tuple(a[keep] for a in arrays)
                place_codes = tuple(c[keep] for c in place_codes)
        elif "province" in chosen:
            starts = np.flatnonzero(np.concatenate(([True], place_province[1:] != place_province[:-1])))
            provinces = place_province[starts]
            keep = provinces != nulls["c1"] if nulls["c1"] is not None else np.ones(len(provinces), dtype=bool)
            arrays = tuple(np.add.reduceat(a, starts, axis=0)[keep] for a in arrays)
            place_codes = (provinces[keep], np.zeros(int(keep.sum()), dtype=np.int64))
        else:
            arrays = tuple(a.sum(axis=0, keepdims=True) for a in arrays)
            place_codes = (np.zeros(1, dtype=np.int64), np.zeros(1, dtype=np.int64))
        # The summed axes stay, of length 1 (keepdims): dims[axis] is at position axis - 2 of every array.
        chosen_codes = {}
        for axis in kept:  # a level keyed on a blank (NULL, coded last) is no level of its own
            chosen_codes[axis] = np.arange(1, codes[axis] + 1)
            if nulls[f"c{axis}"] is not None:
                chosen_codes[axis] = chosen_codes[axis][:-1]
                arrays = tuple(np.delete(a, -1, axis=axis - 2) for a in arrays)
        cells = np.flatnonzero(arrays[0])
        at = np.unravel_index(cells, arrays[0].shape)
        g = period * weight[0] + place_codes[0][at[0]] * weight[1] + place_codes[1][at[0]] * weight[2]
        for axis in kept:
            chosen_code = chosen_codes[axis][at[axis - 2]]
            g = g + (chosen_code * weight[3] if axis == 3 else offsets[axis - 4] + chosen_code)
        if not len(cells):
            continue
        # Kept as they will be held (memory): each level's observations counted, and its days observed.
        day_at, count, paid = at[-1], arrays[0].ravel()[cells], arrays[1].ravel()[cells]
        observed = day_at < len(days)  # the last day index stands for a missing observation
        starts = np.flatnonzero(np.concatenate(([True], g[1:] != g[:-1])))
        levels = (g[starts], np.add.reduceat(np.where(observed, count, 0), starts).astype(np.int64))
        days_observed = (days[day_at[observed]], count[observed].astype(np.int64), paid[observed].astype(np.int64))
        found[s].append(levels + (g[observed],) + days_observed)


def _counted_parts(found: list[list[tuple]]) -> tuple[list[dict], pa.Table]:
    """The parts ``counted_days`` holds and the levels' counts (g, numerator) from each level set's pieces (one per
    period: level numbers and their counts, then the observed days' level numbers, days, counts and paid counts).
    Each piece stays a part of its own: a level belongs to one period, so its estimate is the same, and joining the
    pieces would hold them twice (national 4x: +80 MB at the peak)."""
    parts, level_g, level_n = [], [], []
    for pieces in found:
        for numbers, counted, g, observation, count, paid in pieces:
            level_g.append(numbers)
            level_n.append(counted)
            parts.append({"g": g, "observation": observation, "n": count, "paid": paid})
    empty = np.zeros(0, dtype=np.int64)
    levels = pa.table({"g": np.concatenate(level_g or [empty]), "numerator": np.concatenate(level_n or [empty])})
    return parts, levels


def _added_over(summed: dict[frozenset, tuple], axes: frozenset, buffers: dict[frozenset, tuple]) -> tuple:
    """The arrays ``summed[frozenset()]`` added up over ``axes`` (kept, of length 1), from the nearest sum already
    made (kept in ``summed``): the channel sets and the cycle sets of a level share their sum over sex, and so on.
    Written into ``buffers`` (made once, refilled for every period: fresh memory costs page faults)."""
    if axes not in summed:
        last = max(axes)
        source = _added_over(summed, axes - {last}, buffers)
        if axes not in buffers:
            buffers[axes] = tuple(np.empty(a.shape[:last] + (1,) + a.shape[last + 1 :]) for a in source)
        for a, out in zip(source, buffers[axes]):
            np.sum(a, axis=last, keepdims=True, out=out)
        summed[axes] = buffers[axes]
    return summed[axes]


def counted_days(con: duckdb.DuckDBPyConnection, name: str) -> list[dict]:
    """The per-day counts ``_observations`` made under ``name``, one part per level set: arrays g, observation, n,
    paid (each group's rows together, in order of days), and once a quantile is estimated, ``curve``: the groups'
    survival (``survival.curves``) every later quantile reads."""
    return _COUNTED_DAYS[con][name]


def _insert_statistic(con: duckdb.DuckDBPyConnection, indicator: Indicator) -> None:
    """A survival quantile at every level: the levels of each level set estimated together (``indicators.survival``)."""
    name = _observations(con, indicator)
    groups, stats, lower_bounds = [], [], []
    for counted in counted_days(con, name):
        if "curve" not in counted:  # the first quantile of these observations: their survival, kept for the next
            if not _sorted(counted["g"], counted["observation"]):
                order = np.lexsort((counted["observation"], counted["g"]))
                counted.update({column: values[order] for column, values in counted.items()})
            counted["curve"] = survival.curves(counted["g"], counted["n"], counted["paid"])
        starts, value, at_least = survival.quantiles_of_curves(
            counted["curve"], counted["observation"], indicator.quantile
        )
        groups.append(counted["g"][starts])
        stats.append(value)
        lower_bounds.append(at_least)
    estimates = pa.table(
        {
            "g": np.concatenate(groups or [np.zeros(0, dtype=np.int64)]),
            "stat": np.concatenate(stats or [np.zeros(0)]),
            "at_least": np.concatenate(lower_bounds or [np.zeros(0, dtype=bool)]),
        }
    )
    con.register("ind_estimates", estimates)
    try:
        con.execute(f"""
            INSERT INTO ind_results
            SELECT '{indicator.id}', {", ".join(_LEVELS)}, CAST(numerator AS DOUBLE), NULL, e.stat,
                   CASE WHEN e.at_least THEN e.stat END, NULL, NULL
            FROM {name}_levels LEFT JOIN ind_estimates e USING (g)""")
    finally:
        con.unregister("ind_estimates")


def _sorted(group: np.ndarray, days: np.ndarray) -> bool:
    """True when each group's rows are together and in order of days, as ``survival.quantiles`` needs them."""
    if len(group) < 2:
        return True
    same = group[1:] == group[:-1]
    if not np.all(~same | (days[1:] > days[:-1])):
        return False
    firsts = group[np.flatnonzero(np.concatenate(([True], ~same)))]
    return len(np.unique(firsts)) == len(firsts)  # no group comes back after another


def compute_into(con: duckdb.DuckDBPyConnection, indicator: Indicator) -> None:
    """Add ``indicator`` at every level to ``ind_results`` (a connection ``prepare`` has set up)."""
    if indicator.kind == "statistic":
        _insert_statistic(con, indicator)
    else:
        con.execute(f"INSERT INTO ind_results {indicator_query(indicator)}")


def prepare(con: duckdb.DuckDBPyConnection, params: dict | None = None, step=None) -> dict:
    """Install parameters, macros and helper views on a warehouse connection; returns the parameters used.
    ``step``: see ``sql_helpers.install`` (the benchmark's profile of each helper table)."""
    params = params or load_parameters()
    warehouse_access.limit_memory(con)
    sql_helpers.install(con, params, step)
    con.execute(_RESULTS_DDL)
    _drop_observations(con)  # counted from an earlier version or parameters
    return params


def _drop_observations(con: duckdb.DuckDBPyConnection) -> None:
    _COUNTED_DAYS.pop(con, None)
    for (name,) in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE temporary AND starts_with(table_name, 'ind_observations_')"
    ).fetchall():
        con.execute(f"DROP TABLE {name}")


def compute(
    con: duckdb.DuckDBPyConnection, indicator_id: str, params: dict | None = None, prepared: bool = False
) -> pd.DataFrame:
    """One indicator at every level (no status): the columns of ``RESULT_COLUMNS``."""
    if not prepared:
        prepare(con, params)
    con.execute("DELETE FROM ind_results WHERE indicator_id = ?", [indicator_id])
    compute_into(con, get_indicator(indicator_id))
    order = " ORDER BY period, province, district NULLS FIRST, sex, breakdown, breakdown_value"
    return con.execute(f"SELECT * FROM ind_results WHERE indicator_id = ?{order}", [indicator_id]).df()


# A connection -> the fresh connection compute_all's retry computed on (kept while the first one lives).
_PREPARED_ON: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def compute_all(
    con: duckdb.DuckDBPyConnection, version: str, params: dict | None = None, timings: dict | None = None
) -> pd.DataFrame:
    """The whole catalogue as the tidy table of DESIGN.md §4, for warehouse ``version`` opened on ``con``.

    ``timings``, when given, receives seconds per indicator id (for the benchmark).
    """
    try:
        return _compute_all(con, version, params, timings)
    except duckdb.OutOfMemoryException:
        # The memory budget must never cost a publish: a catalogue that cannot stay within it is computed without it,
        # on a fresh connection to the same tables (a cursor): a helper table whose creation ran out of memory can
        # stay behind in this connection's temporary catalogue, and creating it again there conflicts with it.
        warehouse_access.lift_memory_limit(con)
        fresh = con.cursor()
        _PREPARED_ON[con] = fresh
        return _compute_all(fresh, version, params, timings)


def prepared_connection(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """The connection whose helper tables ``compute_all(con, ...)`` filled: ``con``, or the fresh one its retry
    without a memory budget used (read the PCI table and the supporting tables there)."""
    return _PREPARED_ON.get(con, con)


def close(con: duckdb.DuckDBPyConnection) -> None:
    """Close ``con`` and the fresh connection a retry of ``compute_all`` opened on it, if any."""
    fresh = _PREPARED_ON.pop(con, None)
    if fresh is not None:
        fresh.close()
    con.close()


def _compute_all(
    con: duckdb.DuckDBPyConnection, version: str, params: dict | None, timings: dict | None
) -> pd.DataFrame:
    import time

    params = prepare(con, params)
    catalogue = all_indicators()
    for indicator in catalogue.values():
        started = time.perf_counter()
        if indicator.kind == "index":
            continue
        compute_into(con, indicator)
        if timings is not None:
            timings[indicator.id] = time.perf_counter() - started
    started = time.perf_counter()
    pci.compute(con, params)
    if timings is not None:
        timings["PCI"] = time.perf_counter() - started
    return tidy_table(con, version, catalogue, params)


def tidy_table(
    con: duckdb.DuckDBPyConnection, version: str, catalogue: dict[str, Indicator], params: dict
) -> pd.DataFrame:
    """The last step of ``compute_all``: status, small cells and traceability added to ``ind_results``."""
    _drop_observations(con)  # every statistic is in ind_results: their per-day counts would only hold memory
    status.install_metadata(con, catalogue, params)
    _install_source_files(con, catalogue)
    threshold = int(params["general"]["small_cell_threshold"])
    con.execute("SET VARIABLE data_version = ?", [version])
    con.execute("SET VARIABLE small_cell_threshold = ?", [threshold])
    # The traceability columns joined to the results' rows before the status is worked out, each small table held
    # in its join: joined to the status query's output, DuckDB held those wide rows in the join instead (national
    # 1x, threads 1: 0.81 -> 0.57 CPU s for this query).
    rows = """(
        SELECT r.*, m.position, m.person_based, f.source_files, a.as_of_date
        FROM ind_results r JOIN ind_meta m USING (indicator_id)
             LEFT JOIN ind_source_files f USING (indicator_id, period)
             LEFT JOIN (SELECT s.indicator_id, min(a.as_of_date) AS as_of_date
                        FROM ind_sources s JOIN ind_source_as_of a USING (source) GROUP BY ALL) a
                  USING (indicator_id))"""
    carried = ("position", "person_based", "source_files", "as_of_date")
    tidy = f"""
        SELECT s.* EXCLUDE (position, person_based),
               s.person_based AND (s.numerator < getvariable('small_cell_threshold')
                                   OR s.denominator < getvariable('small_cell_threshold')) AS small_cell,
               getvariable('data_version') AS data_version
        FROM ({status.status_sql(rows, carried)}) s
        ORDER BY s.position, period, province, district NULLS FIRST, sex, breakdown, breakdown_value"""
    return _frame(con.sql(tidy).to_arrow_table().select(TIDY_COLUMNS))


def _frame(table: pa.Table) -> pd.DataFrame:
    """``table`` with the column types DuckDB's ``.df()`` gives (whole numbers and flags with a blank as pandas'
    nullable types, dates as datetime64[us]), converted through Arrow: on national data ``.df()`` costs seconds."""
    simple = (pa.types.is_string, pa.types.is_floating, pa.types.is_integer, pa.types.is_boolean, pa.types.is_date)
    if not all(any(kind(field.type) for kind in simple) for field in table.schema):
        return duckdb.from_arrow(table).df()  # other types (decimals, ...) as DuckDB converts them
    frame = table.to_pandas()
    for field, column in zip(table.schema, table.columns):
        if pa.types.is_string(field.type) and column.null_count == len(column):
            frame[field.name] = pd.Series([None] * len(column), dtype=object)  # DuckDB gives no text column
        elif pa.types.is_date(field.type):
            frame[field.name] = column.to_pandas(date_as_object=False).astype("datetime64[us]")
        elif (pa.types.is_integer(field.type) or pa.types.is_boolean(field.type)) and column.null_count:
            nullable = (
                pd.BooleanDtype()
                if pa.types.is_boolean(field.type)
                else pd.api.types.pandas_dtype(str(field.type).capitalize())
            )
            frame[field.name] = column.to_pandas(types_mapper={field.type: nullable}.get)
    return frame


def _install_source_files(con: duckdb.DuckDBPyConnection, catalogue: dict[str, Indicator]) -> None:
    """ind_source_files(indicator_id, period, source_files): the returns each value may draw on.

    Tables with a quarter give that quarter's files (the payment ledger: every quarter up to it, since stocks use
    earlier payments); yearly tables their year's files; snapshot tables all their files.
    """
    parts = []
    for name in sorted({s for ind in catalogue.values() for s in ind.sources}):
        columns = {
            r[0]
            for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [name]
            ).fetchall()
        }
        if "period" in columns:
            match = "f.period <= r.period" if name == "mecg_payments" else "f.period = r.period"
            files = f"SELECT DISTINCT period, source_file FROM {name}"
        elif "year" in columns:
            match = "f.period = left(r.period, 4)"
            files = f"SELECT DISTINCT CAST(year AS VARCHAR) AS period, source_file FROM {name}"
        else:
            match = "TRUE"
            files = f"SELECT DISTINCT NULL AS period, source_file FROM {name}"
        parts.append(
            f"SELECT r.indicator_id, r.period, f.source_file FROM ind_result_periods r "
            f"JOIN ind_sources s ON s.indicator_id = r.indicator_id AND s.source = '{name}' "
            f"JOIN ({files}) f ON {match}"
        )
    # Each indicator's periods, read off the results once rather than once per source.
    con.execute(
        "CREATE OR REPLACE TEMP TABLE ind_result_periods AS SELECT DISTINCT indicator_id, period FROM ind_results"
    )
    con.execute("CREATE OR REPLACE TEMP TABLE ind_sources (indicator_id VARCHAR, source VARCHAR)")
    con.executemany(
        "INSERT INTO ind_sources VALUES (?, ?)", [(ind.id, s) for ind in catalogue.values() for s in ind.sources]
    )
    union = (
        " UNION ALL ".join(parts)
        if parts
        else "SELECT NULL::VARCHAR AS indicator_id, NULL::VARCHAR AS period, NULL::VARCHAR AS source_file WHERE FALSE"
    )
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE ind_source_files AS
        SELECT indicator_id, period, string_agg(DISTINCT source_file, ';' ORDER BY source_file) AS source_files
        FROM ({union}) WHERE source_file IS NOT NULL GROUP BY ALL""")
