"""Recording audit events into the hash chain.

Each event carries the SHA-256 of its content and of the event before it, and an HMAC of that hash
under HUB_AUDIT_KEY, a key kept outside the database: whoever holds only the database can recompute
hashes but not MACs (apps/audit/integrity.py checks both).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, OperationalError, connection, transaction
from django.utils import timezone

from apps.audit.models import AuditEvent

GENESIS = "0" * 64
# pg_advisory_xact_lock key that serializes appends to the chain.
CHAIN_LOCK = 7_311_204
# The same actor reading the same thing, or refused the same organization, is recorded once this often.
REPEAT_SECONDS = 60

# The request being served, for receivers of Django's signals, which get none (AuditRequestMiddleware).
current_request: ContextVar[Any] = ContextVar("audit_current_request", default=None)


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
    if token is not None:  # an API token, or a machine client's credential (kind "client")
        kind = getattr(token, "kind", "token")
        return {
            "actor_token_id": token.pk if kind == "token" else None,
            "actor_label": f"{kind}:{token.prefix}",
        }
    if actor is not None and getattr(actor, "is_authenticated", False):
        return {"actor_user_id": actor.pk, "actor_label": actor.email}
    return {"actor_label": ""}


class AuditUnavailable(OperationalError):
    """The audit record of a change could not be written, so the change is not made either: the
    caller's transaction ends with it, and the request is answered 503 (alliance.middleware), never
    a change without its record."""


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
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK])
            last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
            event.prev_hash = last or GENESIS
            event.hash = event_hash(prev_hash=event.prev_hash, fields=hashed_fields(event))
            event.mac = event_mac(event.hash)
            event.save(force_insert=True)
    except DatabaseError as error:
        raise AuditUnavailable(f"the audit record of {action} could not be written") from error
    return event


def _first_in_a_while(*parts: Any) -> bool:
    """True once per REPEAT_SECONDS for the same parts (shared by every process through the cache)."""
    digest = hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()
    return bool(cache.add(f"audit:repeat:{digest}", 1, REPEAT_SECONDS))


def _actor_key(actor: Any) -> str:
    return _actor_fields(actor)["actor_label"] or "anonymous"


def record_read(
    *, actor: Any, organization: Any, target: Any, what: str, request: Any = None
) -> AuditEvent | None:
    """Record that `actor` read `what` of `target` (a report, a download), in `organization`'s log: the
    firm sees who read its data. The same actor reading the same thing again within REPEAT_SECONDS is
    not recorded again (a page that refreshes itself, a script's retries), so readers cannot flood the
    chain. Returns the event, or None when it was such a repeat."""
    target_key = (target._meta.label_lower, target.pk) if target is not None else None
    if not _first_in_a_while("read", _actor_key(actor), target_key, what):
        return None
    return record_event(
        actor=actor,
        action="data.read",
        organization=organization,
        target=target,
        request=request,
        data={"what": what},
    )


def record_denied_access(
    *, actor: Any, organization: Any, target: Any, request: Any = None
) -> AuditEvent | None:
    """Record that `actor` was refused `organization` (answered as missing), in the stewards' security
    log (no organization), never in the refused organization's own: that firm would see, and anyone
    could fill, its log with a prober's attempts. Once per REPEAT_SECONDS per actor and organization."""
    if not _first_in_a_while("denied", _actor_key(actor), organization.pk):
        return None
    return record_event(
        actor=actor,
        action="access.denied",
        organization=None,
        target=target,
        request=request,
        data={"organization_id": organization.pk},
    )


def record_refusal(
    *, actor: Any, action: str, data: dict[str, Any], request: Any = None
) -> AuditEvent | None:
    """Record in the stewards' security log (no organization) that `actor` was refused something it
    asked for (`data` says what), once per REPEAT_SECONDS for the same actor and question."""
    return record_now_and_then(actor=actor, action=action, data=data, request=request)


def record_now_and_then(
    *, actor: Any, action: str, data: dict[str, Any], organization: Any = None, request: Any = None
) -> AuditEvent | None:
    """Append an event unless the same actor made the same one (action and data) within
    REPEAT_SECONDS: reads a client repeats (a page that refreshes, a script's retries) cannot flood
    the chain. Returns the event, or None for such a repeat."""
    if not _first_in_a_while(
        "now-and-then", _actor_key(actor), action, data, getattr(organization, "pk", None)
    ):
        return None
    return record_event(actor=actor, action=action, organization=organization, data=data, request=request)


def client_address(request: Any) -> str:
    """The client's address, trusting X-Forwarded-For only behind HUB_TRUSTED_PROXIES proxies (what audit
    events record, and what the sign-in limits count by)."""
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    proxies = settings.HUB_TRUSTED_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return remote
