"""Benchmarks keep themselves fresh: a submission put in force marks its period stale in the same
transaction, a burst is computed once after the debounce, a change during a computation is not lost,
a worker that died gives its claim back after the lease, and a real Celery worker does the work."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from apps.benchmarks import freshness
from apps.benchmarks.models import Figure, Pending, Run
from apps.benchmarks.tasks import recompute_due_task
from apps.standards.models import StandardVersion
from apps.submissions import services
from apps.submissions.models import Submission
from tests.benchmarks.hub import Alliance, make_alliance, row, spread
from tests.workers import start_worker, stop_worker

PERIOD = "2026-06"


@pytest.fixture
def alliance(cast: Any, version: StandardVersion) -> Alliance:
    return make_alliance(cast.steward, version)


def test_a_submission_in_force_marks_its_period_stale(alliance: Alliance) -> None:
    before = timezone.now()
    spread(alliance, PERIOD, 3)
    (pending,) = Pending.objects.all()
    assert (pending.standard_id, pending.period) == (alliance.version.standard_id, PERIOD)
    assert pending.due_at >= before + timedelta(seconds=20)  # the debounce
    assert pending.trigger == Run.Trigger.SUBMISSION


def test_a_rejected_submission_marks_nothing(alliance: Alliance, cast: Any) -> None:
    firm = alliance.add_firm("sloppy")
    submission, _ = services.receive_rows(
        actor=alliance.contributors[firm.pk],
        organization=firm,
        version=alliance.version,
        period=PERIOD,
        rows=[{"period": PERIOD, "product": "no-such-product"}],
    )
    services.process_submission(submission_id=submission.pk)
    assert Submission.objects.get(pk=submission.pk).status == Submission.Status.REJECTED
    assert not Pending.objects.exists()


def test_a_burst_is_computed_once_after_the_debounce(alliance: Alliance) -> None:
    spread(alliance, PERIOD, 6)
    assert freshness.recompute_due() == []  # not due yet: more may come
    runs = freshness.recompute_due(now=timezone.now() + timedelta(seconds=21))
    assert [(run.period, run.n_firms) for run in runs] == [(PERIOD, 6)]
    assert not Pending.objects.exists()
    assert Figure.objects.filter(run=runs[0], is_current=True).exists()


def test_a_change_while_computing_stays_pending(alliance: Alliance, monkeypatch: Any) -> None:
    spread(alliance, PERIOD, 5)
    late = alliance.firms[0]
    real = freshness.compute_run

    def compute_while_a_firm_resubmits(*args: Any, **kwargs: Any) -> Run:
        run = real(*args, **kwargs)
        alliance.send(late, PERIOD, [row("hot-break-28-30", "KZ", 111, 111 * 999.0)], key="during")
        return run

    monkeypatch.setattr(freshness, "compute_run", compute_while_a_firm_resubmits)
    later = timezone.now() + timedelta(seconds=21)
    assert len(freshness.recompute_due(now=later, limit=1)) == 1
    (pending,) = Pending.objects.all()  # the resubmission came after the run read its input
    assert pending.changed_at > later - timedelta(seconds=21)


def test_a_dead_workers_claim_expires(alliance: Alliance) -> None:
    spread(alliance, PERIOD, 5)
    later = timezone.now() + timedelta(seconds=21)
    claimed = freshness._claim(later)  # a worker takes it, then dies before computing
    assert claimed is not None
    assert freshness.recompute_due(now=later) == []  # nobody else takes it during the lease
    runs = freshness.recompute_due(now=later + timedelta(seconds=901))
    assert len(runs) == 1 and not Pending.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_recomputes_what_is_due(cast: Any, standards: Any, tmp_path: Any) -> None:
    from alliance.celery import app

    version = StandardVersion.objects.get(standard__code="tomato-paste.exports", version="1.1.0")
    alliance = make_alliance(cast.steward, version)
    app.conf.task_always_eager = False  # the wake-ups go to the broker, where no worker of this test reads
    with override_settings(HUB_BENCHMARK_DEBOUNCE_SECONDS=0):
        spread(alliance, PERIOD, 5)
    assert Pending.objects.count() == 1 and not Run.objects.exists()
    queue = f"test-{uuid.uuid4().hex[:8]}"
    log = (tmp_path / "worker.log").open("wb")
    process = start_worker(queue, log)
    try:
        recompute_due_task.apply_async(queue=queue)  # the wake-up (or the scheduler's sweep)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and Pending.objects.exists():
            time.sleep(0.3)
    finally:
        stop_worker(process)
        log.close()
    print((tmp_path / "worker.log").read_text(errors="replace")[-3000:])
    assert not Pending.objects.exists(), "the worker did not recompute within 90 s"
    (run,) = Run.objects.all()
    assert (run.period, run.n_firms, run.trigger) == (PERIOD, 5, Run.Trigger.SUBMISSION)
    assert Figure.objects.filter(run=run, is_current=True, cohort="all", measure="unit_price").count() > 6


def test_a_period_with_submissions_on_their_way_waits_for_them(alliance: Alliance) -> None:
    spread(alliance, PERIOD, 5)
    late = alliance.add_firm("late")
    services.receive_rows(
        actor=alliance.contributors[late.pk],
        organization=late,
        version=alliance.version,
        period=PERIOD,
        rows=[{"period": PERIOD, **row("hot-break-28-30", "KZ", 100, 100 * 950.0)}],
    )  # received, not processed yet
    later = timezone.now() + timedelta(seconds=21)
    assert freshness.recompute_due(now=later) == []
    (pending,) = Pending.objects.all()
    assert pending.due_at > later  # tried again after the debounce
    runs = freshness.recompute_due(now=later + timedelta(seconds=601))  # not for ever
    assert len(runs) == 1


def test_a_task_takes_no_period_after_its_time(alliance: Alliance, cast: Any) -> None:
    spread(alliance, PERIOD, 5)
    spread(alliance, "2026-05", 5, prefix="may")
    later = timezone.now() + timedelta(seconds=21)
    runs = freshness.recompute_due(now=later, seconds=0)  # one period, then no time left
    assert [run.period for run in runs] == [PERIOD] and Pending.objects.count() == 1
    assert len(freshness.recompute_due(now=later)) == 1 and not Pending.objects.exists()
