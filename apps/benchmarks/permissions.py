"""Who reads benchmarks, one place for every page and endpoint.

Published benchmarks are for the alliance: every member of an active member firm (any role) and its
tokens, and the stewards. A firm's own figure (its position) is its own organization's data, seen only
by those who see that organization's data (never a steward as such). The evidence behind a decision is
for stewards only; it holds shares and rules, never a firm or an amount. A partner's machine client
reads what its agreements grant (apps.benchmarks.audiences: the exchange decides which figures, and
from when).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from apps.benchmarks.audiences import scope_for
from apps.benchmarks.models import Cohort, Run
from apps.organizations.models import Organization
from apps.organizations.permissions import is_steward
from apps.organizations.principals import TokenClient
from apps.submissions.selectors import data_organizations_for


def _member_firm(organization: Organization) -> bool:
    return organization.kind == Organization.Kind.MEMBER and organization.status == Organization.Status.ACTIVE


def position_organizations(actor: Any, own: list[Organization] | None = None) -> list[Organization]:
    """The active member firms whose own figures `actor` may see: its own, through membership or token
    (`own`: `data_organizations_for(actor)` when the caller has it already)."""
    own = data_organizations_for(actor) if own is None else own
    return [organization for organization in own if _member_firm(organization)]


def can_read_benchmarks(actor: Any, own: list[Organization] | None = None) -> bool:
    if is_steward(actor):
        return True
    if isinstance(actor, TokenClient):
        return _member_firm(actor.token.organization) or scope_for(actor, timezone.localdate()) is not None
    return bool(getattr(actor, "is_authenticated", False)) and bool(position_organizations(actor, own))


def check_can_read(actor: Any) -> None:
    if not can_read_benchmarks(actor):
        raise PermissionDenied


def can_steward_benchmarks(actor: Any) -> bool:
    """Define cohorts, edit the policy, open runs and their evidence."""
    return is_steward(actor)


def check_can_steward(actor: Any) -> None:
    if not can_steward_benchmarks(actor):
        raise PermissionDenied


def position_organization(actor: Any, organization_id: Any = None) -> Organization | None:
    """The firm whose position `actor` asks for: the one named (it must be one of the actor's own, else
    None, as for an unknown one), or the actor's only firm; None when it has several and named none."""
    own = position_organizations(actor)
    if organization_id in (None, ""):
        return own[0] if len(own) == 1 else None
    return next((o for o in own if str(o.pk) == str(organization_id)), None)


def access_cohort_by_id(actor: Any, cohort_id: Any) -> Cohort:
    """A cohort for a steward (403 for anyone else); a missing one is 404."""
    check_can_steward(actor)
    found = Cohort.objects.select_related("standard").filter(pk=_number(cohort_id)).first()
    if found is None:
        raise Http404
    return found


def access_run_by_id(actor: Any, run_id: Any) -> Run:
    """A run for a steward, without its facts (403 for anyone else); a missing one is 404."""
    check_can_steward(actor)
    found = Run.objects.select_related("standard", "policy").defer("facts").filter(pk=_number(run_id)).first()
    if found is None:
        raise Http404
    return found


def _number(value: Any) -> int:
    text = str(value)
    return int(text) if text.isdigit() and len(text) < 19 else 0
