"""A firm's raw data and tokens, tried by everyone who is not the firm: superusers and staff, through
the pages, the API and the admin."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.test import Client

from apps.accounts.models import ApiToken
from apps.accounts.services import create_api_token
from apps.organizations import permissions
from apps.organizations.models import Membership, Organization
from apps.standards.models import StandardVersion
from apps.submissions import services as submissions
from apps.submissions.models import Submission
from tests.submissions.conftest import csv_bytes
from tests.submissions.test_files import EN_HEADERS, ROW

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
    assert client.get("/admin/accounts/apitoken/add/").status_code == 403
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
    page = client.get(f"/admin/accounts/apitoken/{token.pk}/change/")
    assert page.status_code == 200
    assert token.key_hash not in page.content.decode()
    assert client.post(f"/admin/accounts/apitoken/{token.pk}/delete/", {"post": "yes"}).status_code == 403
    assert ApiToken.objects.filter(pk=token.pk).exists()


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
