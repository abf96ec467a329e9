"""A firm's position in one cell: its own combined figure and the band of published quantiles it falls
in ("between p25 and the median"). Derived from the published figures and its own value only, so it
tells the firm nothing about anyone else (DESIGN §5).

The own figure is the organization's own: a sister firm of the same enterprise group is another
organization, whose data this one does not see, even though the two count as one contributor.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from apps.benchmarks import sources
from apps.benchmarks.cells import CellKey
from apps.benchmarks.codes import Aggregation, Statistic, Status
from apps.benchmarks.inputs import Amount
from apps.benchmarks.measures import Measure, Quantity, benchmark_measures
from apps.benchmarks.selectors import Filters, Shown, current_figures, shown
from apps.organizations.models import Organization
from apps.standards.models import Field, Standard
from apps.standards.selectors import current_version, fields_of

QUANTILES = (Statistic.P10, Statistic.P25, Statistic.MEDIAN, Statistic.P75, Statistic.P90)


@dataclass(frozen=True)
class Position:
    own: float | None
    """The organization's own figure in the cell (None: it has no data there)."""
    lower: Statistic | None
    upper: Statistic | None
    """The band: the published quantiles just below (or at) and just above the own figure."""
    figures: dict[Statistic, Shown]
    """The cell's figures as shown today, by statistic."""
    measure: Measure

    @property
    def band_known(self) -> bool:
        return self.own is not None and (self.lower is not None or self.upper is not None)


def measure_of(standard: Standard, name: str) -> Measure | None:
    version = current_version(standard)
    if version is None:
        return None
    return next((m for m in benchmark_measures(fields_of(version))[0] if m.name == name), None)


def _cell_parts(standard: Standard, measure: Measure) -> tuple[list[Field], list[Quantity]] | None:
    """The version's breakdown fields and the quantities `measure` combines (None: no version)."""
    version = current_version(standard)
    if version is None:
        return None
    fields = fields_of(version)
    _measures, quantities = benchmark_measures(fields)
    by_name = {field.name: field for field in fields}
    breakdowns = [by_name[name] for name in version.breakdowns if name in by_name]
    parts = [quantities[measure.quantity]] + ([quantities[measure.per]] if measure.per else [])
    return breakdowns, parts


def _combine(amounts: list[Amount], measure: Measure, key: CellKey, breakdowns: list[Field]) -> float | None:
    """A firm's amounts over the cell's slices combined as the standard's aggregation says."""
    position = (
        [field.name for field in breakdowns].index(key.breakdown_field) if key.breakdown_field else None
    )

    def inside(where: str) -> bool:
        return position is None or where.split("|")[position] == key.breakdown_value

    chosen = [amount for amount in amounts if inside(amount.slice)]
    numerator = [a.value for a in chosen if a.quantity == measure.quantity]
    if not numerator:
        return None
    if measure.aggregation is Aggregation.SUM:
        return math.fsum(numerator)
    denominator = math.fsum(a.value for a in chosen if a.quantity == measure.per)
    return math.fsum(numerator) / denominator if denominator > 0 else None


def own_figure(
    organization: Organization, standard: Standard, period: str, measure: Measure, key: CellKey
) -> float | None:
    """The organization's combined figure over the cell's slices, as the standard's aggregation says."""
    found = _cell_parts(standard, measure)
    if found is None:
        return None
    breakdowns, parts = found
    amounts = sources.amounts(standard, period, breakdowns, parts, organization=organization.pk)
    return _combine(amounts, measure, key, breakdowns)


def own_figures(
    organization: Organization,
    standard: Standard,
    measure: Measure,
    *,
    cohort: str,
    breakdown: str,
    periods: list[str],
) -> dict[str, float | None]:
    """The organization's own figure in one cell for each of `periods` (one query for all of them)."""
    found = _cell_parts(standard, measure)
    if found is None:
        return dict.fromkeys(periods)
    breakdowns, parts = found
    field, _, value = breakdown.partition(":")
    key = CellKey(cohort, measure.name, field, value)
    by_period = sources.own_amounts(standard, periods, breakdowns, parts, organization.pk)
    return {period: _combine(by_period.get(period, []), measure, key, breakdowns) for period in periods}


def band(own: float, figures: dict[Statistic, Shown]) -> tuple[Statistic | None, Statistic | None]:
    published = [
        (s, figures[s].value) for s in QUANTILES if s in figures and figures[s].status == Status.PUBLISHED
    ]
    lower = upper = None
    for statistic, value in published:
        if value is None:
            continue
        if value <= own:
            lower = statistic
        elif upper is None:
            upper = statistic
    return lower, upper


def position_of(
    organization: Organization,
    standard: Standard,
    measure: Measure,
    *,
    cohort: str,
    breakdown: str,
    period: str,
    today: date,
) -> Position:
    field, _, value = breakdown.partition(":")
    key = CellKey(cohort, measure.name, field, value)
    figures = {
        Statistic(figure.statistic): shown(figure, today)
        for figure in current_figures(
            Filters(
                standard=standard.code,
                measure=measure.name,
                cohort=cohort,
                breakdown=breakdown,
                period=period,
            )
        )
    }
    own = own_figure(organization, standard, period, measure, key)
    lower, upper = band(own, figures) if own is not None else (None, None)
    return Position(own, lower, upper, figures, measure)
