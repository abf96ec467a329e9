"""Which partner standards a partner organization may push: its data-sharing agreements say, and the
app that keeps them sits above this one (apps.exchange). It registers, when it loads, the function
that answers; this app asks it and never imports it. Without a registered provider a partner may push
nothing: the rule fails closed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

Provider = Callable[[Any, date], frozenset[str]]
_providers: list[Provider] = []


def register(provider: Provider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def partner_standards(organization: Any, today: date) -> frozenset[str]:
    """The codes of the partner standards `organization` may push on `today`."""
    found: frozenset[str] = frozenset()
    for provider in _providers:
        found |= provider(organization, today)
    return found
