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

Each allowed answer is checked for what it does (tests/matrix.py): the invitation, role, removal,
token or status written, the page drawn, where a redirect leads; every other answer changes nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from apps.accounts.models import User
from apps.organizations.models import (
    ApiToken,
    Invitation,
    Membership,
    Organization,
    OrganizationUserObjectPermission,
)
from apps.organizations.permissions import CONTRIBUTOR_PERMISSIONS
from tests.matrix import (
    ADMIN_LOGIN,
    LOGIN,
    STEWARDS,
    Case,
    Outcome,
    State,
    all_of,
    check,
    redirects_to,
    renders,
    row,
    snapshot,
)


def state() -> State:
    """What the foundation's pages and endpoints may change (not audit events: a refusal records one,
    nor when a token was last used)."""
    return snapshot(
        organizations=Organization.objects.values_list("id", "slug", "status", "legal_name", "kind"),
        memberships=Membership.objects.values_list("id", "organization_id", "user_id", "role"),
        permissions=OrganizationUserObjectPermission.objects.values_list(
            "user_id", "content_object_id", "permission__codename"
        ),
        invitations=Invitation.objects.values_list(
            "id", "organization_id", "email", "role", "accepted_at", "cancelled_at"
        ),
        tokens=ApiToken.objects.values_list(
            "id", "organization_id", "name", "role", "expires_at", "revoked_at"
        ),
        users=User.objects.values_list("id", "email", "is_active", "is_staff", "is_superuser"),
    )


def page(template: str) -> Any:
    """The organization's page drawn from `template`, changing nothing."""
    drawn = renders(template)

    def effect(outcome: Outcome) -> None:
        drawn(outcome)
        assert outcome.response.context["organization"] == outcome.objects["organization"]

    return effect


def only_changed(outcome: Outcome, *names: str) -> None:
    assert outcome.changed() == set(names), (str(outcome.case), sorted(outcome.changed()))


def invited(outcome: Outcome) -> None:
    """POST members/: an open invitation of newcomer@example.org as a viewer, its link shown once."""
    only_changed(outcome, "invitations")
    organization = outcome.objects["organization"]
    assert {row[1:] for row in outcome.added("invitations")} == {
        (organization.pk, "newcomer@example.org", "viewer", None, None)
    }
    link = outcome.response.context["invitation_link"]
    assert link and link in outcome.response.content.decode()


def role_changed(outcome: Outcome) -> None:
    """POST role/: the viewer is a contributor, with a contributor's permissions and no more."""
    only_changed(outcome, "memberships", "permissions")
    member = outcome.objects["member"]
    assert Membership.objects.get(pk=member.pk).role == "contributor"
    held = OrganizationUserObjectPermission.objects.filter(
        user=member.user, content_object=member.organization
    )
    assert set(held.values_list("permission__codename", flat=True)) == CONTRIBUTOR_PERMISSIONS


def removed(outcome: Outcome) -> None:
    """POST remove/: the viewer's membership is gone, and every permission it carried."""
    only_changed(outcome, "memberships", "permissions")
    member = outcome.objects["member"]
    assert {row[0] for row in outcome.removed("memberships")} == {member.pk}
    assert not outcome.added("memberships") and not outcome.added("permissions")
    assert not OrganizationUserObjectPermission.objects.filter(
        user=member.user, content_object=member.organization
    ).exists()


def token_created(outcome: Outcome) -> None:
    """POST tokens/: a viewer token "ERP" of the organization for 30 days, its secret shown once."""
    only_changed(outcome, "tokens")
    ((_id, organization_id, name, role, expires_at, revoked_at),) = outcome.added("tokens")
    assert (organization_id, name, role, revoked_at) == (
        outcome.objects["organization"].pk,
        "ERP",
        "viewer",
        None,
    )
    assert abs(expires_at - (timezone.now() + dt.timedelta(days=30))) < dt.timedelta(minutes=5)
    secret = outcome.response.context["secret"]
    assert secret and secret in outcome.response.content.decode()
    assert outcome.response["Cache-Control"] == "no-store"


