"""A sparse system of linear equations between figures, and which unknown figures it pins down exactly.

The disclosure audit's solver (``indicators.disclosure``): an attacker holding every published figure solves every
equation that holds for the hidden ones. A hidden figure is given back exactly when its unit vector lies in the row
space of the equations restricted to the hidden figures. The system is solved component by component (hidden
figures linked by an equation), by exact-pivot Gaussian elimination in NumPy: no BLAS call, whose threads spin
against each other on a busy 2-core server (a 200 x 200 SVD took seconds there, 10 ms alone). Each component's
answer is remembered on the ``Equations`` object, keyed by its hidden figures, so a solver loop that adds a
complement, or an audit of the result, only solves again the components that changed.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

_TOLERANCE = 1e-9  # coefficients are small integers: an entry this close to 0 after elimination is 0


class Equations:
    """Equations Σ coefficient · figure[cell] = 0, stored sparse: equation ``i`` holds the entries
    ``start[i]:start[i + 1]`` of ``cell`` and ``coefficient``. Indexing gives an equation as [(cell, coefficient)]."""

    def __init__(self, start: np.ndarray, cell: np.ndarray, coefficient: np.ndarray):
        self.start = np.asarray(start, dtype=np.int64)
        self.cell = np.asarray(cell, dtype=np.int64)
        self.coefficient = np.asarray(coefficient, dtype=float)
        self.equation = np.repeat(np.arange(len(self.start) - 1), np.diff(self.start))  # the equation of each entry
        self._pinned: dict[bytes, np.ndarray] = {}
        self._pinned_of_matrix: dict[tuple, np.ndarray] = {}
        self._by_cell: tuple[np.ndarray, np.ndarray] | None = None

    @classmethod
    def of(cls, equations: Equations | Sequence[Sequence[tuple[int, float]]]) -> Equations:
        """``equations`` as an ``Equations`` (a list of [(cell, coefficient), ...] is converted)."""
        if isinstance(equations, Equations):
            return equations
        lengths = [len(e) for e in equations]
        entries = [entry for e in equations for entry in e]
        cell = np.array([c for c, _ in entries], dtype=np.int64)
        coefficient = np.array([k for _, k in entries], dtype=float)
        return cls(np.concatenate([[0], np.cumsum(lengths, dtype=np.int64)]), cell, coefficient)

    def __len__(self) -> int:
        return len(self.start) - 1

    def __getitem__(self, number: int) -> list[tuple[int, float]]:
        at = slice(self.start[number], self.start[number + 1])
        return list(zip(self.cell[at].tolist(), self.coefficient[at].tolist()))

    def __iter__(self) -> Iterator[list[tuple[int, float]]]:
        return (self[i] for i in range(len(self)))

    def cells(self, number: int) -> np.ndarray:
        return self.cell[self.start[number] : self.start[number + 1]]

    def of_cell(self, cell: int) -> np.ndarray:
        """Numbers of the equations ``cell`` appears in, ascending."""
        if self._by_cell is None:
            order = np.argsort(self.cell, kind="stable")
            self._by_cell = (self.cell[order], self.equation[order])
        cells, numbers = self._by_cell
        return numbers[np.searchsorted(cells, cell, "left") : np.searchsorted(cells, cell, "right")]


def determined_cells(unknown: np.ndarray, equations: Equations | Sequence[Sequence[tuple[int, float]]]) -> list[int]:
    """Unknown cells whose exact figure follows from the known ones through ``equations`` (row space test, solved
    component by component). ``unknown`` is a boolean mask over cells."""
    system = Equations.of(equations)
    unknown = np.asarray(unknown, dtype=bool)
    live = unknown[system.cell] if len(system.cell) else np.zeros(0, dtype=bool)
    if not live.any():
        return []
    cells, numbers, coefficients = system.cell[live], system.equation[live], system.coefficient[live]
    component = _components(cells, numbers)
    # Each component's cells, sorted: the key of what was solved before.
    order = np.lexsort((cells, component))
    by_component, by_cell = component[order], cells[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = (by_component[1:] != by_component[:-1]) | (by_cell[1:] != by_cell[:-1])
    by_component, by_cell = by_component[first], by_cell[first]
    cell_bounds = np.flatnonzero(np.diff(by_component)) + 1
    entries = np.argsort(component, kind="stable")
    labels = by_component[np.r_[0, cell_bounds]]
    entry_bounds = np.r_[np.searchsorted(component[entries], labels), len(entries)]
    # A component of one equation whose cells each have one nonzero coefficient there (most of them: a set or a tie
    # with its hidden figures) pins its cell when it has one, none otherwise: answered without a matrix.
    size = int(component.max()) + 1
    equation_count = np.bincount(
        np.unique(component * (int(numbers.max()) + 1) + numbers) // (int(numbers.max()) + 1), minlength=size
    )[labels]
    entry_count = np.diff(entry_bounds)
    cell_count = np.diff(np.r_[0, cell_bounds, len(by_cell)])
    zeros = np.bincount(component, weights=np.abs(coefficients) <= _TOLERANCE, minlength=size)[labels]
    simple = (equation_count == 1) & (entry_count == cell_count) & (zeros == 0)
    starts = np.r_[0, cell_bounds]
    determined = [by_cell[starts[simple & (cell_count == 1)]]]
    for number in np.flatnonzero(~simple).tolist():
        columns = by_cell[starts[number] : starts[number] + cell_count[number]]
        key = columns.tobytes()
        if key not in system._pinned:
            at = entries[entry_bounds[number] : entry_bounds[number + 1]]
            rows, row_of = np.unique(numbers[at], return_inverse=True)
            matrix = np.zeros((len(rows), len(columns)))
            np.add.at(matrix, (row_of, np.searchsorted(columns, cells[at])), coefficients[at])
            # Components of the same shape (a set of the same size in another period...) share the answer.
            content = (matrix.shape, matrix.tobytes())
            if content not in system._pinned_of_matrix:
                system._pinned_of_matrix[content] = pinned_columns(matrix)
            system._pinned[key] = columns[system._pinned_of_matrix[content]]
        determined.append(system._pinned[key])
    return sorted(np.concatenate(determined).tolist())


def _components(cells: np.ndarray, numbers: np.ndarray) -> np.ndarray:
    """For each entry, a label of its connected component (cells linked through shared equations)."""
    distinct, cell_of = np.unique(cells, return_inverse=True)
    label = np.arange(len(distinct))
    size = int(numbers.max()) + 1
    while True:
        lowest = np.full(size, len(distinct))
        np.minimum.at(lowest, numbers, label[cell_of])
        new = label.copy()
        np.minimum.at(new, cell_of, lowest[numbers])
        new = new[new]  # labels point at cells with lower labels: jump along them
        if np.array_equal(new, label):
            return label[cell_of]
        label = new


def pinned_columns(matrix: np.ndarray) -> np.ndarray:
    """Columns x_j fixed by ``matrix`` @ x = 0 alone (their unit vector is in the row space).

    An equation of two figures equal up to sign (a tie, or a set with two hidden figures: most rows of a large
    component) says x_p = ±x_q: such columns are merged into one first (``_merged``), which leaves the same null
    space, so a column is fixed exactly when its merged column is; the rest is solved by elimination."""
    a = np.array(matrix, dtype=float)
    merged = _merged(a)
    if merged is None:
        return _eliminated(a)
    reduced, root = merged
    return np.flatnonzero(np.isin(root, pinned_columns(reduced)))


def _merged(a: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """``a`` with the columns of its rows a·x_p + b·x_q = 0, |a| = |b|, merged (x_p = ±x_q, signs followed through
    a union-find): (the other rows on the merged columns, plus a row x_r = 0 for each merged column that some cycle
    of such rows forces to 0 (x = -x); the merged column of each column of ``a``). None when no columns merge."""
    rows, width = a.shape
    nonzero = np.abs(a) > _TOLERANCE
    pair = np.flatnonzero(nonzero.sum(axis=1) == 2)
    if not len(pair):
        return None
    ends = np.nonzero(nonzero[pair])[1].reshape(-1, 2)
    first, second = a[pair, ends[:, 0]], a[pair, ends[:, 1]]
    alike = np.abs(first) == np.abs(second)
    pair, ends = pair[alike], ends[alike]
    if not len(pair):
        return None
    flip = (np.sign(first[alike]) == np.sign(second[alike])).tolist()  # a·x_p + a·x_q = 0: x_p = -x_q
    parent, negated, zero = list(range(width)), [False] * width, [False] * width

    def find(column: int) -> tuple[int, bool]:
        """The column's merged column r and whether x_column = -x_r."""
        odd = False
        while parent[column] != column:
            odd ^= negated[column]
            column = parent[column]
        return column, odd

    merges = 0
    for (p, q), opposite in zip(ends.tolist(), flip):
        root_p, odd_p = find(p)
        root_q, odd_q = find(q)
        odd = odd_p ^ opposite ^ odd_q  # x_root_p = ±x_root_q
        if root_p == root_q:
            zero[root_p] |= odd  # x_r = -x_r
        else:
            parent[root_p], negated[root_p] = root_q, odd
            zero[root_q] |= zero[root_p]
            merges += 1
    if not merges:
        return None
    found = [find(c) for c in range(width)]
    roots = np.array([r for r, _ in found], dtype=np.int64)
    sign = np.array([-1.0 if odd else 1.0 for _, odd in found])
    distinct, root = np.unique(roots, return_inverse=True)
    rest = np.ones(rows, dtype=bool)
    rest[pair] = False
    by_root = np.argsort(root, kind="stable")
    starts = np.searchsorted(root[by_root], np.arange(len(distinct)))
    signed = a[rest] * sign
    folded = np.add.reduceat(signed[:, by_root], starts, axis=1) if signed.size else signed[:, : len(distinct)]
    zeroed = np.flatnonzero(np.array(zero)[distinct])
    fixed = np.zeros((len(zeroed), len(distinct)))
    fixed[np.arange(len(zeroed)), zeroed] = 1.0
    reduced = np.vstack([folded, fixed])
    return reduced[(np.abs(reduced) > _TOLERANCE).any(axis=1)], root


