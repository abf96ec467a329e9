"""Reads of webhook endpoints and deliveries, scoped to the organizations the actor manages them for;
`access_*` answers a missing and a foreign object with the same 404, and records the denial."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from apps.audit.services import record_denied_access
from apps.organizations.models import Membership, Organization, Role
from apps.organizations.permissions import can_manage_webhooks
from apps.organizations.principals import TokenClient
from apps.webhooks.models import Delivery, Endpoint


def managed_organizations(actor: Any) -> list[Organization]:
    """The partner organizations whose webhooks `actor` manages: its machine client's own, or those
    where the person is an admin."""
    if isinstance(actor, TokenClient):
        candidates = [actor.token.organization]
    elif getattr(actor, "is_authenticated", False) and getattr(actor, "pk", None):
        memberships = Membership.objects.filter(
            user=actor, role=Role.ADMIN, organization__kind=Organization.Kind.PARTNER
        ).select_related("organization")
        candidates = [membership.organization for membership in memberships.order_by("organization__slug")]
    else:
        candidates = []
    return [organization for organization in candidates if can_manage_webhooks(actor, organization)]


def endpoints_for(actor: Any) -> QuerySet[Endpoint]:
    return Endpoint.objects.filter(organization__in=managed_organizations(actor)).order_by("id")


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


def access_endpoint_by_id(actor: Any, endpoint_id: Any, *, request: Any = None) -> Endpoint:
    endpoint = Endpoint.objects.select_related("organization").filter(pk=_int(endpoint_id)).first()
    if endpoint is None:
        raise Http404
    if not can_manage_webhooks(actor, endpoint.organization):
        record_denied_access(
            actor=actor, organization=endpoint.organization, target=endpoint, request=request
        )
        raise Http404
    return endpoint


def access_delivery_by_id(actor: Any, delivery_id: Any, *, request: Any = None) -> Delivery:
    delivery = (
        Delivery.objects.select_related("endpoint__organization", "event")
        .filter(pk=_int(delivery_id))
        .first()
    )
    if delivery is None:
        raise Http404
    if not can_manage_webhooks(actor, delivery.endpoint.organization):
        organization = delivery.endpoint.organization
        record_denied_access(actor=actor, organization=organization, target=delivery, request=request)
        raise Http404
    return delivery


def deliveries_of(endpoint: Endpoint | None) -> QuerySet[Delivery]:
    return Delivery.objects.filter(endpoint=endpoint).select_related("event").order_by("-created_at", "-id")


def subscribed_partners(event_type: str) -> QuerySet[Organization]:
    """Active partner organizations with an active endpoint subscribed to `event_type`."""
    return Organization.objects.filter(
        kind=Organization.Kind.PARTNER,
        status=Organization.Status.ACTIVE,
        webhook_endpoints__is_active=True,
        webhook_endpoints__events__contains=[event_type],
    ).distinct()
