"""The run's input, read from PostgreSQL: each firm's summed quantities per slice, aggregated by the
database over the typed observation columns, and the firms with their enterprise groups and the
attributes cohorts filter on.

A slice is the finest breakdown the run's cells add up: the values of all the version's breakdown
fields, joined by "|" (one slice "*" when a standard has no breakdowns). Only submissions in force of
active member firms count.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q, QuerySet, Sum

from apps.benchmarks.inputs import Amount, Firm
from apps.benchmarks.measures import Quantity
from apps.organizations.models import Organization
from apps.standards.models import Field, Standard
from apps.standards.slots import column_of
from apps.submissions.models import Observation, Submission

WHOLE = "*"
"""The one slice of a standard without breakdowns."""


@dataclass(frozen=True)
class Contributor:
    """A firm as cohorts see it: its enterprise group and the attributes cohorts filter on."""

    id: str
    group: str
    region: str
    size_class: str
    active: bool = True


def in_force(standard: Standard, period: str | None = None) -> QuerySet[Submission]:
    """The submissions that count: in force, of active member firms (of one period when given)."""
    queryset = (
        Submission.objects.filter(standard=standard)
        if period is None
        else Submission.objects.filter(standard=standard, period=period)
    )
    return queryset.filter(
        is_current=True,
        organization__kind=Organization.Kind.MEMBER,
        organization__status=Organization.Status.ACTIVE,
    )


def slice_key(values: Sequence[str | None]) -> str:
    return "|".join(value or "" for value in values) if values else WHOLE


def _sum(quantity: Quantity) -> Sum:
    if quantity.times is not None:
        return Sum(F(quantity.column) * F(quantity.times))
    if quantity.where_present is not None:
        return Sum(quantity.column, filter=Q(**{f"{quantity.where_present}__isnull": False}))
    return Sum(quantity.column)


def amounts(
    standard: Standard,
    period: str,
    breakdowns: Sequence[Field],
    quantities: Sequence[Quantity],
    organization: int | None = None,
) -> list[Amount]:
    """One GROUP BY over the period's observations: per firm and slice, every quantity's sum. A sum
    over no value (the firm gave none) is no amount. `organization` narrows it to one firm's own."""
    submissions = in_force(standard, period)
    if organization is not None:
        submissions = submissions.filter(organization_id=organization)
    dimensions = {f"b{index}": F(column_of(field)) for index, field in enumerate(breakdowns)}
    sums = {f"q{index}": _sum(quantity) for index, quantity in enumerate(quantities)}
    rows: Any = (
        Observation.objects.filter(submission__in=submissions)
        .values(firm=F("submission__organization_id"), **dimensions)
        .annotate(**sums)
        .order_by()
    )
    found = []
    for row in rows:
        where = slice_key([row[name] for name in dimensions])
        for index, quantity in enumerate(quantities):
            value = row[f"q{index}"]
            if value is not None:
                found.append(Amount(str(row["firm"]), quantity.name, where, float(value)))
    return found


def own_amounts(
    standard: Standard,
    periods: Sequence[str],
    breakdowns: Sequence[Field],
    quantities: Sequence[Quantity],
    organization: int,
) -> dict[str, list[Amount]]:
    """One organization's amounts (as `amounts` gives them) in each of `periods`, by period: one
    GROUP BY for all of them, for a page that shows a firm's own figure over time."""
    submissions = in_force(standard).filter(period__in=list(periods), organization_id=organization)
    dimensions = {f"b{index}": F(column_of(field)) for index, field in enumerate(breakdowns)}
    sums = {f"q{index}": _sum(quantity) for index, quantity in enumerate(quantities)}
    rows: Any = (
        Observation.objects.filter(submission__in=submissions)
        .values(period=F("submission__period"), **dimensions)
        .annotate(**sums)
        .order_by()
    )
    found: dict[str, list[Amount]] = {}
    for row in rows:
        where = slice_key([row[name] for name in dimensions])
        for index, quantity in enumerate(quantities):
            value = row[f"q{index}"]
            if value is not None:
                found.setdefault(row["period"], []).append(
                    Amount(str(organization), quantity.name, where, float(value))
                )
    return found


def snapshot(standard: Standard, period: str) -> list[str]:
    """The submissions a run reads, by id: what its input was."""
    return sorted(str(pk) for pk in in_force(standard, period).values_list("pk", flat=True))


def contributors(ids: Sequence[str] = ()) -> list[Contributor]:
    """Every active member firm, plus the firms `ids` names (earlier runs' facts may name a firm that
    has left since: it still counts as itself)."""
    wanted = {int(pk) for pk in ids}
    organizations = Organization.objects.filter(
        Q(kind=Organization.Kind.MEMBER, status=Organization.Status.ACTIVE) | Q(pk__in=wanted)
    ).values_list("pk", "enterprise_group_id", "region", "size_class", "kind", "status")
    return [
        Contributor(
            str(pk),
            f"group-{group}" if group else f"firm-{pk}",
            region,
            size_class,
            kind == Organization.Kind.MEMBER and status == Organization.Status.ACTIVE,
        )
        for pk, group, region, size_class, kind, status in organizations
    ]


def engine_firms(found: Sequence[Contributor]) -> list[Firm]:
    return [Firm(contributor.id, contributor.group) for contributor in found]
