"""Writes about organizations, memberships and invitations.

Each service checks who acts, runs in one transaction, changes django-guardian permissions together
with the membership row (so no permission outlives its membership), records an audit event, and
returns early when nothing changes.
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alliance.errors import HubError
from apps.accounts.models import User
from apps.audit.services import record_event
from apps.organizations import permissions
from apps.organizations.models import (
    Invitation,
    Membership,
    Organization,
    OrganizationUserObjectPermission,
    Role,
    secret_digest,
)

logger = logging.getLogger(__name__)

EDITABLE_FIELDS = ("legal_name", "short_names", "kind", "country", "region", "size_class", "enterprise_group")


def _sync_permissions(*, user: User, organization: Organization, role: str | None) -> None:
    """Make the user's object permissions on the organization exactly those of `role` (none for None)."""
    OrganizationUserObjectPermission.objects.filter(user=user, content_object=organization).delete()
    user.__dict__.pop("_organization_perms", None)
    if role is None:
        return
    content_type = ContentType.objects.get_for_model(Organization)
    granted = Permission.objects.filter(
        content_type=content_type, codename__in=permissions.ROLE_PERMISSIONS[role]
    )
    OrganizationUserObjectPermission.objects.bulk_create(
        OrganizationUserObjectPermission(user=user, permission=permission, content_object=organization)
        for permission in granted
    )


# --- Organizations (stewards) -----------------------------------------------------------------------


def create_organization(
    *,
    actor: Any,
    slug: str,
    legal_name: str,
    country: str,
    kind: str = Organization.Kind.MEMBER,
    short_names: dict[str, str] | None = None,
    region: str = "",
    size_class: str = "",
    sectors: Any = (),
    enterprise_group: Any = None,
    status: str = Organization.Status.PENDING,
    request: Any = None,
) -> Organization:
    if not permissions.can_admit_organizations(actor):
        raise PermissionDenied
    organization = Organization(
        slug=slug,
        legal_name=legal_name,
        country=country.upper(),
        kind=kind,
        short_names=short_names or {},
        region=region,
        size_class=size_class,
        enterprise_group=enterprise_group,
        status=status,
    )
    organization.full_clean()
    with transaction.atomic():
        organization.save()
        organization.sectors.set(sectors)
        record_event(
            actor=actor,
            action="organization.create",
            organization=organization,
            target=organization,
            request=request,
            data={"slug": slug, "status": status},
        )
    return organization


def update_organization(
    *, actor: Any, organization: Organization, request: Any = None, **changes: Any
) -> Organization:
    """Edit an organization's metadata. Status has its own service; the slug never changes."""
    if not permissions.can_admit_organizations(actor):
        raise PermissionDenied
    sectors = changes.pop("sectors", None)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    with transaction.atomic():
        organization = Organization.objects.select_for_update().get(pk=organization.pk)
        changed = {
            field: str(value) for field, value in changes.items() if getattr(organization, field) != value
        }
        for field, value in changes.items():
            setattr(organization, field, value)
        organization.full_clean()
        if sectors is not None:
            before = set(organization.sectors.values_list("pk", flat=True))
            after = {sector.pk for sector in sectors}
            if before != after:
                organization.sectors.set(sectors)
                changed["sectors"] = ",".join(sorted(sector.code for sector in sectors))
        if not changed:
            return organization
        organization.save()
        record_event(
            actor=actor,
            action="organization.update",
            organization=organization,
            target=organization,
            request=request,
            data={"changed": sorted(changed)},
        )
    return organization


def set_organization_status(
    *, actor: Any, organization: Organization, status: str, note: str = "", request: Any = None
) -> Organization:
    """Admit (pending → active), suspend or reactivate an organization. Suspension stops its API tokens."""
    if not permissions.can_admit_organizations(actor):
        raise PermissionDenied
    if status not in Organization.Status.values:
        raise ValidationError(_("Choose a valid status."))
    with transaction.atomic():
        organization = Organization.objects.select_for_update().get(pk=organization.pk)
        if organization.status == status:
            return organization
        previous = organization.status
        organization.status = status
        organization.save(update_fields=["status", "updated_at"])
        record_event(
            actor=actor,
            action="organization.status",
            organization=organization,
            target=organization,
            request=request,
            data={"from": previous, "to": status, "note": note[:500]},
        )
    return organization


