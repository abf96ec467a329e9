"""What one benchmark run is given, and the contributors of a cell.

A run sees firms (each in one enterprise group), amounts (one summed quantity of one firm in one
slice: a month, a month x destination; the finest breakdown the run's cells are built from) and cells.
A cell adds up its cohort's amounts over its slices, so cells that share firms and slices share the
same unknowns, and the audit sees how they combine: a year is the sum of its months, a cohort the sum
of its sub-cohorts. Firms of one enterprise group are one contributor: their amounts in a cell are
added before any rule looks at them.
"""

from __future__ import annotations

import calendar
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from apps.benchmarks.codes import Aggregation, MeasureClass, Statistic


class InputError(ValueError):
    """The run's input is inconsistent (an unknown firm, a duplicated amount, a ratio without a
    denominator); the run is refused rather than guessed at."""


@dataclass(frozen=True)
class Firm:
    id: str
    group: str
    """The enterprise group (ultimate owner): firms of one group count as one contributor."""


@dataclass(frozen=True)
class Amount:
    """One summed quantity of one firm in one slice, e.g. ("firm-7", "value_usd", "2026-03|KZ", 1.2e5).
    For a weighted mean the weighted numerator is its own quantity (Σ brix·quantity) next to the weight."""

    firm: str
    quantity: str
    slice: str
    value: float


@dataclass(frozen=True)
class Cell:
    """One benchmark cell: a cohort x measure x period (x breakdown). `quantity` is what is summed
    (sum), the numerator (ratio) or the weighted numerator (weighted_mean); `per` is the denominator or
    the weight, None for a sum. `firms` is the cohort's membership; `slices` the slices it adds up."""

    key: str
    measure: str
    measure_class: MeasureClass
    aggregation: Aggregation
    quantity: str
    per: str | None
    firms: frozenset[str]
    slices: frozenset[str]
    period_end: date
    rounding: Decimal | None = None


@dataclass(frozen=True)
class EarlierFigure:
    """A figure an earlier run published for the same measures and periods, as the linear fact it gave
    away: the total of `quantity` (and of `per`) over `firms` x `slices` for a mean, or the window of a
    quantile (for a ratio or weighted mean: the sum of its contributors' figures). Earlier facts are
    evaluated on today's amounts, the worst case: an attacker is assumed to know them exactly."""

    label: str
    quantity: str
    per: str | None
    statistic: Statistic
    firms: frozenset[str]
    slices: frozenset[str]


@dataclass(frozen=True)
class Contributor:
    """One enterprise group in one cell: its firms there and its summed amounts."""

    group: str
    firms: tuple[str, ...]
    numerator: float
    denominator: float | None

    @property
    def figure(self) -> float:
        """Its one figure in the cell: the sum, or numerator / denominator."""
        return self.numerator if self.denominator is None else self.numerator / self.denominator


class AmountTable:
    """The run's amounts, checked and indexed by quantity and firm."""

    def __init__(self, firms: Iterable[Firm], amounts: Iterable[Amount]) -> None:
        self.groups: dict[str, str] = {}
        for firm in firms:
            if firm.id in self.groups or not firm.id or not firm.group:
                raise InputError(f"firm {firm.id!r} is duplicated or has no enterprise group")
            self.groups[firm.id] = firm.group
        self.values: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
        self.negative: set[str] = set()
        for amount in amounts:
            if amount.firm not in self.groups:
                raise InputError(f"amount of unknown firm {amount.firm!r}")
            if not math.isfinite(amount.value):
                raise InputError(f"amount {amount.quantity} of {amount.firm!r} is not a finite number")
            slices = self.values[(amount.quantity, amount.firm)]
            if amount.slice in slices:
                raise InputError(
                    f"amount {amount.quantity} of {amount.firm!r} in {amount.slice!r} is repeated"
                )
            slices[amount.slice] = float(amount.value)
            if amount.value < 0:
                self.negative.add(amount.quantity)

    def slices_of(self, quantity: str, firm: str, slices: frozenset[str]) -> list[str]:
        """The slices among `slices` where `firm` has an amount of `quantity`, sorted."""
        held = self.values.get((quantity, firm), {})
        return sorted(s for s in held if s in slices)

    def total(self, quantity: str, firms: Iterable[str], slices: frozenset[str]) -> float:
        return math.fsum(
            self.values[(quantity, firm)][s] for firm in firms for s in self.slices_of(quantity, firm, slices)
        )

    def nonnegative(self, quantity: str) -> bool:
        return quantity not in self.negative


def check_cells(cells: Iterable[Cell], table: AmountTable) -> None:
    """Refuses cells with a duplicated key, an unknown firm or an aggregation without its parts."""
    seen = set()
    for cell in cells:
        if cell.key in seen or not cell.key:
            raise InputError(f"cell key {cell.key!r} is duplicated or empty")
        seen.add(cell.key)
        if (cell.aggregation is Aggregation.SUM) != (cell.per is None) or cell.per == cell.quantity:
            raise InputError(f"cell {cell.key}: a sum has no `per`; a ratio or weighted mean needs its own")
        if not cell.slices:
            raise InputError(f"cell {cell.key}: no slices")
        unknown = sorted(cell.firms - table.groups.keys())
        if unknown:
            raise InputError(f"cell {cell.key}: unknown firms {unknown}")
        if cell.rounding is not None and not cell.rounding > 0:
            raise InputError(f"cell {cell.key}: rounding must be positive")


def contributors(cell: Cell, table: AmountTable) -> tuple[Contributor, ...]:
    """The cell's contributors, one per enterprise group that has an amount in it, sorted by group.
    For a ratio or weighted mean a group needs a positive denominator; a numerator without one is
    refused as inconsistent input."""
    by_group: Mapping[str, list[str]] = defaultdict(list)
    for firm in sorted(cell.firms):
        parts = (cell.quantity,) if cell.per is None else (cell.quantity, cell.per)
        if any(table.slices_of(part, firm, cell.slices) for part in parts):
            by_group[table.groups[firm]].append(firm)
    found = []
    for group in sorted(by_group):
        firms = tuple(by_group[group])
        numerator = table.total(cell.quantity, firms, cell.slices)
        denominator = None if cell.per is None else table.total(cell.per, firms, cell.slices)
        if denominator is not None and denominator <= 0:
            if numerator != 0 or denominator < 0:
                raise InputError(f"cell {cell.key}: a group has {cell.quantity} but no positive {cell.per}")
            continue
        found.append(Contributor(group, firms, numerator, denominator))
    return tuple(found)


def available_from(period_end: date, lag_months: int) -> date:
    """The first day a figure of a period ending on `period_end` may be shown: the day after the
    period ends, `lag_months` later (the day clamped to the month's length)."""
    start = date.fromordinal(period_end.toordinal() + 1)
    month = start.month - 1 + lag_months
    year, month = start.year + month // 12, month % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))
