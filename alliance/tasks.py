"""Project-wide periodic tasks."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone


@shared_task(name="alliance.tasks.heartbeat", ignore_result=False)
def heartbeat() -> str:
    """Run by the scheduler every 30 s; its stored result tells /healthz that worker and scheduler live."""
    return timezone.now().isoformat()
