"""The exchange page of the alliance's people, and the stewards' partner-access log.

`/exchange/` shows a member firm's people (any role) which partners receive which of the alliance's
aggregates, and "who read my data": the partner pulls of figures that include the firm's data. A
partner organization's people see their own agreements there. Stewards have their own pages and are
sent to them. `/exchange/steward/access/` lists every partner access for stewards, and `?format=csv`
downloads it with the same filters.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone

from alliance.i18n import pick
from apps.audit.services import record_now_and_then
from apps.benchmarks.models import DEFAULT_COHORT, Cohort
from apps.benchmarks.selectors import DEFAULT_NAMES, standards_to_benchmark
from apps.exchange import access_log, readers
from apps.exchange.access import agreements_in_force
from apps.exchange.permissions import exchange_organizations
from apps.exchange.services import check_can_manage
from apps.organizations.models import Organization
from apps.organizations.permissions import access_organization_by_slug, is_steward
from apps.standards.selectors import current_version, fields_of

PAGE_SIZE = 25
LOG_PAGE_SIZE = 50


class Labels:
    """Standards', measures' and cohorts' names in the reader's language, read once per page."""

    def __init__(self) -> None:
        self.standards: dict[str, str] = {}
        self.measures: dict[tuple[str, str], str] = {}
        for standard in standards_to_benchmark():
            self.standards[standard.code] = standard.title
            version = current_version(standard)
            for field in fields_of(version) if version else []:
                self.measures[(standard.code, field.name)] = pick(field.titles, field.name)
        self.cohorts: dict[tuple[str, str], str] = {
            (cohort.standard.code, cohort.code): pick(cohort.names, cohort.code)
            for cohort in Cohort.objects.select_related("standard")
        }

    def standard(self, code: str) -> str:
        return self.standards.get(code, code)

    def measure(self, standard: str, name: str) -> str:
        return self.measures.get((standard, name), name)

    def cohort(self, standard: str, code: str) -> str:
        if code == DEFAULT_COHORT:
            return pick(DEFAULT_NAMES, code)
        return self.cohorts.get((standard, code), code)

    def grants(self, agreement: Any) -> list[dict[str, Any]]:
        return [
            {
                "code": grant.standard.code,
                "standard": self.standard(grant.standard.code),
                "measures": [self.measure(grant.standard.code, m) for m in grant.measures],
                "cohorts": [self.cohort(grant.standard.code, c) for c in grant.cohorts],
            }
            for grant in agreement.reads.all()
        ]

    def cell(self, cell: readers.CellRead) -> dict[str, Any]:
        return {
            "code": cell.standard,
            "standard": self.standard(cell.standard),
            "measures": [self.measure(cell.standard, m) for m in cell.measures],
            "cohort": self.cohort(cell.standard, cell.cohort),
            "cohort_code": cell.cohort,
            "first": cell.first,
            "last": cell.last,
            "figures": cell.figures,
        }


@login_required
def exchange_page(request: HttpRequest) -> HttpResponse:
    if is_steward(request.user):
        return redirect("exchange:steward_agreements")
    own = exchange_organizations(request.user)
    if not own:
        raise PermissionDenied
    slug = request.GET.get("organization", "")
    if slug:
        named = access_organization_by_slug(request.user, slug, request=request)
        organization = next((o for o in own if o.pk == named.pk), None)
        if organization is None:
            raise Http404
    else:
        organization = own[0]
    labels = Labels()
    today = timezone.localdate()
    context: dict[str, Any] = {"organization": organization, "organizations": own, "today": today}
    if organization.kind == Organization.Kind.PARTNER:
        in_force = set(agreements_in_force(organization, today).values_list("pk", flat=True))
        context["agreements"] = [
            {"agreement": agreement, "in_force": agreement.pk in in_force, "reads": labels.grants(agreement)}
            for agreement in readers.agreements_of_partner(organization)
        ]
        return render(request, "exchange/partner.html", context)
    reads = readers.reads_of_data(organization)
    page = Paginator(reads.events, PAGE_SIZE).get_page(request.GET.get("page"))
    context["receivers"] = [
        {"agreement": agreement, "reads": labels.grants(agreement)}
        for agreement in readers.agreements_in_force_today(today)
    ]
    context["page"] = page
    context["reads"] = [
        {"read": read, "cells": [labels.cell(cell) for cell in read.cells]} for read in reads.described(page)
    ]
    return render(request, "exchange/member.html", context)


@login_required
def steward_access(request: HttpRequest) -> HttpResponseBase:
    check_can_manage(request.user)
    form = access_log.AccessFilter(request.GET)
    if not form.is_valid():
        status = 400 if request.GET.get("format") == "csv" else 200
        return render(request, "exchange/steward_access.html", {"form": form, "page": None}, status=status)
    filters = {name: value for name, value in form.cleaned_data.items() if value not in (None, "")}
    events = access_log.partner_events(**filters)
    if request.GET.get("format") == "csv":
        record_now_and_then(
            actor=request.user,
            action="exchange.access_exported",
            data={"filters": {name: str(value) for name, value in filters.items()}},
            request=request,
        )
        response = StreamingHttpResponse(
            (line.encode() for line in access_log.csv_lines(events)), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="partner-access.csv"'
        response["X-Content-Type-Options"] = "nosniff"
        return response
    page = Paginator(events, LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return render(
        request,
        "exchange/steward_access.html",
        {"form": form, "page": page, "accesses": access_log.accesses(page), "query": query.urlencode()},
    )
