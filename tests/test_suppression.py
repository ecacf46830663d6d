"""Public views: small cells are hidden, and no hidden figure can be worked back out from the published ones.

Tables are built from hand-made district × sex figures and aggregated the way the indicator engine does (sums of
numerators and denominators), so every total really is the sum of its parts. The attacker below is written
independently of the module: it knows the hierarchy (F + M = _T, districts = province, provinces = LA, breakdown
values = their total), writes one equation per published total, and solves the system exactly with fractions.
"""

from __future__ import annotations

from collections import defaultdict
from fractions import Fraction
from itertools import product

import numpy as np
import pandas as pd
import pytest

from indicators import disclosure
from indicators.equations import Equations, determined_cells, pinned_columns
from indicators.disclosure import (
    SUPPRESSED_LABEL,
    exposed_cells,
    protect,
    revealed_cells,
    suppress,
    suppress_table,
    table_sets,
    tidy_sets,
)

CELL = ["indicator_id", "period", "province", "district", "sex", "breakdown", "breakdown_value"]


def tidy_table(
    figures: dict[tuple, tuple[float, float | None]], *, indicator="SI_COV_BENFTS", period="2024-Q1", unit="percent"
) -> pd.DataFrame:
    """Aggregate {(province, district, sex, breakdown, breakdown_value): (numerator, denominator)} to every level."""
    sums: dict[tuple, list] = defaultdict(lambda: [0.0, 0.0])
    for (province, district, sex, breakdown, item), (numerator, denominator) in figures.items():
        levels = [(province, district), (province, None), ("LA", None)]
        sexes = [sex, "_T"] if sex != "_T" else ["_T"]
        breakdowns = [(breakdown, item), ("_T", "_T")] if breakdown != "_T" else [("_T", "_T")]
        for (p, d), s, (b, v) in product(levels, sexes, breakdowns):
            sums[(p, d, s, b, v)][0] += numerator
            sums[(p, d, s, b, v)][1] += denominator if denominator is not None else 0.0
    rows = []
    for (p, d, s, b, v), (numerator, denominator) in sums.items():
        denominator_or_none = denominator if unit == "percent" else None
        rows.append(
            {
                "indicator_id": indicator,
                "period": period,
                "province": p,
                "district": d,
                "sex": s,
                "breakdown": b,
                "breakdown_value": v,
                "numerator": numerator,
                "denominator": denominator_or_none,
                "value": 100 * numerator / denominator if unit == "percent" else numerator,
                "lower_bound": None,
                "upper_bound": None,
                "unit": unit,
                "data_version": "v0001",
            }
        )
    return pd.DataFrame(rows)


def equations_of(table: pd.DataFrame) -> list[tuple[int, list[int]]]:
    """(total row, rows adding up to it), from the hierarchy alone."""
    index = {
        tuple(None if pd.isna(x) else x for x in key): i
        for i, key in enumerate(table[CELL].itertuples(index=False, name=None))
    }
    groups: dict[tuple, list[int]] = defaultdict(list)
    for key, row in index.items():
        indicator, period, province, district, sex, breakdown, item = key
        if sex != "_T":
            groups[("sex", indicator, period, province, district, "_T", breakdown, item)].append(row)
        if district is not None:
            groups[("geo", indicator, period, province, None, sex, breakdown, item)].append(row)
        elif province != "LA":
            groups[("geo", indicator, period, "LA", None, sex, breakdown, item)].append(row)
        if breakdown != "_T":
            groups[("bd:" + breakdown, indicator, period, province, district, sex, "_T", "_T")].append(row)
    return [(index[g[1:]], rows) for g, rows in groups.items() if g[1:] in index]


