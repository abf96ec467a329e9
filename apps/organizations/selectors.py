"""Reads about organizations shared by the pages and the API, always scoped to what the actor may see."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Value

from apps.accounts.models import User
from apps.organizations.models import ApiToken, Invitation, Membership, Organization
from apps.organizations.permissions import is_steward
from apps.organizations.principals import TokenClient

if TYPE_CHECKING:
    from apps.organizations.principals import Actor


def organizations_for(actor: Actor | None) -> QuerySet[Organization]:
    """Organizations the actor may see: stewards all, a person their own, a token its one."""
    queryset = Organization.objects.prefetch_related("sectors")
    if isinstance(actor, TokenClient):
        return queryset.filter(pk=actor.organization_id).annotate(actor_role=Value(actor.token.role))
    if not isinstance(actor, User) or not actor.is_active:
        return queryset.none()
    own_role = Membership.objects.filter(organization=OuterRef("pk"), user=actor).values("role")[:1]
    queryset = queryset.annotate(actor_role=Subquery(own_role))
    if is_steward(actor):
        return queryset
    return queryset.filter(actor_role__isnull=False)


def memberships_of(user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user)
        .select_related("organization")
        .annotate(member_count=Count("organization__memberships"))
        .order_by("organization__legal_name")
    )


def members_of(organization: Organization) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organization=organization)
        .select_related("user")
        .order_by("role", "user__email")
    )


def open_invitations_of(organization: Organization) -> list[Invitation]:
    return [
        i
        for i in Invitation.objects.filter(
            organization=organization, accepted_at__isnull=True, cancelled_at__isnull=True
        )
        if i.is_open
    ]


def api_tokens_of(organization: Organization) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(organization=organization).select_related("created_by")


def organizations_to_steward(*, status: str = "", kind: str = "") -> QuerySet[Organization]:
    """Every organization, for the steward's list: by status, then name; `status` and `kind` filter
    when they name a valid choice and are ignored otherwise."""
    queryset = Organization.objects.prefetch_related("sectors").order_by("status", "legal_name")
    if status in Organization.Status.values:
        queryset = queryset.filter(status=status)
    if kind in Organization.Kind.values:
        queryset = queryset.filter(kind=kind)
    return queryset


def organization_counts() -> dict[str, int]:
    """How many organizations the alliance has, and how many wait to be admitted (the steward's
    dashboard)."""
    return Organization.objects.aggregate(
        organization_count=Count("pk"),
        pending_count=Count("pk", filter=Q(status=Organization.Status.PENDING)),
    )
