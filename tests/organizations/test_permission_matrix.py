"""Every role against its own and a foreign organization, on every page and endpoint of the foundation.

Actors belong to firm A (or are the steward, a token of firm A, or anonymous); the target is firm A
("own") or firm B ("foreign"). A foreign organization's objects must answer 404, like missing ones.
"""

from __future__ import annotations

from typing import Any

import pytest

from apps.organizations.models import Membership

ACTORS = ["a_admin", "a_contributor", "a_viewer", "steward", "token_viewer", "token_contributor", "anonymous"]
PEOPLE = ["a_admin", "a_contributor", "a_viewer", "steward"]


def row(method: str, path: str, target: str, **expected: int) -> list[tuple[str, str, str, str, int]]:
    """Expand {actor: status} (with 'people', 'tokens' and 'others' shorthands) into matrix rows."""
    statuses: dict[str, int] = {}
    for key, status in expected.items():
        if key == "people":
            statuses.update(dict.fromkeys(PEOPLE, status))
        elif key == "tokens":
            statuses.update({"token_viewer": status, "token_contributor": status})
        elif key != "others":
            statuses[key] = status
    for actor in ACTORS:
        statuses.setdefault(actor, expected.get("others", 0))
    return [(method, path, target, actor, status) for actor, status in statuses.items() if status]


LOGIN = 302  # pages send anonymous people to the sign-in page
MATRIX = [
    # pages: tokens do not sign in to pages (302 to sign-in, like anonymous)
    *row("GET", "/", "own", people=200, others=LOGIN),
    *row("GET", "/organizations/{slug}/", "own", people=200, others=LOGIN),
    *row("GET", "/organizations/{slug}/", "foreign", people=404, steward=200, others=LOGIN),
    *row(
        "GET",
        "/organizations/{slug}/members/",
        "own",
        a_admin=200,
        steward=200,
        a_contributor=403,
        a_viewer=403,
        others=LOGIN,
    ),
    *row("GET", "/organizations/{slug}/members/", "foreign", people=404, steward=200, others=LOGIN),
    *row(
        "GET",
        "/organizations/{slug}/tokens/",
        "own",
        a_admin=200,
        a_contributor=403,
        a_viewer=403,
        steward=403,
        others=LOGIN,
    ),
    *row("GET", "/organizations/{slug}/tokens/", "foreign", people=404, steward=403, others=LOGIN),
    *row(
        "GET",
        "/organizations/{slug}/audit/",
        "own",
        a_admin=200,
        steward=200,
        a_contributor=403,
        a_viewer=403,
        others=LOGIN,
    ),
    *row("GET", "/organizations/{slug}/audit/", "foreign", people=404, steward=200, others=LOGIN),
    # adding someone without an account creates an invitation and shows its link (200)
    *row(
        "POST",
        "/organizations/{slug}/members/",
        "own",
        a_admin=200,
        steward=200,
        a_contributor=403,
        a_viewer=403,
        others=LOGIN,
    ),
    *row("POST", "/organizations/{slug}/members/", "foreign", people=404, steward=200, others=LOGIN),
    *row(
        "POST",
        "/organizations/{slug}/members/{member}/role/",
        "own",
        a_admin=302,
        steward=302,
        a_contributor=403,
        a_viewer=403,
        others=LOGIN,
    ),
    *row(
        "POST",
        "/organizations/{slug}/members/{member}/role/",
        "foreign",
        people=404,
        steward=302,
        others=LOGIN,
    ),
    *row(
        "POST",
        "/organizations/{slug}/members/{member}/remove/",
        "own",
        a_admin=302,
        a_contributor=403,
        a_viewer=403,
        others=LOGIN,
    ),
    *row(
        "POST",
        "/organizations/{slug}/members/{member}/remove/",
        "foreign",
        people=404,
        steward=302,
        others=LOGIN,
    ),
    *row(
        "POST",
        "/organizations/{slug}/tokens/",
        "own",
        a_admin=200,
        a_contributor=403,
        a_viewer=403,
        steward=403,
        others=LOGIN,
    ),
    *row("POST", "/organizations/{slug}/tokens/", "foreign", people=404, steward=403, others=LOGIN),
    *row(
        "POST",
        "/organizations/{slug}/tokens/{token}/revoke/",
        "own",
        a_admin=302,
        a_contributor=404,
        a_viewer=404,
        steward=404,
        others=LOGIN,
    ),
    *row("POST", "/organizations/{slug}/tokens/{token}/revoke/", "foreign", people=404, others=LOGIN),
    *row(
        "GET",
        "/steward/organizations/",
        "own",
        steward=200,
        a_admin=403,
        a_contributor=403,
        a_viewer=403,
        others=LOGIN,
    ),
    *row(
        "GET",
        "/steward/organizations/{slug}/edit/",
        "foreign",
        steward=200,
        a_admin=403,
        a_contributor=403,
        a_viewer=403,
        others=LOGIN,
    ),
    *row(
        "POST",
        "/steward/organizations/{slug}/status/",
        "own",
        steward=302,
        a_admin=403,
        a_contributor=403,
        a_viewer=403,
        others=LOGIN,
    ),
    *row(
        "GET",
        "/admin/accounts/user/",
        "own",
        steward=200,
        a_admin=302,
        a_contributor=302,
        a_viewer=302,
        others=302,
    ),
    # API: tokens and people alike; anonymous gets 401
    *row("GET", "/api/v1/me/", "own", people=200, tokens=200, anonymous=401),
    *row("GET", "/api/v1/organizations/", "own", people=200, tokens=200, anonymous=401),
    *row("GET", "/api/v1/organizations/{id}/", "own", people=200, tokens=200, anonymous=401),
    *row("GET", "/api/v1/organizations/{id}/", "foreign", people=404, steward=200, tokens=404, anonymous=401),
]


