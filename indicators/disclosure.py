"""Disclosure control for everything public (pages, downloads, exports): small cells hidden, nothing recoverable.

THE entry point is ``public_table``: once per version (``indicators.api.public_table``), over every figure anything
public shows — indicator rows and the referral funnel — so no two outputs hide different cells of the same table.

Primary suppression: a person count above 0 and below the threshold (numerator or denominator; a count without
them, its value) is hidden: its figures become null, ``suppressed`` is True, ``suppressed_label`` "suppressed".
A true zero is not small. Which hidden cells are primary is never published.

Complementary suppression: published totals are sums of published cells — F + M + _U = _T, the districts of a
province = the province, the provinces = LA, the values of a breakdown = its total — and two indicators can count
the same people. Equations are written figure by figure (``figure_equations``), only where they hold on the computed
figures; if one of them has a single hidden figure, a second row of it is hidden, and then the whole system is
solved (a hidden figure is exposed exactly when its unit vector lies in the row space of the equations restricted
to hidden figures; ``indicators.equations``) and more rows are hidden until none is exposed (``protect_figures``).
``audit`` is that solver on a finished table: the tests and the benchmark run it on the sample and national data.
Sets and equations are built set-wise from integer codes of the cells (no per-row Python), in a fixed order, so the
same table always gets the same complements.

The row-level ``suppress`` / ``suppress_table`` / ``protect`` / ``exposed_cells`` (every set assumed to add up) stay
for supporting tables of counts (payments by days late).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from .equations import Equations, determined_cells

DEFAULT_THRESHOLD = 5
NATIONAL = "LA"
TOTAL = "_T"
CELL_COLUMNS = ("indicator_id", "period", "province", "district", "sex", "breakdown", "breakdown_value")
VALUE_COLUMNS = ("numerator", "denominator", "value", "lower_bound", "upper_bound")
# Columns computed from a cell's value (progress against target) are hidden with it.
DERIVED_PREFIXES = ("status",)
COUNT_UNITS = ("persons",)
SUPPRESSED_LABEL = "suppressed"


def suppression_note(threshold: int = DEFAULT_THRESHOLD) -> str:
    return (
        f"'{SUPPRESSED_LABEL}': fewer than {threshold} people or payments, or hidden so that such a cell "
        "cannot be worked out from the totals."
    )


# ------------------------------------------------------------------------------------------- public functions


def suppress(values: pd.DataFrame, threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """The tidy indicator table with small cells (and their complements) hidden; see the module docstring.

    Adds ``suppressed`` (bool) and ``suppressed_label`` ("suppressed" or null). Other rows are unchanged.
    """
    frame = values.reset_index(drop=True).copy()
    if frame.empty:
        return _mark(frame, np.zeros(0, dtype=bool), [])
    numerator = _numbers(frame, "numerator")
    denominator = _numbers(frame, "denominator")
    value = _numbers(frame, "value")
    is_count = frame["unit"].isin(COUNT_UNITS).to_numpy() if "unit" in frame else np.zeros(len(frame), bool)
    judged_by_value = np.isnan(numerator) & np.isnan(denominator) & is_count
    primary = (
        _small(numerator, threshold) | _small(denominator, threshold) | (judged_by_value & _small(value, threshold))
    )
    sets = tidy_sets(frame)
    hidden = protect(primary, sets, _rank(numerator, denominator, value))
    return _mark(frame, hidden, [c for c in frame.columns if c in VALUE_COLUMNS or c.startswith(DERIVED_PREFIXES)])


def suppress_table(
    frame: pd.DataFrame,
    count_columns: Sequence[str],
    threshold: int = DEFAULT_THRESHOLD,
    group_sets: Mapping[str, Hashable] | None = None,
) -> pd.DataFrame:
    """Suppression for a supporting table of counts (e.g. grievances by category and sex).

    ``group_sets`` maps each dimension column that has a total row to the code of that total, e.g.
    ``{"sex": "_T", "category": "_T"}``: rows differing only in that column add up to its total row. A row is
    primary-suppressed when any of ``count_columns`` is above 0 and below ``threshold``; all count columns of a
    hidden row become null.
    """
    table = frame.reset_index(drop=True).copy()
    counts = [_numbers(table, c) for c in count_columns]
    primary = np.zeros(len(table), dtype=bool)
    for column in counts:
        primary |= _small(column, threshold)
    dimensions = [c for c in table.columns if c not in count_columns]
    sets = table_sets(table, dimensions, group_sets or {})
    size = np.nanmax(np.vstack(counts), axis=0) if counts and len(table) else np.zeros(len(table))
    rank = np.lexsort((size, np.nan_to_num(size, nan=0) == 0))  # non-empty first, then smallest
    hidden = protect(primary, sets, _positions(rank))
    return _mark(table, hidden, list(count_columns))


def tidy_sets(frame: pd.DataFrame) -> list[tuple[int | None, list[int]]]:
    """The additive sets of a tidy indicator table: (row of the total or None, rows that add up to it)."""
    total, start, members = _set_arrays(frame)
    return [
        (None if total[s] < 0 else int(total[s]), members[start[s] : start[s + 1]].tolist()) for s in range(len(total))
    ]


def _set_arrays(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``tidy_sets`` as arrays: the row of each set's total (-1: none), and its member rows
    ``members[start[s]:start[s + 1]]`` (ascending). Sets are in the order of their first member row, and for one row
    sex, then district or province, then breakdown. Built set-wise from integer codes of the cell columns: every cell
    and every set's parent cell numbered alike (``_numbered``), the sets found by one stable sort of their numbers
    and each total by a binary search, in NumPy (pandas' grouping and merge cost twice as much on national data)."""
    identity = [c for c in CELL_COLUMNS if c in frame.columns] + (["unit"] if "unit" in frame.columns else [])
    codes, code_of = {}, {}
    for column in identity:
        # Missing keys (None, NaN, NA) are one value, as in the cell's key.
        codes[column], uniques = pd.factorize(frame[column], use_na_sentinel=False)
        code_of[column] = {_plain(v): i for i, v in enumerate(uniques)}

    def code(column: str, value: object) -> int:
        return code_of[column].get(value, len(code_of[column]))  # a code no row has: the total row is absent

    n = len(frame)
    rules = []  # (rank within a row, rows, name code, changes to the key)
    if "sex" in codes:
        rows = np.flatnonzero(codes["sex"] != code("sex", TOTAL))
        rules.append((0, rows, -1, {"sex": code("sex", TOTAL)}))
    if "province" in codes:
        has_district = codes["district"] != code("district", None) if "district" in codes else np.zeros(n, bool)
        rows = np.flatnonzero(has_district)
        rules.append((1, rows, -2, {"district": code("district", None)}))
        rows = np.flatnonzero(~has_district & (codes["province"] != code("province", NATIONAL)))
        rules.append((1, rows, -3, {"province": code("province", NATIONAL)}))
    if "breakdown" in codes:
        rows = np.flatnonzero(codes["breakdown"] != code("breakdown", TOTAL))
        # Each breakdown (channel, scheme…) splits the total separately: one set per breakdown name.
        changes = {"breakdown": code("breakdown", TOTAL)}
        if "breakdown_value" in codes:
            changes["breakdown_value"] = code("breakdown_value", TOTAL)
        rules.append((2, rows, codes["breakdown"][rows], changes))
    # Every row's cell and every rule's parent cell (the row with the changes made) as one number each, numbered
    # together so that a parent and the row describing it get the same number.
    row = np.concatenate([rows for _, rows, _, _ in rules] or [np.zeros(0, np.int64)]).astype(np.int64)
    columns = [
        np.concatenate([codes[c]] + [np.full(len(rows), changes[c]) if c in changes else codes[c][rows]
                                     for _, rows, _, changes in rules])
        for c in identity
    ]  # fmt: skip
    number = _numbered(columns, [len(code_of[c]) + 1 for c in identity], n + len(row))
    cell, parent = number[:n], number[n:]
    if len(np.unique(cell)) < n:
        _refuse_duplicates(pd.DataFrame({c: codes[c] for c in identity}), frame, identity)
    if not len(row):
        return np.zeros(0, np.int64), np.zeros(1, np.int64), np.zeros(0, np.int64)
    rank = np.concatenate([np.full(len(rows), r) for r, rows, _, _ in rules])
    name = np.concatenate([np.broadcast_to(np.asarray(nm, dtype=np.int64), len(rows)) for _, rows, nm, _ in rules])
    # A set: the rows of one rule name (sex, district, province, each breakdown) sharing a parent. Sorted stably
    # on that, each set's rows stay ascending (a set's rows come from one rule, each rule's rows are ascending).
    names = int(name.max()) + 4
    set_key = _numbered([parent, name + 3], [int(parent.max()) + 1, names], len(row))
    by_set = np.argsort(set_key, kind="stable")
    heads = np.flatnonzero(np.concatenate(([True], set_key[by_set][1:] != set_key[by_set][:-1])))
    sizes = np.diff(np.append(heads, len(row)))
    first_row, set_rank, set_parent = row[by_set][heads], rank[by_set][heads], parent[by_set][heads]
    # A row is in at most one set of each rank, so (first member row, rank) orders the sets without ties.
    order = np.lexsort((set_rank, first_row))
    start = np.concatenate([[0], np.cumsum(sizes[order])]).astype(np.int64)
    taken = np.repeat(heads[order] - start[:-1], sizes[order]) + np.arange(len(row))
    members = row[by_set][taken]
    # Each set's total: the row whose cell is the parent, if there is one.
    by_cell = np.argsort(cell, kind="stable")
    at = np.minimum(np.searchsorted(cell[by_cell], set_parent), max(n - 1, 0))
    total = np.where(cell[by_cell][at] == set_parent, by_cell[at], -1).astype(np.int64)[order]
    return total, start, members


