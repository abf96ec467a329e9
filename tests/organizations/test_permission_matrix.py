"""Every role against its own and a foreign organization, on every page and endpoint of the foundation.

Actors belong to firm A, or are the steward, a token of firm A or anonymous, or hold no membership
anywhere: a superuser (as `createsuperuser` makes one), a steward who tried to invite their own
account to both firms (refused, see the cast), and a staff user without steward rights. None of
these three reaches a firm's data, tokens or member management: the superuser and the self-invited
steward get exactly the steward's answers ("stewards"), the staff user those of a stranger.

The target is firm A ("own"), firm B ("foreign"), or firm C ("adminless"), whose only admin has
left: stewards manage members only there, to invite its new admin. A foreign organization's objects
answer 404, like missing ones; members are listed on the organization's page, so a steward refused
to manage them gets 403.
"""

from __future__ import annotations

from typing import Any

import pytest

from apps.organizations.models import Membership

STEWARDS = ["steward", "superuser", "self_invited_steward"]
PEOPLE = ["a_admin", "a_contributor", "a_viewer", *STEWARDS, "staff"]
ACTORS = [*PEOPLE, "token_viewer", "token_contributor", "anonymous"]


def row(method: str, path: str, target: str, **expected: int) -> list[tuple[str, str, str, str, int]]:
    """Expand {actor: status} (with 'people', 'stewards', 'tokens' and 'others' shorthands) into
    matrix rows; later keys win."""
    statuses: dict[str, int] = {}
    for key, status in expected.items():
        if key == "people":
            statuses.update(dict.fromkeys(PEOPLE, status))
        elif key == "stewards":
            statuses.update(dict.fromkeys(STEWARDS, status))
        elif key == "tokens":
            statuses.update({"token_viewer": status, "token_contributor": status})
        elif key != "others":
            statuses[key] = status
    for actor in ACTORS:
        statuses.setdefault(actor, expected.get("others", 0))
    return [(method, path, target, actor, status) for actor, status in statuses.items() if status]


