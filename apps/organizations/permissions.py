"""Every permission question about an organization and what it owns, answered in one place.

People hold django-guardian object permissions on their organization, granted by their role and kept
in step with their membership by the services. They are read here from the permission rows of the
person's own membership, never through guardian's `get_perms` or `user.has_perm(perm, obj)`, which
give a superuser every permission on every object: no staff flag, superuser flag or steward right
reaches an organization's raw data or its tokens. An API token acts for its own organization with
its role's permissions.

Stewards (staff with `organizations.admit_organization`) see every organization's metadata and its
member list, and admit, suspend and edit organizations. They manage an organization's members only
while it has no active admin (its first admin at admission, or a replacement when none is left);
once it has one, only its admins do.

`access_*` functions answer "missing" and "not yours" with the same 404, and record the denial.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from apps.accounts.models import User
from apps.audit.services import record_denied_access
from apps.organizations.models import (
    ApiToken,
    Invitation,
    Membership,
    Organization,
    OrganizationUserObjectPermission,
    Role,
)
from apps.organizations.principals import TokenClient

if TYPE_CHECKING:
    from apps.organizations.principals import Actor

VIEWER_PERMISSIONS = frozenset({"view_organization", "view_data"})
CONTRIBUTOR_PERMISSIONS = VIEWER_PERMISSIONS | {"submit_data"}
ADMIN_PERMISSIONS = CONTRIBUTOR_PERMISSIONS | {"manage_members", "manage_tokens", "view_audit"}
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.VIEWER: VIEWER_PERMISSIONS,
    Role.CONTRIBUTOR: CONTRIBUTOR_PERMISSIONS,
    Role.ADMIN: ADMIN_PERMISSIONS,
}
# Every object permission a role can carry: what the services clear when a membership changes.
ORGANIZATION_PERMISSIONS = ADMIN_PERMISSIONS


def is_steward(actor: Actor | None) -> bool:
    return (
        isinstance(actor, User)
        and actor.is_active
        and actor.is_staff
        and actor.has_perm("organizations.admit_organization")
    )


def organization_permissions(actor: Actor | None, organization: Organization) -> frozenset[str]:
    """The object permissions `actor` holds on `organization` through a membership or a token.

    A person's are the guardian rows of their own membership of the organization, and nothing else:
    not the superuser flag, not model permissions, not a row left without a membership.
    """
    if isinstance(actor, TokenClient):
        if actor.organization_id != organization.pk:
            return frozenset()
        return ROLE_PERMISSIONS[actor.token.role]
    if not isinstance(actor, User) or not actor.is_active:
        return frozenset()
    cache: dict[int, frozenset[str]] = actor.__dict__.setdefault("_organization_perms", {})
    if organization.pk not in cache:
        codenames = OrganizationUserObjectPermission.objects.filter(
            user=actor, content_object=organization, content_object__memberships__user=actor
        ).values_list("permission__codename", flat=True)
        cache[organization.pk] = frozenset(codenames) & ORGANIZATION_PERMISSIONS
    return cache[organization.pk]


def has_active_admin(organization: Organization) -> bool:
    """Whether someone whose account is active is an admin of the organization."""
    return Membership.objects.filter(
        organization=organization, role=Role.ADMIN, user__is_active=True
    ).exists()


def can_view_organization(actor: Actor | None, organization: Organization) -> bool:
    return is_steward(actor) or "view_organization" in organization_permissions(actor, organization)


def can_view_members(actor: Actor | None, organization: Organization) -> bool:
    """Who is in the organization with which role: its members and stewards (not its tokens)."""
    if isinstance(actor, TokenClient):
        return False
    return can_view_organization(actor, organization)


def can_view_data(actor: Actor | None, organization: Organization) -> bool:
    return "view_data" in organization_permissions(actor, organization)


def can_submit_data(actor: Actor | None, organization: Organization) -> bool:
    return organization.is_active and "submit_data" in organization_permissions(actor, organization)


def can_manage_members(actor: Actor | None, organization: Organization) -> bool:
    """Invite, change roles and remove: the organization's admins, and stewards while it has no
    active admin."""
    if isinstance(actor, TokenClient):
        return False
    if "manage_members" in organization_permissions(actor, organization):
        return True
    return is_steward(actor) and not has_active_admin(organization)


def can_manage_tokens(actor: Actor | None, organization: Organization) -> bool:
    if isinstance(actor, TokenClient):
        return False
    return "manage_tokens" in organization_permissions(actor, organization)


def can_view_audit(actor: Actor | None, organization: Organization) -> bool:
    if isinstance(actor, TokenClient):
        return False
    return is_steward(actor) or "view_audit" in organization_permissions(actor, organization)


def can_manage_webhooks(actor: Actor | None, organization: Organization) -> bool:
    """A partner organization's webhook endpoints are managed by its admins and its machine clients."""
    if organization.kind != Organization.Kind.PARTNER or organization.status != Organization.Status.ACTIVE:
        return False
    if isinstance(actor, TokenClient):
        return actor.organization_id == organization.pk
    return "manage_tokens" in organization_permissions(actor, organization)


