"""Who reads the alliance's figures, for the members' exchange page.

A partner pull (`exchange.read`, apps.exchange.access.Scope.record_read) records, besides the question
and the number of figures, what it returned, kept small:
- `cells`: per standard and cohort, the measures, the first and last period and the number of figures;
- `runs`: every run that decided those figures, with the cohort, as `run:cohort` (`"412:all"`).

Only figures the partner received are counted: published and suppressed ones (a value, or a reason
and a count). A figure still embargoed for the partner carried nothing of anyone's data.

A member firm's "who read my data" is the partner reads whose `runs` meet the runs that read the
firm's own submissions, in the cohorts that admit it (apps.benchmarks.contributions): one indexed
question to the audit log, then each read is shown with the cells of it that include the firm's data.
Nothing of another firm is read or shown: the runs and cohorts come from the firm's own submissions
and attributes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Q, QuerySet

from apps.audit.models import AuditEvent
from apps.benchmarks.codes import Status
from apps.benchmarks.contributions import Contribution, contributions_of
from apps.exchange.models import Agreement
from apps.organizations.models import Organization

READ = "exchange.read"
RECEIVED = frozenset({Status.PUBLISHED.value, Status.SUPPRESSED.value})


def cells_read(rows: Iterable[Mapping[str, Any]]) -> dict[str, list[Any]]:
    """What a pull returned, for its audit event: `cells` and `runs` (the module's docstring). `rows`
    are figures as the benchmarks API gives them (apps.benchmarks.api.figure_row), whatever format
    they are sent in."""
    cells: dict[tuple[str, str], dict[str, Any]] = {}
    runs: set[tuple[int, str]] = set()
    for row in rows:
        if row.get("status") not in RECEIVED or not str(row.get("run", "")).isdigit():
            continue
        key = (str(row["standard"]), str(row["cohort"]))
        cell = cells.setdefault(
            key, {"measures": set(), "first": row["period"], "last": row["period"], "figures": 0}
        )
        cell["measures"].add(str(row["measure"]))
        cell["first"] = min(cell["first"], row["period"])
        cell["last"] = max(cell["last"], row["period"])
        cell["figures"] += 1
        runs.add((int(row["run"]), key[1]))
    return {
        "cells": [
            {
                "standard": standard,
                "cohort": cohort,
                "measures": sorted(cell["measures"]),
                "periods": [cell["first"], cell["last"]],
                "figures": cell["figures"],
            }
            for (standard, cohort), cell in sorted(cells.items())
        ],
        "runs": [f"{run}:{cohort}" for run, cohort in sorted(runs)],
    }


def period_range(cell: Mapping[str, Any]) -> tuple[str, str]:
    """The first and last period of a recorded cell."""
    periods = list(cell.get("periods") or [])
    return (str(periods[0]), str(periods[-1])) if periods else ("", "")


# --- Who receives the alliance's figures ----------------------------------------------------------


def agreements_in_force_today(today: date) -> QuerySet[Agreement]:
    """The agreements in force on `today` of active partners, with what they read, by partner."""
    return (
        Agreement.objects.filter(
            status=Agreement.Status.ACTIVE,
            valid_from__lte=today,
            partner__kind=Organization.Kind.PARTNER,
            partner__status=Organization.Status.ACTIVE,
        )
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .select_related("partner")
        .prefetch_related("reads__standard")
        .order_by("partner__slug", "valid_from", "id")
    )


def agreements_of_partner(partner: Organization) -> QuerySet[Agreement]:
    """A partner's own agreements, whatever their state, newest first."""
    return (
        Agreement.objects.filter(partner=partner)
        .prefetch_related("reads__standard", "push_standards")
        .order_by("-valid_from", "-id")
    )


# --- Who read my data ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CellRead:
    """One standard and cohort of a pull whose figures include the firm's data."""

    standard: str
    cohort: str
    measures: tuple[str, ...]
    first: str
    last: str
    figures: int


@dataclass(frozen=True)
class DataRead:
    """A partner's pull of figures that include the firm's data: who, when, what."""

    event: int
    at: datetime
    partner: Organization | None
    cells: tuple[CellRead, ...]

    @property
    def figures(self) -> int:
        return sum(cell.figures for cell in self.cells)


@dataclass(frozen=True)
class Reads:
    """The firm's side of the partner reads: the keys its data is in, and the audit events that
    name one of them (newest first; a queryset, so pages read only what they show)."""

    contributions: dict[int, Contribution]
    events: QuerySet[AuditEvent]

    def described(self, events: Iterable[AuditEvent]) -> list[DataRead]:
        """`events` (a page of `self.events`) as reads, each with the cells that include the firm's
        data only."""
        events = list(events)
        partners = Organization.objects.in_bulk({e.organization_id for e in events if e.organization_id})
        return [
            DataRead(
                event.pk,
                event.at,
                partners.get(event.organization_id or 0),
                tuple(self._cells_of(event.data)),
            )
            for event in events
        ]

    def _cells_of(self, data: Mapping[str, Any]) -> Iterable[CellRead]:
        ours: set[tuple[str, str]] = set()
        for key in data.get("runs", []):
            run, _colon, cohort = str(key).partition(":")
            found = self.contributions.get(int(run)) if run.isdigit() else None
            if found is not None and cohort in found.cohorts:
                ours.add((found.standard, cohort))
        for cell in data.get("cells", []):
            if (cell.get("standard"), cell.get("cohort")) in ours:
                first, last = period_range(cell)
                yield CellRead(
                    cell["standard"],
                    cell["cohort"],
                    tuple(cell.get("measures", ())),
                    first,
                    last,
                    int(cell.get("figures", 0)),
                )


def keys_of(contributions: Sequence[Contribution]) -> list[str]:
    """The `run:cohort` keys of figures that include the firm's data."""
    return sorted({f"{c.run}:{cohort}" for c in contributions for cohort in c.cohorts})


def reads_of_data(organization: Organization) -> Reads:
    """The partner reads of figures that include `organization`'s data, newest first."""
    contributions = contributions_of(organization)
    keys = keys_of(contributions)
    events = AuditEvent.objects.filter(action=READ, data__runs__has_any_keys=keys) if keys else None
    return Reads(
        {c.run: c for c in contributions},
        (events if events is not None else AuditEvent.objects.none()).order_by("-id"),
    )