def token_revoked(outcome: Outcome) -> None:
    """POST revoke/: the token is revoked (and nothing else)."""
    only_changed(outcome, "tokens")
    token = outcome.objects["token"]
    assert {row[0] for row in outcome.removed("tokens")} == {token.pk}
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


def suspended(outcome: Outcome) -> None:
    """POST status/: the organization is suspended."""
    only_changed(outcome, "organizations")
    assert Organization.objects.get(pk=outcome.objects["organization"].pk).status == "suspended"


def steward_list(outcome: Outcome) -> None:
    renders("organizations/steward_list.html")(outcome)
    listed = {organization.slug for organization in outcome.response.context["page"]}
    assert {"firm-a", "firm-b"} <= listed


def steward_form(outcome: Outcome) -> None:
    renders("organizations/steward_form.html")(outcome)
    assert outcome.response.context["form"].instance == outcome.objects["organization"]


def admin_list(outcome: Outcome) -> None:
    renders("admin/change_list.html")(outcome)


def me(outcome: Outcome) -> None:
    """GET /api/v1/me/: the caller, a person by their e-mail address or a token by its role."""
    body = outcome.response.json()
    if outcome.actor.startswith("token_"):
        assert (body["kind"], body["token"]["role"]) == ("token", outcome.actor.removeprefix("token_"))
    else:
        assert (body["kind"], body["email"]) == (
            "user",
            outcome.objects["cast"].user_for(outcome.actor).email,
        )
    assert not outcome.changed()


def organization_list(outcome: Outcome) -> None:
    """GET /api/v1/organizations/: firm A for its people and tokens, both firms for stewards, nothing
    for the staff user."""
    slugs = [organization["slug"] for organization in outcome.response.json()["results"]]
    if outcome.actor in STEWARDS:
        expected = ["firm-a", "firm-b"]
    else:
        expected = [] if outcome.actor == "staff" else ["firm-a"]
    assert slugs == expected, outcome.actor
    assert not outcome.changed()


def organization_body(outcome: Outcome) -> None:
    body = outcome.response.json()
    assert (body["id"], body["slug"]) == (outcome.objects["organization"].pk, outcome.objects["slug"])
    assert not outcome.changed()


