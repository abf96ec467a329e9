"""A firm's raw data and tokens, tried by everyone who is not the firm: superusers, stewards, staff and
competitors' employees, through the pages, the API, the admin and the invitations."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.test import Client

from apps.audit.models import AuditEvent
from apps.organizations import permissions
from apps.organizations.models import (
    ApiToken,
    Invitation,
    Membership,
    Organization,
    OrganizationUserObjectPermission,
)
from apps.organizations.tokens import create_api_token
from apps.standards.models import StandardVersion
from apps.submissions import services as submissions
from apps.submissions.models import Submission
from tests.conftest import PASSWORD
from tests.submissions.data import EN_HEADERS, ROW, csv_bytes

SECRET_VALUE = "21500"  # the value column of ROW: firm A's export value


@pytest.fixture
def submission(cast: Any, standards: Any, django_capture_on_commit_callbacks: Any) -> Submission:
    """Firm A's accepted submission, sent by its contributor."""
    broken = list(ROW)
    broken[7] = "lots"  # one issue, so the report holds a value of the firm's file
    with django_capture_on_commit_callbacks(execute=True):
        submission, _created = submissions.receive_submission(
            actor=cast.person("a", "contributor"),
            organization=cast.org_a,
            version=StandardVersion.objects.get(standard__code="tomato-paste.exports", version="1.0.0"),
            period="2026-09",
            upload=ContentFile(csv_bytes(EN_HEADERS, [ROW, broken]), name="firm-a-exports.csv"),
            filename="firm-a-exports.csv",
        )
    submission.refresh_from_db()
    return submission


def _invite(client: Client, organization: Organization, email: str, role: str = "admin") -> Any:
    return client.post(f"/organizations/{organization.slug}/members/", {"email": email, "role": role})


def _path(link: str) -> str:
    return re.sub(r"^https?://[^/]+", "", link)


# --- Superusers -----------------------------------------------------------------------------------------


def test_a_superuser_holds_no_permission_on_any_firm(cast: Any) -> None:
    for organization in (cast.org_a, cast.org_b):
        assert permissions.organization_permissions(cast.superuser, organization) == frozenset()
        assert not permissions.can_view_data(cast.superuser, organization)
        assert not permissions.can_submit_data(cast.superuser, organization)
        assert not permissions.can_manage_tokens(cast.superuser, organization)
        assert not permissions.can_manage_members(cast.superuser, organization)


