"""Sign-in limits as an attacker meets them: on the site's page and the admin's, from one address and
from many, and what a flood of wrong passwords costs the audit log."""

from __future__ import annotations

import logging
import time
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.audit.models import AuditEvent
from tests.accounts.pages import sign_in
from tests.conftest import PASSWORD

VICTIM = "admin@firm-a.example"


def admin_sign_in(client: Client, email: str, password: str, **extra: Any) -> Any:
    return client.post("/admin/login/?next=/admin/", {"username": email, "password": password}, **extra)


def is_signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def spray(email: str, count: int, *, first: int = 1, page: Any = sign_in) -> None:
    """`count` wrong passwords for `email`, each from an address of its own."""
    for i in range(first, first + count):
        page(Client(), email, "guess", REMOTE_ADDR=f"203.0.113.{i}")


def test_admin_sign_in_refuses_the_right_password_after_forty_wrong_ones(cast: Any) -> None:
    client = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(40):
        admin_sign_in(client, cast.steward.email, "guess")
    response = admin_sign_in(client, cast.steward.email, PASSWORD)
    assert response.status_code == 200
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert not is_signed_in(client)
    assert client.get("/admin/").status_code == 302


def test_admin_and_site_sign_in_share_one_count(cast: Any, settings: Any) -> None:
    settings.HUB_AUTH_FAILURE_LIMIT = 4
    attacker = {"REMOTE_ADDR": "203.0.113.9"}
    for _ in range(2):
        sign_in(Client(), cast.steward.email, "guess", **attacker)
        admin_sign_in(Client(), cast.steward.email, "guess", **attacker)
    client = Client()
    response = admin_sign_in(client, cast.steward.email, PASSWORD, **attacker)
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert not is_signed_in(client)


def test_the_steward_signs_in_to_the_admin(cast: Any) -> None:
    client = Client()
    response = admin_sign_in(client, cast.steward.email, PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_guesses_from_rotating_addresses_lock_the_account_for_new_addresses(cast: Any) -> None:
    spray(VICTIM, 10)
    client = Client()
    response = sign_in(client, VICTIM, PASSWORD, REMOTE_ADDR="198.51.100.200")
    assert response.status_code == 200
    assert "for this account" in response.content.decode()
    assert not is_signed_in(client)
    other = Client()  # another account is not affected, until it is the target
    assert admin_sign_in(other, cast.steward.email, PASSWORD, REMOTE_ADDR="198.51.100.200").status_code == 302
    spray(cast.steward.email, 10, page=admin_sign_in)
    admin_client = Client()
    response = admin_sign_in(admin_client, cast.steward.email, PASSWORD, REMOTE_ADDR="198.51.100.201")
    assert "for this account" in response.content.decode()
    assert not is_signed_in(admin_client)


def test_the_owner_still_signs_in_from_an_address_used_before(cast: Any) -> None:
    home = {"REMOTE_ADDR": "198.51.100.7"}
    assert sign_in(Client(), VICTIM, PASSWORD, **home).status_code == 302
    spray(VICTIM, 30)
    owner = Client()
    assert sign_in(owner, VICTIM, PASSWORD, **home).status_code == 302
    assert is_signed_in(owner)


def test_the_owners_known_address_keeps_its_own_limit(cast: Any, settings: Any) -> None:
    settings.HUB_AUTH_FAILURE_LIMIT = 3
    office = {"REMOTE_ADDR": "198.51.100.7"}
    assert sign_in(Client(), VICTIM, PASSWORD, **office).status_code == 302
    for _ in range(3):
        sign_in(Client(), VICTIM, "guess", **office)
    response = sign_in(Client(), VICTIM, PASSWORD, **office)
    assert "Too many failed sign-in attempts from your address" in response.content.decode()


def test_a_lock_lasts_longer_each_time_it_is_reached(cast: Any, settings: Any) -> None:
    settings.HUB_AUTH_FAILURE_WINDOW = 2  # the database cache keeps expiry times in whole seconds
    spray(VICTIM, 10)
    time.sleep(2.2)  # the first lock lasts one window
    assert sign_in(Client(), VICTIM, PASSWORD, REMOTE_ADDR="198.51.100.200").status_code == 302
    spray(VICTIM, 10, first=20)
    time.sleep(2.2)  # the second lasts two
    response = sign_in(Client(), VICTIM, PASSWORD, REMOTE_ADDR="198.51.100.201")
    assert "for this account" in response.content.decode()


def test_rotating_addresses_of_one_ipv6_network_count_as_one_address(cast: Any, settings: Any) -> None:
    settings.HUB_AUTH_FAILURE_LIMIT = 5
    settings.HUB_AUTH_ACCOUNT_FAILURE_LIMIT = 100
    for i in range(5):
        sign_in(Client(), f"nobody{i}@firm-a.example", "guess", REMOTE_ADDR=f"2001:db8:1:2::{i + 1:x}")
    response = sign_in(Client(), VICTIM, PASSWORD, REMOTE_ADDR="2001:db8:1:2:ffff::1")
    assert "Too many failed sign-in attempts from your address" in response.content.decode()
    assert sign_in(Client(), VICTIM, PASSWORD, REMOTE_ADDR="2001:db8:1:3::1").status_code == 302


def test_unknown_and_existing_accounts_are_refused_alike(cast: Any) -> None:
    spray("nobody@firm-a.example", 10)
    spray(VICTIM, 10, first=100)
    refusals = [
        sign_in(Client(), email, "guess", REMOTE_ADDR="198.51.100.200").content.decode()
        for email in ("nobody@firm-a.example", VICTIM)
    ]
    assert all("for this account" in page for page in refusals)


def test_a_flood_of_wrong_passwords_writes_one_audit_event(cast: Any) -> None:
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    with CaptureQueriesContext(connection) as queries:
        spray(VICTIM, 30)
    events = list(AuditEvent.objects.filter(id__gt=last))
    assert [event.action for event in events] == ["auth.sign_in_limited"]
    assert events[0].data["email"] == VICTIM and events[0].data["failures"] == 10
    assert events[0].object_id == str(cast.person("a", "admin").pk)
    chain_locks = [q for q in queries.captured_queries if "pg_advisory_xact_lock" in q["sql"]]
    assert len(chain_locks) == 1


def test_wrong_passwords_for_unknown_accounts_never_touch_the_audit_chain(cast: Any) -> None:
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    for i in range(40):
        sign_in(Client(), f"nobody{i}@firm-a.example", "guess", REMOTE_ADDR=f"203.0.113.{i}")
    spray("nobody@firm-a.example", 15, first=50)
    assert not AuditEvent.objects.filter(id__gt=last).exists()


def test_each_failure_is_logged_outside_the_chain(cast: Any, caplog: Any) -> None:
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    with caplog.at_level(logging.WARNING, logger="apps.accounts.backends"):
        sign_in(Client(), VICTIM, "guess", REMOTE_ADDR="203.0.113.5")
    assert any(VICTIM in r.getMessage() and "203.0.113.5" in r.getMessage() for r in caplog.records)
    assert not AuditEvent.objects.filter(id__gt=last).exists()
