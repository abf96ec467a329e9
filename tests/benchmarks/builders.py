"""Small alliances for the disclosure tests: firms, amounts and cells in a few lines."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal

from apps.benchmarks.codes import Aggregation, MeasureClass, Statistic, Status
from apps.benchmarks.disclosure import RunOutcome, protect_run
from apps.benchmarks.inputs import Amount, Cell, EarlierFigure, Firm
from apps.benchmarks.policy import DEFAULT_POLICY, Policy

MONTH = "2026-01"
MONTH_END = date(2026, 1, 31)
LATER = date(2030, 1, 1)
"""A `today` long after every period, when the lag no longer matters."""


def firms(count: int, *, prefix: str = "f", groups: Mapping[str, str] | None = None) -> list[Firm]:
    """Firms f0..f{count-1}, each its own enterprise group unless `groups` says otherwise."""
    groups = groups or {}
    return [Firm(f"{prefix}{i}", groups.get(f"{prefix}{i}", f"group-{prefix}{i}")) for i in range(count)]


def amounts(quantity: str, values: Mapping[str, float], slice_: str = MONTH) -> list[Amount]:
    return [Amount(firm, quantity, slice_, float(value)) for firm, value in values.items()]


def sum_cell(
    key: str,
    members: Iterable[str],
    *,
    quantity: str = "quantity_t",
    measure_class: MeasureClass = MeasureClass.QUANTITY,
    slices: Iterable[str] = (MONTH,),
    period_end: date = MONTH_END,
    rounding: Decimal | None = None,
) -> Cell:
    return Cell(
        key,
        quantity,
        measure_class,
        Aggregation.SUM,
        quantity,
        None,
        frozenset(members),
        frozenset(slices),
        period_end,
        rounding,
    )


def ratio_cell(
    key: str,
    members: Iterable[str],
    *,
    quantity: str = "value_usd",
    per: str = "quantity_t",
    measure_class: MeasureClass = MeasureClass.PRICE_COST,
    aggregation: Aggregation = Aggregation.RATIO,
    slices: Iterable[str] = (MONTH,),
    period_end: date = MONTH_END,
) -> Cell:
    return Cell(
        key,
        f"{quantity}_per_{per}",
        measure_class,
        aggregation,
        quantity,
        per,
        frozenset(members),
        frozenset(slices),
        period_end,
    )


def run(
    cells: Iterable[Cell],
    all_firms: Iterable[Firm],
    all_amounts: Iterable[Amount],
    *,
    today: date = LATER,
    earlier: Iterable[EarlierFigure] = (),
    policy: Policy = DEFAULT_POLICY,
) -> RunOutcome:
    return protect_run(
        cells=list(cells),
        firms=list(all_firms),
        amounts=list(all_amounts),
        today=today,
        earlier=earlier,
        policy=policy,
    )


def statuses(outcome: RunOutcome, cell: str) -> dict[Statistic, Status]:
    return {d.statistic: d.status for d in outcome.decisions if d.cell == cell}


def published(outcome: RunOutcome) -> set[tuple[str, Statistic]]:
    return {(d.cell, d.statistic) for d in outcome.decisions if d.status is Status.PUBLISHED}
