"""Celery tasks: they call a service, nothing more; running one twice is harmless."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from apps.benchmarks.freshness import recompute_due, task_seconds


@shared_task(
    name="benchmarks.recompute_due",
    ignore_result=True,
    soft_time_limit=settings.HUB_BENCHMARK_LEASE_SECONDS,
    time_limit=settings.HUB_BENCHMARK_LEASE_SECONDS + 60,
)
def recompute_due_task() -> int:
    return len(recompute_due(seconds=task_seconds()))
