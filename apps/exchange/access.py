"""What a partner may read and push now: the one place every page, endpoint, export and webhook asks.

A partner's system (an OAuth2 machine client, or an API token, of an active partner organization)
acts under the partner's agreements that are active and valid today. It reads published benchmark
figures of the standards, measures and cohorts they name, each no sooner than the agreement's lag
after its period ends (and never sooner than the disclosure policy's own embargo); it pushes the
partner standards they name.
Anything else does not exist for it. Agreements are read afresh on every request: a suspension, an
expiry or a narrowed grant holds from the next request on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, NoReturn

from django.db.models import Q, QuerySet
from django.http import Http404

from apps.audit.services import record_now_and_then, record_refusal
from apps.benchmarks.inputs import available_from
from apps.benchmarks.measures import period_end
from apps.exchange.models import Agreement
from apps.exchange.readers import cells_read
from apps.organizations.models import Organization
from apps.organizations.principals import TokenClient
from apps.standards.models import Standard, StandardVersion


@dataclass(frozen=True)
class Read:
    """One agreement's grant on one member standard."""

    agreement: int
    standard: str
    measures: frozenset[str]
    cohorts: frozenset[str]
    lag_months: int
    valid_until: date | None


@dataclass(frozen=True)
class Scope:
    """A partner's agreements in force on `today`: what it may read and push."""

    partner: Organization
    today: date
    agreements: tuple[Agreement, ...]
    reads: tuple[Read, ...]
    pushes: frozenset[str]

    def grants(self, *, standard: str, measure: str, cohort: str) -> list[Read]:
        return [
            read
            for read in self.reads
            if read.standard == standard and measure in read.measures and cohort in read.cohorts
        ]

    def may_read(self, *, standard: str, measure: str = "", cohort: str = "") -> bool:
        """Whether any agreement grants this standard (and measure and cohort, where named)."""
        return any(
            read.standard == standard
            and (not measure or measure in read.measures)
            and (not cohort or cohort in read.cohorts)
            for read in self.reads
        )

    def asked_for(self, *, standard: str = "", measure: str = "", cohort: str = "") -> bool:
        """Whether a question naming some of standard, measure and cohort stays inside the grants."""
        if standard:
            return self.may_read(standard=standard, measure=measure, cohort=cohort)
        return any(self.may_read(standard=r.standard, measure=measure, cohort=cohort) for r in self.reads)

    def may_push(self, standard: str) -> bool:
        return standard in self.pushes

    def readable(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """The benchmark figures of `queryset` that the grants name (by standard, measure and cohort);
        none when they name nothing. The lag is applied per figure, by `release`."""
        condition = Q(pk__in=[])
        for read in self.reads:
            condition |= Q(standard__code=read.standard, measure__in=read.measures, cohort__in=read.cohorts)
        return queryset.filter(condition)

    def release(self, *, standard: str, measure: str, cohort: str, period: str) -> date | None:
        """The first day the partner may see a figure of this cell (the shortest lag among the
        agreements that grant it), or None when none grants it."""
        grants = self.grants(standard=standard, measure=measure, cohort=cohort)
        if not grants:
            return None
        end = period_end(period, _frequency(period))
        return min(available_from(end, read.lag_months) for read in grants)

    def record_read(
        self,
        request: Any,
        *,
        asked: dict[str, Any],
        rows: Sequence[Mapping[str, Any]] = (),
        figures: int | None = None,
    ) -> None:
        """Record in the partner's log what it pulled: the question, how many figures (`figures`, or
        the number of `rows`) and which cells of which runs (apps.exchange.readers.cells_read), once a
        minute for the same question and answer. The stewards see every partner access; a member firm
        sees the reads of figures that include its data."""
        record_now_and_then(
            actor=request.user,
            action="exchange.read",
            organization=self.partner,
            data={"asked": asked, "figures": len(rows) if figures is None else figures, **cells_read(rows)},
            request=request,
        )

    def refuse(self, request: Any, *, asked: dict[str, Any]) -> NoReturn:
        """Answer a question outside the grants as a missing object (404, the body of anything that
        does not exist), and record it in the stewards' security log."""
        record_refusal(
            actor=request.user,
            action="exchange.refused",
            data={"partner": self.partner.slug, "asked": asked},
            request=request,
        )
        raise Http404


def partner_of(actor: Any) -> Organization | None:
    """The active partner organization `actor` acts for: its machine client's or API token's."""
    if not isinstance(actor, TokenClient):
        return None
    organization = actor.token.organization
    if organization.kind != Organization.Kind.PARTNER or organization.status != Organization.Status.ACTIVE:
        return None
    return organization


def agreements_in_force(partner: Organization, today: date) -> QuerySet[Agreement]:
    return (
        Agreement.objects.filter(partner=partner, status=Agreement.Status.ACTIVE, valid_from__lte=today)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .order_by("valid_from", "id")
    )


def scope_of(actor: Any, today: date) -> Scope | None:
    """The scope of a partner's machine client on `today`; None for anyone else (members and stewards
    are not partners: their reads are decided by apps.benchmarks.permissions)."""
    partner = partner_of(actor)
    if partner is None:
        return None
    # Read once per request: the principal is made afresh for each (apps.exchange.authentication),
    # so the agreements are still read on every request, and not twice in one.
    known: dict[date, Scope] = actor.__dict__.setdefault("_exchange_scopes", {})
    if today not in known:
        scope = scope_of_partner(partner, today)
        # a machine client's access token narrows the agreements to its OAuth2 scopes
        known[today] = replace(
            scope,
            reads=scope.reads if actor.has_scope("read") else (),
            pushes=scope.pushes if actor.has_scope("push") else frozenset(),
        )
    return known[today]


def scope_of_partner(partner: Organization, today: date) -> Scope:
    """The scope of `partner`'s agreements in force on `today`, whoever asks: what webhooks sent to it
    may name."""
    agreements = tuple(
        agreements_in_force(partner, today).prefetch_related("reads__standard", "push_standards")
    )
    reads = tuple(
        Read(
            agreement=agreement.pk,
            standard=grant.standard.code,
            measures=frozenset(grant.measures),
            cohorts=frozenset(grant.cohorts),
            lag_months=agreement.lag_months,
            valid_until=agreement.valid_until,
        )
        for agreement in agreements
        for grant in agreement.reads.all()
    )
    pushes = frozenset(s.code for agreement in agreements for s in agreement.push_standards.all())
    return Scope(partner, today, agreements, reads, pushes)


def pushes_of(organization: Organization, today: date) -> frozenset[str]:
    """The partner standards `organization` (a partner) may push on `today` under its agreements."""
    if organization.kind != Organization.Kind.PARTNER or organization.status != Organization.Status.ACTIVE:
        return frozenset()
    in_force = agreements_in_force(organization, today)
    return frozenset(Standard.objects.filter(push_agreements__in=in_force).values_list("code", flat=True))


def _frequency(period: str) -> str:
    if "-Q" in period:
        return StandardVersion.Frequency.QUARTER
    if len(period) == 7 and period[4] == "-":
        return StandardVersion.Frequency.MONTH
    return StandardVersion.Frequency.YEAR