def recoverable(original: pd.DataFrame, published: pd.DataFrame) -> list[tuple[int, str, Fraction]]:
    """Hidden figures an attacker can compute exactly: (row, column, value) — exact Gauss-Jordan over fractions."""
    hidden = [i for i in range(len(published)) if published["suppressed"].iloc[i]]
    found = []
    for column in ("numerator", "denominator"):
        if original[column].isna().all():
            continue
        unknown = {row: j for j, row in enumerate(hidden)}
        system = []
        for total, members in equations_of(published):
            coefficients = [Fraction(0)] * len(hidden)
            rhs = Fraction(0)
            for row, sign in [(total, 1), *[(m, -1) for m in members]]:
                if row in unknown:
                    coefficients[unknown[row]] += sign
                else:
                    rhs -= sign * Fraction(published[column].iloc[row])
            if any(coefficients):
                system.append(coefficients + [rhs])
        for row, value in _solve_exactly(system, len(hidden)):
            found.append((hidden[row], column, value))
    return found


def _solve_exactly(system: list[list[Fraction]], unknowns: int) -> list[tuple[int, Fraction]]:
    rows, pivot_row = [r[:] for r in system], 0
    pivots = []
    for column in range(unknowns):
        pivot = next((r for r in range(pivot_row, len(rows)) if rows[r][column] != 0), None)
        if pivot is None:
            continue
        rows[pivot_row], rows[pivot] = rows[pivot], rows[pivot_row]
        lead = rows[pivot_row][column]
        rows[pivot_row] = [x / lead for x in rows[pivot_row]]
        for r in range(len(rows)):
            if r != pivot_row and rows[r][column] != 0:
                factor = rows[r][column]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[pivot_row])]
        pivots.append((pivot_row, column))
        pivot_row += 1
    # A variable is determined when its reduced row has no other unknown.
    return [(column, rows[r][-1]) for r, column in pivots if sum(1 for x in rows[r][:unknowns] if x != 0) == 1]


def cell(table: pd.DataFrame, province, district=None, sex="_T", breakdown="_T", item="_T") -> pd.Series:
    match = table[
        (table.province == province)
        & (table.sex == sex)
        & (table.breakdown == breakdown)
        & (table.breakdown_value == item)
        & (table.district.isna() if district is None else table.district == district)
    ]
    assert len(match) == 1
    return match.iloc[0]


def assert_safe(original: pd.DataFrame, published: pd.DataFrame, threshold: int = 5) -> None:
    """The published table hides every small cell, and nothing hidden can be recovered."""
    for column in ("numerator", "denominator"):
        small = original[column].between(1, threshold - 1, inclusive="both")
        assert published.loc[small, "suppressed"].all(), f"a small {column} is published"
    assert recoverable(original, published) == []
    assert revealed_cells(published).empty
    hidden = published["suppressed"]
    assert published.loc[hidden, ["numerator", "denominator", "value"]].isna().all().all()
    assert (published.loc[hidden, "suppressed_label"] == SUPPRESSED_LABEL).all()
    # Published rows are exactly the original figures.
    pd.testing.assert_frame_equal(
        published.loc[~hidden, original.columns].reset_index(drop=True),
        original.loc[~hidden].reset_index(drop=True),
        check_dtype=False,
    )


# --------------------------------------------------------------------------------------------------------- tests

SMALL_WOMEN_IN_ONE_DISTRICT = {
    ("LA-VT", "0101", "F", "_T", "_T"): (3, 40),
    ("LA-VT", "0101", "M", "_T", "_T"): (20, 41),
    ("LA-VT", "0102", "F", "_T", "_T"): (10, 30),
    ("LA-VT", "0102", "M", "_T", "_T"): (12, 33),
    ("LA-VT", "0103", "F", "_T", "_T"): (9, 20),
    ("LA-VT", "0103", "M", "_T", "_T"): (8, 25),
    ("LA-AT", "1701", "F", "_T", "_T"): (6, 20),
    ("LA-AT", "1701", "M", "_T", "_T"): (7, 22),
    ("LA-AT", "1702", "F", "_T", "_T"): (16, 28),
    ("LA-AT", "1702", "M", "_T", "_T"): (17, 29),
}


def test_nothing_small_means_nothing_hidden():
    figures = {k: (n + 10, d) for k, (n, d) in SMALL_WOMEN_IN_ONE_DISTRICT.items()}
    original = tidy_table(figures)
    published = suppress(original, threshold=5)
    assert not published["suppressed"].any()
    pd.testing.assert_frame_equal(published[original.columns], original)


