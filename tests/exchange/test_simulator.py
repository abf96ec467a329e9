"""The partner simulator's whole round (tests/exchange/simulator.py) against a live hub with a real
Celery worker: token, allowed/, a webhook endpoint, a pushed file processed by the worker and
announced by a signed webhook, an SDMX-CSV pull read with a generic CSV reader, and a measure outside
the agreement refused through every endpoint and format."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest

from apps.audit.models import AuditEvent
from apps.exchange.clients import create_machine_client
from apps.exchange.services import Grant, create_agreement
from apps.submissions.models import Submission
from apps.webhooks.models import Delivery
from tests.exchange.conftest import CODE, Partner
from tests.exchange.simulator import run_round
from tests.workers import start_worker, stop_worker

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "simulator-secret-2026"


def test_the_partner_simulator_passes_its_round(
    cast: Any, alliance: Any, partner: Partner, standards: Any, live_server: Any, tmp_path: Any, settings: Any
) -> None:
    from alliance.celery import app

    create_agreement(
        actor=cast.steward,
        partner=partner.organization,
        title="Prices in, prices out",
        valid_from=date(2024, 1, 1),
        lag_months=3,
        reads=[Grant(CODE, ("unit_price",), ("all",))],
        push_standards=["ca.market-prices"],
    )
    client, _secret = create_machine_client(
        actor=partner.admin,
        organization=partner.organization,
        name="Simulator",
        client_id="steppe-partner-demo",
        secret=SECRET,
    )
    settings.HUB_WEBHOOKS_ALLOW_PRIVATE = True  # the receiver listens on loopback
    queue = f"simulator-{uuid.uuid4().hex[:8]}"
    log = (tmp_path / "worker.log").open("wb")
    # the worker sends what it queues (a processed submission's webhook deliveries) to its own queue
    worker = start_worker(queue, log, HUB_WEBHOOKS_ALLOW_PRIVATE="1", CELERY_TASK_DEFAULT_QUEUE=queue)
    eager, default_queue = app.conf.task_always_eager, app.conf.task_default_queue
    app.conf.task_always_eager, app.conf.task_default_queue = False, queue
    try:
        result = run_round(live_server.url, client.client_id, SECRET, wait_seconds=90)
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue = eager, default_queue
        stop_worker(worker)
        log.close()
        print((tmp_path / "worker.log").read_text(errors="replace")[-3000:])
    submission = Submission.objects.get(pk=result["submission"])
    assert submission.organization == partner.organization and submission.status == "accepted"
    assert Submission.objects.filter(organization=partner.organization).count() == 1  # the retry
    assert {event["type"] for event in result["events"]} >= {"webhook.test", "submission.processed"}
    assert len(result["events"]) == len({str(event) for event in result["events"]})
    assert result["deliveries"] >= 2  # each event's delivery, verified by the receiver
    assert not Delivery.objects.exists()  # gone with the endpoint the round removed
    refused = AuditEvent.objects.filter(action="exchange.refused", data__asked__measure="quantity")
    assert refused.exists()  # the stewards see the attempt
    assert AuditEvent.objects.filter(action="exchange.read", organization_id=partner.organization.pk).exists()
