"""Who opens the exchange page: the people of active member firms and partners (any role), for their
own organization; stewards have their own pages (apps.exchange.services.check_can_manage)."""

from __future__ import annotations

from typing import Any

from apps.organizations.models import Organization
from apps.organizations.permissions import is_steward
from apps.submissions.selectors import data_organizations_for


def exchange_organizations(actor: Any, own: list[Organization] | None = None) -> list[Organization]:
    """The active member firms and partners whose exchange page `actor` sees: its own, through a
    membership (never a steward's right; `own`: `data_organizations_for(actor)` when known)."""
    if not getattr(actor, "is_authenticated", False):
        return []
    return [
        organization
        for organization in (data_organizations_for(actor) if own is None else own)
        if organization.status == Organization.Status.ACTIVE
        and organization.kind in (Organization.Kind.MEMBER, Organization.Kind.PARTNER)
    ]


def can_open_exchange(actor: Any, own: list[Organization] | None = None) -> bool:
    """Whether the navigation offers the exchange page: stewards (who are sent to theirs) and the
    people of active member firms and partners."""
    return is_steward(actor) or bool(exchange_organizations(actor, own))
