"""Window quantiles and the static order-statistics audit (reference/disclosure-control.md §3.1).

A window-k quantile is the mean of the k sorted contributor figures nearest the quantile's position
h = (n - 1)·p, so no contributor weighs more than 1/k of it and a neighbour cannot undo it as it can
undo an interpolated median. Which statistics may be published together at n contributors follows from
a static audit that depends on n, the statistics and k only, never on the data: every published figure
is a linear row over the sorted figures, and a coalition of insiders who know their own figures and
ranks must not find any other contributor's figure in the span of those rows and their own.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from functools import cache
from itertools import combinations

import numpy as np
import numpy.typing as npt

from apps.benchmarks.codes import QUANTILE_LEVELS, STATISTICS, Statistic

STATIC_AUDIT_UP_TO = 30
"""The static audit is run for n up to this; the per-set minimums hold for every larger n tested."""


def window_positions(n: int, level: Fraction, window: int) -> range:
    """The sorted positions (0-based) a window quantile averages: the `window` positions nearest
    h = (n - 1)·level, found as the run starting at ceil(h - window/2), so that a tie between two runs
    goes to the lower one; clamped to the sample. Needs n ≥ window."""
    if n < window:
        raise ValueError(f"a window of {window} needs at least {window} contributors, not {n}")
    start = math.ceil((n - 1) * level - Fraction(window, 2))
    start = min(max(start, 0), n - window)
    return range(start, start + window)


def window_quantile(figures: Sequence[float], level: Fraction, window: int) -> tuple[float, range]:
    """The window quantile of already sorted figures and the positions it averages."""
    positions = window_positions(len(figures), level, window)
    return math.fsum(figures[i] for i in positions) / window, positions


def statistic_rows(statistics: frozenset[Statistic], n: int, window: int) -> npt.NDArray[np.float64]:
    """The linear rows (over the n sorted figures) of the statistics published together: the mean is
    a row of ones (with n published, the mean gives the total), a quantile is ones on its window."""
    rows = []
    for statistic in STATISTICS:
        if statistic not in statistics:
            continue
        row = np.zeros(n)
        if statistic is Statistic.MEAN:
            row[:] = 1.0
        else:
            row[list(window_positions(n, QUANTILE_LEVELS[statistic], window))] = 1.0
        rows.append(row)
    return np.array(rows).reshape(len(rows), n)


@cache
def order_statistics_safe(statistics: frozenset[Statistic], n: int, window: int, insiders: int) -> bool:
    """Whether publishing `statistics` of n contributors lets no coalition of `insiders` contributors
    (each knowing its own figure and rank) determine another contributor's figure exactly.

    For each coalition the insiders' columns are removed; another figure j is determined exactly when
    the unit vector e_j lies in the row space of what is left, that is when the diagonal entry j of the
    projector onto that row space is 1. All coalitions are decided in one batched SVD."""
    if n < window or insiders >= n:
        return False
    rows = statistic_rows(statistics, n, window)
    if rows.shape[0] == 0:
        return True
    coalitions = np.array(list(combinations(range(n), insiders)), dtype=np.intp)
    coalitions = coalitions.reshape(max(len(coalitions), 1), insiders)
    batch = np.repeat(rows[np.newaxis], len(coalitions), axis=0)
    for member in range(insiders):
        batch[np.arange(len(coalitions)), :, coalitions[:, member]] = 0.0
    _, singular, vh = np.linalg.svd(batch, full_matrices=False)
    tolerance = singular.max(axis=1, keepdims=True) * max(batch.shape[1:]) * np.finfo(np.float64).eps
    kept = (singular > tolerance).astype(np.float64)
    diagonal = np.einsum("bij,bi->bj", vh**2, kept)
    return not bool((diagonal > 1.0 - 1e-9).any())


def minimum_firms(
    statistics: frozenset[Statistic], window: int, insiders: int, up_to: int = STATIC_AUDIT_UP_TO
) -> int | None:
    """The smallest n from which publishing `statistics` together is safe against `insiders` colluding
    contributors for every n up to `up_to`; None when it is not safe even at `up_to`."""
    for n in range(up_to, 0, -1):
        if not order_statistics_safe(statistics, n, window, insiders):
            return n + 1 if n < up_to else None
    return 1
