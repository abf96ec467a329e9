"""Recording audit events into the hash chain.

Each event carries the SHA-256 of its content and of the event before it, and an HMAC of that hash
under HUB_AUDIT_KEY, a key kept outside the database: whoever holds only the database can recompute
hashes but not MACs (apps/audit/integrity.py checks both).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from apps.audit.models import AuditEvent

GENESIS = "0" * 64
# pg_advisory_xact_lock key that serializes appends to the chain.
CHAIN_LOCK = 7_311_204


def event_hash(*, prev_hash: str, fields: dict[str, Any]) -> str:
    payload = json.dumps({"prev": prev_hash, **fields}, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def event_mac(digest: str) -> str:
    """The HMAC-SHA256 of an event's hash under HUB_AUDIT_KEY."""
    return hmac.new(settings.HUB_AUDIT_KEY.encode(), digest.encode(), hashlib.sha256).hexdigest()


def hashed_fields(event: AuditEvent) -> dict[str, Any]:
    return {
        "at": event.at.isoformat(),
        "action": event.action,
        "actor_user_id": event.actor_user_id,
        "actor_token_id": event.actor_token_id,
        "actor_label": event.actor_label,
        "organization_id": event.organization_id,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "data": event.data,
        "address": event.address,
    }


def _actor_fields(actor: Any) -> dict[str, Any]:
    token = getattr(actor, "token", None)
    if token is not None:
        return {"actor_token_id": token.pk, "actor_label": f"token:{token.prefix}"}
    if actor is not None and getattr(actor, "is_authenticated", False):
        return {"actor_user_id": actor.pk, "actor_label": actor.email}
    return {"actor_label": ""}


def record_event(
    *,
    actor: Any,
    action: str,
    organization: Any = None,
    target: Any = None,
    data: dict[str, Any] | None = None,
    request: Any = None,
) -> AuditEvent:
    """Append one event. Runs inside the caller's transaction, so it is kept only if the change is."""
    from apps.accounts.limits import client_address

    address = client_address(request) if request is not None else None
    event = AuditEvent(
        at=timezone.now(),
        action=action,
        organization_id=getattr(organization, "pk", None),
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None and target.pk is not None else "",
        data=json.loads(json.dumps(data or {}, default=str)),
        address=address if address and address != "unknown" else None,
        **_actor_fields(actor),
    )
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK])
        last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
        event.prev_hash = last or GENESIS
        event.hash = event_hash(prev_hash=event.prev_hash, fields=hashed_fields(event))
        event.mac = event_mac(event.hash)
        event.save(force_insert=True)
    return event
