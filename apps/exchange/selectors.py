"""Reads about agreements shared by the stewards' pages, and about a partner's machine clients."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from apps.exchange.models import Agreement, MachineClient
from apps.organizations.models import Organization


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


def clients_of(organization: Organization) -> QuerySet[MachineClient]:
    """An organization's machine clients, newest first."""
    return MachineClient.objects.filter(organization=organization).select_related(
        "application", "created_by", "organization"
    )


def client_of_organization(organization: Organization, client_id: Any) -> MachineClient:
    """One of `organization`'s machine clients by its number; 404 for any other."""
    text = str(client_id)
    found = clients_of(organization).filter(pk=int(text) if text.isdigit() and len(text) < 19 else 0).first()
    if found is None:
        raise Http404
    return found