# ``_numbered`` renumbers before a cell number could pass 2 ** NUMBER_BITS (int64 holds 63 bits).
NUMBER_BITS = 62


def _numbered(columns: list[np.ndarray], radices: list[int], length: int) -> np.ndarray:
    """One whole number for each of ``length`` rows of ``columns`` (codes below each column's radix), equal exactly
    when the codes are: mixed radix, renumbered densely (in order) whenever the next column would take the number
    past NUMBER_BITS."""
    number = np.zeros(length, dtype=np.int64)
    span = 1
    for column, radix in zip(columns, radices):
        if span * radix >= 1 << NUMBER_BITS:
            _, number = np.unique(number, return_inverse=True)
            span = int(number.max()) + 1 if len(number) else 1
        number = number * radix + column
        span *= radix
    return number


def _refuse_duplicates(key: pd.DataFrame, frame: pd.DataFrame, columns: list[str]) -> None:
    twice = key.duplicated(keep=False).to_numpy()
    if twice.any():
        rows = np.flatnonzero(twice)
        first = rows[0]
        second = next(r for r in rows[1:] if key.iloc[r].equals(key.iloc[first]))
        cell = {c: _plain(frame[c].iloc[first]) for c in columns}
        raise ValueError(
            f"two rows describe the same cell ({cell}): rows {first} and {second}; suppression needs one row per cell"
        )


