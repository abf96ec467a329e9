"""Verifying the audit chain, and the signed checkpoint that each clean verification leaves outside
the database.

Without the key (HUB_AUDIT_KEY) nobody can make an event's MAC, so an event written or rewritten
straight into the database is caught even if its hashes were recomputed. The MACs cannot tell that the
newest events were removed, or the whole table emptied; the checkpoint can: it holds the number of
events, the last one's id and hash, signed with the key, in a file the database cannot reach.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.audit.services import GENESIS, event_hash, event_mac, hashed_fields


@dataclass(frozen=True)
class Checkpoint:
    count: int
    last_id: int | None
    last_hash: str
    at: str

    def _signed_text(self) -> str:
        return f"{self.count}:{self.last_id}:{self.last_hash}:{self.at}"

    @property
    def mac(self) -> str:
        key = settings.HUB_AUDIT_KEY.encode()
        return hmac.new(key, self._signed_text().encode(), hashlib.sha256).hexdigest()

    def as_json(self) -> str:
        return json.dumps({**self.__dict__, "mac": self.mac}, sort_keys=True)


class BadCheckpoint(Exception):
    pass


@dataclass
class Verification:
    count: int = 0
    last_id: int | None = None
    last_hash: str = GENESIS
    problems: list[str] = field(default_factory=list)

    def checkpoint(self) -> Checkpoint:
        return Checkpoint(
            count=self.count, last_id=self.last_id, last_hash=self.last_hash, at=timezone.now().isoformat()
        )


def read_checkpoint(path: Path) -> Checkpoint | None:
    """The checkpoint in `path`, or None if there is none yet; BadCheckpoint unless the key signed it."""
    try:
        saved: dict[str, Any] = json.loads(path.read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        raise BadCheckpoint(f"the checkpoint {path} cannot be read: {error}") from None
    try:
        checkpoint = Checkpoint(
            count=int(saved["count"]),
            last_id=saved["last_id"],
            last_hash=str(saved["last_hash"]),
            at=str(saved["at"]),
        )
        signed = hmac.compare_digest(str(saved["mac"]), checkpoint.mac)
    except (KeyError, TypeError, ValueError):
        signed = False
    if not signed:
        raise BadCheckpoint(f"the checkpoint {path} is not signed with this audit key")
    return checkpoint


def write_checkpoint(path: Path, checkpoint: Checkpoint) -> None:
    """Replace the checkpoint atomically (a reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_name(f".{path.name}.{os.getpid()}")
    scratch.write_text(checkpoint.as_json() + "\n")
    scratch.chmod(0o600)
    os.replace(scratch, path)


def verify_chain(checkpoint: Checkpoint | None = None) -> Verification:
    """Check every link, hash and MAC of the chain, and that it still holds `checkpoint`'s events."""
    result = Verification()
    problems = result.problems
    previous = GENESIS
    reached = checkpoint is None or checkpoint.count == 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        result.count += 1
        if event.prev_hash != previous:
            problems.append(
                f"event {event.pk}: does not follow the event before it (a row was removed or reordered)"
            )
        if event_hash(prev_hash=event.prev_hash, fields=hashed_fields(event)) != event.hash:
            problems.append(f"event {event.pk}: its content does not match its hash (the row was changed)")
        if not hmac.compare_digest(event.mac, event_mac(event.hash)):
            problems.append(
                f"event {event.pk}: its MAC does not match (written or rewritten without the audit key)"
            )
        if checkpoint is not None and event.pk == checkpoint.last_id:
            reached = True
            if event.hash != checkpoint.last_hash or result.count != checkpoint.count:
                problems.append(
                    f"event {event.pk}: the chain up to it is not the one checkpointed at {checkpoint.at} "
                    f"({checkpoint.count} events): events before it were removed, added or rewritten"
                )
        previous = event.hash
        result.last_id, result.last_hash = event.pk, event.hash
    if not reached and checkpoint is not None:
        problems.append(
            f"the chain has {result.count} events and lacks event {checkpoint.last_id}, the last of the "
            f"{checkpoint.count} checkpointed at {checkpoint.at}: events were removed"
        )
    return result
