"""Counting failed sign-ins and failed API-token authentications.

DRF's throttles run after authentication, so they never see a request with a bad token; Django does
not throttle sign-in at all. These counters live in the shared cache and are keyed by the client's
address (alone, and with the e-mail or token prefix tried), never by the account alone, so that a
third party cannot lock a person out by failing on their behalf.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The client's address, trusting X-Forwarded-For only behind HUB_TRUSTED_PROXIES proxies."""
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    proxies = settings.HUB_TRUSTED_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return remote


def _key(*parts: str) -> str:
    return "authfail:" + ":".join(part.replace(" ", "_")[:200] for part in parts)


def failure_keys(request: HttpRequest, account: str) -> list[str]:
    address = client_address(request)
    return [_key("addr", address), _key("addr", address, account.lower())]


def is_blocked(keys: Iterable[str]) -> bool:
    limit = settings.HUB_AUTH_FAILURE_LIMIT
    return any((cache.get(key) or 0) >= limit for key in keys)


def note_failure(keys: Iterable[str]) -> None:
    window = settings.HUB_AUTH_FAILURE_WINDOW
    for key in keys:
        if cache.add(key, 1, window):
            continue
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, window)


def clear_failures(keys: Iterable[str]) -> None:
    cache.delete_many(list(keys))