def protect(primary: np.ndarray, sets: Sequence[tuple[int | None, list[int]]], rank: np.ndarray) -> np.ndarray:
    """Hidden cells: ``primary`` plus complements, so that no hidden cell follows from the published ones.

    ``sets`` are the additive sets (total row or None, member rows); ``rank`` orders rows by preference as a
    complement (lower = hidden first: small cells with data).
    """
    hidden = primary.astype(bool).copy()
    equations = [[total, *rows] if total is not None else [] for total, rows in sets]
    equations = [e for e in equations if len(e) > 1]
    sets_of_row: dict[int, list[int]] = defaultdict(list)
    for number, cells in enumerate(equations):
        for row in cells:
            sets_of_row[row].append(number)
    while True:
        _hide_lonely_cells(hidden, equations, sets_of_row, rank)
        exposed = exposed_cells(hidden, equations)
        added = False
        for row in exposed:
            candidates = [c for e in sets_of_row[row] for c in equations[e] if not hidden[c]]
            if candidates:
                hidden[min(candidates, key=lambda c: rank[c])] = True
                added = True
        if not added:
            return hidden


def exposed_cells(hidden: np.ndarray, equations: Sequence[Sequence[int]]) -> list[int]:
    """Hidden rows whose exact figure follows from published cells through the set equations.

    Each equation is [total, member, member, ...] meaning total − Σ members = 0 (``determined_cells`` solves them).
    """
    signed = [[(c, 1.0 if j == 0 else -1.0) for j, c in enumerate(cells)] for cells in equations]
    return determined_cells(np.asarray(hidden, dtype=bool), signed)


def revealed_cells(suppressed: pd.DataFrame) -> pd.DataFrame:
    """Rows of a ``suppress()``-ed tidy table whose hidden figures could still be computed, if every set added up
    (should be empty). Rough: ``audit`` knows which equations hold, figure by figure — use it on public tables."""
    hidden = suppressed["suppressed"].to_numpy(dtype=bool)
    equations = [[total, *rows] for total, rows in tidy_sets(suppressed) if total is not None]
    return suppressed.iloc[exposed_cells(hidden, equations)]


# ----------------------------------------------------------------------------------------------------- helpers


def table_sets(
    table: pd.DataFrame, dimensions: list[str], group_sets: Mapping[str, Hashable]
) -> list[tuple[int | None, list[int]]]:
    """The additive sets of a supporting table (see ``suppress_table``): (row of the total or None, rows)."""
    keys = [tuple(_plain(v) for v in row) for row in table[dimensions].itertuples(index=False, name=None)]
    row_of = _unique_rows(keys, table, dimensions)
    members: dict[tuple, list[int]] = defaultdict(list)
    for dimension, total_code in group_sets.items():
        at = dimensions.index(dimension)
        for row, key in enumerate(keys):
            if key[at] != total_code:
                members[(dimension, key[:at] + (total_code,) + key[at + 1 :])].append(row)
    return [(row_of.get(parent), rows) for (_, parent), rows in members.items()]


def _unique_rows(keys: list[tuple], frame: pd.DataFrame, columns: list[str]) -> dict[tuple, int]:
    row_of: dict[tuple, int] = {}
    for row, key in enumerate(keys):
        if key in row_of:
            raise ValueError(
                f"two rows describe the same cell ({dict(zip(columns, key))}): rows {row_of[key]} "
                f"and {row}; suppression needs one row per cell"
            )
        row_of[key] = row
    return row_of


def _hide_lonely_cells(
    hidden: np.ndarray, equations: Sequence[Sequence[int]], sets_of_row: Mapping[int, list[int]], rank: np.ndarray
) -> None:
    """Until stable: in every set with exactly one hidden cell, hide the best other cell of the set."""
    pending = list(range(len(equations)))
    while pending:
        cells = equations[pending.pop()]
        lonely = [c for c in cells if hidden[c]]
        if len(lonely) != 1:
            continue
        members = [c for c in cells[1:] if not hidden[c]]
        # Prefer another member (the total only when it is the sole other cell); among members, one that also
        # mends other sets with a single hidden cell, then the smallest.
        choice = min(
            members or [c for c in cells[:1] if not hidden[c]],
            key=lambda c: (-sum(_hidden_count(equations[e], hidden) == 1 for e in sets_of_row[c]), rank[c]),
        )
        hidden[choice] = True
        pending.extend(sets_of_row[choice])  # only sets touching the new hidden cell can change


def _hidden_count(cells: Sequence[int], hidden: np.ndarray) -> int:
    return sum(1 for c in cells if hidden[c])