def test_the_attacker_would_recover_a_cell_hidden_alone():
    """The checker is able to fail: hiding only the small cell gives it back by subtraction (F = _T − M)."""
    original = tidy_table(SMALL_WOMEN_IN_ONE_DISTRICT)
    naive = original.copy()
    naive["suppressed"] = original["numerator"].between(1, 4)
    naive.loc[naive["suppressed"], ["numerator", "denominator", "value"]] = np.nan
    small = cell(original, "LA-VT", "0101", "F")
    assert (small.name, "numerator", Fraction(3)) in recoverable(original, naive)
    assert (small.name, "denominator", Fraction(40)) in recoverable(original, naive)


def test_one_small_district_cell_gets_complements_and_nothing_can_be_recovered():
    original = tidy_table(SMALL_WOMEN_IN_ONE_DISTRICT)
    published = suppress(original, threshold=5)
    assert_safe(original, published)
    hidden = {(r.province, r.district, r.sex) for r in published.itertuples() if r.suppressed}
    # The small cell, its partner by sex, the smallest other district for women, and that district's men:
    # a 2 × 2 rectangle, the least that closes every sum.
    assert hidden == {("LA-VT", "0101", "F"), ("LA-VT", "0101", "M"), ("LA-VT", "0103", "F"), ("LA-VT", "0103", "M")}
    assert not published[published.province == "LA-AT"]["suppressed"].any()
    assert cell(published, "LA")["numerator"] == 108 and cell(published, "LA")["denominator"] == 288


def test_province_with_a_single_district_hides_both_levels():
    figures = {
        ("LA-XS", "1401", "F", "_T", "_T"): (2, 30),
        ("LA-XS", "1401", "M", "_T", "_T"): (9, 31),
        ("LA-AT", "1701", "F", "_T", "_T"): (12, 30),
        ("LA-AT", "1701", "M", "_T", "_T"): (11, 35),
        ("LA-AT", "1702", "F", "_T", "_T"): (14, 40),
        ("LA-AT", "1702", "M", "_T", "_T"): (15, 45),
    }
    original = tidy_table(figures)
    published = suppress(original)
    assert_safe(original, published)
    assert cell(published, "LA-XS", sex="F")["suppressed"]  # equal to its only district: hidden too


def test_small_breakdown_value_is_hidden_with_a_complement_in_the_same_breakdown():
    figures = {
        ("LA-AT", "1701", "_T", "channel", "cash"): (40, None),
        ("LA-AT", "1701", "_T", "channel", "bank"): (2, None),
        ("LA-AT", "1701", "_T", "channel", "mobile"): (9, None),
        ("LA-AT", "1702", "_T", "channel", "cash"): (30, None),
        ("LA-AT", "1702", "_T", "channel", "bank"): (25, None),
        ("LA-AT", "1702", "_T", "channel", "mobile"): (12, None),
    }
    original = tidy_table(figures, indicator="MECG_PAID_BY_CHANNEL", unit="persons")
    published = suppress(original)
    assert_safe(original, published)
    assert cell(published, "LA-AT", "1701", breakdown="channel", item="bank")["suppressed"]
    assert cell(published, "LA-AT", "1701", breakdown="channel", item="mobile")["suppressed"]  # next smallest
    assert not cell(published, "LA-AT", "1701", breakdown="channel", item="cash")["suppressed"]
    assert cell(published, "LA-AT", "1701")["numerator"] == 51


def test_counts_are_judged_by_their_own_figure_and_zero_is_not_small():
    figures = {
        ("LA-AT", "1701", "F", "_T", "_T"): (0, None),
        ("LA-AT", "1701", "M", "_T", "_T"): (4, None),
        ("LA-AT", "1702", "F", "_T", "_T"): (30, None),
        ("LA-AT", "1702", "M", "_T", "_T"): (31, None),
        ("LA-AT", "1703", "F", "_T", "_T"): (50, None),
        ("LA-AT", "1703", "M", "_T", "_T"): (52, None),
    }
    original = tidy_table(figures, unit="persons")
    published = suppress(original)
    assert_safe(original, published)
    assert cell(published, "LA-AT", "1701", "M")["suppressed"]
    # 1701 in total is 4: small as well. Complements prefer cells with data over the empty women's cell.
    assert cell(published, "LA-AT", "1701")["suppressed"]