# --- Memberships ------------------------------------------------------------------------------------
#
# Nobody joins an organization without accepting: pages and the API invite (invite_member), and the
# invitee accepts (accept_invitation for a new account, accept_invitation_signed_in for an existing
# one), which calls grant_membership with the invitation. grant_membership without an invitation is
# the internal path of seed_demo and the tests' cast only.


class LastAdmin(HubError):
    """The change would leave an organization without an admin."""

    status = 409
    code = "last_admin"
    message = gettext_lazy("An organization needs at least one admin. Make someone else admin first.")


def _keep_an_admin(membership: Membership) -> None:
    """Raise LastAdmin if `membership` is its organization's only admin (the caller holds the
    organization's row lock, so two admins cannot demote each other at once)."""
    if membership.role == Role.ADMIN and _admin_count(membership.organization) <= 1:
        raise LastAdmin


def _admin_count(organization: Organization) -> int:
    return Membership.objects.filter(organization=organization, role=Role.ADMIN).count()


def _same_person(actor: Any, user: User) -> bool:
    return isinstance(actor, User) and actor.pk == user.pk


def grant_membership(
    *,
    actor: Any,
    organization: Organization,
    user: User,
    role: str,
    invitation: Invitation | None = None,
    request: Any = None,
) -> Membership:
    """Add `user` to the organization with `role`, or change the role of their membership: the one
    place a person joins, audited as `membership.grant`.

    With `invitation`, `user` is accepting it as `actor`: it must be the open invitation (locked by
    the caller) for this organization, role and person. Without one, `actor` must manage the
    organization's members and may not add themselves: that path is internal (seed_demo, the tests'
    cast: a steward adds a new firm's first admin, who adds the others); no page or API reaches it.
    """
    if role not in Role.values:
        raise ValidationError(_("Choose a valid role."))
    if invitation is None:
        if _same_person(actor, user) or not permissions.can_manage_members(actor, organization):
            raise PermissionDenied
    elif not (
        _same_person(actor, user)
        and invitation.is_open
        and invitation.organization_id == organization.pk
        and invitation.role == role
        and invitation.email.lower() == user.email.lower()
    ):
        raise PermissionDenied
    with transaction.atomic():
        Organization.objects.select_for_update().get(pk=organization.pk)
        membership = Membership.objects.filter(user=user, organization=organization).first()
        if membership is not None:
            return _change_role(actor=actor, membership=membership, role=role, request=request)
        membership = Membership.objects.create(user=user, organization=organization, role=role)
        _sync_permissions(user=user, organization=organization, role=role)
        record_event(
            actor=actor,
            action="membership.grant",
            organization=organization,
            target=membership,
            request=request,
            data={"email": user.email, "role": role},
        )
    return membership


def change_role(*, actor: Any, membership: Membership, role: str, request: Any = None) -> Membership:
    """Change a member's role. A steward acting on a firm without an active admin may not change
    their own role (they would make themselves its admin)."""
    organization = membership.organization
    if not permissions.can_manage_members(actor, organization):
        raise PermissionDenied
    if _same_person(actor, membership.user) and "manage_members" not in permissions.organization_permissions(
        actor, organization
    ):
        raise PermissionDenied
    if role not in Role.values:
        raise ValidationError(_("Choose a valid role."))
    with transaction.atomic():
        Organization.objects.select_for_update().get(pk=membership.organization_id)
        membership = Membership.objects.select_related("user", "organization").get(pk=membership.pk)
        return _change_role(actor=actor, membership=membership, role=role, request=request)


def _change_role(*, actor: Any, membership: Membership, role: str, request: Any) -> Membership:
    if membership.role == role:
        return membership
    _keep_an_admin(membership)
    previous = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    _sync_permissions(user=membership.user, organization=membership.organization, role=role)
    record_event(
        actor=actor,
        action="membership.role",
        organization=membership.organization,
        target=membership,
        request=request,
        data={"email": membership.user.email, "from": previous, "to": role},
    )
    return membership


