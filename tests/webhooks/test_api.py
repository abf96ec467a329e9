"""The webhook API: a partner's admins (signed in) and its machine clients manage its endpoints; the
signing secret is answered once; everyone else is refused, and a foreign endpoint or delivery is
missing (404) for all."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from apps.accounts.models import User
from apps.organizations.models import Role
from apps.organizations.services import grant_membership
from apps.webhooks import services
from apps.webhooks.models import Delivery, Endpoint, EventType
from tests.webhooks.conftest import Partner

BASE = "/api/v1/exchange/webhooks/"


@dataclass
class World:
    partner: Partner
    other: Partner
    own: Endpoint
    foreign: Endpoint
    own_delivery: Delivery
    foreign_delivery: Delivery
    people: dict[str, User]


@pytest.fixture
def world(
    cast: Any, partner: Partner, other_partner: Partner, receiver: Any, local_targets: Any,
    django_capture_on_commit_callbacks: Any,
) -> World:  # fmt: skip
    people = {}
    for role in (Role.CONTRIBUTOR, Role.VIEWER):
        person = User.objects.create_user(f"{role}@steppe-partner.example", "exchange-tests-2026")
        grant_membership(actor=partner.admin, organization=partner.organization, user=person, role=role)
        people[role] = person
    made = []
    for owner in (partner, other_partner):
        endpoint, _secret = services.register_endpoint(
            actor=owner.admin,
            organization=owner.organization,
            url=receiver.url,
            events=[EventType.AGREEMENT_CHANGED],
        )
        with django_capture_on_commit_callbacks(execute=True):
            delivery = services.send_test(actor=owner.admin, endpoint=endpoint)
        made.append((endpoint, delivery))
    (own, own_delivery), (foreign, foreign_delivery) = made
    return World(partner, other_partner, own, foreign, own_delivery, foreign_delivery, people)


def _client(cast: Any, world: World, actor: str) -> Client:
    if actor == "partner_admin":
        client = Client()
        client.force_login(world.partner.admin)
        return client
    if actor == "partner_token":
        return world.partner.client()
    if actor in ("partner_contributor", "partner_viewer"):
        client = Client()
        client.force_login(world.people[actor.removeprefix("partner_")])
        return client
    if actor == "foreign_partner_admin":
        client = Client()
        client.force_login(world.other.admin)
        return client
    if actor == "foreign_partner_token":
        return world.other.client()
    return cast.client_for(actor)


OUTSIDERS = ["partner_contributor", "partner_viewer", "a_admin", "token_contributor", "steward", "superuser"]
OWNERS = ["partner_admin", "partner_token"]
FOREIGN = ["foreign_partner_admin", "foreign_partner_token"]

MATRIX: list[tuple[str, str, str, int]] = [
    *[("GET", "list", actor, 200) for actor in OWNERS + FOREIGN],
    *[("GET", "list", actor, 403) for actor in OUTSIDERS],
    ("GET", "list", "anonymous", 401),
    *[
        (method, kind, actor, expected)
        for method, kind, expected in (
            ("GET", "endpoint", 200),
            ("GET", "deliveries", 200),
            ("POST", "test", 202),
            ("POST", "rotate", 200),
            ("POST", "replay", 202),
            ("DELETE", "endpoint", 204),
        )
        for actor in OWNERS
    ],
    *[
        (method, kind, actor, 404)
        for method, kind in (
            ("GET", "endpoint"),
            ("GET", "deliveries"),
            ("POST", "test"),
            ("POST", "rotate"),
            ("POST", "replay"),
            ("DELETE", "endpoint"),
        )
        for actor in FOREIGN + OUTSIDERS
    ],
    *[("GET", "endpoint", "anonymous", 401)],
]


def _url(world: World, kind: str) -> str:
    endpoint = world.own
    delivery = world.own_delivery
    return {
        "list": BASE,
        "endpoint": f"{BASE}{endpoint.pk}/",
        "deliveries": f"{BASE}{endpoint.pk}/deliveries/",
        "test": f"{BASE}{endpoint.pk}/test/",
        "rotate": f"{BASE}{endpoint.pk}/rotate/",
        "replay": f"{BASE}deliveries/{delivery.pk}/replay/",
    }[kind]


@pytest.mark.parametrize(("method", "kind", "actor", "expected"), MATRIX)
def test_permission_matrix(
    cast: Any, world: World, method: str, kind: str, actor: str, expected: int,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    client = _client(cast, world, actor)
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.generic(method, _url(world, kind))
    assert answer.status_code == expected, answer.content
    if expected >= 400:
        assert set(answer.json()) == {"error"}
    if expected == 404:
        assert Endpoint.objects.filter(pk=world.own.pk).exists()


def test_a_foreign_endpoint_is_missing_like_one_that_does_not_exist(cast: Any, world: World) -> None:
    client = world.partner.client()
    foreign = client.get(f"{BASE}{world.foreign.pk}/")
    missing = client.get(f"{BASE}999999/")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()
    assert client.post(f"{BASE}deliveries/{world.foreign_delivery.pk}/replay/").status_code == 404


def test_a_list_shows_only_the_callers_endpoints(cast: Any, world: World) -> None:
    rows = world.partner.client().get(BASE).json()["results"]
    assert [row["id"] for row in rows] == [world.own.pk]
    assert "secret" not in rows[0]


def test_registering_answers_the_secret_once(
    cast: Any, partner: Partner, receiver: Any, local_targets: Any
) -> None:
    client = partner.client()
    answer = client.post(
        BASE,
        {"url": receiver.url, "events": ["benchmark.published", "agreement.changed"]},
        "application/json",
    )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["secret"].startswith("whsec_")
    assert body["events"] == ["agreement.changed", "benchmark.published"]
    again = client.get(f"{BASE}{body['id']}/").json()
    assert "secret" not in again and body["secret"] not in str(again)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"url": "https://127.0.0.1/x", "events": ["agreement.changed"]}, None),
        ({"url": "https://example.org/x", "events": ["webhook.test"]}, "events"),
        ({"url": "https://example.org/x", "events": []}, "events"),
        ({"events": ["agreement.changed"]}, "url"),
    ],
)
def test_a_bad_registration_is_a_400_with_the_error_envelope(
    cast: Any, partner: Partner, payload: dict[str, Any], field: str | None
) -> None:
    answer = partner.client().post(BASE, payload, "application/json")
    assert answer.status_code == 400, answer.content
    error = answer.json()["error"]
    if field:
        assert field in str(error["details"])
    else:
        assert error["code"] == "webhook_target_refused"
    assert not Endpoint.objects.exists()


def test_the_delivery_log_lists_the_endpoints_deliveries(cast: Any, world: World) -> None:
    rows = world.partner.client().get(f"{BASE}{world.own.pk}/deliveries/").json()["results"]
    assert [(row["id"], row["type"], row["status"]) for row in rows] == [
        (world.own_delivery.pk, "webhook.test", "delivered")
    ]
