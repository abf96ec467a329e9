from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from apps.audit.models import AuditEvent


def test_events_form_an_intact_chain(cast: Any) -> None:
    out = StringIO()
    call_command("verify_audit_chain", stdout=out)
    assert "intact" in out.getvalue()
    assert AuditEvent.objects.count() >= 10


def test_the_database_refuses_to_change_or_delete_events(cast: Any) -> None:
    event = AuditEvent.objects.first()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="tampered")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()


def test_a_changed_row_breaks_the_chain(cast: Any) -> None:
    event = AuditEvent.objects.order_by("id")[3]
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only")
        cursor.execute("UPDATE audit_auditevent SET actor_label = 'someone else' WHERE id = %s", [event.pk])
        cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_append_only")
    with pytest.raises(CommandError, match="broken"):
        call_command("verify_audit_chain", stdout=StringIO(), stderr=StringIO())


def test_admins_see_only_their_own_organizations_events(cast: Any) -> None:
    page = cast.client_for("a_admin").get("/organizations/firm-a/audit/").content.decode()
    assert "admin@firm-a.example" in page
    assert "admin@firm-b.example" not in page
