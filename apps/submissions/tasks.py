"""Celery tasks: they load an id and call a service, nothing more; running one twice is harmless."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from apps.submissions import services


@shared_task(
    name="submissions.process",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    soft_time_limit=settings.HUB_SUBMISSION_TIME_LIMIT,
    time_limit=settings.HUB_SUBMISSION_TIME_LIMIT + 60,
)
def process_submission_task(submission_id: str) -> None:
    services.process_submission(submission_id=submission_id)


@shared_task(name="submissions.sweep", ignore_result=True)
def sweep_submissions_task() -> int:
    return services.sweep_submissions()