def test_many_small_cells_across_provinces_districts_and_sexes(tmp_path):
    generator = np.random.default_rng(7)
    figures = {}
    for province, districts in {
        "LA-VT": ["0101", "0102", "0103", "0104"],
        "LA-AT": ["1701", "1702", "1703"],
        "LA-XS": ["1401", "1402"],
        "LA-PH": ["0201"],
    }.items():
        for district, sex in product(districts, "FM"):
            denominator = int(generator.integers(1, 30))
            figures[(province, district, sex, "_T", "_T")] = (int(generator.integers(0, denominator + 1)), denominator)
    original = tidy_table(figures)
    published = suppress(original, threshold=10)
    small = original["numerator"].between(1, 9) | original["denominator"].between(1, 9)
    assert small.sum() >= 5  # the test exercises many primary cells
    assert_safe(original, published, threshold=10)


def test_heuristic_alone_can_leave_a_bridge_that_linear_algebra_catches():
    """Two hidden rectangles joined by one cell: every sum has 0 or ≥ 2 hidden cells, yet the joining cell is
    determined (row 1 − (column 1 + column 2 − row 2)). ``protect`` must hide more."""
    inner_rows, inner_cols = ["r1", "r2", "r3", "r4"], ["c1", "c2", "c3", "c4"]
    small = {
        ("r1", "c1"),
        ("r1", "c2"),
        ("r2", "c1"),
        ("r2", "c2"),
        ("r3", "c3"),
        ("r3", "c4"),
        ("r4", "c3"),
        ("r4", "c4"),
        ("r1", "c3"),
    }
    inner = {(r, c): (2 if (r, c) in small else 50) for r in inner_rows for c in inner_cols}
    grid = pd.DataFrame([(r, c) for r in [*inner_rows, "T"] for c in [*inner_cols, "T"]], columns=["row", "col"])
    grid["count"] = [
        float(sum(v for (rr, cc), v in inner.items() if r in (rr, "T") and c in (cc, "T")))
        for r, c in zip(grid.row, grid.col)
    ]
    equations = [
        [total, *members]
        for total, members in table_sets(grid, ["row", "col"], {"row": "T", "col": "T"})
        if total is not None
    ]
    primary = np.array([(r, c) in small for r, c in zip(grid.row, grid.col)])
    assert all(sum(primary[c] for c in cells) != 1 for cells in equations)  # no set has a lonely hidden cell
    bridge = grid.index[(grid.row == "r1") & (grid.col == "c3")][0]
    assert exposed_cells(primary, equations) == [bridge]

    published = suppress_table(grid, ["count"], threshold=5, group_sets={"row": "T", "col": "T"})
    assert exposed_cells(published["suppressed"].to_numpy(), equations) == []
    assert published["suppressed"].sum() > len(small)
    assert published.loc[published.suppressed, "count"].isna().all()
    assert (published.loc[~published.suppressed, "count"] == grid.loc[~published.suppressed, "count"]).all()


def test_suppress_table_for_counts_by_category_and_sex():
    rows = [
        ("late", "F", 3),
        ("late", "M", 12),
        ("late", "_T", 15),
        ("lost", "F", 20),
        ("lost", "M", 22),
        ("lost", "_T", 42),
        ("other", "F", 8),
        ("other", "M", 9),
        ("other", "_T", 17),
        ("_T", "F", 31),
        ("_T", "M", 43),
        ("_T", "_T", 74),
    ]
    table = pd.DataFrame(rows, columns=["category", "sex", "grievances"])
    published = suppress_table(table, ["grievances"], threshold=5, group_sets={"category": "_T", "sex": "_T"})
    hidden = set(zip(published.category[published.suppressed], published.sex[published.suppressed]))
    assert hidden == {("late", "F"), ("late", "M"), ("other", "F"), ("other", "M")}
    assert published.loc[~published.suppressed, "grievances"].tolist() == [15, 20, 22, 42, 17, 31, 43, 74]


