"""Delivery to a live local receiver: signed as Standard Webhooks says, retried with backoff by the
sweeper while the receiver is down, never dropped when the broker message is lost, given up after a
bounded number of attempts; a receiver that keeps events once by `webhook-id` gets each exactly once."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.test.utils import override_settings
from django.utils import timezone

from apps.webhooks import services
from apps.webhooks.models import Delivery, Endpoint, EventType
from apps.webhooks.signing import verify


def _endpoint(partner: Any, receiver: Any, events: list[str] | None = None) -> tuple[Endpoint, str]:
    return services.register_endpoint(
        actor=partner.admin,
        organization=partner.organization,
        url=receiver.url,
        events=events or [EventType.AGREEMENT_CHANGED],
    )


def test_a_test_event_reaches_the_receiver_signed(
    partner: Any, receiver: Any, local_targets: Any, django_capture_on_commit_callbacks: Any
) -> None:
    endpoint, secret = _endpoint(partner, receiver)
    with django_capture_on_commit_callbacks(execute=True):
        delivery = services.send_test(actor=partner.admin, endpoint=endpoint)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 204)
    [(headers, body)] = receiver.requests
    assert headers["webhook-id"] == delivery.event_id and headers["webhook-id"].startswith("msg_")
    assert headers["content-type"] == "application/json"
    assert verify(secret=secret, body=body, headers=headers) == {
        "type": "webhook.test",
        "timestamp": delivery.event.created_at.isoformat(),
        "data": {"endpoint": endpoint.pk, "message": "webhook.test"},
    }


def test_after_a_rotation_both_secrets_verify_the_delivery(
    partner: Any, receiver: Any, local_targets: Any, django_capture_on_commit_callbacks: Any
) -> None:
    endpoint, old = _endpoint(partner, receiver)
    new = services.rotate_secret(actor=partner.admin, endpoint=endpoint)
    endpoint.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.send_test(actor=partner.admin, endpoint=endpoint)
    [(headers, body)] = receiver.requests
    assert len(headers["webhook-signature"].split(" ")) == 2
    assert verify(secret=new, body=body, headers=headers)
    assert verify(secret=old, body=body, headers=headers)


def _sweep_until_settled(rounds: int = 10) -> None:
    for _round in range(rounds):
        if not services.sweep_deliveries(now=timezone.now() + timedelta(seconds=1)):
            return


def test_a_receiver_down_for_a_while_gets_each_event_exactly_once(
    cast: Any, partner: Any, receiver: Any, local_targets: Any, django_capture_on_commit_callbacks: Any
) -> None:
    endpoint, secret = _endpoint(partner, receiver)
    receiver.down = 3
    with django_capture_on_commit_callbacks(execute=True):
        for _event in range(3):
            services.send_test(actor=partner.admin, endpoint=endpoint)
    assert set(Delivery.objects.values_list("status", flat=True)) == {"failed"}
    with django_capture_on_commit_callbacks(execute=True):
        _sweep_until_settled()
    deliveries = list(Delivery.objects.all())
    assert {d.status for d in deliveries} == {"delivered"}
    assert sorted(receiver.kept) == sorted(d.event_id for d in deliveries)
    assert len(receiver.requests) == 3 + 3
    for headers, body in receiver.requests[3:]:
        verify(secret=secret, body=body, headers=headers)


def test_a_lost_broker_message_delays_the_delivery_and_the_sweeper_sends_it(
    partner: Any, receiver: Any, local_targets: Any, monkeypatch: Any
) -> None:
    endpoint, _secret = _endpoint(partner, receiver)
    monkeypatch.setattr(services, "queue_delivery", lambda delivery_id: None)  # the message is lost
    services.send_test(actor=partner.admin, endpoint=endpoint)
    monkeypatch.undo()
    assert receiver.requests == []
    assert services.sweep_deliveries() == 1
    assert Delivery.objects.get().status == "delivered"
    assert services.sweep_deliveries() == 0
    assert len(receiver.requests) == 1


def test_a_queued_delivery_is_queued_again_only_once_its_message_must_be_lost(
    partner: Any, receiver: Any, local_targets: Any, monkeypatch: Any
) -> None:
    endpoint, _secret = _endpoint(partner, receiver)
    sent: list[int] = []
    monkeypatch.setattr(services.celery_app.tasks[services.DELIVER_TASK], "delay", sent.append)
    services.send_test(actor=partner.admin, endpoint=endpoint)
    assert services.sweep_deliveries() == 1  # never queued: on_commit does not run in this test
    delivery = Delivery.objects.get()
    assert delivery.queued_at is not None and len(sent) == 1
    assert services.sweep_deliveries() == 0
    later = timezone.now() + timedelta(seconds=121)
    assert services.sweep_deliveries(now=later) == 1


def test_a_failing_receiver_is_given_up_after_the_last_retry(
    partner: Any, receiver: Any, local_targets: Any, django_capture_on_commit_callbacks: Any
) -> None:
    endpoint, _secret = _endpoint(partner, receiver)
    receiver.answer = 500
    with django_capture_on_commit_callbacks(execute=True):
        services.send_test(actor=partner.admin, endpoint=endpoint)
    with django_capture_on_commit_callbacks(execute=True):
        _sweep_until_settled()
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("gave_up", 5, 500)
    assert len(receiver.requests) == 5


def test_backoff_follows_the_configured_steps(
    partner: Any, receiver: Any, local_targets: Any, django_capture_on_commit_callbacks: Any
) -> None:
    endpoint, _secret = _endpoint(partner, receiver)
    receiver.down = 10
    with override_settings(HUB_WEBHOOKS_RETRY_SECONDS=[60, 300]):
        with django_capture_on_commit_callbacks(execute=True):
            services.send_test(actor=partner.admin, endpoint=endpoint)
        delivery = Delivery.objects.get()
        assert delivery.status == "failed"
        wait = delivery.next_attempt_at - timezone.now()
        assert timedelta(seconds=55) < wait <= timedelta(seconds=60)
        assert services.sweep_deliveries() == 0  # not due yet
        assert services.sweep_deliveries(now=timezone.now() + timedelta(seconds=61)) == 1
    delivery.refresh_from_db()
    assert delivery.attempts == 1  # queued, but its task (not run here) would find it not due yet


def test_a_replayed_delivery_has_the_same_webhook_id(
    partner: Any, receiver: Any, local_targets: Any, django_capture_on_commit_callbacks: Any
) -> None:
    endpoint, _secret = _endpoint(partner, receiver)
    with django_capture_on_commit_callbacks(execute=True):
        delivery = services.send_test(actor=partner.admin, endpoint=endpoint)
    with django_capture_on_commit_callbacks(execute=True):
        services.replay_delivery(actor=partner.admin, delivery=delivery)
    ids = [headers["webhook-id"] for headers, _body in receiver.requests]
    assert ids == [delivery.event_id, delivery.event_id]
    assert len(receiver.kept) == 1
    assert json.loads(receiver.requests[1][1])["type"] == "webhook.test"


def test_a_failed_delivery_waiting_for_its_retry_is_sent_at_once_when_replayed(
    partner: Any, receiver: Any, local_targets: Any, django_capture_on_commit_callbacks: Any
) -> None:
    endpoint, _secret = _endpoint(partner, receiver)
    receiver.down = 1
    with override_settings(HUB_WEBHOOKS_RETRY_SECONDS=[3600]):
        with django_capture_on_commit_callbacks(execute=True):
            delivery = services.send_test(actor=partner.admin, endpoint=endpoint)
        delivery.refresh_from_db()
        assert delivery.status == "failed" and delivery.next_attempt_at > timezone.now()
        with django_capture_on_commit_callbacks(execute=True):
            services.replay_delivery(actor=partner.admin, delivery=delivery)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 1)
    assert len(receiver.requests) == 2 and len(receiver.kept) == 1


def test_a_delivery_whose_endpoint_was_removed_is_not_sent(
    partner: Any, receiver: Any, local_targets: Any, monkeypatch: Any
) -> None:
    endpoint, _secret = _endpoint(partner, receiver)
    monkeypatch.setattr(services, "queue_delivery", lambda delivery_id: None)
    delivery = services.send_test(actor=partner.admin, endpoint=endpoint)
    services.delete_endpoint(actor=partner.admin, endpoint=endpoint)
    assert services.deliver(delivery_id=delivery.pk) is None
    assert receiver.requests == []
