"""Celery tasks: they call a service, nothing more; running one twice is harmless."""

from __future__ import annotations

from celery import shared_task

from apps.benchmarks.freshness import recompute_due


@shared_task(name="benchmarks.recompute_due", ignore_result=True)
def recompute_due_task() -> int:
    return len(recompute_due())
