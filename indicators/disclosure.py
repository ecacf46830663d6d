"""Disclosure control for everything public (pages, downloads, exports): small cells hidden, nothing recoverable.

Primary suppression: a cell whose numerator or denominator is above 0 and below the threshold (a count or amount is
judged by its own figure) is hidden: numerator, denominator, value and bounds become null and ``suppressed`` is True.

Complementary suppression: published totals are sums of published cells — F + M = _T, the districts of a province =
the province, the provinces = LA, the values of a breakdown = its total. If exactly one cell of such a set (total
included) were hidden, subtraction would give it back, so a second cell of the set is hidden too (the smallest
one with data), repeatedly until no set has exactly one hidden cell. Because several sets can still combine into a
solvable system, the result is then checked with linear algebra (a hidden cell is exposed exactly when its unit
vector lies in the row space of the set equations restricted to hidden cells) and more cells are hidden until none
is exposed.

Suppress the whole table an indicator returns, then filter it for display: suppressing two different filtered
views separately could hide different cells and expose each other's.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

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
    return (f"'{SUPPRESSED_LABEL}': fewer than {threshold} people or payments, or hidden so that such a cell "
            "cannot be worked out from the totals.")


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
    primary = (_small(numerator, threshold) | _small(denominator, threshold)
               | (judged_by_value & _small(value, threshold)))
    sets = tidy_sets(frame)
    hidden = protect(primary, sets, _rank(numerator, denominator, value))
    return _mark(frame, hidden, [c for c in frame.columns if c in VALUE_COLUMNS or c.startswith(DERIVED_PREFIXES)])


def suppress_table(frame: pd.DataFrame, count_columns: Sequence[str], threshold: int = DEFAULT_THRESHOLD,
                   group_sets: Mapping[str, Hashable] | None = None) -> pd.DataFrame:
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
    identity = [c for c in CELL_COLUMNS if c in frame.columns] + (["unit"] if "unit" in frame.columns else [])
    keys = [tuple(_plain(v) for v in row) for row in frame[identity].itertuples(index=False, name=None)]
    position = {name: identity.index(name) for name in identity}
    row_of = _unique_rows(keys, frame, identity)
    members: dict[tuple, list[int]] = defaultdict(list)
    for row, key in enumerate(keys):
        for set_id, parent in _parents(key, position):
            members[set_id + (parent,)].append(row)
    return [(row_of.get(set_id[-1]), rows) for set_id, rows in members.items()]


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

    Each equation is [total, member, member, ...] meaning total − Σ members = 0. Restricted to hidden cells, the
    equations form a linear system; a hidden cell is determined exactly when its unit vector is in the row space.
    """
    hidden_rows = [r for r in range(len(hidden)) if hidden[r]]
    if not hidden_rows:
        return []
    # Connected components keep each system small (a national table splits into many independent ones).
    parent = {r: r for r in hidden_rows}

    def find(r: int) -> int:
        while parent[r] != r:
            parent[r] = parent[parent[r]]
            r = parent[r]
        return r

    involved = []
    for cells in equations:
        unknown = [c for c in cells if hidden[c]]
        if unknown:
            involved.append(cells)
            for other in unknown[1:]:
                parent[find(other)] = find(unknown[0])
    components: dict[int, list[int]] = defaultdict(list)
    for r in hidden_rows:
        components[find(r)].append(r)
    equations_of: dict[int, list[Sequence[int]]] = defaultdict(list)
    for cells in involved:
        equations_of[find(next(c for c in cells if hidden[c]))].append(cells)

    exposed = []
    for root, rows in components.items():
        column = {r: i for i, r in enumerate(rows)}
        system = np.zeros((len(equations_of[root]), len(rows)))
        for i, cells in enumerate(equations_of[root]):
            for j, c in enumerate(cells):
                if hidden[c]:
                    system[i, column[c]] += 1.0 if j == 0 else -1.0
        if not len(system):
            continue
        _, singular, vt = np.linalg.svd(system, full_matrices=False)
        rank = int((singular > 1e-9 * max(1.0, singular[0])).sum())
        in_row_space = (vt[:rank] ** 2).sum(axis=0)  # diagonal of the projector onto the row space
        exposed.extend(r for r, share in zip(rows, in_row_space) if share > 1 - 1e-9)
    return sorted(exposed)


def revealed_cells(suppressed: pd.DataFrame) -> pd.DataFrame:
    """Rows of a ``suppress()``-ed tidy table whose hidden figures could still be computed (should be empty)."""
    hidden = suppressed["suppressed"].to_numpy(dtype=bool)
    equations = [[total, *rows] for total, rows in tidy_sets(suppressed) if total is not None]
    return suppressed.iloc[exposed_cells(hidden, equations)]


# ----------------------------------------------------------------------------------------------------- helpers

def _parents(key: tuple, position: Mapping[str, int]) -> Iterable[tuple[tuple, tuple]]:
    """(set id, key of the set's total) for every set this cell is a member of."""
    def with_(**changes) -> tuple:
        parts = list(key)
        for name, value in changes.items():
            parts[position[name]] = value
        return tuple(parts)

    if "sex" in position and key[position["sex"]] != TOTAL:
        yield ("sex",), with_(sex=TOTAL)
    if "province" in position:
        district = key[position["district"]] if "district" in position else None
        if district is not None:
            yield ("district",), with_(district=None)
        elif key[position["province"]] != NATIONAL:
            yield ("province",), with_(province=NATIONAL)
    if "breakdown" in position and key[position["breakdown"]] != TOTAL:
        # Each breakdown (channel, scheme…) splits the total separately: one set per breakdown name.
        yield ("breakdown", key[position["breakdown"]]), with_(breakdown=TOTAL, breakdown_value=TOTAL)


def table_sets(table: pd.DataFrame, dimensions: list[str],
               group_sets: Mapping[str, Hashable]) -> list[tuple[int | None, list[int]]]:
    """The additive sets of a supporting table (see ``suppress_table``): (row of the total or None, rows)."""
    keys = [tuple(_plain(v) for v in row) for row in table[dimensions].itertuples(index=False, name=None)]
    row_of = _unique_rows(keys, table, dimensions)
    members: dict[tuple, list[int]] = defaultdict(list)
    for dimension, total_code in group_sets.items():
        at = dimensions.index(dimension)
        for row, key in enumerate(keys):
            if key[at] != total_code:
                members[(dimension, key[:at] + (total_code,) + key[at + 1:])].append(row)
    return [(row_of.get(parent), rows) for (_, parent), rows in members.items()]


def _unique_rows(keys: list[tuple], frame: pd.DataFrame, columns: list[str]) -> dict[tuple, int]:
    row_of: dict[tuple, int] = {}
    for row, key in enumerate(keys):
        if key in row_of:
            raise ValueError(f"two rows describe the same cell ({dict(zip(columns, key))}): rows {row_of[key]} "
                             f"and {row}; suppression needs one row per cell")
        row_of[key] = row
    return row_of


def _hide_lonely_cells(hidden: np.ndarray, equations: Sequence[Sequence[int]],
                       sets_of_row: Mapping[int, list[int]], rank: np.ndarray) -> None:
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
        choice = min(members or [c for c in cells[:1] if not hidden[c]],
                     key=lambda c: (-sum(_hidden_count(equations[e], hidden) == 1 for e in sets_of_row[c]), rank[c]))
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
    frame["suppressed_label"] = pd.Series(np.where(hidden, SUPPRESSED_LABEL, None), index=frame.index,
                                          dtype=object)
    return frame
