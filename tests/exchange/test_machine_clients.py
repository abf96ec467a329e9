"""Partners' machine clients as their developers meet them: the partner's admin creates a client
(secret shown once, kept hashed), the system trades id and secret at /oauth/token/ for an access token
whose scopes its agreements allow, and with it reads and pushes exactly what the agreements grant;
revoked, expired or unknown clients get nothing; failed client authentication is limited per address
and client id; the page is a permission matrix."""

from __future__ import annotations

import base64
import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.hashers import check_password, identify_hasher
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import get_access_token_model, get_application_model

from apps.accounts.models import User
from apps.audit.models import AuditEvent
from apps.exchange.clients import create_machine_client, revoke_machine_client
from apps.exchange.models import Agreement, MachineClient
from apps.exchange.services import create_agreement, set_agreement_status
from apps.organizations.models import Role
from apps.organizations.services import grant_membership
from apps.submissions.models import Submission
from apps.webhooks.models import Endpoint
from tests.exchange.conftest import CODE, PERIOD, Partner, grant, make_partner
from tests.exchange.simulator import sample_rows

TOKEN = "/oauth/token/"
SECRET = "a-client-secret-for-the-tests-2026"


def _basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def obtain(client_id: str, secret: str, scope: str = "", language: str = "en") -> Any:
    data = {"grant_type": "client_credentials", **({"scope": scope} if scope else {})}
    return Client().post(
        TOKEN, data, HTTP_AUTHORIZATION=_basic(client_id, secret), HTTP_ACCEPT_LANGUAGE=language
    )