def revoke_membership(*, actor: Any, membership: Membership, request: Any = None) -> None:
    """Remove a person from the organization, with all their permissions on it."""
    organization = membership.organization
    if not permissions.can_manage_members(actor, organization):
        raise PermissionDenied
    with transaction.atomic():
        Organization.objects.select_for_update().get(pk=organization.pk)
        current = Membership.objects.select_related("user").filter(pk=membership.pk).first()
        if current is None:
            return
        _keep_an_admin(current)
        user = current.user
        record_event(
            actor=actor,
            action="membership.revoke",
            organization=organization,
            target=current,
            request=request,
            data={"email": user.email, "role": current.role},
        )
        current.delete()
        _sync_permissions(user=user, organization=organization, role=None)


# --- Invitations ------------------------------------------------------------------------------------


def invite_member(
    *, actor: Any, organization: Organization, email: str, role: str, request: Any = None
) -> tuple[Invitation, str]:
    """Invite a person by e-mail, with or without an account; they join only by accepting.

    Returns the invitation and its link; the link carries a secret that is shown to the inviter once
    and e-mailed to the invitee, and only its hash is stored. A newer invitation for the same address
    cancels the open one. Nobody invites their own account, and a member is not invited again.
    """
    if not permissions.can_manage_members(actor, organization):
        raise PermissionDenied
    email = User.objects.normalize_email(email.strip()).lower()
    if not email:
        raise ValidationError(_("Enter an e-mail address."))
    if role not in Role.values:
        raise ValidationError(_("Choose a valid role."))
    if email == (getattr(actor, "email", "") or "").lower():
        raise ValidationError(_("You cannot invite your own account."))
    if Membership.objects.filter(organization=organization, user__email__iexact=email).exists():
        raise ValidationError(
            _("%(email)s is a member already; change their role in the list.") % {"email": email}
        )
    raw = secrets.token_urlsafe(32)
    with transaction.atomic():
        Invitation.objects.filter(
            organization=organization, email=email, accepted_at__isnull=True, cancelled_at__isnull=True
        ).update(cancelled_at=timezone.now())
        invitation = Invitation.objects.create(
            organization=organization,
            email=email,
            role=role,
            key_hash=secret_digest(raw),
            invited_by=actor,
            expires_at=timezone.now() + timedelta(days=settings.HUB_INVITATION_DAYS),
        )
        record_event(
            actor=actor,
            action="invitation.create",
            organization=organization,
            target=invitation,
            request=request,
            data={"email": email, "role": role},
        )
        link = settings.HUB_PUBLIC_URL.rstrip("/") + reverse("organizations:accept_invitation", args=[raw])
        language = translation.get_language()
        transaction.on_commit(lambda: _send_invitation(invitation.pk, link, language))
    return invitation, link


def _send_invitation(invitation_id: int, link: str, language: str | None) -> None:
    invitation = Invitation.objects.select_related("organization").get(pk=invitation_id)
    with translation.override(language):
        values = {
            "organization": invitation.organization.name,
            "role": invitation.get_role_display(),
            "email": invitation.email,
            "expires": invitation.expires_at.date().isoformat(),
            "link": link,
        }
        subject = _("Invitation to %(organization)s on Alliance Hub") % values
        if invitation_account(invitation) is None:
            text = _(
                "You are invited to join %(organization)s on Alliance Hub as %(role)s.\n\n"
                "Open this link to choose your password and join (valid until %(expires)s):\n%(link)s\n"
            )
        else:
            text = _(
                "You are invited to join %(organization)s on Alliance Hub as %(role)s.\n\n"
                "Open this link, signed in as %(email)s, to accept (valid until %(expires)s):\n%(link)s\n"
            )
        body = text % values
    try:
        send_mail(subject, body, None, [invitation.email])
    except Exception:
        logger.exception("invitation e-mail to %s could not be sent", invitation.email)


def _invitation_holds(invitation: Invitation) -> bool:
    """Open, and its inviter may still invite to the organization: a steward's invitations lapse
    once the organization has an active admin, and an admin's once they are admin no more."""
    inviter = invitation.invited_by
    return (
        invitation.is_open
        and inviter is not None
        and inviter.email.lower() != invitation.email.lower()
        and permissions.can_manage_members(inviter, invitation.organization)
    )


def open_invitation(raw: str) -> Invitation | None:
    """The invitation whose secret is `raw`, if it can still be accepted."""
    invitation = (
        Invitation.objects.select_related("organization", "invited_by")
        .filter(key_hash=secret_digest(raw))
        .first()
    )
    return invitation if invitation is not None and _invitation_holds(invitation) else None


