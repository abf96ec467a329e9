"""Celery tasks: they load an id and call a service, nothing more; running one twice is harmless."""

from __future__ import annotations

from celery import shared_task

from apps.webhooks import services


@shared_task(
    name="webhooks.deliver",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    soft_time_limit=60,
    time_limit=90,
)
def deliver_task(delivery_id: int) -> None:
    services.deliver(delivery_id=delivery_id)


@shared_task(name="webhooks.sweep", ignore_result=True)
def sweep_deliveries_task() -> int:
    return services.sweep_deliveries()
