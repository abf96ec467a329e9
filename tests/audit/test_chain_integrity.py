"""What someone with the database, and only the database, can do to the audit log, and what
`verify_audit_chain` then says. The attacker knows the code (the hashing is public), not HUB_AUDIT_KEY,
and cannot write the checkpoint, which is kept outside the database."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.audit.services import GENESIS, event_hash, hashed_fields


def verify() -> str:
    out, err = StringIO(), StringIO()
    try:
        call_command("verify_audit_chain", stdout=out, stderr=err)
    except CommandError as error:
        raise AssertionError(f"{error}\n{err.getvalue()}") from error
    return out.getvalue()


def verify_fails() -> str:
    err = StringIO()
    with pytest.raises(CommandError, match="broken"):
        call_command("verify_audit_chain", stdout=StringIO(), stderr=err)
    return err.getvalue()


def as_database_owner(*statements: str, params: list[Any] | None = None) -> None:
    """Run SQL with the append-only triggers switched off, as the tables' owner can."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        for sql in statements:
            cursor.execute(sql, params)
        cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")


def rehash_from(first_id: int) -> None:
    """Recompute the plain hashes of the events from `first_id` on, as an attacker who read the code can."""
    previous = (
        AuditEvent.objects.filter(id__lt=first_id).order_by("-id").values_list("hash", flat=True).first()
        or GENESIS
    )
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        for event in AuditEvent.objects.filter(id__gte=first_id).order_by("id"):
            digest = event_hash(prev_hash=previous, fields=hashed_fields(event))
            cursor.execute(
                "UPDATE audit_auditevent SET prev_hash = %s, hash = %s WHERE id = %s",
                [previous, digest, event.pk],
            )
            previous = digest
        cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")


def test_the_database_refuses_to_truncate_the_log(cast: Any) -> None:
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("TRUNCATE audit_auditevent")
    assert AuditEvent.objects.exists()


def test_an_intact_chain_verifies_and_leaves_a_signed_checkpoint(cast: Any, checkpoint: Path) -> None:
    out = verify()
    assert "intact" in out
    saved = json.loads(checkpoint.read_text())
    last = AuditEvent.objects.order_by("-id").first()
    assert saved["count"] == AuditEvent.objects.count()
    assert saved["last_id"] == last.pk and saved["last_hash"] == last.hash
    assert len(saved["mac"]) == 64
    assert saved["mac"] in out  # the log keeps a copy too
    cast.client_for("a_admin").get("/")  # more events; the next verification moves the checkpoint on
    assert "intact" in verify()


def test_an_edited_event_with_recomputed_hashes_is_caught(cast: Any, checkpoint: Path) -> None:
    verify()
    event = AuditEvent.objects.order_by("id")[3]
    as_database_owner(
        "UPDATE audit_auditevent SET actor_label = 'someone else' WHERE id = %s", params=[event.pk]
    )
    rehash_from(event.pk)
    problems = verify_fails()
    assert f"event {event.pk}" in problems and "key" in problems


def test_a_log_rebuilt_from_scratch_with_plain_hashes_is_caught(cast: Any, checkpoint: Path) -> None:
    as_database_owner("DELETE FROM audit_auditevent")
    checkpoint.unlink(missing_ok=True)  # even with no checkpoint yet
    previous = GENESIS
    for i in range(3):
        event = AuditEvent(at=timezone.now(), action="auth.sign_in", actor_label=f"forged{i}@example.org")
        event.prev_hash = previous
        event.hash = previous = event_hash(prev_hash=previous, fields=hashed_fields(event))
        event.save(force_insert=True)
    assert "without the audit key" in verify_fails()


def test_an_emptied_log_is_caught_by_the_checkpoint(cast: Any, checkpoint: Path) -> None:
    verify()
    as_database_owner("TRUNCATE audit_auditevent")
    assert "removed" in verify_fails()


def test_removing_the_newest_events_is_caught_by_the_checkpoint(cast: Any, checkpoint: Path) -> None:
    verify()
    newest = list(AuditEvent.objects.order_by("-id").values_list("id", flat=True)[:3])
    as_database_owner("DELETE FROM audit_auditevent WHERE id >= %s", params=[min(newest)])
    assert "removed" in verify_fails()


def test_a_removed_event_relinked_by_recomputing_hashes_is_caught(cast: Any, checkpoint: Path) -> None:
    verify()
    victim = AuditEvent.objects.order_by("id")[2]
    as_database_owner("DELETE FROM audit_auditevent WHERE id = %s", params=[victim.pk])
    rehash_from(victim.pk + 1)
    verify_fails()


def test_a_checkpoint_not_signed_with_the_key_is_refused(cast: Any, checkpoint: Path) -> None:
    verify()
    saved = json.loads(checkpoint.read_text())
    checkpoint.write_text(json.dumps({**saved, "count": 1}))
    assert "checkpoint" in verify_fails()
