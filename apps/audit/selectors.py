"""Reads of the audit log: an organization's admins see its events, stewards see all."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from apps.audit.models import AuditEvent


def events_of_organization(organization: Any) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(organization_id=organization.pk).order_by("-id")
