"""Reads about agreements shared by the stewards' pages (and, later, the partners' own)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from apps.exchange.models import Agreement


def agreements_listed() -> QuerySet[Agreement]:
    """Every agreement with its grants, partners in order."""
    return Agreement.objects.select_related("partner").prefetch_related("reads__standard", "push_standards")


def agreement_by_id(agreement_id: Any) -> Agreement:
    """One agreement with its grants; 404 when there is none of that id."""
    text = str(agreement_id)
    found = agreements_listed().filter(pk=int(text) if text.isdigit() and len(text) < 19 else 0).first()
    if found is None:
        raise Http404
    return found