def _eliminated(a: np.ndarray) -> np.ndarray:
    """``pinned_columns`` by elimination: reduced row echelon form, then a pivot column whose row is 0 on every free
    column. ``a`` is changed."""
    rows, width = a.shape
    pivots: list[int] = []
    top = 0
    for column in range(width):  # few NumPy calls a column: on a large component their overhead is the cost
        if top == rows:
            break
        below = np.abs(a[top:, column])
        best = int(below.argmax())
        if below[best] <= _TOLERANCE:
            a[top:, column] = 0.0
            continue
        if best:
            a[[top, top + best]] = a[[top + best, top]]
        pivot_row = a[top]
        pivot_row /= pivot_row[column]
        factors = a[:, column].copy()
        factors[top] = 0.0
        touched = (np.abs(factors) > _TOLERANCE).nonzero()[0]
        if len(touched):
            used = pivot_row.nonzero()[0]
            if 4 * len(touched) * len(used) < rows * width:  # sparse: only the rows and columns it changes
                a[touched[:, None], used] -= np.multiply.outer(factors[touched], pivot_row[used])
            else:  # dense: cheaper than picking them out
                factors[np.abs(factors) <= _TOLERANCE] = 0.0
                a -= np.multiply.outer(factors, pivot_row)
        a[:, column] = 0.0
        a[top, column] = 1.0
        pivots.append(column)
        top += 1
    reduced = a[: len(pivots)]
    free = np.ones(width, dtype=bool)
    free[pivots] = False
    clean = ~(np.abs(reduced[:, free]) > _TOLERANCE).any(axis=1)
    return np.asarray(pivots, dtype=np.int64)[clean]