def _body(path: str, actor: str, cast: Any, organization: Any) -> dict[str, Any]:
    if path.endswith("/members/"):
        return {"email": "newcomer@example.org", "role": "viewer"}
    if path.endswith("/role/"):
        return {"role": "contributor"}
    if path.endswith("/tokens/"):
        return {"name": "ERP", "role": "viewer", "days": 30}
    if path.endswith("/status/"):
        return {"status": "suspended"}
    return {}


@pytest.mark.parametrize(("method", "template", "target", "actor", "expected"), MATRIX)
def test_permission_matrix(
    cast: Any, method: str, template: str, target: str, actor: str, expected: int
) -> None:
    organization = cast.org_a if target == "own" else cast.org_b
    member = Membership.objects.filter(organization=organization, role="viewer").first()
    token = organization.api_tokens.first() or cast.org_a.api_tokens.first()
    path = template.format(slug=organization.slug, id=organization.pk, member=member.pk, token=token.pk)
    client = cast.client_for(actor)
    if method == "GET":
        response = client.get(path)
    else:
        response = client.post(path, _body(path, actor, cast, organization))
    assert response.status_code == expected, (method, path, actor, response.content[:300])


def test_foreign_organization_is_indistinguishable_from_a_missing_one(cast: Any) -> None:
    client = cast.client_for("a_admin")
    foreign = client.get(f"/api/v1/organizations/{cast.org_b.pk}/")
    missing = client.get("/api/v1/organizations/999999/")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.content == missing.content
    token = cast.client_for("token_viewer")
    assert (
        token.get(f"/api/v1/organizations/{cast.org_b.pk}/").content
        == token.get("/api/v1/organizations/999999/").content
    )


def test_foreign_access_is_audited(cast: Any) -> None:
    from apps.audit.models import AuditEvent

    cast.client_for("a_viewer").get(f"/organizations/{cast.org_b.slug}/")
    event = AuditEvent.objects.filter(action="access.denied").latest("id")
    assert event.organization_id is None  # the stewards' security log, not the target's (tests/audit)
    assert event.data == {"organization_id": cast.org_b.pk}
    assert event.actor_label == "viewer@firm-a.example"


def test_lists_hold_only_own_organizations(cast: Any) -> None:
    for actor in ("a_admin", "a_contributor", "a_viewer", "token_viewer"):
        slugs = [o["slug"] for o in cast.client_for(actor).get("/api/v1/organizations/").json()["results"]]
        assert slugs == ["firm-a"], actor
    steward_slugs = {
        o["slug"] for o in cast.client_for("steward").get("/api/v1/organizations/").json()["results"]
    }
    assert steward_slugs == {"firm-a", "firm-b"}


def test_foreign_pages_do_not_show_foreign_names(cast: Any) -> None:
    client = cast.client_for("a_admin")
    dashboard = client.get("/").content.decode()
    assert "Firm A" in dashboard
    assert "Firm B" not in dashboard and "firm-b" not in dashboard
