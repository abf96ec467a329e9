from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.test import Client
from guardian.shortcuts import get_perms

from apps.accounts.models import User
from apps.audit.models import AuditEvent
from apps.organizations import services
from apps.organizations.models import Invitation, Membership, OrganizationUserObjectPermission
from apps.organizations.permissions import ROLE_PERMISSIONS
from tests.conftest import PASSWORD


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
    with pytest.raises(services.LastAdmin):
        services.change_role(actor=admin, membership=membership, role="viewer")
    with pytest.raises(services.LastAdmin):
        services.revoke_membership(actor=admin, membership=membership)
    assert Membership.objects.get(pk=membership.pk).role == "admin"


def test_only_admins_manage_the_members_of_a_firm_with_an_admin(cast: Any) -> None:
    membership = Membership.objects.get(user=cast.person("a", "viewer"), organization=cast.org_a)
    for actor in (
        cast.person("a", "contributor"),
        cast.person("a", "viewer"),
        cast.person("b", "admin"),
        cast.steward,
        cast.superuser,
    ):
        with pytest.raises(PermissionDenied):
            services.change_role(actor=actor, membership=membership, role="admin")
        with pytest.raises(PermissionDenied):
            services.revoke_membership(actor=actor, membership=membership)
    services.change_role(actor=cast.person("a", "admin"), membership=membership, role="admin")


def test_stewards_manage_the_members_of_a_firm_without_an_active_admin(
    cast: Any, firm_without_admin: Any
) -> None:
    membership = Membership.objects.get(user__email="viewer@firm-c.example")
    services.change_role(actor=cast.steward, membership=membership, role="admin")
    with pytest.raises(PermissionDenied):  # the firm has an active admin again
        services.change_role(actor=cast.steward, membership=membership, role="viewer")


def test_a_steward_who_is_a_member_does_not_make_themselves_admin(cast: Any, firm_without_admin: Any) -> None:
    steward = cast.self_invited_steward
    with pytest.raises(PermissionDenied):
        services.grant_membership(actor=steward, organization=firm_without_admin, user=steward, role="admin")
    services.grant_membership(
        actor=cast.steward, organization=firm_without_admin, user=steward, role="viewer"
    )
    membership = Membership.objects.get(user=steward, organization=firm_without_admin)
    with pytest.raises(PermissionDenied):
        services.change_role(actor=steward, membership=membership, role="admin")
    assert Membership.objects.get(pk=membership.pk).role == "viewer"


def test_adding_an_existing_account_sends_an_invitation(
    cast: Any, django_capture_on_commit_callbacks: Any
) -> None:
    outsider = cast.person("b", "viewer")
    client = cast.client_for("a_admin")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/organizations/firm-a/members/", {"email": outsider.email.upper(), "role": "viewer"}
        )
    assert response.status_code == 200
    link = response.context["invitation_link"]
    assert mail.outbox[-1].to == [outsider.email] and link in mail.outbox[-1].body
    assert f"signed in as {outsider.email}" in mail.outbox[-1].body
    assert not Membership.objects.filter(user=outsider, organization=cast.org_a).exists()
    invitee = cast.client_for("b_viewer")
    assert invitee.post(re.sub(r"^https?://[^/]+", "", link)).status_code == 302
    assert Membership.objects.filter(user=outsider, organization=cast.org_a, role="viewer").exists()
    assert set(get_perms(User.objects.get(pk=outsider.pk), cast.org_a)) == ROLE_PERMISSIONS["viewer"]


def test_signing_in_from_an_invitation_comes_back_to_it(cast: Any) -> None:
    invitee = cast.person("b", "viewer")
    _invitation, link = services.invite_member(
        actor=cast.person("a", "admin"), organization=cast.org_a, email=invitee.email, role="viewer"
    )
    path = re.sub(r"^https?://[^/]+", "", link)
    client = Client()
    assert f'href="/accounts/sign-in/?next={path}"' in client.get(path).content.decode()
    response = client.post(
        f"/accounts/sign-in/?next={path}", {"username": invitee.email, "password": PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == path
    page = client.get(path)
    assert "Join Firm A as Viewer" in page.content.decode()
    assert not Membership.objects.filter(user=invitee, organization=cast.org_a).exists()
    assert client.post(path).status_code == 302
    assert Membership.objects.filter(user=invitee, organization=cast.org_a, role="viewer").exists()


def test_a_member_or_oneself_is_not_invited(cast: Any) -> None:
    client = cast.client_for("a_admin")
    for email in ("viewer@firm-a.example", "admin@firm-a.example"):
        response = client.post("/organizations/firm-a/members/", {"email": email, "role": "admin"})
        assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert not Invitation.objects.exists()
    assert Membership.objects.get(user=cast.person("a", "viewer"), organization=cast.org_a).role == "viewer"


def test_a_stewards_invitations_lapse_once_the_firm_has_an_admin(cast: Any, firm_without_admin: Any) -> None:
    invitations = [
        services.invite_member(actor=cast.steward, organization=firm_without_admin, email=email, role="admin")
        for email in ("first@example.org", "second@example.org")
    ]
    form = {"full_name": "First", "password1": "a-long-passphrase-9", "password2": "a-long-passphrase-9"}
    assert Client().post(re.sub(r"^https?://[^/]+", "", invitations[0][1]), form).status_code == 302
    assert Client().get(re.sub(r"^https?://[^/]+", "", invitations[1][1])).status_code == 404
    assert not User.objects.filter(email="second@example.org").exists()


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
    invitation, link = services.invite_member(
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


def test_the_demo_builds_every_firm_with_its_three_people_twice_over(db: Any) -> None:
    from io import StringIO

    from django.core.management import call_command

    from apps.organizations.models import Organization

    for _run in range(2):
        call_command("seed_demo", stdout=StringIO())
    for organization in Organization.objects.all():
        roles = dict(Membership.objects.filter(organization=organization).values_list("user__email", "role"))
        assert roles == {f"{role}@{organization.slug}.example": role for role in ROLE_PERMISSIONS}
    grants = AuditEvent.objects.filter(action="membership.grant")
    assert grants.count() == 3 * Organization.objects.count()
    for actor, data in grants.values_list("actor_label", "data"):
        slug = data["email"].split("@")[1].removesuffix(".example")
        assert actor == ("steward@alliance.example" if data["role"] == "admin" else f"admin@{slug}.example")
