"""Reads about submissions shared by pages and the API, scoped to the organizations whose data the
actor may see (never stewards: raw figures stay within their organization)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from apps.accounts.models import User
from apps.organizations.models import Organization
from apps.organizations.permissions import can_view_data
from apps.organizations.selectors import organizations_for
from apps.standards.models import Standard
from apps.submissions.models import Issue, Submission


def data_organizations_for(actor: Any) -> list[Organization]:
    """The organizations whose own data the actor sees (their members and tokens).

    Data is seen through a membership or a token only, never through a steward's right, so a person
    is asked about the organizations they are a member of: one query for a steward however many
    organizations there are, and a permission check per organization of the person's own."""
    candidates = organizations_for(actor)
    if isinstance(actor, User):
        candidates = candidates.filter(memberships__user=actor)
    return [org for org in candidates if can_view_data(actor, org)]


def submissions_for(actor: Any) -> QuerySet[Submission]:
    ids = [org.pk for org in data_organizations_for(actor)]
    return (
        Submission.objects.filter(organization_id__in=ids)
        .select_related("organization", "version__standard")
        .defer("summary")
    )


def standards_of(submissions: QuerySet[Submission]) -> QuerySet[Standard]:
    """The standards that `submissions` were sent to, by code (the list's filter)."""
    return Standard.objects.filter(submissions__in=submissions).distinct().order_by("code")


def submissions_listed(
    actor: Any, *, standard: str = "", status: str = ""
) -> tuple[QuerySet[Submission], QuerySet[Standard]]:
    """The submissions page's list, newest first, filtered by standard code and status when given (an
    unknown status is ignored), with the standards the unfiltered list was sent to (its filter)."""
    queryset = submissions_for(actor).order_by("-created_at")
    standards = standards_of(queryset)
    if standard:
        queryset = queryset.filter(standard__code=standard)
    if status in Submission.Status.values:
        queryset = queryset.filter(status=status)
    return queryset, standards


def issues_of(submission: Submission) -> QuerySet[Issue]:
    return submission.issues.order_by("severity", "row", "id")


def in_force_soon(standard_id: int, period: str) -> bool:
    """Some submission for the standard and period is received or processing: what is in force for
    the period may still change."""
    return Submission.objects.filter(
        standard_id=standard_id,
        period=period,
        status__in=[Submission.Status.RECEIVED, Submission.Status.PROCESSING],
    ).exists()