def test_status_columns_are_hidden_with_the_value():
    original = tidy_table(SMALL_WOMEN_IN_ONE_DISTRICT)
    original["status"] = "on track"
    published = suppress(original)
    assert published.loc[published.suppressed, "status"].isna().all()
    assert (published.loc[~published.suppressed, "status"] == "on track").all()


def test_duplicate_cells_are_refused():
    original = tidy_table(SMALL_WOMEN_IN_ONE_DISTRICT)
    with pytest.raises(ValueError, match="two rows describe the same cell"):
        suppress(pd.concat([original, original.iloc[[0]]]))


def test_sets_follow_the_hierarchy():
    original = tidy_table({("LA-AT", "1701", "F", "_T", "_T"): (6, 20), ("LA-AT", "1702", "F", "_T", "_T"): (7, 22)})

    def label(row):
        return "/".join(str(x) for x in original.loc[row, ["province", "district", "sex"]].fillna("-"))

    sets_ = sorted(
        (label(total), sorted(label(m) for m in members)) for total, members in tidy_sets(original) if total is not None
    )
    assert ("LA-AT/-/_T", ["LA-AT/-/F"]) in sets_  # F (+ M, absent) = _T
    assert ("LA-AT/-/_T", ["LA-AT/1701/_T", "LA-AT/1702/_T"]) in sets_  # districts = province
    assert ("LA/-/F", ["LA-AT/-/F"]) in sets_  # provinces = LA
    assert ("LA-AT/1701/_T", ["LA-AT/1701/F"]) in sets_
    assert len(sets_) == 8  # sex: 4 levels; districts: F and _T; provinces: F and _T


def _sets_written_out(frame: pd.DataFrame) -> list[tuple[int | None, list[int]]]:
    """``tidy_sets`` from its definition, row by row: a row other than a total joins the set of its rule (sex; its
    district, else its province; its breakdown) and parent cell (the row's cell with that rule's columns set to the
    total); a set's total is the row describing its parent, if any; sets in order of their first member row, then of
    the rule (sex, place, breakdown)."""
    columns = [c for c in CELL if c in frame.columns] + (["unit"] if "unit" in frame.columns else [])
    cells = [tuple(None if pd.isna(v) else v for v in row) for row in frame[columns].itertuples(index=False)]
    row_of = {cell: row for row, cell in enumerate(cells)}
    at = {c: i for i, c in enumerate(columns)}

    def parent(cell: tuple, **changes) -> tuple:
        return tuple(changes.get(c, cell[i]) for c, i in at.items())

    sets: dict[tuple, list[int]] = {}
    for row, cell in enumerate(cells):
        value = dict(zip(columns, cell))
        if value["sex"] != "_T":
            sets.setdefault((0, "sex", parent(cell, sex="_T")), []).append(row)
        if value["district"] is not None:
            sets.setdefault((1, "district", parent(cell, district=None)), []).append(row)
        elif value["province"] != "LA":
            sets.setdefault((1, "province", parent(cell, province="LA")), []).append(row)
        if value["breakdown"] != "_T":
            key = parent(cell, breakdown="_T", breakdown_value="_T")
            sets.setdefault((2, ("breakdown", value["breakdown"]), key), []).append(row)
    ordered = sorted(sets.items(), key=lambda item: (item[1][0], item[0][0]))
    return [(row_of.get(key), rows) for (_, _, key), rows in ordered]