def invitation_account(invitation: Invitation) -> User | None:
    """The account the invitation is for, if one exists: its owner accepts while signed in."""
    return User.objects.filter(email__iexact=invitation.email).first()


def _lock_open_invitation(raw: str) -> Invitation:
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("organization", "invited_by")
        .filter(key_hash=secret_digest(raw))
        .first()
    )
    if invitation is None or not _invitation_holds(invitation):
        raise ValidationError(
            _("This invitation is not valid any more. Ask your organization's admin for a new one.")
        )
    return invitation


def _accept(*, invitation: Invitation, user: User, request: Any) -> Membership:
    membership = grant_membership(
        actor=user,
        organization=invitation.organization,
        user=user,
        role=invitation.role,
        invitation=invitation,
        request=request,
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    record_event(
        actor=user,
        action="invitation.accept",
        organization=invitation.organization,
        target=membership,
        request=request,
        data={"email": user.email, "role": invitation.role},
    )
    return membership


def accept_invitation(*, raw: str, full_name: str, password: str, request: Any = None) -> User:
    """Create the invitee's account and membership. An invitation is used once."""
    with transaction.atomic():
        invitation = _lock_open_invitation(raw)
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise ValidationError(_("An account with this e-mail address exists already. Sign in instead."))
        user = User.objects.create_user(invitation.email, password, full_name=full_name.strip()[:150])
        _accept(invitation=invitation, user=user, request=request)
    return user


def accept_invitation_signed_in(*, raw: str, user: User, request: Any = None) -> Membership:
    """The signed-in `user` accepts an invitation for their own account. An invitation is used once.

    Raises PermissionDenied when the invitation is for another address (nothing changes), and
    ValidationError when it cannot be accepted any more.
    """
    with transaction.atomic():
        invitation = _lock_open_invitation(raw)
        if not user.is_active or invitation.email.lower() != user.email.lower():
            raise PermissionDenied
        return _accept(invitation=invitation, user=user, request=request)


def cancel_invitation(*, actor: Any, invitation: Invitation, request: Any = None) -> None:
    if not permissions.can_manage_members(actor, invitation.organization):
        raise PermissionDenied
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at or invitation.cancelled_at:
            return
        invitation.cancelled_at = timezone.now()
        invitation.save(update_fields=["cancelled_at"])
        record_event(
            actor=actor,
            action="invitation.cancel",
            organization=invitation.organization,
            target=invitation,
            request=request,
            data={"email": invitation.email},
        )


# --- Stewards -----------------------------------------------------------------------------------------

STEWARD_GROUP = "Stewards"
STEWARD_PERMISSIONS = [
    "organizations.add_organization",
    "organizations.change_organization",
    "organizations.view_organization",
    "organizations.admit_organization",
    "organizations.view_membership",
    "organizations.view_invitation",
    "organizations.add_enterprisegroup",
    "organizations.change_enterprisegroup",
    "organizations.view_enterprisegroup",
    "organizations.add_sector",
    "organizations.change_sector",
    "organizations.view_sector",
    "standards.view_standard",
    "standards.change_standard",
    "standards.add_standardversion",
    "standards.change_standardversion",
    "standards.view_standardversion",
    "standards.view_field",
    "standards.add_exchangerate",
    "standards.change_exchangerate",
    "standards.view_exchangerate",
    "submissions.view_submission",
    "audit.view_auditevent",
    "accounts.view_user",
    "organizations.view_apitoken",
]


def ensure_steward_group(**kwargs: Any) -> None:
    """The group that makes a staff user a steward, with exactly the stewards' model permissions.

    Connected to post_migrate, so every migrated database has it; idempotent.
    """
    from django.contrib.auth.models import Group

    group, _created = Group.objects.get_or_create(name=STEWARD_GROUP)
    wanted = []
    for name in STEWARD_PERMISSIONS:
        app_label, codename = name.split(".")
        permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
        if permission is not None:
            wanted.append(permission)
    group.permissions.set(wanted)


def make_steward(*, user: User) -> None:
    """Give a person steward access (staff flag and the Stewards group)."""
    from django.contrib.auth.models import Group

    ensure_steward_group()
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    user.groups.add(Group.objects.get(name=STEWARD_GROUP))
