"""/healthz: is the database reachable, is the broker reachable, when did the worker last run a task."""

from __future__ import annotations

import time
from typing import Any

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from alliance.celery import app


def _database() -> dict[str, Any]:
    started = time.monotonic()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"ok": True, "ms": round((time.monotonic() - started) * 1000, 1)}
    except Exception as exc:
        return {"ok": False, "error": type(exc).__name__}


def _broker() -> dict[str, Any]:
    started = time.monotonic()
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return {
            "ok": True,
            "ms": round((time.monotonic() - started) * 1000, 1),
            "transport": conn.transport_cls,
        }
    except Exception as exc:
        return {"ok": False, "error": type(exc).__name__}


def _worker() -> dict[str, Any]:
    from django_celery_results.models import TaskResult

    try:
        last = (
            TaskResult.objects.filter(task_name="alliance.tasks.heartbeat", status="SUCCESS")
            .order_by("-date_done")
            .values_list("date_done", flat=True)
            .first()
        )
    except Exception as exc:
        return {"seen": False, "error": type(exc).__name__}
    if last is None:
        return {"seen": False}
    return {"seen": True, "seconds_ago": round((timezone.now() - last).total_seconds())}


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    database = _database()
    broker = _broker()
    worker = _worker() if database["ok"] else {"seen": False}
    ok = database["ok"] and broker["ok"]
    body = {"status": "ok" if ok else "unavailable", "database": database, "broker": broker, "worker": worker}
    return JsonResponse(body, status=200 if ok else 503)
