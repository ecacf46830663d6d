"""Kaplan-Meier quantiles of many groups at once, from counted observations (days, how many, how many of them paid).

An unpaid payment is "censored": it is at least ``t`` days late and may be much later. The q-quantile is the first
number of days by which a share q of the observations is estimated to have been paid. When fewer than that share is
paid within the longest time observed, the answer is that longest time - a lower bound ("at least") - so unpaid
payments piling up make the figure rise, never fall.

Every group is estimated in one pass over arrays holding each group's rows together, in order of days: the only
Python loop runs over the rank of a day within its group (a few hundred at most), never over groups. Each group's survival is the same running product,
multiplied in the same order, as ``numpy.cumprod`` over that group alone, so the figures are those of a per-group
estimate to the last bit.
"""

from __future__ import annotations

import numpy as np

# A share reached up to this much below q counts as reached (0.5 estimated as 0.49999999999999994 is 0.5).
TOLERANCE = 1e-12


def quantiles(
    group: np.ndarray, days: np.ndarray, count: np.ndarray, paid: np.ndarray, q: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The q-quantile of each group, from rows with each group's rows together (in any order of groups), sorted by
    days within it, one row per distinct day of a group.

    ``count``: observations at that day (paid or not); ``paid``: how many of them were paid at that day. Returns
    (first row index of each group, quantile, lower-bound flag), one entry per group in order of appearance.
    """
    return quantiles_of_curves(curves(group, count, paid), days, q)


def curves(group: np.ndarray, count: np.ndarray, paid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each group's Kaplan-Meier survival after each of its rows (rows as ``quantiles`` takes them): (first row index
    of each group, survival per row). Every quantile of the same observations is read from these
    (``quantiles_of_curves``), so estimating a second one costs no second product."""
    size = len(group)
    if size == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    count = count.astype(np.int64, copy=False)
    paid = paid.astype(np.int64, copy=False)
    starts = np.flatnonzero(np.concatenate(([True], group[1:] != group[:-1])))
    sizes = np.diff(np.append(starts, size))
    running = np.cumsum(count)
    earlier = running - count  # observations in earlier rows, all groups together
    before = earlier - np.repeat(earlier[starts], sizes)  # ... of the same group: fewer days
    at_risk = np.repeat(np.add.reduceat(count, starts), sizes) - before
    factor = 1 - paid / at_risk
    return starts, _running_product(factor, starts, sizes)


def quantiles_of_curves(
    curve: tuple[np.ndarray, np.ndarray], days: np.ndarray, q: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``quantiles`` read from the groups' survival (``curves``) over the same rows."""
    starts, survival = curve
    size = len(survival)
    if size == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0, dtype=bool)
    reached = (1 - survival) >= q - TOLERANCE
    first = np.minimum.reduceat(np.where(reached, np.arange(size), size), starts)
    found = first < size
    last = np.append(starts[1:], size) - 1
    value = np.where(found, days[np.minimum(first, size - 1)], days[last]).astype(float)
    return starts, value, ~found


def _running_product(factor: np.ndarray, starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """``numpy.cumprod`` of each group's slice, all groups at once: step k multiplies every group's k-th factor."""
    rank = np.arange(len(factor)) - np.repeat(starts, sizes)
    if sizes.max() < 2**15:
        rank = rank.astype(np.int16)  # numpy sorts 16-bit integers by radix: linear time
    by_rank = np.argsort(rank, kind="stable")
    edges = np.searchsorted(rank[by_rank], np.arange(1, int(sizes.max()) + 1))
    product = factor.copy()
    for low, high in zip(edges[:-1], edges[1:]):
        rows = by_rank[low:high]
        product[rows] = product[rows - 1] * factor[rows]
    return product


def quantile_of(observations: list[dict] | None, q: float) -> tuple[float | None, bool]:
    """One group's quantile and lower-bound flag from ``{'t': days, 'paid': bool, 'n': how many (1)}`` rows."""
    observations = observations or []
    if not observations:
        return None, False
    t = np.array([o["t"] for o in observations], dtype=float)
    paid = np.array([bool(o["paid"]) for o in observations], dtype=bool)
    n = np.array([o.get("n", 1) for o in observations], dtype=np.int64)
    days, where = np.unique(t, return_inverse=True)
    count = np.bincount(where, weights=n, minlength=len(days)).astype(np.int64)
    paid_count = np.bincount(where, weights=np.where(paid, n, 0), minlength=len(days)).astype(np.int64)
    _, value, at_least = quantiles(np.zeros(len(days), dtype=np.int64), days, count, paid_count, q)
    return float(value[0]), bool(at_least[0])
