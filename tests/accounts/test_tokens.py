from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from django.test import Client
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.organizations.models import ApiToken
from apps.organizations.services import set_organization_status
from apps.organizations.tokens import revoke_api_token


def bearer(raw: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {raw}"})


def test_token_is_stored_only_as_a_hash(cast: Any) -> None:
    raw = cast.tokens["viewer"]
    token = ApiToken.objects.get(prefix=raw.split("_")[1])
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in str(list(ApiToken.objects.values()))


def test_token_calls_me_as_its_organization(cast: Any) -> None:
    body = bearer(cast.tokens["contributor"]).get("/api/v1/me/").json()
    assert body["kind"] == "token"
    assert body["token"]["role"] == "contributor"
    assert body["memberships"] == [
        {
            "organization": {"id": cast.org_a.pk, "slug": "firm-a", "name": "Firm A", "status": "active"},
            "role": "contributor",
        }
    ]


def test_revoked_token_is_refused_on_the_next_request(cast: Any) -> None:
    raw = cast.tokens["viewer"]
    client = bearer(raw)
    assert client.get("/api/v1/me/").status_code == 200
    token = ApiToken.objects.get(prefix=raw.split("_")[1])
    revoke_api_token(actor=cast.person("a", "admin"), token=token)
    response = client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert AuditEvent.objects.filter(action="token.revoke", object_id=str(token.pk)).exists()


def test_expired_token_is_refused(cast: Any) -> None:
    raw = cast.tokens["viewer"]
    ApiToken.objects.filter(prefix=raw.split("_")[1]).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert bearer(raw).get("/api/v1/me/").status_code == 401


def test_suspended_organization_tokens_stop_working(cast: Any) -> None:
    set_organization_status(actor=cast.steward, organization=cast.org_a, status="suspended")
    assert bearer(cast.tokens["viewer"]).get("/api/v1/me/").status_code == 401


def test_tampered_token_is_refused(cast: Any) -> None:
    raw = cast.tokens["viewer"]
    assert bearer(raw[:-1] + ("A" if raw[-1] != "A" else "B")).get("/api/v1/me/").status_code == 401
    assert bearer("not-a-token").get("/api/v1/me/").status_code == 401


def test_token_guessing_is_throttled_but_the_owner_is_not_locked_out(cast: Any, settings: Any) -> None:
    settings.HUB_AUTH_FAILURE_LIMIT = 5
    prefix = cast.tokens["viewer"].split("_")[1]
    guesses = [bearer(f"ah_{prefix}_guess{i}").get("/api/v1/me/").status_code for i in range(8)]
    assert guesses[:5] == [401] * 5
    assert guesses[5:] == [429] * 3
    assert bearer(cast.tokens["viewer"]).get("/api/v1/me/").status_code == 200


def test_admin_creates_and_revokes_a_token_on_the_page(cast: Any) -> None:
    client = cast.client_for("a_admin")
    response = client.post(
        "/organizations/firm-a/tokens/", {"name": "ERP export", "role": "contributor", "days": 30}
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    secret = response.context["secret"]
    assert secret.startswith("ah_") and secret in response.content.decode()
    assert bearer(secret).get("/api/v1/me/").json()["token"]["name"] == "ERP export"
    token = ApiToken.objects.get(name="ERP export")
    assert client.get("/organizations/firm-a/tokens/").content.decode().count(secret) == 0
    assert client.post(f"/organizations/firm-a/tokens/{token.pk}/revoke/").status_code == 302
    assert bearer(secret).get("/api/v1/me/").status_code == 401


def test_token_validity_is_bounded(cast: Any) -> None:
    response = cast.client_for("a_admin").post(
        "/organizations/firm-a/tokens/", {"name": "x", "role": "viewer", "days": 5000}
    )
    assert response.status_code == 200
    assert "days" in response.context["form"].errors
    assert not ApiToken.objects.filter(name="x").exists()
