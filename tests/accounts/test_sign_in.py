from __future__ import annotations

from typing import Any

from django.test import Client

from apps.audit.models import AuditEvent
from tests.accounts.pages import sign_in
from tests.conftest import PASSWORD


def test_sign_in_with_email_and_password_opens_the_dashboard(cast: Any) -> None:
    client = Client()
    response = sign_in(client, "viewer@firm-a.example", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"
    assert "Firm A" in client.get("/").content.decode()
    assert AuditEvent.objects.filter(action="auth.sign_in", actor_label="viewer@firm-a.example").exists()


def test_sign_in_sets_the_preferred_language(cast: Any) -> None:
    user = cast.person("a", "viewer")
    user.preferred_language = "kk"
    user.save()
    client = Client()
    response = sign_in(client, user.email, PASSWORD)
    assert response.cookies["django_language"].value == "kk"
    assert client.get("/").headers["Content-Language"] == "kk"


def test_wrong_password_is_refused(cast: Any) -> None:
    response = sign_in(Client(), "viewer@firm-a.example", "wrong")
    assert response.status_code == 200
    assert "not right" in response.content.decode()
    assert "_auth_user_id" not in response.wsgi_request.session


def test_email_is_matched_whatever_its_case(cast: Any) -> None:
    assert sign_in(Client(), "Viewer@Firm-A.example", PASSWORD).status_code == 302


def test_repeated_failures_block_the_address_but_not_other_addresses(cast: Any, settings: Any) -> None:
    settings.HUB_AUTH_FAILURE_LIMIT = 3
    attacker = {"REMOTE_ADDR": "203.0.113.9"}
    for _ in range(3):
        sign_in(Client(), "admin@firm-a.example", "guess", **attacker)
    blocked = sign_in(Client(), "admin@firm-a.example", PASSWORD, **attacker)
    assert blocked.status_code == 200
    assert "Too many failed sign-in attempts" in blocked.content.decode()
    owner = sign_in(Client(), "admin@firm-a.example", PASSWORD, REMOTE_ADDR="198.51.100.7")
    assert owner.status_code == 302


def test_forwarded_for_is_ignored_without_trusted_proxies(cast: Any, settings: Any) -> None:
    settings.HUB_AUTH_FAILURE_LIMIT = 2
    for i in range(2):
        sign_in(
            Client(),
            "admin@firm-a.example",
            "guess",
            REMOTE_ADDR="203.0.113.9",
            HTTP_X_FORWARDED_FOR=f"10.0.0.{i}",
        )
    again = sign_in(
        Client(),
        "admin@firm-a.example",
        PASSWORD,
        REMOTE_ADDR="203.0.113.9",
        HTTP_X_FORWARDED_FOR="10.0.0.99",
    )
    assert "Too many failed sign-in attempts" in again.content.decode()


def test_language_switch_is_remembered_on_the_account(cast: Any) -> None:
    client = cast.client_for("a_viewer")
    response = client.post("/i18n/setlang/", {"language": "uz", "next": "/"})
    assert response.status_code == 302
    cast.person("a", "viewer").refresh_from_db()
    assert cast.person("a", "viewer").preferred_language == "uz"
    assert client.get("/").headers["Content-Language"] == "uz"