NOT_ADMINS = {"a_contributor": 403, "a_viewer": 403}
MEMBERS_PAGE = "/organizations/{slug}/members/"
MATRIX = [
    # pages: tokens do not sign in to pages (302 to sign-in, like anonymous)
    *row("GET", "/", "own", effect=renders("portal/dashboard.html"), people=200, others=LOGIN),
    *row(
        "GET",
        "/organizations/{slug}/",
        "own",
        effect=page("organizations/detail.html"),
        people=200,
        staff=404,
        others=LOGIN,
    ),
    *row(
        "GET",
        "/organizations/{slug}/",
        "foreign",
        effect=page("organizations/detail.html"),
        people=404,
        stewards=200,
        others=LOGIN,
    ),
    *row(
        "GET",
        "/organizations/{slug}/",
        "adminless",
        effect=page("organizations/detail.html"),
        people=404,
        stewards=200,
        others=LOGIN,
    ),
    *row(
        "GET",
        "/organizations/{slug}/members/",
        "own",
        effect=page("organizations/members.html"),
        a_admin=200,
        **NOT_ADMINS,
        stewards=403,
        staff=404,
        others=LOGIN,
    ),
    *row("GET", "/organizations/{slug}/members/", "foreign", people=404, stewards=403, others=LOGIN),
    *row(
        "GET",
        "/organizations/{slug}/members/",
        "adminless",
        effect=page("organizations/members.html"),
        people=404,
        stewards=200,
        others=LOGIN,
    ),
    *row(
        "GET",
        "/organizations/{slug}/tokens/",
        "own",
        effect=page("organizations/tokens.html"),
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
        effect=page("organizations/audit.html"),
        a_admin=200,
        **NOT_ADMINS,
        stewards=200,
        staff=404,
        others=LOGIN,
    ),
    *row(
        "GET",
        "/organizations/{slug}/audit/",
        "foreign",
        effect=page("organizations/audit.html"),
        people=404,
        stewards=200,
        others=LOGIN,
    ),
    # adding a person creates an invitation and shows its link (200)
    *row(
        "POST",
        "/organizations/{slug}/members/",
        "own",
        effect=invited,
        a_admin=200,
        **NOT_ADMINS,
        stewards=403,
        staff=404,
        others=LOGIN,
    ),
    *row("POST", "/organizations/{slug}/members/", "foreign", people=404, stewards=403, others=LOGIN),
    *row(
        "POST",
        "/organizations/{slug}/members/",
        "adminless",
        effect=invited,
        people=404,
        stewards=200,
        others=LOGIN,
    ),
    *row(
        "POST",
        "/organizations/{slug}/members/{member}/role/",
        "own",
        effect=all_of(role_changed, redirects_to(MEMBERS_PAGE)),
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
        effect=all_of(role_changed, redirects_to(MEMBERS_PAGE)),
        people=404,
        stewards=302,
        others=LOGIN,
    ),
    *row(
        "POST",
        "/organizations/{slug}/members/{member}/remove/",
        "own",
        effect=all_of(removed, redirects_to(MEMBERS_PAGE)),
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
        effect=all_of(removed, redirects_to(MEMBERS_PAGE)),
        people=404,
        stewards=302,
        others=LOGIN,
    ),
    *row(
        "POST",
        "/organizations/{slug}/tokens/",
        "own",
        effect=token_created,
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
        effect=all_of(token_revoked, redirects_to("/organizations/{slug}/tokens/")),
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
        effect=steward_list,
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
        effect=steward_form,
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
        effect=all_of(suspended, redirects_to("/steward/organizations/")),
        stewards=302,
        a_admin=403,
        **NOT_ADMINS,
        staff=403,
        others=LOGIN,
    ),
    # the admin: people who are not staff go to its sign-in page; nobody mints, changes or deletes a
    # token there, and tokens are shown without their secret (test_access_attempts)
    *row(
        "GET", "/admin/accounts/user/", "own", effect=admin_list, stewards=200, staff=403, others=ADMIN_LOGIN
    ),
    *row(
        "GET",
        "/admin/organizations/apitoken/",
        "own",
        effect=admin_list,
        stewards=200,
        staff=403,
        others=ADMIN_LOGIN,
    ),
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
    *row("GET", "/api/v1/me/", "own", effect=me, people=200, tokens=200, anonymous=401),
    *row(
        "GET",
        "/api/v1/organizations/",
        "own",
        effect=organization_list,
        people=200,
        tokens=200,
        anonymous=401,
    ),
    *row(
        "GET",
        "/api/v1/organizations/{id}/",
        "own",
        effect=organization_body,
        people=200,
        staff=404,
        tokens=200,
        anonymous=401,
    ),
    *row(
        "GET",
        "/api/v1/organizations/{id}/",
        "foreign",
        effect=organization_body,
        people=404,
        stewards=200,
        tokens=404,
        anonymous=401,
    ),
]


def _body(path: str) -> dict[str, Any]:
    if path.endswith("/members/"):
        return {"email": "newcomer@example.org", "role": "viewer"}
    if path.endswith("/role/"):
        return {"role": "contributor"}
    if path.endswith("/tokens/"):
        return {"name": "ERP", "role": "viewer", "days": 30}
    if path.endswith("/status/"):
        return {"status": "suspended"}
    return {}


@pytest.mark.parametrize("case", MATRIX, ids=str)
def test_permission_matrix(cast: Any, request: Any, case: Case) -> None:
    organization = {
        "own": lambda: cast.org_a,
        "foreign": lambda: cast.org_b,
        "adminless": lambda: request.getfixturevalue("firm_without_admin"),
    }[case.target]()
    member = Membership.objects.select_related("user", "organization").get(
        organization=organization, role="viewer"
    )
    token = organization.api_tokens.first() or cast.org_a.api_tokens.first()
    objects = {
        "cast": cast,
        "organization": organization,
        "slug": organization.slug,
        "id": organization.pk,
        "member": member,
        "token": token,
    }
    path = case.path.format(slug=organization.slug, id=organization.pk, member=member.pk, token=token.pk)
    client = cast.client_for(case.actor)
    before = state()
    response = client.get(path) if case.method == "GET" else client.post(path, _body(path))
    check(Outcome(case, path, response, before, state(), objects))


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
