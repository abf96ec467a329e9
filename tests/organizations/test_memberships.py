from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from guardian.shortcuts import get_perms

from apps.accounts.models import User
from apps.audit.models import AuditEvent
from apps.organizations import services
from apps.organizations.models import Membership, OrganizationUserObjectPermission
from apps.organizations.permissions import ROLE_PERMISSIONS


def test_roles_grant_exactly_their_permissions(cast: Any) -> None:
    for role in ("admin", "contributor", "viewer"):
        assert set(get_perms(cast.person("a", role), cast.org_a)) == ROLE_PERMISSIONS[role]
        assert get_perms(cast.person("a", role), cast.org_b) == []


def test_changing_a_role_replaces_the_permissions(cast: Any) -> None:
    viewer = cast.person("a", "viewer")
    membership = Membership.objects.get(user=viewer, organization=cast.org_a)
    services.change_role(actor=cast.person("a", "admin"), membership=membership, role="contributor")
    assert set(get_perms(User.objects.get(pk=viewer.pk), cast.org_a)) == ROLE_PERMISSIONS["contributor"]
    event = AuditEvent.objects.filter(action="membership.role").latest("id")
    assert event.data == {"email": viewer.email, "from": "viewer", "to": "contributor"}


def test_removing_a_member_leaves_no_permission_behind(cast: Any) -> None:
    contributor = cast.person("a", "contributor")
    membership = Membership.objects.get(user=contributor, organization=cast.org_a)
    services.revoke_membership(actor=cast.person("a", "admin"), membership=membership)
    assert not OrganizationUserObjectPermission.objects.filter(user=contributor).exists()
    client = Client()
    client.force_login(contributor)
    assert client.get("/organizations/firm-a/").status_code == 404


def test_deleting_an_organization_deletes_its_permissions(cast: Any) -> None:
    cast.org_b.delete()
    assert not OrganizationUserObjectPermission.objects.filter(user=cast.person("b", "admin")).exists()


def test_the_last_admin_cannot_leave_or_be_demoted(cast: Any) -> None:
    admin = cast.person("a", "admin")
    membership = Membership.objects.get(user=admin, organization=cast.org_a)
    with pytest.raises(ValidationError):
        services.change_role(actor=admin, membership=membership, role="viewer")
    with pytest.raises(ValidationError):
        services.revoke_membership(actor=admin, membership=membership)
    assert Membership.objects.get(pk=membership.pk).role == "admin"


def test_only_admins_and_stewards_manage_members(cast: Any) -> None:
    membership = Membership.objects.get(user=cast.person("a", "viewer"), organization=cast.org_a)
    for actor in (cast.person("a", "contributor"), cast.person("a", "viewer"), cast.person("b", "admin")):
        with pytest.raises(PermissionDenied):
            services.change_role(actor=actor, membership=membership, role="admin")
    services.change_role(actor=cast.steward, membership=membership, role="admin")


def test_adding_an_existing_account_makes_it_a_member_at_once(cast: Any) -> None:
    outsider = cast.person("b", "viewer")
    client = cast.client_for("a_admin")
    response = client.post(
        "/organizations/firm-a/members/", {"email": outsider.email.upper(), "role": "viewer"}
    )
    assert response.status_code == 302
    assert Membership.objects.filter(user=outsider, organization=cast.org_a, role="viewer").exists()


def test_invitation_creates_the_account_and_membership(
    cast: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = cast.client_for("a_admin")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/organizations/firm-a/members/", {"email": "new.person@example.org", "role": "contributor"}
        )
    link = response.context["invitation_link"]
    assert link in response.content.decode()
    assert len(mail.outbox) == 1 and link in mail.outbox[0].body
    path = re.sub(r"^https?://[^/]+", "", link)
    invitee = Client()
    form = invitee.get(path)
    assert form.status_code == 200 and "new.person@example.org" in form.content.decode()
    joined = invitee.post(
        path,
        {"full_name": "New Person", "password1": "a-long-passphrase-9", "password2": "a-long-passphrase-9"},
    )
    assert joined.status_code == 302
    user = User.objects.get(email="new.person@example.org")
    assert set(get_perms(user, cast.org_a)) == ROLE_PERMISSIONS["contributor"]
    assert "Firm A" in invitee.get("/").content.decode()
    assert Client().get(path).status_code == 404  # used once


def test_cancelled_invitation_cannot_be_used(cast: Any) -> None:
    _membership, invitation, link = services.invite_member(
        actor=cast.person("a", "admin"), organization=cast.org_a, email="late@example.org", role="viewer"
    )
    services.cancel_invitation(actor=cast.person("a", "admin"), invitation=invitation)
    path = re.sub(r"^https?://[^/]+", "", link)
    assert Client().get(path).status_code == 404
    response = Client().post(
        path, {"full_name": "x", "password1": "a-long-passphrase-9", "password2": "a-long-passphrase-9"}
    )
    assert response.status_code == 404
    assert not User.objects.filter(email="late@example.org").exists()


def test_members_page_hides_nothing_but_manages_only_own(cast: Any) -> None:
    page = cast.client_for("a_admin").get("/organizations/firm-a/members/").content.decode()
    assert "viewer@firm-a.example" in page and "firm-b" not in page
