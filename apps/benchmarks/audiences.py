"""Readers of benchmarks other than members and stewards: partners' machine clients, who read what
their data-sharing agreements grant. The app that keeps agreements sits above this one (apps.exchange)
and registers, when it loads, the function that gives an actor's scope; this app asks it and never
imports it. Without a registered provider nobody is such a reader: the rule fails closed."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any, NoReturn, Protocol

from django.db.models import QuerySet


class ReaderScope(Protocol):
    """What a scoped reader may read today (apps.exchange.access.Scope)."""

    def may_read(self, *, standard: str, measure: str = "", cohort: str = "") -> bool: ...

    def asked_for(self, *, standard: str = "", measure: str = "", cohort: str = "") -> bool: ...

    def readable(self, queryset: QuerySet[Any]) -> QuerySet[Any]: ...

    def release(self, *, standard: str, measure: str, cohort: str, period: str) -> date | None: ...

    def record_read(
        self,
        request: Any,
        *,
        asked: dict[str, Any],
        rows: Sequence[Mapping[str, Any]] = (),
        figures: int | None = None,
    ) -> None: ...

    def refuse(self, request: Any, *, asked: dict[str, Any]) -> NoReturn: ...


Provider = Callable[[Any, date], ReaderScope | None]
_providers: list[Provider] = []


def register(provider: Provider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def scope_for(actor: Any, today: date) -> ReaderScope | None:
    """The scope `actor` reads benchmarks under on `today`, or None when it is not a scoped reader."""
    for provider in _providers:
        found = provider(actor, today)
        if found is not None:
            return found
    return None