def can_admit_organizations(actor: Actor | None) -> bool:
    return is_steward(actor)


def role_of(actor: Actor | None, organization: Organization) -> str | None:
    """The actor's role in the organization (a token's role for a token), or None."""
    if isinstance(actor, TokenClient):
        return actor.token.role if actor.organization_id == organization.pk else None
    if not isinstance(actor, User):
        return None
    return (
        Membership.objects.filter(user=actor, organization=organization)
        .values_list("role", flat=True)
        .first()
    )


def _deny(actor: Actor | None, organization: Organization, target: Any, request: Any) -> Http404:
    if not isinstance(actor, AnonymousUser) and actor is not None:
        record_denied_access(actor=actor, organization=organization, target=target, request=request)
    return Http404()


def access_organization_by_id(
    actor: Actor | None, organization_id: Any, *, request: Any = None
) -> Organization:
    try:
        organization = Organization.objects.get(pk=_int(organization_id))
    except Organization.DoesNotExist:
        raise Http404 from None
    if not can_view_organization(actor, organization):
        raise _deny(actor, organization, organization, request)
    return organization


def access_organization_by_slug(actor: Actor | None, slug: str, *, request: Any = None) -> Organization:
    organization = Organization.objects.filter(slug=slug).first()
    if organization is None:
        raise Http404
    if not can_view_organization(actor, organization):
        raise _deny(actor, organization, organization, request)
    return organization


def access_membership_by_id(
    actor: Actor | None, organization: Organization, membership_id: Any
) -> Membership:
    """A membership of `organization` (which the caller has already accessed); any other id is 404.

    Members are listed on the organization's page (can_view_members), so what a role may do with one
    is a 403 question, answered by can_manage_members() in the service.
    """
    membership = (
        Membership.objects.select_related("user", "organization")
        .filter(pk=_int(membership_id), organization=organization)
        .first()
    )
    if membership is None:
        raise Http404
    return membership


def access_invitation_by_id(
    actor: Actor | None, organization: Organization, invitation_id: Any
) -> Invitation:
    invitation = Invitation.objects.filter(pk=_int(invitation_id), organization=organization).first()
    if invitation is None or not can_manage_members(actor, organization):
        raise Http404
    return invitation


def access_api_token_by_id(actor: Actor | None, organization: Organization, token_id: Any) -> ApiToken:
    """A token of `organization`, for those who manage its tokens; anyone else sees no token (404)."""
    token = ApiToken.objects.filter(pk=_int(token_id), organization=organization).first()
    if token is None or not can_manage_tokens(actor, organization):
        raise Http404
    return token


def _int(value: Any) -> int:
    """An id from a URL or a request body; anything that is not a valid key becomes -1 (no object)."""
    try:
        number = int(value)
    except (ValueError, TypeError):
        return -1
    return number if 0 < number < 2**63 else -1
