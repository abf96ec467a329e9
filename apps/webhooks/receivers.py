"""The apps below this one announce what happened (apps.exchange.signals, apps.submissions.signals,
apps.benchmarks.signals); these receivers turn it into events for the endpoints subscribed to them,
in the same transaction, so an event is kept exactly when what it announces is. Each works in a
savepoint of its own: should making an event fail, the change it announces still commits (without
the event, and the failure is logged), since no notice may stop an agreement, a submission or a run."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from apps.benchmarks.signals import run_published
from apps.exchange.access import scope_of_partner
from apps.exchange.signals import agreement_changed
from apps.submissions.signals import processed
from apps.webhooks import events
from apps.webhooks.models import EventType
from apps.webhooks.selectors import subscribed_partners
from apps.webhooks.services import emit

logger = logging.getLogger(__name__)


def _in_savepoint(function: Callable[..., None]) -> Callable[..., None]:
    @functools.wraps(function)
    def wrapped(*args: Any, **kwargs: Any) -> None:
        try:
            with transaction.atomic():
                function(*args, **kwargs)
        except Exception:
            logger.exception("webhook events for %s could not be made", function.__name__)

    return wrapped


@receiver(agreement_changed, dispatch_uid="webhooks.agreement_changed")
@_in_savepoint
def on_agreement_changed(sender: Any, *, agreement: Any, change: str, **kwargs: Any) -> None:
    emit(
        event_type=EventType.AGREEMENT_CHANGED,
        organization=agreement.partner,
        payload=events.agreement_payload(agreement, change),
    )


@receiver(processed, dispatch_uid="webhooks.submission_processed")
@_in_savepoint
def on_submission_processed(sender: Any, *, submission: Any, **kwargs: Any) -> None:
    emit(
        event_type=EventType.SUBMISSION_PROCESSED,
        organization=submission.organization,
        payload=events.submission_payload(submission),
    )


@receiver(run_published, dispatch_uid="webhooks.run_published")
@_in_savepoint
def on_run_published(sender: Any, *, run: Any, **kwargs: Any) -> None:
    today = timezone.localdate()
    for partner in subscribed_partners(EventType.BENCHMARK_PUBLISHED):
        cells = events.readable_cells(scope_of_partner(partner, today), run)
        if cells:
            emit(
                event_type=EventType.BENCHMARK_PUBLISHED,
                organization=partner,
                payload=events.run_payload(run, cells),
            )
