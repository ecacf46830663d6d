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
    entry_bounds = np.searchsorted(component[entries], by_component[np.r_[0, cell_bounds]])
    entry_bounds = np.r_[entry_bounds, len(entries)]
    determined = []
    for number, columns in enumerate(np.split(by_cell, cell_bounds)):
        key = columns.tobytes()
        if key not in system._pinned:
            at = entries[entry_bounds[number] : entry_bounds[number + 1]]
            rows, row_of = np.unique(numbers[at], return_inverse=True)
            matrix = np.zeros((len(rows), len(columns)))
            np.add.at(matrix, (row_of, np.searchsorted(columns, cells[at])), coefficients[at])
            system._pinned[key] = columns[pinned_columns(matrix)]
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
    """Columns x_j fixed by ``matrix`` @ x = 0 alone (their unit vector is in the row space): reduced row echelon
    form, then a pivot column whose row is 0 on every free column."""
    a = np.array(matrix, dtype=float)
    rows, width = a.shape
    pivots: list[int] = []
    for column in range(width):
        top = len(pivots)
        if top == rows:
            break
        below = np.abs(a[top:, column])
        best = int(below.argmax())
        if below[best] <= _TOLERANCE:
            a[top:, column] = 0.0
            continue
        if best:
            a[[top, top + best]] = a[[top + best, top]]
        a[top] /= a[top, column]
        factors = a[:, column].copy()
        factors[top] = 0.0
        touched = np.flatnonzero(np.abs(factors) > _TOLERANCE)
        if len(touched):
            used = np.flatnonzero(a[top])
            if 4 * len(touched) * len(used) < rows * width:  # sparse: only the rows and columns it changes
                a[np.ix_(touched, used)] -= np.outer(factors[touched], a[top, used])
            else:  # dense: cheaper than picking them out
                factors[np.abs(factors) <= _TOLERANCE] = 0.0
                a -= np.outer(factors, a[top])
        a[:, column] = 0.0
        a[top, column] = 1.0
        pivots.append(column)
    reduced = a[: len(pivots)]
    free = np.ones(width, dtype=bool)
    free[pivots] = False
    clean = ~(np.abs(reduced[:, free]) > _TOLERANCE).any(axis=1)
    return np.asarray(pivots, dtype=np.int64)[clean]