def _shuffled_tidy_tables() -> pd.DataFrame:
    """Several indicators, periods, units and breakdowns, shuffled, with some totals missing and blank districts."""
    rng = np.random.default_rng(11)
    frames = []
    for indicator, unit in (("A", "percent"), ("B", "persons"), ("C", "percent")):
        for period in ("2023-Q4", "2024-Q1"):
            figures = {}
            for province, district in (("LA-AT", "1701"), ("LA-AT", "1702"), ("LA-VT", "0101"), ("LA-VT", None)):
                for sex in ("F", "M"):
                    for breakdown, item in (("_T", "_T"), ("channel", "cash"), ("channel", "wallet"), ("cycle", 3)):
                        figures[(province, district, sex, breakdown, item)] = (float(rng.integers(0, 9)), 20.0)
            frames.append(tidy_table(figures, indicator=indicator, period=period, unit=unit))
    table = pd.concat(frames, ignore_index=True)
    table = table[(table.district != "1702") | (table.sex != "_T") | (table.breakdown != "_T")]  # a missing total
    return table.sample(frac=1.0, random_state=5).reset_index(drop=True)


def test_sets_are_those_written_out_row_by_row():
    table = _shuffled_tidy_tables()
    assert tidy_sets(table) == _sets_written_out(table)
    assert any(total is None for total, _ in tidy_sets(table))  # the missing total was exercised


def test_sets_are_the_same_when_cell_numbers_are_renumbered_to_stay_small(monkeypatch):
    """Cells are numbered in mixed radix and renumbered when the number would grow too large: the same sets."""
    table = _shuffled_tidy_tables()
    expected = tidy_sets(table)
    monkeypatch.setattr(disclosure, "NUMBER_BITS", 6)
    assert tidy_sets(table) == expected


def test_protect_is_given_sets_and_returns_a_mask():
    hidden = protect(np.array([True, False, False]), [(2, [0, 1])], np.array([0, 1, 2]))
    assert hidden.tolist() == [True, True, False]


def test_the_solver_agrees_with_exact_fractions_on_random_systems():
    """``determined_cells`` (floating-point elimination, component by component, remembered) against exact
    Gauss-Jordan over fractions, on random sparse systems of sums and ties like the indicator tables'."""
    rng = np.random.default_rng(13)
    for _ in range(300):
        cells = int(rng.integers(2, 40))
        equations = []
        for _ in range(int(rng.integers(1, 30))):
            size = int(rng.integers(2, min(cells, 6) + 1))
            chosen = rng.choice(cells, size, replace=False).tolist()
            equations.append([(chosen[0], 1.0)] + [(c, -1.0) for c in chosen[1:]])
        unknown = rng.random(cells) < rng.uniform(0.2, 0.9)
        hidden = np.flatnonzero(unknown).tolist()
        column = {c: j for j, c in enumerate(hidden)}
        system = []
        for equation in equations:
            row = [Fraction(0)] * (len(hidden) + 1)
            for c, k in equation:
                if c in column:
                    row[column[c]] += Fraction(k)
            if any(row):
                system.append(row)
        exact = sorted(hidden[j] for j, _ in _solve_exactly(system, len(hidden)))
        system_object = Equations.of(equations)
        assert determined_cells(unknown, system_object) == exact
        assert determined_cells(unknown, system_object) == exact  # again, from what it remembered
        assert list(system_object) == [[(c, k) for c, k in e] for e in equations]


def test_merging_equal_figures_agrees_with_exact_fractions():
    """``pinned_columns`` merges the figures of two-figure equations (x_p = ±x_q) before eliminating: against exact
    Gauss-Jordan on random systems made mostly of such equations, with both signs (cycles that force a figure to 0
    included), pairs of unequal weight (not merged) and longer sums."""
    rng = np.random.default_rng(31)
    for _ in range(400):
        width = int(rng.integers(1, 25))
        rows = []
        for _ in range(int(rng.integers(1, 3 * width + 2))):
            size = 2 if rng.random() < 0.7 else int(rng.integers(1, min(width, 5) + 1))
            size = min(size, width)
            chosen = rng.choice(width, size, replace=False)
            weights = rng.choice([-1.0, 1.0], size) * (rng.choice([1.0, 2.0], size) if rng.random() < 0.2 else 1.0)
            row = np.zeros(width)
            row[chosen] = weights
            rows.append(row)
        matrix = np.array(rows)
        exact = [j for j, _ in _solve_exactly([[Fraction(int(x)) for x in r] + [Fraction(0)] for r in rows], width)]
        assert pinned_columns(matrix).tolist() == sorted(exact)