def _rank(numerator: np.ndarray, denominator: np.ndarray, value: np.ndarray) -> np.ndarray:
    """Preference as a complement: cells with data before empty ones, then the smallest population."""
    size = np.where(np.isnan(denominator), numerator, denominator)
    size = np.where(np.isnan(size), value, size)
    empty = np.nan_to_num(size, nan=0.0) == 0
    order = np.lexsort((np.nan_to_num(numerator, nan=0.0), np.nan_to_num(size, nan=0.0), empty))
    return _positions(order)


def _positions(order: np.ndarray) -> np.ndarray:
    rank = np.empty(len(order), dtype=int)
    rank[order] = np.arange(len(order))
    return rank


def _numbers(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame.columns:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _small(figures: np.ndarray, threshold: int) -> np.ndarray:
    known = np.nan_to_num(figures, nan=0.0)
    return (known > 0) & (known < threshold)


def _plain(value: object) -> object:
    return None if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA else value


def _mark(frame: pd.DataFrame, hidden: np.ndarray, blanked: list[str]) -> pd.DataFrame:
    for column in blanked:
        if pd.api.types.is_numeric_dtype(frame[column]):
            frame[column] = frame[column].astype(float).where(~hidden, np.nan)
        else:
            frame[column] = frame[column].astype(object).where(~hidden, None)
    frame["suppressed"] = hidden
    frame["suppressed_label"] = pd.Series(np.where(hidden, SUPPRESSED_LABEL, None), index=frame.index, dtype=object)
    return frame


# ------------------------------------------------------------------------ the one public table, figure by figure
#
# The public table of a version is decided once, here, over every figure anything public shows: the indicator rows a
# page or export can show, plus the supporting tables built from the same records (the referral funnel) as extra
# rows. An attacker is modelled figure by figure (numerator and denominator separately): an equation is written
# only where it holds on the computed figures, so a set that does not add up (a blank district, categories that
# overlap) gives no equation, a breakdown that repeats its total's population (insured persons by scheme) gives one
# equation per member, and two indicators that count the same people (referrals completed = the counter-referral
# denominator; the funnel's referrals made = the referral indicator's denominator) are tied cell by cell.

NOTE = "Figures based on fewer than {threshold} persons are hidden to protect privacy."
OBS_STATUS_SUPPRESSED = "Q"  # CL_OBS_STATUS (LSB DSD): "Missing value; suppressed"
FIGURES = ("numerator", "denominator")
FUNNEL = "~referral_funnel"  # pseudo-indicators: the coordination page's referral funnel
FUNNEL_FEEDBACK = "~referral_funnel_feedback"
DAYS_LATE = "~days_late"  # the payments page's payments by days late; its totals are PAY_ONTIME's denominators
DAYS_LATE_BIN = "days_late_bin"  # its breakdown
PSEUDO_INDICATORS = (FUNNEL, FUNNEL_FEEDBACK, DAYS_LATE)
_TIE_MIN_CELLS = 3  # a tie needs at least this many common cells of a period to be seen


def privacy_note(threshold: int = DEFAULT_THRESHOLD) -> str:
    """The one sentence every output that hides a figure carries."""
    return NOTE.format(threshold=threshold)


PRIVACY_NOTE = privacy_note()  # "Figures based on fewer than 5 persons are hidden to protect privacy."


def figure_matrix(frame: pd.DataFrame) -> np.ndarray:
    """(rows, 2) figures an attacker would solve for: numerator and denominator; a count without them, its value."""
    numerator, denominator = _numbers(frame, "numerator"), _numbers(frame, "denominator")
    value = _numbers(frame, "value")
    is_count = frame["unit"].isin(COUNT_UNITS).to_numpy() if "unit" in frame else np.zeros(len(frame), bool)
    numerator = np.where(np.isnan(numerator) & np.isnan(denominator) & is_count, value, numerator)
    return np.column_stack([numerator, denominator])


def figure_equations(frame: pd.DataFrame, figures: np.ndarray) -> Equations:
    """Every equation between figures that holds on the computed table: [(cell, coefficient), ...] = 0, where cell
    = row * 2 + figure. Additive sets where the parts add up, repeated populations, and cross-indicator ties.

    Set-wise: every set's sums and checks at once. The order is that of the sets, then the figure, then the member
    (a repeated population gives one equation per member); ties come last."""
    width = figures.shape[1]
    total, start, members = _set_arrays(frame)
    size = np.diff(start)
    set_of_member = np.repeat(np.arange(len(total)), size)
    blocks = []  # (set, figure, member or -1 for the whole set's equation)
    for f in range(width):
        column = figures[:, f]
        whole = np.where(total >= 0, column[np.maximum(total, 0)], np.nan)
        parts = column[members]
        counted = len(total)
        holes = np.bincount(set_of_member, weights=np.isnan(parts), minlength=counted) > 0
        sums = np.bincount(set_of_member, weights=np.nan_to_num(parts), minlength=counted)
        usable = (total >= 0) & ~np.isnan(whole) & ~holes & (size > 0)
        adds_up = usable & (np.abs(whole - sums) <= 1e-6 * np.maximum(1.0, np.abs(whole)))
        # np.allclose(parts, whole): every part repeats the whole (insured persons by scheme).
        of_member = whole[set_of_member]
        apart = np.abs(parts - of_member) > 1e-8 + 1e-5 * np.abs(of_member)
        repeats = usable & ~adds_up & (np.bincount(set_of_member, weights=apart, minlength=counted) == 0)
        sets = np.flatnonzero(adds_up)
        blocks.append((sets, np.full(len(sets), f), np.full(len(sets), -1)))
        each = np.flatnonzero(repeats[set_of_member])
        blocks.append((set_of_member[each], np.full(len(each), f), each))
    of_set, of_figure, member = (np.concatenate([b[i] for b in blocks]).astype(np.int64) for i in range(3))
    order = np.lexsort((member, of_figure, of_set))
    of_set, of_figure, member = of_set[order], of_figure[order], member[order]
    length = np.where(member < 0, 1 + size[of_set], 2)
    eq_start = np.concatenate([[0], np.cumsum(length)]).astype(np.int64)
    position = np.arange(eq_start[-1]) - np.repeat(eq_start[:-1], length)
    of_set, of_figure, member = (np.repeat(x, length) for x in (of_set, of_figure, member))
    member_row = members[np.where(member < 0, start[of_set] + position - 1, member)]
    row = np.where(position == 0, total[of_set], member_row)
    cell = row * width + of_figure
    coefficient = np.where(position == 0, 1.0, -1.0)
    ties = _ties(frame, figures)
    tie_start = eq_start[-1] + 2 * np.arange(1, len(ties) + 1)
    return Equations(
        np.concatenate([eq_start, tie_start]),
        np.concatenate([cell, ties.reshape(-1)]),
        np.concatenate([coefficient, np.tile([1.0, -1.0], len(ties))]),
    )


def _ties(frame: pd.DataFrame, figures: np.ndarray) -> np.ndarray:
    """Cell-by-cell equalities between figure columns of different indicators that count the same people: pairs of
    cells, one a row (equation: first − second = 0)."""
    key_columns = [
        c for c in ("period", "province", "district", "sex", "breakdown", "breakdown_value") if c in frame.columns
    ]
    key_code = _first_seen_numbers(frame, key_columns)
    period_code = frame.groupby("period", dropna=False, sort=False).ngroup().to_numpy()
    width = figures.shape[1]
    names, known_rows = [], []
    for indicator, rows in frame.groupby("indicator_id", sort=True).indices.items():
        for f in range(width):
            known = rows[~np.isnan(figures[rows, f])]
            if len(known):
                names.append((indicator, f))
                known_rows.append(known)
    if not names:
        return np.zeros((0, 2), dtype=np.int64)
    # Every column's entries (a column holds each cell once), each column's sorted by cell in one sort.
    column = np.repeat(np.arange(len(names)), [len(rows) for rows in known_rows])
    row = np.concatenate(known_rows)
    key, value = key_code[row], figures[row, np.array([f for _, f in names])[column]]
    by_key = np.argsort(column * (int(key.max()) + 1) + key, kind="stable")
    key_sorted, row_sorted = key[by_key], row[by_key]
    bounds = np.concatenate([[0], np.cumsum(np.bincount(column, minlength=len(names)))])
    # Only columns that agree on a non-zero figure of some cell can be tied.
    nonzero = value != 0
    ties = [np.zeros((0, 2), dtype=np.int64)]
    for i, j in _agreeing_pairs(column[nonzero], key[nonzero], value[nonzero]):
        a, b = names[i], names[j]
        if a[0] != b[0]:
            # Their common cells, in order of cell number.
            keys_a, keys_b = key_sorted[bounds[i] : bounds[i + 1]], key_sorted[bounds[j] : bounds[j + 1]]
            at = np.minimum(np.searchsorted(keys_a, keys_b), len(keys_a) - 1)
            common = keys_a[at] == keys_b
            at_a, at_b = at[common], np.flatnonzero(common)
            if len(at_a) < _TIE_MIN_CELLS:
                continue
            rows_a, rows_b = row_sorted[bounds[i] + at_a], row_sorted[bounds[j] + at_b]
            # A tie holds by definition when the two columns agree on every common cell of a period (the latest
            # period can differ: referrals still open); one that agrees by chance on some cells is no tie.
            periods = period_code[rows_a]
            for period in np.unique(periods):
                here = periods == period
                fa, fb = figures[rows_a[here], a[1]], figures[rows_b[here], b[1]]
                if here.sum() >= _TIE_MIN_CELLS and (fa == fb).all() and fa.any():
                    ties.append(np.column_stack([rows_a[here] * width + a[1], rows_b[here] * width + b[1]]))
    return np.concatenate(ties).astype(np.int64)


def _first_seen_numbers(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """Each row's cell numbered in order of first appearance (missing values one value), as pandas'
    ``groupby(columns, dropna=False, sort=False).ngroup()`` numbers it, from each column's codes."""
    codes, radices = [], []
    for column in columns:
        code, uniques = pd.factorize(frame[column], use_na_sentinel=False)
        codes.append(code)
        radices.append(len(uniques))
    return pd.factorize(_numbered(codes, radices, len(frame)))[0]


def _agreeing_pairs(column: np.ndarray, key: np.ndarray, value: np.ndarray) -> list[tuple[int, int]]:
    """The pairs (i, j), i < j, ascending, of columns that have the same value for the same key somewhere (each
    column has a key at most once): entries sorted by key and value (numbered together), then column, and every
    two in one run of equal key and value paired."""
    radix = int(column.max()) + 1 if len(column) else 1
    value_code, values = pd.factorize(value)
    both = _numbered([key, value_code], [int(key.max()) + 1 if len(key) else 1, len(values)], len(key))
    order = np.argsort(both * radix + column) if int(both.max(initial=0)) < (1 << 62) // radix else None
    order = np.lexsort((column, both)) if order is None else order
    column, both = column[order], both[order]
    run_start = np.flatnonzero(np.concatenate(([True], both[1:] != both[:-1])))
    run_size = np.diff(np.append(run_start, len(column)))
    # Each entry's place in its run and how many follow it there: pair it with the entry `apart` further on.
    place = np.arange(len(column)) - np.repeat(run_start, run_size)
    after = np.repeat(run_size, run_size) - place - 1
    found = [np.zeros(0, dtype=np.int64)]
    for apart in range(1, int(run_size.max()) if len(run_size) else 1):
        first = np.flatnonzero(after >= apart)
        found.append(column[first] * radix + column[first + apart])
    pairs = np.unique(np.concatenate(found))
    return list(zip((pairs // radix).tolist(), (pairs % radix).tolist()))


def protect_figures(
    primary: np.ndarray,
    figures: np.ndarray,
    equations: Equations | Sequence[Sequence[tuple[int, float]]],
    rank: np.ndarray,
    known: np.ndarray | None = None,
) -> np.ndarray:
    """Hidden rows: ``primary`` plus complements until no hidden figure follows from the published ones.

    ``known`` rows are figures the reader has anyway (a province's own figures for its account): never hidden, never
    a complement; a figure they alone give back stays given back (the reader made it up from their own figures).
    ``equations`` (``figure_equations``) may be shared between calls: it remembers what it has solved.
    """
    equations = Equations.of(equations)
    known = np.zeros(len(primary), dtype=bool) if known is None else known.astype(bool)
    hidden = primary.astype(bool) & ~known
    rank = np.where(known, len(rank) + 1, rank)
    hidden_or_known = hidden | known
    width = figures.shape[1]
    flat = figures.reshape(-1)
    has_figure = ~np.isnan(flat)
    row_of_entry = equations.cell // width
    count = len(equations)
    # Figures an equation of known rows alone gives back (a national figure that is the own province's): hiding
    # other rows cannot protect them.
    unknown_rows = np.bincount(equations.equation, weights=~known[row_of_entry], minlength=count)
    given_back = set(equations.cell[(unknown_rows[equations.equation] == 1) & ~known[row_of_entry]].tolist())

    def best_other(number: int, lonely_row: int) -> int | None:
        rows = equations.cells(number) // width
        members = [r for r in rows[1:].tolist() if not hidden_or_known[r]]
        candidates = members or [r for r in rows[:1].tolist() if not hidden_or_known[r]]
        candidates = [r for r in candidates if r != lonely_row]
        return min(candidates, key=lambda r: rank[r]) if candidates else None

    def touching(row: int) -> list[int]:
        return [e for f in range(width) for e in equations.of_cell(row * width + f).tolist()]

    while True:
        # Quick pass: an equation with exactly one unknown figure gives it back; hide a second row of it. Only
        # equations with one hidden row now, or touching a row hidden since, can have one when their turn comes.
        lonely_count = np.bincount(equations.equation, weights=hidden[row_of_entry], minlength=count)
        pending = np.flatnonzero(lonely_count == 1).tolist()
        while pending:
            number = pending.pop()
            rows = equations.cells(number) // width
            lonely = rows[hidden[rows]]
            if len(lonely) != 1:
                continue
            choice = best_other(number, int(lonely[0]))
            if choice is not None:
                hidden[choice] = hidden_or_known[choice] = True
                pending.extend(touching(choice))
        # Exact pass: anything still determined through several equations at once.
        added = False
        for c in determined_cells(np.repeat(hidden, width) & has_figure, equations):
            if not hidden[c // width] or flat[c] == 0 or c in given_back:
                continue
            # The nearest published row tied to it: in its own equations, else in those of the hidden cells
            # it is tied to (a figure can be determined through equations whose other rows are all hidden). Known
            # rows are constants: the search never passes through them (rows beyond them do not pin it down).
            reached, frontier = {c}, [c]
            while frontier:
                numbers = {e for cell in frontier for e in equations.of_cell(cell).tolist()}
                linked = [cell for e in sorted(numbers) for cell in equations.cells(e).tolist()]
                choices = [cell // width for cell in linked if not hidden_or_known[cell // width]]
                if choices:
                    choice = min(choices, key=lambda r: rank[r])
                    hidden[choice] = hidden_or_known[choice] = True
                    added = True
                    break
                frontier = [cell for cell in linked if cell not in reached and hidden[cell // width]]
                reached.update(frontier)
        if not added:
            return hidden


def public_table(
    tidy: pd.DataFrame,
    threshold: int = DEFAULT_THRESHOLD,
    funnel: pd.DataFrame | None = None,
    person_based: Iterable[str] | None = None,
    with_primary: bool = False,
    days_late: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """THE public table of a version: the rows anything public shows, small cells and their complements hidden.

    ``tidy`` is the whole computed indicator table; ``funnel`` the referral funnel supporting table (its rows by
    period and province join the table as the pseudo-indicators ``FUNNEL``: numerator completed, denominator made,
    and ``FUNNEL_FEEDBACK``); ``days_late`` the payments by days late (by period, province, sex and bin, every
    total included, as ``DAYS_LATE`` rows whose value is the count of payments). Only indicators that count persons (``person_based``, default: the catalogue's) are
    suppressed; the others are kept as computed. District figures are published without a further breakdown.
    Hidden figures are null, with ``suppressed`` True and ``suppressed_label`` "suppressed" — never "no data".
    Which hidden cells are small (primary) is never published (it would say "1 to 4"); ``with_primary`` adds it as
    ``primary_suppressed`` for measurement only.
    """
    if person_based is None:
        from .catalogue import all_indicators

        person_based = {i for i, indicator in all_indicators().items() if indicator.person_based}
    shown = public_rows(tidy, funnel, days_late)
    persons = shown["indicator_id"].isin(set(person_based) | set(PSEUDO_INDICATORS)).to_numpy()
    figures = figure_matrix(shown)
    primary = persons & (_small(figures[:, 0], threshold) | _small(figures[:, 1], threshold))
    # Complements come from person counts first (non-empty, smallest), other rows only when nothing else will do.
    rank = _positions(np.lexsort((_rank(figures[:, 0], figures[:, 1], _numbers(shown, "value")), ~persons)))
    hidden = protect_figures(primary, figures, figure_equations(shown, figures), rank)
    blanked = [
        c
        for c in shown.columns
        if c in VALUE_COLUMNS or c in DERIVED_FROM_VALUE or c.startswith(DERIVED_PREFIXES) or c == "pending"
    ]
    public = _mark(shown.copy(), hidden, blanked)
    if with_primary:
        public["primary_suppressed"] = primary
    return public.drop(columns=[c for c in ("small_cell",) if c in public.columns])


# Figures computed from a hidden value would give it back (growth since the base period, progress ratio).
DERIVED_FROM_VALUE = ("growth_actual", "growth_required", "progress_ratio")


def public_rows(
    tidy: pd.DataFrame, funnel: pd.DataFrame | None = None, days_late: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The rows anything public shows, as computed: ``public_table`` hides figures of exactly these rows."""
    shown = tidy[tidy["district"].isna() | (tidy["breakdown"] == "_T")]
    extra = []
    if funnel is not None:
        extra.append(funnel_rows(funnel, shown))
    if days_late is not None:
        extra.append(days_late_rows(days_late, shown))
    if extra:
        shown = pd.concat([shown, *extra], ignore_index=True)
    return shown.reset_index(drop=True)


def days_late_rows(days_late: pd.DataFrame, like: pd.DataFrame) -> pd.DataFrame:
    """Payments by days late by period, province (and national), sex (and both) and bin (and all bins), as
    ``DAYS_LATE`` rows of the tidy table's shape: the count of payments is the value."""
    dimensions = {"province": NATIONAL, "sex": TOTAL, DAYS_LATE_BIN: TOTAL}
    finest = days_late.groupby(["period", *dimensions], as_index=False, dropna=False)["payments"].sum()
    levels = []
    for summed in range(2 ** len(dimensions)):  # every combination of dimensions summed to their total
        totals = {d: code for bit, (d, code) in enumerate(dimensions.items()) if summed >> bit & 1}
        kept = ["period", *(d for d in dimensions if d not in totals)]
        levels.append(finest.groupby(kept, as_index=False, dropna=False)["payments"].sum().assign(**totals))
    both = pd.concat(levels, ignore_index=True)
    rows = both.assign(
        indicator_id=DAYS_LATE,
        district=None,
        breakdown=np.where(both[DAYS_LATE_BIN] == TOTAL, TOTAL, DAYS_LATE_BIN),
        breakdown_value=both[DAYS_LATE_BIN],
        unit="persons",  # a count judged by its own figure, as a person count
        numerator=np.nan,
        denominator=np.nan,
        value=both["payments"].astype(float),
    )
    return rows[[c for c in rows.columns if c in like.columns]]


def public_days_late(public: pd.DataFrame) -> pd.DataFrame:
    """Payments by days late as the public sees them: period, province (LA = national), sex (_T = both),
    days_late_bin (_T = all), payments (null when hidden) and ``suppressed`` — every level, cut from
    ``public_table``, so a total is the published total, never a sum of what is left."""
    rows = public[public["indicator_id"] == DAYS_LATE]
    return pd.DataFrame(
        {
            "period": rows["period"].to_numpy(),
            "province": rows["province"].to_numpy(),
            "sex": rows["sex"].to_numpy(),
            DAYS_LATE_BIN: rows["breakdown_value"].to_numpy(),
            "payments": rows["value"].to_numpy(dtype=float),
            "suppressed": rows["suppressed"].to_numpy(dtype=bool),
        }
    )


def funnel_rows(funnel: pd.DataFrame, like: pd.DataFrame) -> pd.DataFrame:
    """The referral funnel by period and province (and national) as rows of the tidy table's shape."""
    by_province = funnel.groupby(["period", "province"], as_index=False)[
        ["made", "completed", "feedback_returned"]
    ].sum()
    national = by_province.groupby("period", as_index=False)[["made", "completed", "feedback_returned"]].sum()
    both = pd.concat([by_province, national.assign(province=NATIONAL)], ignore_index=True)
    base = both.assign(district=None, sex=TOTAL, breakdown=TOTAL, breakdown_value=TOTAL, unit="persons")
    made = base.assign(
        indicator_id=FUNNEL,
        numerator=base["completed"].astype(float),
        denominator=base["made"].astype(float),
        value=np.nan,
    )
    feedback = base.assign(
        indicator_id=FUNNEL_FEEDBACK,
        numerator=base["feedback_returned"].astype(float),
        denominator=np.nan,
        value=base["feedback_returned"].astype(float),
    )
    rows = pd.concat([made, feedback], ignore_index=True)
    return rows[[c for c in rows.columns if c in like.columns]]


def public_funnel(public: pd.DataFrame) -> pd.DataFrame:
    """The referral funnel as the public sees it: period, province (LA = national), made, completed,
    feedback_returned (null when hidden) and ``suppressed`` — cut from ``public_table``, so it hides exactly what
    the indicator table hides."""
    key = ["period", "province"]
    made = public[public["indicator_id"] == FUNNEL]
    feedback = public[public["indicator_id"] == FUNNEL_FEEDBACK]
    out = made[key].assign(
        completed=made["numerator"].to_numpy(),
        made=made["denominator"].to_numpy(),
        suppressed=made["suppressed"].to_numpy(),
    )
    out = out.merge(
        feedback[key].assign(
            feedback_returned=feedback["numerator"].to_numpy(), feedback_suppressed=feedback["suppressed"].to_numpy()
        ),
        on=key,
        how="left",
    )
    out["suppressed"] = out["suppressed"] | out["feedback_suppressed"].fillna(False).astype(bool)
    return out.drop(columns="feedback_suppressed")[key + ["made", "completed", "feedback_returned", "suppressed"]]


# Components of the Provincial Coordination Index that are shares of an indicator's persons: (column, indicator).
PCI_COMPONENTS = (
    ("referral_completion", "COORD_REFERRAL_DONE"),
    ("payment_on_time", "PAY_ONTIME"),
    ("id_linkability", "COORD_ID_LINKABLE"),
)


def public_pci(pci: pd.DataFrame, public: pd.DataFrame) -> pd.DataFrame:
    """The PCI table as the public sees it: a component is the share of an indicator's province row, so it is hidden
    (``<component>_suppressed``) where that row is; the score and the reasons, which are computed from the components,
    go with it (``score_suppressed``)."""
    out = pci.copy()
    totals = public[public["district"].isna() & (public["sex"] == TOTAL) & (public["breakdown"] == TOTAL)]
    any_hidden = pd.Series(False, index=out.index)
    for column, indicator in PCI_COMPONENTS:
        rows = totals[totals["indicator_id"] == indicator].set_index(["period", "province"])["suppressed"]
        keys = pd.MultiIndex.from_frame(out[["period", "province"]])
        hidden = pd.Series(rows.reindex(keys).fillna(False).astype(bool).to_numpy(), index=out.index)
        if column in out.columns:
            out[column] = out[column].where(~hidden)
            out[f"{column}_suppressed"] = hidden
        any_hidden |= hidden
    for column in ("score", "reasons"):
        if column in out.columns:
            out[column] = out[column].where(~any_hidden)
            out[f"{column}_suppressed"] = any_hidden
    return out


def lined_up(computed: pd.DataFrame, public: pd.DataFrame) -> pd.DataFrame:
    """``computed`` in the row order of ``public`` (the same cells, e.g. a public table another process wrote),
    matched by cell key (pandas matches missing keys, such as no district, with each other)."""
    key = [c for c in CELL_COLUMNS if c in public.columns]
    public = public.reset_index(drop=True)
    computed = computed.reset_index(drop=True)
    if public[key].equals(computed[key]):
        return computed
    position = computed[key].reset_index().merge(public[key].reset_index(), on=key, suffixes=("", "_public"))
    if len(position) != len(public) or len(public) != len(computed):
        raise ValueError("the public table and the computed one do not hold the same cells")
    return computed.iloc[position.sort_values("index_public")["index"].to_numpy()].reset_index(drop=True)


def audit(public: pd.DataFrame, computed: pd.DataFrame) -> pd.DataFrame:
    """Rows of ``public`` whose hidden figures an attacker holding every public figure can compute exactly: every
    equation that holds (``figure_equations``) solved together, numerators and denominators apart.

    ``computed`` is the same cells as computed, in any order (it says which equations hold). Empty when safe.
    """
    public = public.reset_index(drop=True)
    computed = lined_up(computed, public)
    figures = figure_matrix(computed.reset_index(drop=True))
    hidden = public["suppressed"].to_numpy(dtype=bool)
    unknown = np.repeat(hidden, figures.shape[1]) & ~np.isnan(figures.reshape(-1))
    cells = determined_cells(unknown, figure_equations(computed.reset_index(drop=True), figures))
    # A figure pinned to 0 is no disclosure (0 is not small: rows absent for nobody make such equations).
    flat = figures.reshape(-1)
    return public.iloc[sorted({c // figures.shape[1] for c in cells if flat[c] != 0})]