LOGIN = 302  # pages send anonymous people to the sign-in page
ADMIN_LOGIN = 302  # the admin sends people who are not staff to its own sign-in page
NOT_ADMINS = {"a_contributor": 403, "a_viewer": 403}
MATRIX = [
    # pages: tokens do not sign in to pages (302 to sign-in, like anonymous)
    *row("GET", "/", "own", people=200, others=LOGIN),
    *row("GET", "/organizations/{slug}/", "own", people=200, staff=404, others=LOGIN),
    *row("GET", "/organizations/{slug}/", "foreign", people=404, stewards=200, others=LOGIN),
    *row("GET", "/organizations/{slug}/", "adminless", people=404, stewards=200, others=LOGIN),
    *row(
        "GET",
        "/organizations/{slug}/members/",
        "own",
        a_admin=200,
        **NOT_ADMINS,
        stewards=403,
        staff=404,
        others=LOGIN,
    ),
    *row("GET", "/organizations/{slug}/members/", "foreign", people=404, stewards=403, others=LOGIN),
    *row("GET", "/organizations/{slug}/members/", "adminless", people=404, stewards=200, others=LOGIN),
    *row(
        "GET",
        "/organizations/{slug}/tokens/",
        "own",
        a_admin=200,
        **NOT_ADMINS,
        stewards=403,
        staff=404,
        others=LOGIN,
    ),
    *row("GET", "/organizations/{slug}/tokens/", "foreign", people=404, stewards=403, others=LOGIN),
    *row("GET", "/organizations/{slug}/tokens/", "adminless", people=404, stewards=403, others=LOGIN),
    *row(
        "GET",
        "/organizations/{slug}/audit/",
        "own",
        a_admin=200,
        **NOT_ADMINS,
        stewards=200,
        staff=404,
        others=LOGIN,
    ),
    *row("GET", "/organizations/{slug}/audit/", "foreign", people=404, stewards=200, others=LOGIN),
    # adding a person creates an invitation and shows its link (200)
    *row(
        "POST",
        "/organizations/{slug}/members/",
        "own",
        a_admin=200,
        **NOT_ADMINS,
        stewards=403,
        staff=404,
        others=LOGIN,
    ),
    *row("POST", "/organizations/{slug}/members/", "foreign", people=404, stewards=403, others=LOGIN),
    *row("POST", "/organizations/{slug}/members/", "adminless", people=404, stewards=200, others=LOGIN),
    *row(
        "POST",
        "/organizations/{slug}/members/{member}/role/",
        "own",
        a_admin=302,
        **NOT_ADMINS,
        stewards=403,
        staff=404,
        others=LOGIN,
    ),
    *row(
        "POST",
        "/organizations/{slug}/members/{member}/role/",
        "foreign",
        people=404,
        stewards=403,
        others=LOGIN,
    ),
    *row(
        "POST",
        "/organizations/{slug}/members/{member}/role/",
        "adminless",
        people=404,
        stewards=302,
        others=LOGIN,
    ),
    *row(
        "POST",
        "/organizations/{slug}/members/{member}/remove/",
        "own",
        a_admin=302,
        **NOT_ADMINS,
        stewards=403,
        staff=404,
        others=LOGIN,
    ),
    *row(
        "POST",
        "/organizations/{slug}/members/{member}/remove/",
        "foreign",
        people=404,
        stewards=403,
        others=LOGIN,
    ),
    *row(
        "POST",
        "/organizations/{slug}/members/{member}/remove/",
        "adminless",
        people=404,
        stewards=302,
        others=LOGIN,
    ),
    *row(
        "POST",
        "/organizations/{slug}/tokens/",
        "own",
        a_admin=200,
        **NOT_ADMINS,
        stewards=403,
        staff=404,
        others=LOGIN,
    ),
    *row("POST", "/organizations/{slug}/tokens/", "foreign", people=404, stewards=403, others=LOGIN),
    *row("POST", "/organizations/{slug}/tokens/", "adminless", people=404, stewards=403, others=LOGIN),
    *row(
        "POST",
        "/organizations/{slug}/tokens/{token}/revoke/",
        "own",
        a_admin=302,
        a_contributor=404,
        a_viewer=404,
        stewards=404,
        staff=404,
        others=LOGIN,
    ),
    *row("POST", "/organizations/{slug}/tokens/{token}/revoke/", "foreign", people=404, others=LOGIN),
    *row(
        "GET",
        "/steward/organizations/",
        "own",
        stewards=200,
        a_admin=403,
        **NOT_ADMINS,
        staff=403,
        others=LOGIN,
    ),
    *row(
        "GET",
        "/steward/organizations/{slug}/edit/",
        "foreign",
        stewards=200,
        a_admin=403,
        **NOT_ADMINS,
        staff=403,
        others=LOGIN,
    ),
    *row(
        "POST",
        "/steward/organizations/{slug}/status/",
        "own",
        stewards=302,
        a_admin=403,
        **NOT_ADMINS,
        staff=403,
        others=LOGIN,
    ),
    # the admin: people who are not staff go to its sign-in page; nobody mints, changes or deletes a
    # token there, and tokens are shown without their secret (test_access_attempts)
    *row("GET", "/admin/accounts/user/", "own", stewards=200, staff=403, others=ADMIN_LOGIN),
    *row("GET", "/admin/organizations/apitoken/", "own", stewards=200, staff=403, others=ADMIN_LOGIN),
    *row("GET", "/admin/organizations/apitoken/add/", "own", stewards=403, staff=403, others=ADMIN_LOGIN),
    *row(
        "POST",
        "/admin/organizations/apitoken/{token}/change/",
        "own",
        stewards=403,
        staff=403,
        others=ADMIN_LOGIN,
    ),
    *row(
        "POST",
        "/admin/organizations/apitoken/{token}/delete/",
        "own",
        stewards=403,
        staff=403,
        others=ADMIN_LOGIN,
    ),
    *row("GET", "/admin/organizations/membership/add/", "own", stewards=404, staff=404, others=ADMIN_LOGIN),
    # API: tokens and people alike; anonymous gets 401
    *row("GET", "/api/v1/me/", "own", people=200, tokens=200, anonymous=401),
    *row("GET", "/api/v1/organizations/", "own", people=200, tokens=200, anonymous=401),
    *row("GET", "/api/v1/organizations/{id}/", "own", people=200, staff=404, tokens=200, anonymous=401),
    *row(
        "GET", "/api/v1/organizations/{id}/", "foreign", people=404, stewards=200, tokens=404, anonymous=401
    ),
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
    cast: Any, request: Any, method: str, template: str, target: str, actor: str, expected: int
) -> None:
    organization = {
        "own": lambda: cast.org_a,
        "foreign": lambda: cast.org_b,
        "adminless": lambda: request.getfixturevalue("firm_without_admin"),
    }[target]()
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
    for actor in ("steward", "superuser", "self_invited_steward"):
        slugs = {o["slug"] for o in cast.client_for(actor).get("/api/v1/organizations/").json()["results"]}
        assert slugs == {"firm-a", "firm-b"}, actor
    assert cast.client_for("staff").get("/api/v1/organizations/").json()["results"] == []


def test_foreign_pages_do_not_show_foreign_names(cast: Any) -> None:
    client = cast.client_for("a_admin")
    dashboard = client.get("/").content.decode()
    assert "Firm A" in dashboard
    assert "Firm B" not in dashboard and "firm-b" not in dashboard
