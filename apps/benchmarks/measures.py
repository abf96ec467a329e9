"""What a standard benchmarks: its measures with a disclosure class, each as the summed quantities the
engine works on, and the periods' last days.

A sum is one quantity (`quantity`); a ratio is its numerator over its denominator (`value` per
`quantity`); a weighted mean is the weighted numerator (`brix*quantity`, Σ brix·quantity) over the
weight summed where the measure was given (`quantity|brix`); when the standard requires the measure
on every row that weight is the weight itself (`quantity`), so the audit sees that it is one unknown.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from apps.benchmarks.codes import Aggregation, MeasureClass
from apps.standards.models import Field, StandardVersion
from apps.standards.slots import column_of


@dataclass(frozen=True)
class Quantity:
    """One summed quantity: SUM(column), SUM(column * weight) or SUM(column) FILTER (WHERE present)."""

    name: str
    column: str
    times: str | None = None
    where_present: str | None = None


@dataclass(frozen=True)
class Measure:
    name: str
    field: Field
    measure_class: MeasureClass
    aggregation: Aggregation
    quantity: str
    per: str | None
    unit: str
    rounding: Decimal | None


def _rounding(field: Field) -> Decimal | None:
    return None if field.precision is None else Decimal(1).scaleb(-field.precision)


def benchmark_measures(fields: list[Field]) -> tuple[list[Measure], dict[str, Quantity]]:
    """The measures of a version that benchmarks publish (those with a disclosure class and an
    aggregation), and the quantities they need, by name."""
    by_name = {field.name: field for field in fields}
    measures: list[Measure] = []
    quantities: dict[str, Quantity] = {}

    def stored(name: str) -> str:
        quantities.setdefault(name, Quantity(name, column_of(by_name[name])))
        return name

    for field in fields:
        if field.role != Field.Role.MEASURE or not field.disclosure_class or not field.aggregation:
            continue
        aggregation, names = Aggregation(field.aggregation), list(field.aggregation_fields)
        if aggregation is Aggregation.SUM:
            quantity, per = stored(field.name), None
        elif aggregation is Aggregation.RATIO:
            quantity, per = stored(names[0]), stored(names[1])
        else:
            weight = by_name[names[0]]
            column, weight_column = column_of(field), column_of(weight)
            quantity = f"{field.name}*{weight.name}"
            quantities[quantity] = Quantity(quantity, column, times=weight_column)
            if field.required:
                per = stored(weight.name)
            else:
                per = f"{weight.name}|{field.name}"
                quantities[per] = Quantity(per, weight_column, where_present=column)
        measures.append(
            Measure(
                name=field.name,
                field=field,
                measure_class=MeasureClass(field.disclosure_class),
                aggregation=aggregation,
                quantity=quantity,
                per=per,
                unit=field.unit,
                rounding=_rounding(field),
            )
        )
    return measures, quantities


def period_end(period: str, frequency: str) -> date:
    """The last day of a period: 2026-09 → 30 September, 2026-Q3 → 30 September, a season or a year
    → 31 December."""
    year = int(period[:4])
    if frequency == StandardVersion.Frequency.MONTH:
        month = int(period[5:7])
    elif frequency == StandardVersion.Frequency.QUARTER:
        month = 3 * int(period[-1])
    else:
        month = 12
    return date(year, month, calendar.monthrange(year, month)[1])
