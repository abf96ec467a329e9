"""Delivery by a real Celery worker (not eager mode): a receiver that is down for its first answers,
and an event whose broker message was lost, still get every event, each exactly once by `webhook-id`;
the sweeper sends the retries and the lost one."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
from django.test.utils import override_settings

from apps.webhooks import services
from apps.webhooks.models import Delivery, EventType
from apps.webhooks.signing import verify
from apps.webhooks.tasks import deliver_task
from tests.workers import start_worker, stop_worker

pytestmark = pytest.mark.django_db(transaction=True)


def wait_for(condition: Any, seconds: float, what: str, *, between: Any = None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        if between is not None:
            between()
        time.sleep(0.3)
    pytest.fail(f"timed out waiting for {what}")


def test_a_receiver_down_for_a_while_gets_each_event_once_from_a_real_worker(
    cast: Any, partner: Any, receiver: Any, tmp_path: Any, monkeypatch: Any
) -> None:
    from alliance.celery import app

    app.conf.task_always_eager = False
    queue = f"hooks-{uuid.uuid4().hex[:8]}"
    log = (tmp_path / "worker.log").open("wb")
    worker = start_worker(
        queue, log, HUB_WEBHOOKS_ALLOW_PRIVATE="1", HUB_WEBHOOKS_RETRY_SECONDS="1,1,1,1,1,1"
    )
    sent = lambda pk: deliver_task.apply_async(args=[pk], queue=queue)  # noqa: E731
    try:
        with override_settings(HUB_WEBHOOKS_ALLOW_PRIVATE=True, HUB_WEBHOOKS_REQUEUE_SECONDS=2):
            endpoint, secret = services.register_endpoint(
                actor=partner.admin,
                organization=partner.organization,
                url=receiver.url,
                events=[EventType.AGREEMENT_CHANGED],
            )
            receiver.down = 4
            monkeypatch.setattr(services, "queue_delivery", lambda pk: None)  # this message is lost
            lost = services.send_test(actor=partner.admin, endpoint=endpoint)
            monkeypatch.setattr(services, "queue_delivery", sent)
            for _event in range(3):
                services.send_test(actor=partner.admin, endpoint=endpoint)
            wait_for(
                lambda: set(Delivery.objects.values_list("status", flat=True)) == {"delivered"},
                90,
                "every delivery to be delivered",
                between=services.sweep_deliveries,
            )
        deliveries = list(Delivery.objects.all())
        assert lost.pk in {d.pk for d in deliveries}
        assert sorted(receiver.kept) == sorted(d.event_id for d in deliveries)
        assert len(receiver.kept) == 4
        for body in receiver.kept.values():
            assert (
                verify(secret=secret, body=body, headers=_headers_of(receiver, body))["type"]
                == "webhook.test"
            )
        assert len(receiver.requests) >= 4 + 4
    finally:
        stop_worker(worker)
        log.close()
        print((tmp_path / "worker.log").read_text(errors="replace")[-3000:])
        app.conf.task_always_eager = True


def _headers_of(receiver: Any, body: bytes) -> dict[str, str]:
    return next(headers for headers, sent in reversed(receiver.requests) if sent == body)
