"""Benchmarks stay fresh by themselves: putting a submission in force marks its (standard, period)
stale in the same transaction (a `Pending` row), and the due rows are recomputed by the worker.

The database owns the work, as it owns submissions: the task sent after commit is only a wake-up. If
it is lost, the scheduler's `benchmarks.recompute_due` (every minute) finds the row; if a worker dies
while computing, its claim expires and another takes the row. A burst of submissions for one period
moves `due_at` on, so the period is computed once after the burst (debounced).
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from alliance.celery import app as celery_app
from apps.benchmarks.models import Pending, Run
from apps.benchmarks.runs import NothingToCompute, compute_run
from apps.submissions.models import Submission
from apps.submissions.selectors import in_force_soon
from apps.submissions.signals import put_in_force

logger = logging.getLogger(__name__)

RECOMPUTE_TASK = "benchmarks.recompute_due"  # apps/benchmarks/tasks.py


def mark_stale(
    *, standard_id: int, period: str, trigger: str = Run.Trigger.SUBMISSION, now: Any = None
) -> None:
    """Record that (standard, period) needs recomputing, due after the debounce; wake a worker then."""
    now = now or timezone.now()
    delay = settings.HUB_BENCHMARK_DEBOUNCE_SECONDS
    Pending.objects.bulk_create(
        [
            Pending(
                standard_id=standard_id,
                period=period,
                changed_at=now,
                due_at=now + timedelta(seconds=delay),
                trigger=trigger,
            )
        ],
        update_conflicts=True,
        unique_fields=["standard", "period"],
        update_fields=["changed_at", "due_at", "trigger"],
    )
    transaction.on_commit(lambda: _wake(delay + 1))


def _wake(countdown: int) -> None:
    try:
        celery_app.tasks[RECOMPUTE_TASK].apply_async(countdown=countdown)
    except Exception:  # the broker is down: the scheduler's sweep finds the row
        logger.warning("could not queue a benchmark recomputation; the sweep will", exc_info=True)


@receiver(put_in_force, sender=Submission)
def _submission_in_force(sender: Any, standard_id: int, period: str, **kwargs: Any) -> None:
    mark_stale(standard_id=standard_id, period=period)


def _claim(now: datetime) -> Pending | None:
    """Take a due row, the newest period first (the one readers look at; a backlog, as after a first
    load or a change of policy, fills the pages from the top), then the longest due: push its `due_at`
    past the lease, so nobody else takes it meanwhile. Every due row is taken in turn: a newer period
    goes first only while it is due, and is then computed and gone."""
    with transaction.atomic():
        row = (
            Pending.objects.select_for_update(skip_locked=True)
            .filter(due_at__lte=now)
            .order_by("-period", "due_at", "pk")
            .first()
        )
        if row is not None:
            row.due_at = now + timedelta(seconds=settings.HUB_BENCHMARK_LEASE_SECONDS)
            row.save(update_fields=["due_at"])
    return row


def _unsettled(row: Pending, now: datetime) -> bool:
    """The period still has submissions on their way (received or processing): a run now would be
    stale at once. Waited for up to HUB_BENCHMARK_MAX_WAIT_SECONDS after the last change."""
    if row.changed_at < now - timedelta(seconds=settings.HUB_BENCHMARK_MAX_WAIT_SECONDS):
        return False
    return in_force_soon(row.standard_id, row.period)


def task_seconds() -> float:
    """How long a task may go on taking periods: a period claimed later could outlast its lease (a
    run's engine budget, with as much again for reading and writing)."""
    return max(settings.HUB_BENCHMARK_LEASE_SECONDS - 2 * settings.HUB_BENCHMARK_RUN_SECONDS, 0)


def recompute_due(*, now: Any = None, limit: int = 50, seconds: float | None = None) -> list[Run]:
    """Recompute up to `limit` due (standard, period) pairs, taking none after `seconds`; a pair
    changed while it was computed stays pending for the next round, and one whose submissions are
    still being processed waits."""
    runs = []
    started = time.monotonic()
    for index in range(limit):
        if index and seconds is not None and time.monotonic() - started > seconds:
            break
        moment = now or timezone.now()
        row = _claim(moment)
        if row is None:
            break
        if _unsettled(row, moment):
            delay = timedelta(seconds=settings.HUB_BENCHMARK_DEBOUNCE_SECONDS)
            Pending.objects.filter(pk=row.pk).update(due_at=moment + delay)
            continue
        try:
            runs.append(compute_run(row.standard, row.period, trigger=row.trigger))
        except NothingToCompute:
            logger.info("no benchmarks for %s %s", row.standard_id, row.period)
        Pending.objects.filter(pk=row.pk, changed_at=row.changed_at).delete()
    return runs
