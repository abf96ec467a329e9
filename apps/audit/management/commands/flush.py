"""Django's `flush`, able to empty the audit table too.

`flush` empties every table on purpose (an operator's reset; Django's test runner between transactional
tests), and the audit table's trigger refuses TRUNCATE from everything else. So this command, and only
it, lifts that guard for its own statement, in its own transaction. A flushed log no longer matches
the last checkpoint, and `verify_audit_chain` says so.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.management.commands import flush
from django.db import connections

GUARD = "ALTER TABLE audit_auditevent {} TRIGGER audit_event_no_truncate"


def _lift_truncate_guard(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
    if not (sql.lstrip().upper().startswith("TRUNCATE") and '"audit_auditevent"' in sql):
        return execute(sql, params, many, context)
    execute(GUARD.format("DISABLE"), None, False, context)
    result = execute(sql, params, many, context)
    execute(GUARD.format("ENABLE"), None, False, context)
    return result


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        with connections[options["database"]].execute_wrapper(_lift_truncate_guard):
            super().handle(**options)
