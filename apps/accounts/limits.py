"""Counting failed sign-ins and failed API-token authentications.

DRF's throttles run after authentication, so they never see a request with a bad token; Django does
not throttle sign-in at all. These counters live in the shared cache. Each is forgotten
HUB_AUTH_FAILURE_WINDOW seconds after its last failure. IPv6 addresses count by their /64 network,
which one client holds whole.

- Per client address, and per (address, e-mail or token prefix): past HUB_AUTH_FAILURE_LIMIT the
  address is refused. A third party's failures from another address never refuse anyone else.
- Per e-mail, from any address (sign-in only): HUB_AUTH_ACCOUNT_FAILURE_LIMIT failures lock the
  account against addresses that have never signed in to it. The lock lasts one window the first
  time and twice as long each time it is reached again within HUB_AUTH_LOCK_MAX_SECONDS (its cap).
  An address from which the account signed in during the last HUB_AUTH_KNOWN_ADDRESS_DAYS is not
  locked out, so guessers spread over many addresses cannot shut the owner out.

Counters are keyed by the e-mail as typed (lowercased), whether or not such an account exists, so the
refusals tell nothing about which accounts exist.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from apps.audit.services import client_address


def _counted_address(request: HttpRequest | None) -> str:
    """The address as the counters see it: IPv4 as it is, IPv6 as its /64 network."""
    if request is None:
        return "none"
    address = client_address(request)
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def _key(*parts: str) -> str:
    return "authfail:" + ":".join(part.replace(" ", "_")[:200] for part in parts)


def failure_keys(request: HttpRequest | None, account: str) -> list[str]:
    address = _counted_address(request)
    return [_key("addr", address), _key("addr", address, account.lower())]


def is_blocked(keys: Iterable[str]) -> bool:
    limit = settings.HUB_AUTH_FAILURE_LIMIT
    return any((cache.get(key) or 0) >= limit for key in keys)


def _count(key: str, window: int) -> int:
    """Add one to a counter that is forgotten `window` seconds after its last increment."""
    if cache.add(key, 1, window):
        return 1
    try:
        value = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, window)
        return 1
    cache.touch(key, window)  # some backends' incr() resets the timeout to their default
    return value


def note_failure(keys: Iterable[str]) -> None:
    for key in keys:
        _count(key, settings.HUB_AUTH_FAILURE_WINDOW)


def clear_failures(keys: Iterable[str]) -> None:
    cache.delete_many(list(keys))


# --- Sign-in -------------------------------------------------------------------------------------
TOO_MANY = "too_many"
ACCOUNT_LOCKED = "account_locked"


@dataclass(frozen=True)
class SignInAttempt:
    """One attempt to sign in to `email` from the request's address."""

    email: str
    address: str

    @classmethod
    def of(cls, request: HttpRequest | None, email: str) -> SignInAttempt:
        return cls(email=(email or "").strip().lower()[:254], address=_counted_address(request))

    @property
    def _address_keys(self) -> list[str]:
        return [_key("addr", self.address), _key("addr", self.address, self.email)]

    @property
    def _account_key(self) -> str:
        return _key("acct", self.email)

    @property
    def _lock_key(self) -> str:
        return _key("lock", self.email)

    @property
    def _strikes_key(self) -> str:
        return _key("strikes", self.email)

    @property
    def _known_key(self) -> str:
        return "authok:" + _key("known", self.email, self.address).removeprefix("authfail:")

    def refusal(self) -> str | None:
        """Why this attempt is refused without checking the password (TOO_MANY, ACCOUNT_LOCKED), or None."""
        if is_blocked(self._address_keys):
            return TOO_MANY
        if cache.get(self._lock_key) is not None and cache.get(self._known_key) is None:
            return ACCOUNT_LOCKED
        return None

    def failed(self) -> int | None:
        """Count a wrong password. Return the lock's length in seconds if this failure locked the account."""
        note_failure(self._address_keys)
        window = settings.HUB_AUTH_FAILURE_WINDOW
        if _count(self._account_key, window) < settings.HUB_AUTH_ACCOUNT_FAILURE_LIMIT:
            return None
        longest = settings.HUB_AUTH_LOCK_MAX_SECONDS
        strikes = cache.get(self._strikes_key) or 0
        seconds = min(window * 2 ** min(strikes, 30), longest)
        if not cache.add(self._lock_key, seconds, seconds):
            return None  # a concurrent failure locked it first
        cache.set(self._strikes_key, strikes + 1, longest)
        cache.delete(self._account_key)
        return seconds

    def succeeded(self) -> None:
        """Forget this address's failures for the account and remember the address as the owner's."""
        clear_failures(self._address_keys[1:])
        cache.set(self._known_key, 1, settings.HUB_AUTH_KNOWN_ADDRESS_DAYS * 24 * 3600)
