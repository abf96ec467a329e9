"""The partner admin's webhook pages: register (the secret shown once), the delivery log, a test
event, a new secret, a replay; nobody else reaches them, and a foreign endpoint is missing."""

from __future__ import annotations

from typing import Any

from django.test import Client

from apps.webhooks import services
from apps.webhooks.models import Delivery, Endpoint, EventType
from tests.webhooks.conftest import Partner


def _signed_in(partner: Partner) -> Client:
    client = Client()
    client.force_login(partner.admin)
    return client


def test_registering_on_the_page_shows_the_secret_once(
    cast: Any, partner: Partner, receiver: Any, local_targets: Any
) -> None:
    client = _signed_in(partner)
    answer = client.post("/exchange/webhooks/", {"url": receiver.url, "events": ["agreement.changed"]})
    assert answer.status_code == 200
    endpoint = Endpoint.objects.get()
    assert endpoint.secret in answer.content.decode()
    for page in ("/exchange/webhooks/", f"/exchange/webhooks/{endpoint.pk}/"):
        shown = client.get(page)
        assert shown.status_code == 200 and endpoint.secret not in shown.content.decode()


def test_a_refused_url_is_said_on_the_form(cast: Any, partner: Partner) -> None:
    answer = _signed_in(partner).post(
        "/exchange/webhooks/", {"url": "https://169.254.169.254/", "events": ["agreement.changed"]}
    )
    assert answer.status_code == 200 and "private, local or reserved" in answer.content.decode()
    assert not Endpoint.objects.exists()


def test_test_rotate_replay_and_remove_from_the_pages(
    cast: Any, partner: Partner, receiver: Any, local_targets: Any, django_capture_on_commit_callbacks: Any
) -> None:
    endpoint, secret = services.register_endpoint(
        actor=partner.admin,
        organization=partner.organization,
        url=receiver.url,
        events=[EventType.AGREEMENT_CHANGED],
    )
    client = _signed_in(partner)
    receiver.answer = 500
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/exchange/webhooks/{endpoint.pk}/test/").status_code == 302
    delivery = Delivery.objects.get()
    log = client.get(f"/exchange/webhooks/{endpoint.pk}/").content.decode()
    assert delivery.event_id in log and "500" in log
    receiver.answer = 204
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/exchange/webhooks/deliveries/{delivery.pk}/replay/").status_code == 302
    assert Delivery.objects.get().status == "delivered"
    rotated = client.post(f"/exchange/webhooks/{endpoint.pk}/rotate/").content.decode()
    endpoint.refresh_from_db()
    assert endpoint.secret in rotated and endpoint.previous_secret == secret
    assert client.post(f"/exchange/webhooks/{endpoint.pk}/delete/").status_code == 302
    assert not Endpoint.objects.exists()


def test_outsiders_are_refused_and_foreign_endpoints_missing(
    cast: Any, partner: Partner, other_partner: Partner, receiver: Any, local_targets: Any
) -> None:
    endpoint, _secret = services.register_endpoint(
        actor=partner.admin,
        organization=partner.organization,
        url=receiver.url,
        events=[EventType.AGREEMENT_CHANGED],
    )
    for actor in ("a_admin", "steward"):
        client = cast.client_for(actor)
        assert client.get("/exchange/webhooks/").status_code == 403
        assert client.get(f"/exchange/webhooks/{endpoint.pk}/").status_code == 404
    foreign = _signed_in(other_partner)
    assert foreign.get("/exchange/webhooks/").status_code == 200
    assert foreign.get(f"/exchange/webhooks/{endpoint.pk}/").status_code == 404
    assert foreign.post(f"/exchange/webhooks/{endpoint.pk}/delete/").status_code == 404
    assert Endpoint.objects.filter(pk=endpoint.pk).exists()
    assert Client().get("/exchange/webhooks/").status_code == 302


def test_the_dashboard_links_a_partner_admin_to_the_webhook_pages(cast: Any, partner: Partner) -> None:
    assert "/exchange/webhooks/" in _signed_in(partner).get("/").content.decode()
    assert "/exchange/webhooks/" not in cast.client_for("a_admin").get("/").content.decode()
