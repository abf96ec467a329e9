"""Reads about submissions shared by pages and the API, scoped to the organizations whose data the
actor may see (never stewards: raw figures stay within their organization)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from apps.organizations.models import Organization
from apps.organizations.permissions import can_view_data
from apps.organizations.selectors import organizations_for
from apps.submissions.models import Issue, Submission


def data_organizations_for(actor: Any) -> list[Organization]:
    """The organizations whose own data the actor sees (their members and tokens)."""
    return [org for org in organizations_for(actor) if can_view_data(actor, org)]


def submissions_for(actor: Any) -> QuerySet[Submission]:
    ids = [org.pk for org in data_organizations_for(actor)]
    return (
        Submission.objects.filter(organization_id__in=ids)
        .select_related("organization", "version__standard")
        .defer("summary")
    )


def issues_of(submission: Submission) -> QuerySet[Issue]:
    return submission.issues.order_by("severity", "row", "id")