def test_a_superuser_reads_no_submission_report_by_api_or_page(cast: Any, submission: Submission) -> None:
    client = cast.client_for("superuser")
    for path in (
        f"/api/v1/submissions/{submission.pk}/",
        f"/api/v1/submissions/{submission.pk}/report/",
        f"/api/v1/submissions/{submission.pk}/report.csv",
        f"/submissions/{submission.pk}/",
        f"/submissions/{submission.pk}/report.csv",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert b"lots" not in response.content and SECRET_VALUE.encode() not in response.content
    assert client.get("/api/v1/submissions/").json()["results"] == []
    assert str(submission.pk) not in client.get("/submissions/").content.decode()


def test_a_superuser_mints_no_token_for_a_firm(cast: Any) -> None:
    before = ApiToken.objects.count()
    client = cast.client_for("superuser")
    response = client.post(
        "/organizations/firm-a/tokens/", {"name": "backdoor", "role": "contributor", "days": 30}
    )
    assert response.status_code == 403
    assert client.get("/organizations/firm-a/tokens/").status_code == 403
    with pytest.raises(PermissionDenied):
        create_api_token(actor=cast.superuser, organization=cast.org_a, name="backdoor", role="contributor")
    assert client.get("/admin/organizations/apitoken/add/").status_code == 403
    assert ApiToken.objects.count() == before


def test_the_admin_shows_a_superuser_no_raw_data_and_no_token_secret(
    cast: Any, submission: Submission
) -> None:
    client = cast.client_for("superuser")
    page = client.get(f"/admin/submissions/submission/{submission.pk}/change/")
    assert page.status_code == 200
    content = page.content.decode()
    assert SECRET_VALUE not in content and "lots" not in content
    assert "firm-a-exports" not in content and submission.original.name not in content
    assert client.post(f"/admin/submissions/submission/{submission.pk}/change/", {}).status_code == 403
    for model in ("submissions/observation", "submissions/issue", "organizations/membership"):
        assert client.get(f"/admin/{model}/").status_code == 404, model
    token = ApiToken.objects.filter(organization=cast.org_a).first()
    page = client.get(f"/admin/organizations/apitoken/{token.pk}/change/")
    assert page.status_code == 200
    assert token.key_hash not in page.content.decode()
    assert (
        client.post(f"/admin/organizations/apitoken/{token.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    assert ApiToken.objects.filter(pk=token.pk).exists()


# --- Stewards and invitations ---------------------------------------------------------------------------


def test_a_steward_cannot_invite_their_own_account(cast: Any, firm_without_admin: Organization) -> None:
    steward = cast.steward
    client = cast.client_for("steward")
    assert _invite(client, cast.org_a, steward.email).status_code == 403
    refused = _invite(client, firm_without_admin, steward.email)
    assert refused.status_code == 200 and refused.context["invitation_link"] is None
    assert refused.context["form"].non_field_errors()
    assert not Membership.objects.filter(user=steward).exists()
    assert not OrganizationUserObjectPermission.objects.filter(user=steward).exists()
    assert not Invitation.objects.filter(email=steward.email).exists()
    assert client.get("/api/v1/submissions/").json()["results"] == []
    assert client.get("/organizations/firm-a/tokens/").status_code == 403


def test_a_steward_does_not_manage_the_members_of_a_firm_with_an_admin(cast: Any) -> None:
    outsider = cast.person("b", "contributor")
    client = cast.client_for("steward")
    assert _invite(client, cast.org_a, outsider.email).status_code == 403
    assert not Membership.objects.filter(user=outsider, organization=cast.org_a).exists()
    assert not Invitation.objects.filter(organization=cast.org_a).exists()
    viewer = Membership.objects.get(user=cast.person("a", "viewer"), organization=cast.org_a)
    assert (
        client.post(f"/organizations/firm-a/members/{viewer.pk}/role/", {"role": "admin"}).status_code == 403
    )
    assert client.post(f"/organizations/firm-a/members/{viewer.pk}/remove/").status_code == 403
    assert Membership.objects.get(pk=viewer.pk).role == "viewer"
    page = client.get("/organizations/firm-a/").content.decode()
    assert "viewer@firm-a.example" in page  # stewards still see who the members are


def test_a_competitors_employee_invited_by_a_steward_joins_only_by_accepting(
    cast: Any, firm_without_admin: Organization, django_capture_on_commit_callbacks: Any
) -> None:
    employee = cast.person("b", "contributor")
    with django_capture_on_commit_callbacks(execute=True):
        response = _invite(cast.client_for("steward"), firm_without_admin, employee.email)
    assert response.status_code == 200
    link = response.context["invitation_link"]
    assert link and link in mail.outbox[-1].body
    assert not Membership.objects.filter(user=employee, organization=firm_without_admin).exists()
    path = _path(link)

    anonymous = Client().get(path)
    assert anonymous.status_code == 200
    assert f"/accounts/sign-in/?next={quote(path)}" in anonymous.content.decode()
    assert not Membership.objects.filter(user=employee, organization=firm_without_admin).exists()

    client = cast.client_for("b_contributor")
    page = client.get(path)
    assert page.status_code == 200 and "Join Firm C as Admin" in page.content.decode()
    assert not Membership.objects.filter(user=employee, organization=firm_without_admin).exists()
    assert client.post(path).status_code == 302
    membership = Membership.objects.get(user=employee, organization=firm_without_admin)
    assert membership.role == "admin"
    assert permissions.can_manage_members(employee, firm_without_admin)
    event = AuditEvent.objects.filter(action="invitation.accept").latest("id")
    assert (event.actor_label, event.organization_id) == (employee.email, firm_without_admin.pk)
    assert AuditEvent.objects.filter(
        action="membership.grant", organization_id=firm_without_admin.pk
    ).exists()
    assert Client().get(path).status_code == 404  # used once


def test_an_existing_account_invited_by_the_firms_admin_joins_only_by_accepting(cast: Any) -> None:
    employee = cast.person("b", "contributor")
    response = _invite(cast.client_for("a_admin"), cast.org_a, employee.email.upper(), role="viewer")
    assert response.status_code == 200 and response.context["invitation_link"]
    assert not Membership.objects.filter(user=employee, organization=cast.org_a).exists()
    assert cast.client_for("b_contributor").get(f"/organizations/{cast.org_a.slug}/").status_code == 404


def test_an_invitation_accepted_while_signed_in_as_someone_else_is_refused(cast: Any) -> None:
    invitee = cast.person("b", "contributor")
    response = _invite(cast.client_for("a_admin"), cast.org_a, invitee.email, role="contributor")
    path = _path(response.context["invitation_link"])
    for actor in ("b_viewer", "steward", "superuser"):
        client = cast.client_for(actor)
        page = client.get(path)
        assert page.status_code == 200 and invitee.email in page.content.decode()
        assert client.post(path).status_code == 403, actor
        assert (
            client.post(path, {"full_name": "x", "password1": PASSWORD, "password2": PASSWORD}).status_code
            == 403
        )
        assert not Membership.objects.filter(user=cast.user_for(actor), organization=cast.org_a).exists()
    assert not Membership.objects.filter(user=invitee, organization=cast.org_a).exists()
    assert cast.client_for("b_contributor").post(path).status_code == 302
    assert Membership.objects.get(user=invitee, organization=cast.org_a).role == "contributor"


def test_a_staff_user_without_steward_rights_reaches_nothing_of_a_firm(
    cast: Any, submission: Submission
) -> None:
    client = cast.client_for("staff")
    assert client.get("/organizations/firm-a/").status_code == 404
    assert client.get("/organizations/firm-a/members/").status_code == 404
    assert client.get("/organizations/firm-a/tokens/").status_code == 404
    assert client.get(f"/api/v1/submissions/{submission.pk}/report/").status_code == 404
    assert client.get("/admin/submissions/submission/").status_code == 403
    assert _invite(client, cast.org_a, cast.staff.email).status_code == 404
    assert not Membership.objects.filter(user=cast.staff).exists()


def test_no_code_asks_guardian_or_django_for_object_permissions() -> None:
    """guardian's shortcuts and `has_perm(perm, obj)` answer yes to every superuser: the hub asks
    apps/organizations/permissions.py instead, which reads the membership's permission rows."""
    import ast
    from pathlib import Path

    from django.conf import settings

    shortcuts = {"get_perms", "get_user_perms", "get_objects_for_user", "ObjectPermissionChecker"}
    for folder in ("apps", "alliance"):
        for source in (Path(settings.BASE_DIR) / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call):
                    continue
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                with_object = len(node.args) > 1 or any(k.arg == "obj" for k in node.keywords)
                assert name not in shortcuts, f"{source}:{node.lineno}"
                assert not (name == "has_perm" and with_object), f"{source}:{node.lineno}"
