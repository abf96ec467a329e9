"""The cells of one run: every cohort x measure, whole and broken down by each breakdown field's
values, one at a time. A cell's key reads `cohort|measure|` (whole) or `cohort|measure|field=value`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from apps.benchmarks.inputs import Amount, Cell
from apps.benchmarks.measures import Measure
from apps.benchmarks.sources import WHOLE, Contributor


@dataclass(frozen=True)
class CohortRule:
    """A cohort as a run applies it: its code and its fixed filters (an empty filter admits all)."""

    code: str
    regions: frozenset[str] = frozenset()
    size_classes: frozenset[str] = frozenset()

    def admits(self, firm: Contributor) -> bool:
        return (
            firm.active
            and (not self.regions or firm.region in self.regions)
            and (not self.size_classes or firm.size_class in self.size_classes)
        )


@dataclass(frozen=True)
class CellKey:
    cohort: str
    measure: str
    breakdown_field: str
    breakdown_value: str

    @property
    def text(self) -> str:
        where = f"{self.breakdown_field}={self.breakdown_value}" if self.breakdown_field else ""
        return f"{self.cohort}|{self.measure}|{where}"

    @classmethod
    def parse(cls, text: str) -> CellKey:
        cohort, measure, where = text.split("|", 2)
        field, _, value = where.partition("=")
        return cls(cohort, measure, field, value)


def breakdown_values(amounts: Iterable[Amount], breakdowns: Sequence[str]) -> dict[str, list[str]]:
    """The values each breakdown field takes in the run's slices, sorted (empty values are no cell)."""
    seen: dict[str, set[str]] = {name: set() for name in breakdowns}
    for where in {amount.slice for amount in amounts if amount.slice != WHOLE}:
        for name, value in zip(breakdowns, where.split("|"), strict=True):
            if value:
                seen[name].add(value)
    return {name: sorted(values) for name, values in seen.items()}


def build_cells(
    *,
    cohorts: Sequence[CohortRule],
    measures: Sequence[Measure],
    breakdowns: Sequence[str],
    amounts: Sequence[Amount],
    firms: Sequence[Contributor],
    period_end: date,
) -> list[Cell]:
    slices = sorted({amount.slice for amount in amounts}) or [WHOLE]
    values = breakdown_values(amounts, breakdowns)
    parts: list[tuple[str, str, frozenset[str]]] = [("", "", frozenset(slices))]
    for position, name in enumerate(breakdowns):
        for value in values[name]:
            matching = frozenset(s for s in slices if s.split("|")[position] == value)
            parts.append((name, value, matching))
    cells = []
    for cohort in cohorts:
        members = frozenset(firm.id for firm in firms if cohort.admits(firm))
        for measure in measures:
            for field, value, matching in parts:
                cells.append(
                    Cell(
                        key=CellKey(cohort.code, measure.name, field, value).text,
                        measure=measure.name,
                        measure_class=measure.measure_class,
                        aggregation=measure.aggregation,
                        quantity=measure.quantity,
                        per=measure.per,
                        firms=members,
                        slices=matching,
                        period_end=period_end,
                        rounding=measure.rounding,
                    )
                )
    return cells
