"""Exact row spaces over the rationals, by Gaussian elimination in fractions.Fraction.

The audit decides in floating point with a tolerance; this module decides the same question with no
tolerance at all, as an independent check (the property tests of reference §6.8 P2 use it). Every
float is converted exactly (Fraction(0.1) is 3602879701896397/36028797018963968), so a row with a
published ratio as a coefficient is treated exactly as the audit's float row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from fractions import Fraction

SparseRow = Mapping[object, Fraction | int | float]


class ExactRowSpace:
    """The span of some sparse rows (mappings from a variable to its coefficient), kept in reduced
    echelon form. `contains(v)` is True exactly when v is a rational combination of the rows."""

    def __init__(self, rows: Iterable[SparseRow] = ()) -> None:
        self._pivots: dict[object, dict[object, Fraction]] = {}
        for row in rows:
            self.add(row)

    @property
    def rank(self) -> int:
        return len(self._pivots)

    def _reduce(self, row: SparseRow) -> dict[object, Fraction]:
        reduced = {key: Fraction(value) for key, value in row.items() if value != 0}
        for pivot, basis in self._pivots.items():
            factor = reduced.get(pivot)
            if factor:
                _subtract(reduced, basis, factor)
        return reduced

    def add(self, row: SparseRow) -> bool:
        """Adds a row; False when it was already in the span."""
        reduced = self._reduce(row)
        if not reduced:
            return False
        pivot = min(reduced, key=repr)
        scale = reduced[pivot]
        reduced = {key: value / scale for key, value in reduced.items()}
        for basis in self._pivots.values():
            factor = basis.get(pivot)
            if factor:
                _subtract(basis, reduced, factor)
        self._pivots[pivot] = reduced
        return True

    def contains(self, vector: SparseRow) -> bool:
        return not self._reduce(vector)


def _subtract(target: dict[object, Fraction], row: dict[object, Fraction], factor: Fraction) -> None:
    """target -= factor * row, in place, dropping the entries that become zero."""
    for key, value in row.items():
        updated = target.get(key, Fraction(0)) - factor * value
        if updated:
            target[key] = updated
        else:
            target.pop(key, None)


def in_row_space(rows: Iterable[SparseRow], vector: SparseRow) -> bool:
    """Whether `vector` is exactly a rational combination of `rows`."""
    return ExactRowSpace(rows).contains(vector)