def bearer(access_token: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {access_token}"})


@pytest.fixture
def machine(partner: Partner) -> MachineClient:
    client, _secret = create_machine_client(
        actor=partner.admin,
        organization=partner.organization,
        name="Route planner",
        client_id="steppe-partner-test",
        secret=SECRET,
    )
    return client


def test_a_partner_system_obtains_a_token_and_reads_what_its_agreement_grants(
    cast: Any, alliance: Any, partner: Partner, machine: MachineClient
) -> None:
    grant(cast.steward, partner, measures=("unit_price",))
    response = obtain(machine.client_id, SECRET)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    assert body["scope"] == "read"  # the agreement grants reads and no pushes
    assert response["Cache-Control"] == "no-store"
    api = bearer(body["access_token"])
    allowed = api.get("/api/v1/exchange/allowed/")
    assert allowed.status_code == 200 and allowed.json()["partner"] == "steppe-partner"
    rows = api.get(f"/api/v1/benchmarks/?standard={CODE}&measure=unit_price&period={PERIOD}").json()
    assert rows["results"] and {row["measure"] for row in rows["results"]} == {"unit_price"}
    assert api.get(f"/api/v1/benchmarks/?standard={CODE}&measure=brix").status_code == 404
    me = api.get("/api/v1/me/").json()
    assert me["kind"] == "token" and me["token"]["prefix"] == "steppe-partner-test"
    machine.refresh_from_db()
    assert machine.last_used_at is not None


def test_secrets_and_tokens_are_not_kept_in_the_clear(partner: Partner, cast: Any) -> None:
    grant(cast.steward, partner)
    client, secret = create_machine_client(
        actor=partner.admin, organization=partner.organization, name="Feed"
    )
    assert len(secret) >= 32
    application = get_application_model().objects.get(pk=client.application_id)
    assert secret not in application.client_secret
    assert identify_hasher(application.client_secret) and check_password(secret, application.client_secret)
    access_token = obtain(client.client_id, secret).json()["access_token"]
    stored = get_access_token_model().objects.get(application=application)
    assert stored.token == "" and access_token not in stored.token_checksum


def test_a_wrong_secret_is_refused_in_the_callers_language_and_then_limited(
    cast: Any, partner: Partner, machine: MachineClient, settings: Any
) -> None:
    settings.HUB_AUTH_FAILURE_LIMIT = 3
    grant(cast.steward, partner)
    refused = obtain(machine.client_id, "wrong", language="ru")
    assert refused.status_code == 401
    assert refused.json()["error"] == "invalid_client"
    assert re.search("[а-яА-Я]", refused.json()["error_description"])
    for _attempt in range(2):
        assert obtain(machine.client_id, "wrong").status_code == 401
    limited = obtain(machine.client_id, SECRET)  # the right secret, after too many failures
    assert limited.status_code == 429 and limited["Retry-After"]
    assert limited.json()["error"] == "slow_down"


def test_an_unknown_access_token_is_refused_and_limited(cast: Any, settings: Any) -> None:
    settings.HUB_AUTH_FAILURE_LIMIT = 2
    for _attempt in range(2):
        assert bearer("not-a-token").get("/api/v1/me/").status_code == 401
    assert bearer("still-not-a-token").get("/api/v1/me/").status_code == 429


def test_a_revoked_client_loses_its_tokens_at_once(
    cast: Any, partner: Partner, machine: MachineClient
) -> None:
    grant(cast.steward, partner)
    access_token = obtain(machine.client_id, SECRET).json()["access_token"]
    assert bearer(access_token).get("/api/v1/exchange/allowed/").status_code == 200
    revoke_machine_client(actor=partner.admin, client=machine)
    assert bearer(access_token).get("/api/v1/exchange/allowed/").status_code == 401
    assert obtain(machine.client_id, SECRET).status_code == 401
    actions = set(
        AuditEvent.objects.filter(organization_id=partner.organization.pk).values_list("action", flat=True)
    )
    assert {"client.create", "client.revoke"} <= actions


def test_an_expired_client_obtains_nothing(cast: Any, partner: Partner, machine: MachineClient) -> None:
    grant(cast.steward, partner)
    MachineClient.objects.filter(pk=machine.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert obtain(machine.client_id, SECRET).status_code == 401


def test_only_the_client_credentials_grant_is_offered(
    partner: Partner, machine: MachineClient, cast: Any
) -> None:
    grant(cast.steward, partner)
    response = Client().post(
        TOKEN,
        {"grant_type": "password", "username": partner.admin.email, "password": "exchange-tests-2026"},
        HTTP_AUTHORIZATION=_basic(machine.client_id, SECRET),
    )
    assert response.status_code in (400, 401)
    assert "access_token" not in response.json()


def test_scopes_come_from_the_agreements_in_force(
    cast: Any, standards: Any, partner: Partner, machine: MachineClient
) -> None:
    # no agreement: a token that opens nothing
    assert obtain(machine.client_id, SECRET).json()["scope"] == ""
    assert obtain(machine.client_id, SECRET, scope="read").json()["error"] == "invalid_scope"
    agreement = create_agreement(
        actor=cast.steward,
        partner=partner.organization,
        title="Prices in, prices out",
        valid_from=timezone.localdate() - timedelta(days=30),
        lag_months=3,
        push_standards=["ca.market-prices"],
    )
    grant(cast.steward, partner)
    assert set(obtain(machine.client_id, SECRET).json()["scope"].split()) == {"read", "push"}
    read_only = obtain(machine.client_id, SECRET, scope="read").json()["access_token"]
    both = obtain(machine.client_id, SECRET).json()["access_token"]
    assert _push(bearer(read_only)).status_code == 403  # a read-only token cannot push
    assert _push(bearer(both)).status_code in (201, 202)
    set_agreement_status(actor=cast.steward, agreement=agreement, status=Agreement.Status.SUSPENDED)
    refused = _push(bearer(both))  # the same token: the agreement is read again on every request
    assert refused.status_code == 403


def _push(client: Client) -> Any:
    template = Client()
    template.force_login(User.objects.get(email="steward@alliance.example"))
    csv_template = template.get("/api/v1/standards/ca.market-prices/versions/1.0.0/template.csv").content
    return client.post(
        "/api/v1/submissions/",
        {
            "standard": "ca.market-prices",
            "period": "2026-09",
            "file": SimpleUploadedFile("prices.csv", csv_template, content_type="text/csv"),
        },
        HTTP_IDEMPOTENCY_KEY=f"push-{timezone.now().timestamp()}",
    )


def test_only_a_partners_admin_creates_clients(cast: Any, partner: Partner) -> None:
    viewer = User.objects.create_user("viewer@steppe-partner.example", "exchange-tests-2026")
    grant_membership(actor=partner.admin, organization=partner.organization, user=viewer, role=Role.VIEWER)
    with pytest.raises(PermissionDenied):
        create_machine_client(actor=viewer, organization=partner.organization, name="x")
    with pytest.raises(PermissionDenied):
        create_machine_client(actor=cast.steward, organization=partner.organization, name="x")
    member_admin = cast.person("a", "admin")
    with pytest.raises(ValidationError):
        create_machine_client(actor=member_admin, organization=cast.org_a, name="x")
    assert not MachineClient.objects.exists()


# --- The page ---------------------------------------------------------------------------------------------


def _page(slug: str) -> str:
    return f"/organizations/{slug}/clients/"


@pytest.mark.parametrize(
    ("actor", "own", "foreign"),
    [
        ("partner_admin", 200, 404),
        ("partner_viewer", 403, 404),
        ("member_admin", 404, 404),
        ("steward", 403, 403),
        ("anonymous", 302, 302),
    ],
)
def test_the_clients_page_as_a_matrix(
    cast: Any, partner: Partner, actor: str, own: int, foreign: int
) -> None:
    other = make_partner(cast.steward, "other-partner")
    viewer = User.objects.create_user("viewer@steppe-partner.example", "exchange-tests-2026")
    grant_membership(actor=partner.admin, organization=partner.organization, user=viewer, role=Role.VIEWER)
    client = Client()
    people = {
        "partner_admin": partner.admin,
        "partner_viewer": viewer,
        "member_admin": cast.person("a", "admin"),
        "steward": cast.steward,
    }
    if actor in people:
        client.force_login(people[actor])
    member_own = {"member_admin": f"/organizations/{cast.org_a.slug}/clients/"}
    assert client.get(member_own.get(actor, _page(partner.organization.slug))).status_code == own
    assert client.get(_page(other.organization.slug)).status_code == foreign
    assert client.post(_page(other.organization.slug), {"name": "x", "days": 30}).status_code == foreign
    assert not MachineClient.objects.filter(organization=other.organization).exists()


def test_the_page_shows_the_secret_once_and_revokes(cast: Any, partner: Partner) -> None:
    grant(cast.steward, partner)
    page = Client()
    page.force_login(partner.admin)
    created = page.post(_page(partner.organization.slug), {"name": "Border feed", "days": 30})
    assert created.status_code == 200 and created["Cache-Control"] == "no-store"
    client_id = created.context["created"]["client_id"]
    secret = created.context["created"]["secret"]
    assert secret in created.content.decode()
    assert obtain(client_id, secret).status_code == 200
    again = page.get(_page(partner.organization.slug))
    assert secret not in again.content.decode() and client_id in again.content.decode()
    machine = MachineClient.objects.get(application__client_id=client_id)
    revoked = page.post(f"{_page(partner.organization.slug)}{machine.pk}/revoke/")
    assert revoked.status_code == 302
    assert obtain(client_id, secret).status_code == 401


def test_a_partner_write_without_its_audit_record_is_refused(
    cast: Any, standards: Any, partner: Partner, machine: MachineClient, monkeypatch: Any, settings: Any
) -> None:
    settings.HUB_WEBHOOKS_ALLOW_PRIVATE = True  # the endpoint below would be refused before its record
    create_agreement(
        actor=cast.steward,
        partner=partner.organization,
        title="Prices in",
        valid_from=timezone.localdate() - timedelta(days=30),
        lag_months=3,
        push_standards=["ca.market-prices"],
    )
    api = bearer(obtain(machine.client_id, SECRET).json()["access_token"])
    header = api.get("/api/v1/standards/ca.market-prices/versions/1.0.0/template.csv").content
    rows = "\n".join(",".join(row) for row in sample_rows("ca.market-prices", 123)[:1])
    template = header.rstrip() + b"\n" + rows.encode() + b"\n"

    def broken(*args: Any, **kwargs: Any) -> None:
        raise DatabaseError("permission denied for table audit_auditevent")

    monkeypatch.setattr(AuditEvent, "save", broken)
    pushed = api.post(
        "/api/v1/submissions/",
        {
            "standard": "ca.market-prices",
            "period": "2026-09",
            "file": SimpleUploadedFile("prices.csv", template, content_type="text/csv"),
        },
    )
    assert pushed.status_code == 503, pushed.content
    assert pushed["Retry-After"]
    assert pushed.json()["error"]["code"] == "service_unavailable"
    registered = api.post(
        "/api/v1/exchange/webhooks/",
        {"url": "http://127.0.0.1:9/in", "events": ["agreement.changed"]},
        content_type="application/json",
    )
    assert registered.status_code == 503
    assert not Submission.objects.exists() and not Endpoint.objects.exists()  # nothing half-written
