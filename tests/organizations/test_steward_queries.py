"""The steward's list pages and endpoints keep their query counts as organizations and their rows grow.

Each list is read with the data of several organizations (members, open invitations, tokens,
submissions, audit events, standards and their versions), within its pinned count; then the data
grows (more organizations, more rows of every kind) and the list, showing more rows, must keep
within the same count, so a query per organization or per row shows."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.base import ContentFile

from apps.accounts.models import User
from apps.organizations.models import Organization, Role
from apps.organizations.services import grant_membership, invite_member
from apps.organizations.tokens import create_api_token
from apps.standards import services as standard_services
from apps.standards.models import StandardVersion
from apps.standards.services import STANDARDS_DIR, load_definition, read_definition_file
from apps.submissions.services import receive_submission
from tests.conftest import PASSWORD, make_firm
from tests.submissions.data import EN_HEADERS, csv_bytes, distinct_rows

CODE = "tomato-paste.exports"
LANGUAGES = ("en", "zh-hans", "ru", "kk", "ky", "uz")

# (what the steward reads, queries at most): pages and the API. The organization's page lists its
# members; the members page of firm C (adminless, which stewards manage) lists members and open
# invitations; stewards read tokens, invitations, submissions' metadata and events in the admin.
STEWARD_LISTS = [
    ("/steward/organizations/", 7),
    ("/api/v1/organizations/", 12),
    ("/organizations/firm-a/", 10),
    ("/organizations/firm-c/members/", 9),
    ("/organizations/firm-a/audit/", 7),
    ("/standards/", 6),
    ("/api/v1/standards/", 12),
    (f"/standards/{CODE}/1.0.0/", 10),
    (f"/api/v1/standards/{CODE}/", 12),
    ("/submissions/", 6),
    ("/api/v1/submissions/", 11),
    ("/admin/organizations/organization/", 9),
    ("/admin/organizations/invitation/", 7),
    ("/admin/organizations/apitoken/", 7),
    ("/admin/submissions/submission/", 8),
    ("/admin/audit/auditevent/", 10),
]

# Lists that hold nothing for a steward (raw figures stay within their organization), however many
# organizations there are: what grows there is the organizations.
SEE_NONE = {"/submissions/", "/api/v1/submissions/"}


@pytest.fixture
def grow(
    cast: Any, standards: Any, firm_without_admin: Organization, django_capture_on_commit_callbacks: Any
) -> Callable[[], None]:
    """Each call adds a member firm with an admin, a contributor, an open invitation, a token and an
    accepted submission; a member and an open invitation to firms A, B and C (adminless), a token and
    a submission to A and B; a published version of tomato-paste.exports and one more standard. Every
    write records its audit event."""
    numbers = itertools.count(1)
    sector = cast.org_a.sectors.first()

    def person(email: str) -> User:
        return User.objects.create_user(email, PASSWORD)

    def send(contributor: User, organization: Organization, number: int) -> None:
        version = StandardVersion.objects.get(standard__code=CODE, version="1.0.0")
        with django_capture_on_commit_callbacks(execute=True):
            receive_submission(
                actor=contributor,
                organization=organization,
                version=version,
                period=f"2026-{number:02}",
                upload=ContentFile(csv_bytes(EN_HEADERS, distinct_rows(3)), name="data.csv"),
                filename="data.csv",
            )

    def standards_grow(number: int) -> None:
        newest = StandardVersion.objects.filter(standard__code=CODE, status="published").latest(
            "published_at"
        )
        draft = standard_services.create_draft(actor=cast.steward, base=newest)
        standard_services.save_field(
            actor=cast.steward,
            draft=draft,
            data={
                "name": f"note_{number}",
                "type": "string",
                "title": dict.fromkeys(LANGUAGES, f"Note {number}"),
                "description": dict.fromkeys(LANGUAGES, "x"),
            },
        )
        standard_services.publish_draft(actor=cast.steward, draft=draft)
        definition = read_definition_file(STANDARDS_DIR / CODE / "1.0.0.yaml")
        load_definition(definition={**definition, "code": f"tomato-paste.copy{number}"}, source="tests")

    def more() -> None:
        n = next(numbers)
        firm = make_firm(cast.steward, f"extra-{n}", sector)
        admin = person(f"admin@extra-{n}.example")
        grant_membership(actor=cast.steward, organization=firm, user=admin, role=Role.ADMIN)
        contributor = person(f"contributor@extra-{n}.example")
        grant_membership(actor=admin, organization=firm, user=contributor, role=Role.CONTRIBUTOR)
        invite_member(actor=admin, organization=firm, email=f"invited@extra-{n}.example", role=Role.VIEWER)
        create_api_token(actor=admin, organization=firm, name="ERP", role="viewer")
        send(contributor, firm, n)
        for key, organization in (("a", cast.org_a), ("b", cast.org_b)):
            admin = cast.person(key, Role.ADMIN)
            newcomer = person(f"member-{n}@{organization.slug}.example")
            grant_membership(actor=admin, organization=organization, user=newcomer, role=Role.VIEWER)
            invite_member(
                actor=admin,
                organization=organization,
                email=f"invited-{n}@{organization.slug}.example",
                role="viewer",
            )
            create_api_token(actor=admin, organization=organization, name=f"ERP {n}", role="viewer")
            send(cast.person(key, Role.CONTRIBUTOR), organization, n)
        newcomer = person(f"member-{n}@firm-c.example")
        grant_membership(actor=cast.steward, organization=firm_without_admin, user=newcomer, role=Role.VIEWER)
        invite_member(
            actor=cast.steward,
            organization=firm_without_admin,
            email=f"invited-{n}@firm-c.example",
            role="viewer",
        )
        standards_grow(n)

    return more


def rows(response: Any) -> int:
    """How many rows the list shows: an API's results or items, a page's paginated rows, the admin's
    rows, the members and open invitations of the members page, the catalog's standards, a version
    page's versions."""
    if response["Content-Type"].startswith("application/json"):
        body = response.json()
        if isinstance(body, list):
            return len(body)
        return len(body["results"] if "results" in body else body["versions"])
    context = response.context
    if "cl" in context:
        return len(context["cl"].result_list)
    if "page" in context:
        return len(context["page"].object_list)
    if "invitations" in context:
        return len(context["members"]) + len(context["invitations"])
    if "members" in context:
        return len(context["members"])
    return len(context["rows"] if "rows" in context else context["versions"])


@pytest.mark.parametrize(("path", "most"), STEWARD_LISTS)
def test_the_stewards_lists_keep_their_queries(
    cast: Any, grow: Callable[[], None], django_assert_max_num_queries: Any, path: str, most: int
) -> None:
    for _ in range(2):
        grow()
    client = cast.client_for("steward")
    assert client.get(path).status_code == 200  # the session and the content types, read once
    with django_assert_max_num_queries(most):
        before = client.get(path)
    for _ in range(2):
        grow()
    with django_assert_max_num_queries(most):
        after = client.get(path)
    assert before.status_code == after.status_code == 200
    assert rows(after) > rows(before) or (path in SEE_NONE and rows(after) == 0), (rows(before), rows(after))
