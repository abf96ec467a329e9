"""Registering webhook endpoints, emitting events and delivering them.

- `register_endpoint` checks the URL (apps.webhooks.targets) and answers the signing secret, which the
  hub keeps to sign with but never shows again; `rotate_secret` makes a new one and keeps signing with
  the old one too for HUB_WEBHOOKS_ROTATION_HOURS; every change is audited.
- `emit` writes the event and one delivery per subscribed endpoint in the caller's transaction, and
  queues the deliveries when it commits. The database owns them: a lost broker message only delays one,
  because `sweep_deliveries` (every minute) queues every delivery that is due and nobody holds.
- `deliver` claims a delivery with a conditional UPDATE and a lease, checks the target again, signs and
  sends; a failure is retried after HUB_WEBHOOKS_RETRY_SECONDS (one step per attempt), and after the
  last step the delivery is given up. Running it twice is harmless: a delivered one is not sent again.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import socket
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from alliance.celery import app as celery_app
from apps.audit.services import record_event
from apps.organizations.models import Organization
from apps.organizations.permissions import can_manage_webhooks
from apps.webhooks import events
from apps.webhooks.models import SUBSCRIBABLE, Delivery, Endpoint, Event, EventType
from apps.webhooks.signing import new_secret, signed_headers
from apps.webhooks.targets import TargetRefused, check_target, post

logger = logging.getLogger(__name__)

DELIVER_TASK = "webhooks.deliver"  # apps/webhooks/tasks.py
MAX_ENDPOINTS = 10
DUE = (Delivery.Status.PENDING, Delivery.Status.FAILED)


# --- Endpoints --------------------------------------------------------------------------------------------


def _checked_events(names: Iterable[str]) -> list[str]:
    chosen = sorted(set(names))
    unknown = [name for name in chosen if name not in SUBSCRIBABLE]
    if unknown or not chosen:
        raise ValidationError(
            {"events": _("Choose one or more of %(names)s.") % {"names": ", ".join(SUBSCRIBABLE)}}
        )
    return chosen


def register_endpoint(
    *, actor: Any, organization: Organization, url: str, events: Iterable[str], request: Any = None
) -> tuple[Endpoint, str]:
    """A new endpoint of `organization` (a partner) for `events`, and its signing secret, which is
    answered here and never again. The URL must lead to a public address (apps.webhooks.targets)."""
    if not can_manage_webhooks(actor, organization):
        raise PermissionDenied
    chosen = _checked_events(events)
    url = (url or "").strip()
    if len(url) > 500:
        raise ValidationError({"url": _("A webhook URL has at most 500 characters.")})
    check_target(url)
    secret = new_secret()
    with transaction.atomic():
        Organization.objects.select_for_update().get(pk=organization.pk)
        if Endpoint.objects.filter(organization=organization).count() >= MAX_ENDPOINTS:
            raise ValidationError(
                _("An organization has at most %(count)d webhook endpoints.") % {"count": MAX_ENDPOINTS}
            )
        endpoint = Endpoint.objects.create(
            organization=organization,
            url=url,
            events=chosen,
            secret=secret,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        record_event(
            actor=actor,
            action="webhook.endpoint.create",
            organization=organization,
            target=endpoint,
            data={"url": url, "events": chosen},
            request=request,
        )
    return endpoint, secret


def delete_endpoint(*, actor: Any, endpoint: Endpoint, request: Any = None) -> None:
    """Remove an endpoint with its delivery log: nothing more is sent to it."""
    if not can_manage_webhooks(actor, endpoint.organization):
        raise PermissionDenied
    with transaction.atomic():
        record_event(
            actor=actor,
            action="webhook.endpoint.delete",
            organization=endpoint.organization,
            target=endpoint,
            data={"url": endpoint.url},
            request=request,
        )
        endpoint.delete()


def rotate_secret(*, actor: Any, endpoint: Endpoint, request: Any = None) -> str:
    """A new signing secret, answered once; the previous one still signs for HUB_WEBHOOKS_ROTATION_HOURS
    (both signatures are sent), so the receiver can switch without losing a delivery."""
    if not can_manage_webhooks(actor, endpoint.organization):
        raise PermissionDenied
    secret = new_secret()
    with transaction.atomic():
        locked = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
        locked.previous_secret = locked.secret
        locked.previous_until = timezone.now() + timedelta(hours=settings.HUB_WEBHOOKS_ROTATION_HOURS)
        locked.secret = secret
        locked.save(update_fields=["secret", "previous_secret", "previous_until"])
        record_event(
            actor=actor,
            action="webhook.endpoint.rotate",
            organization=locked.organization,
            target=locked,
            request=request,
        )
    return secret


# --- Events -----------------------------------------------------------------------------------------------


def subscribed(organization_id: int, event_type: str) -> list[Endpoint]:
    active = Endpoint.objects.filter(organization_id=organization_id, is_active=True)
    return list(active.filter(events__contains=[event_type]).order_by("id"))


def emit(
    *,
    event_type: str,
    organization: Organization,
    payload: dict[str, Any],
    endpoints: list[Endpoint] | None = None,
) -> Event | None:
    """Write one event and its deliveries to `endpoints` (by default every active endpoint of the
    organization subscribed to the type) in the caller's transaction; queue them on commit. None when
    nobody is subscribed: no event is kept for nobody."""
    targets = subscribed(organization.pk, event_type) if endpoints is None else endpoints
    if not targets:
        return None
    now = timezone.now()
    with transaction.atomic():
        event = Event.objects.create(type=event_type, organization=organization, payload=payload)
        deliveries = Delivery.objects.bulk_create(
            Delivery(event=event, endpoint=endpoint, next_attempt_at=now) for endpoint in targets
        )
    for delivery in deliveries:
        transaction.on_commit(functools.partial(queue_delivery, delivery.pk))
    return event


def send_test(*, actor: Any, endpoint: Endpoint, request: Any = None) -> Delivery:
    """A `webhook.test` event to this one endpoint, delivered like any other."""
    if not can_manage_webhooks(actor, endpoint.organization):
        raise PermissionDenied
    with transaction.atomic():
        event = emit(
            event_type=EventType.TEST,
            organization=endpoint.organization,
            payload={"endpoint": endpoint.pk, "message": "webhook.test"},
            endpoints=[endpoint],
        )
        assert event is not None
        return event.deliveries.get()


def replay_delivery(*, actor: Any, delivery: Delivery, request: Any = None) -> Delivery:
    """Send a delivery again (the same event, the same `webhook-id`) with a fresh round of attempts."""
    if not can_manage_webhooks(actor, delivery.endpoint.organization):
        raise PermissionDenied
    with transaction.atomic():
        locked = Delivery.objects.select_for_update().get(pk=delivery.pk)
        if locked.status != Delivery.Status.PENDING:
            locked.status = Delivery.Status.PENDING
            locked.attempts = 0
            locked.next_attempt_at = timezone.now()
            locked.claimed_by, locked.claimed_until = "", None
            locked.save()
        record_event(
            actor=actor,
            action="webhook.delivery.replay",
            organization=delivery.endpoint.organization,
            target=locked,
            data={"event": locked.event_id},
            request=request,
        )
        transaction.on_commit(lambda: queue_delivery(locked.pk))
    return locked


# --- Delivering -------------------------------------------------------------------------------------------


def queue_delivery(delivery_id: int) -> None:
    """Send the delivery task; when the broker is down the sweeper sends it later. The time it was
    sent is written first, so that an attempt that fails at once is not taken for a lost message."""
    Delivery.objects.filter(pk=delivery_id).update(queued_at=timezone.now())
    try:
        celery_app.tasks[DELIVER_TASK].delay(delivery_id)
    except Exception:  # the broker is down: the sweeper will queue it
        logger.warning("could not queue webhook delivery %s; the sweeper will", delivery_id, exc_info=True)
        Delivery.objects.filter(pk=delivery_id).update(queued_at=None)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _claim(delivery_id: int, worker: str) -> Delivery | None:
    now = timezone.now()
    claimed = (
        Delivery.objects.filter(pk=delivery_id, status__in=DUE, next_attempt_at__lte=now)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(
            claimed_by=worker,
            claimed_until=now + timedelta(seconds=settings.HUB_WEBHOOKS_LEASE_SECONDS),
            attempts=F("attempts") + 1,
        )
    )
    if not claimed:
        return None
    return Delivery.objects.select_related("event", "endpoint__organization").get(pk=delivery_id)


def _end(
    delivery: Delivery, worker: str, *, status_code: int | None = None, error: str = "", final: bool = False
) -> None:
    now = timezone.now()
    fields: dict[str, Any] = {"claimed_by": "", "claimed_until": None, "last_status_code": status_code}
    if status_code is not None and 200 <= status_code < 300:
        fields.update(status=Delivery.Status.DELIVERED, delivered_at=now, last_error="", next_attempt_at=None)
    else:
        steps = settings.HUB_WEBHOOKS_RETRY_SECONDS
        fields["last_error"] = (error or _("The receiver answered %(status)s.") % {"status": status_code})[
            :300
        ]
        if final or delivery.attempts > len(steps):
            fields.update(status=Delivery.Status.GAVE_UP, next_attempt_at=None)
        else:
            step = steps[delivery.attempts - 1]
            fields.update(status=Delivery.Status.FAILED, next_attempt_at=now + timedelta(seconds=step))
    Delivery.objects.filter(pk=delivery.pk, claimed_by=worker).update(**fields)


def body_of(event: Event, data: dict[str, Any]) -> bytes:
    document = {"type": event.type, "timestamp": event.created_at.isoformat(), "data": data}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def _secrets(endpoint: Endpoint) -> list[str]:
    found = [endpoint.secret]
    if endpoint.previous_secret and endpoint.previous_until and endpoint.previous_until > timezone.now():
        found.append(endpoint.previous_secret)
    return found


def deliver(*, delivery_id: int, worker: str | None = None) -> Delivery | None:
    """One attempt at one delivery, if it is due and nobody holds it (see the module's docstring);
    None when the delivery is gone (its endpoint was removed)."""
    worker = worker or worker_name()
    delivery = _claim(delivery_id, worker)
    if delivery is None:
        return Delivery.objects.filter(pk=delivery_id).first()
    event, endpoint = delivery.event, delivery.endpoint
    data = events.as_delivered(event, timezone.localdate())
    if not endpoint.is_active or data is None:
        _end(
            delivery, worker, error=_("The organization's agreements no longer cover this event."), final=True
        )
        return Delivery.objects.get(pk=delivery_id)
    body = body_of(event, data)
    if len(body) > settings.HUB_WEBHOOKS_MAX_BODY:
        _end(delivery, worker, error=_("The event is larger than webhooks carry."), final=True)
        return Delivery.objects.get(pk=delivery_id)
    try:
        target = check_target(endpoint.url)
    except TargetRefused as refused:
        _end(delivery, worker, error=str(refused.message))
        return Delivery.objects.get(pk=delivery_id)
    headers = signed_headers(msg_id=event.id, timestamp=timezone.now(), body=body, secrets=_secrets(endpoint))
    answer = post(target, body=body, headers=headers)
    _end(delivery, worker, status_code=answer.status, error=answer.error)
    return Delivery.objects.get(pk=delivery_id)


def sweep_deliveries(*, now: Any = None) -> int:
    """Queue every delivery that is due and that no worker holds: never queued, queued before it fell
    due again, or queued so long ago that its message must have been lost."""
    now = now or timezone.now()
    requeue = now - timedelta(seconds=settings.HUB_WEBHOOKS_REQUEUE_SECONDS)
    due = (
        Delivery.objects.filter(status__in=DUE, next_attempt_at__lte=now)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .filter(Q(queued_at__isnull=True) | Q(queued_at__lt=F("next_attempt_at")) | Q(queued_at__lt=requeue))
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:500]
    )
    count = 0
    for delivery_id in list(due):
        queue_delivery(delivery_id)
        count += 1
    return count
