"""A worker killed in the middle of a file (118,800 rows) leaves no partial data, and the retry
finishes the job: real Celery workers on the configured broker, real PostgreSQL, SIGKILL to the
whole worker."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import time
import uuid
from typing import Any

import pytest
from django.conf import settings
from django.core.files.base import ContentFile

from apps.standards.models import StandardVersion
from apps.standards.services import load_standards
from apps.submissions import services
from apps.submissions.models import Observation, Submission
from apps.submissions.tasks import process_submission_task
from tests.submissions.data import EN_HEADERS, csv_bytes
from tests.workers import start_worker, stop_worker

ROWS = 118_800  # every combination of the dimensions below, each once
pytestmark = pytest.mark.django_db(transaction=True)


def big_file() -> bytes:
    products = [
        "hot-break-28-30",
        "hot-break-30-32",
        "hot-break-36-38",
        "cold-break-28-30",
        "cold-break-30-32",
    ]
    countries = ["KZ", "KG", "UZ", "TJ", "TM", "RU", "AF", "MN", "AZ", "GE", "TR", "IR"]
    incoterms = ["EXW", "FCA", "CPT", "CIP", "DAP", "DPU", "DDP", "FAS", "FOB", "CFR", "CIF"]
    crossings = ["khorgos", "alashankou", "torugart", "irkeshtam", "baketu", "sea"]
    modes = ["road", "rail", "multimodal", "sea", "air"]
    packaging = ["aseptic-drum", "bag-in-box", "tin"]
    hs = ["200290", "200210"]
    combos = itertools.product(products, countries, incoterms, crossings, modes, packaging, hs)
    rows = []
    for number, (product, country, incoterm, crossing, mode, pack, code) in enumerate(combos):
        if number >= ROWS:
            break
        rows.append(
            [
                "2026-09",
                product,
                country,
                incoterm,
                crossing,
                mode,
                pack,
                str(1 + number % 90),
                "21500",
                "USD",
                code,
            ]
        )
    return csv_bytes([*EN_HEADERS, "HS code"], rows)


def receive(cast: Any, version: StandardVersion, content: bytes, period: str = "2026-09") -> Submission:
    """A contributor of firm A sends `content`; the test decides which worker processes it."""
    submission, _created = services.receive_submission(
        actor=cast.person("a", "contributor"),
        organization=cast.org_a,
        version=version,
        period=period,
        upload=ContentFile(content, name="data.csv"),
        filename="data.csv",
    )
    return submission


def kill_while_processing(worker: subprocess.Popen[bytes], submission: Submission, queue: str) -> None:
    """Send `submission` to `worker`, wait until it is checking rows, then SIGKILL the whole worker
    (main process and pool child)."""
    process_submission_task.apply_async(args=[str(submission.pk)], queue=queue)
    wait_for(
        lambda: Submission.objects.filter(pk=submission.pk, status="processing", progress__gt=0).exists(),
        90,
        "the first worker to be working on the file",
    )
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)


def sweep_into(queue: str, monkeypatch: Any) -> None:
    """Let the sweeper send what it re-queues to `queue`, and wait until it has re-queued something
    (the killed worker's lease has run out)."""
    monkeypatch.setattr(
        services,
        "queue_processing",
        lambda pk: process_submission_task.apply_async(args=[str(pk)], queue=queue),
    )
    wait_for(lambda: services.sweep_submissions() > 0, 30, "the lease to expire and the sweeper to re-queue")


def start_kill_worker(queue: str, log: Any) -> subprocess.Popen[bytes]:
    return start_worker(queue, log, pool="prefork", HUB_SUBMISSION_LEASE_SECONDS="3")


def wait_for(condition: Any, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


def test_a_killed_worker_leaves_nothing_half_written_and_the_retry_finishes(
    cast: Any, tmp_path: Any, monkeypatch: Any
) -> None:
    from alliance.celery import app

    app.conf.task_always_eager = False
    load_standards()
    version = StandardVersion.objects.get(standard__code="tomato-paste.exports", version="1.0.0")
    submission = receive(cast, version, big_file())
    queue = f"kill-{uuid.uuid4().hex[:8]}"
    log = (tmp_path / "workers.log").open("wb")
    first = start_kill_worker(queue, log)
    second = None
    try:
        kill_while_processing(first, submission, queue)
        submission.refresh_from_db()
        assert submission.status == "processing"
        assert not Observation.objects.filter(submission=submission).exists()

        second = start_kill_worker(queue, log)
        sweep_into(queue, monkeypatch)
        wait_for(lambda: Submission.objects.get(pk=submission.pk).is_finished, 180, "the retry to finish")
        submission.refresh_from_db()
        assert submission.status == "accepted", list(submission.issues.values("code", "params")[:5])
        assert submission.attempts == 2
        assert Observation.objects.filter(submission=submission).count() == ROWS
        assert Observation.objects.filter(submission=submission).values("row").distinct().count() == ROWS
    finally:
        for worker in (first, second):
            if worker is not None:
                stop_worker(worker)
        log.close()
        print((tmp_path / "workers.log").read_text(errors="replace")[-3000:])
        app.conf.task_always_eager = True


def test_a_file_past_the_time_limit_is_rejected_and_the_worker_goes_on(cast: Any, tmp_path: Any) -> None:
    """No file holds a worker past HUB_SUBMISSION_TIME_LIMIT. At the soft limit Celery's main process
    sends the pool child SIGUSR1 (SoftTimeLimitExceeded); the test sends that signal itself while the
    big file is being checked, as the limit would. The file is rejected with a problem that says why,
    and the same worker goes on with the next file."""
    from alliance.celery import app

    assert process_submission_task.soft_time_limit == settings.HUB_SUBMISSION_TIME_LIMIT
    assert process_submission_task.time_limit == settings.HUB_SUBMISSION_TIME_LIMIT + 60
    app.conf.task_always_eager = False
    load_standards()
    version = StandardVersion.objects.get(standard__code="tomato-paste.exports", version="1.0.0")

    slow = receive(cast, version, big_file())
    small = receive(cast, version, csv_bytes(EN_HEADERS, [["2026-10", *big_file_row()]]), "2026-10")
    queue = f"limit-{uuid.uuid4().hex[:8]}"
    log = (tmp_path / "workers.log").open("wb")
    worker = start_worker(queue, log, pool="prefork")
    try:
        process_submission_task.apply_async(args=[str(slow.pk)], queue=queue)
        wait_for(
            lambda: Submission.objects.filter(pk=slow.pk, status="processing", progress__gt=0).exists(),
            90,
            "the worker to be checking the big file",
        )
        child = int(Submission.objects.get(pk=slow.pk).claimed_by.rsplit(":", 1)[1])
        os.kill(child, signal.SIGUSR1)
        process_submission_task.apply_async(args=[str(small.pk)], queue=queue)
        wait_for(
            lambda: all(Submission.objects.get(pk=s.pk).is_finished for s in (slow, small)),
            120,
            "both files to be processed",
        )
        slow.refresh_from_db()
        small.refresh_from_db()
        assert slow.status == "rejected" and slow.attempts == 1
        minutes = max(1, round(settings.HUB_SUBMISSION_TIME_LIMIT / 60))
        assert list(slow.issues.values_list("code", "params")) == [("too_slow", {"minutes": minutes})]
        assert not Observation.objects.filter(submission=slow).exists()
        assert small.status == "accepted"
    finally:
        stop_worker(worker)
        log.close()
        print((tmp_path / "workers.log").read_text(errors="replace")[-3000:])
        app.conf.task_always_eager = True


def big_file_row() -> list[str]:
    return ["hot-break-28-30", "KZ", "DAP", "khorgos", "road", "aseptic-drum", "25", "21500", "USD"]


def test_an_older_file_retried_after_a_kill_does_not_replace_the_newer_one(
    cast: Any, tmp_path: Any, monkeypatch: Any
) -> None:
    """The older file's worker is killed; the newer file for the same period is accepted meanwhile; the
    sweeper's retry of the older file finishes last. The newer one stays in force."""
    from alliance.celery import app

    app.conf.task_always_eager = False
    load_standards()
    version = StandardVersion.objects.get(standard__code="tomato-paste.exports", version="1.0.0")

    queue = f"race-{uuid.uuid4().hex[:8]}"
    monkeypatch.setattr(services, "queue_processing", lambda pk: None)  # tasks are sent by the test
    older = receive(cast, version, big_file())
    newer = receive(cast, version, csv_bytes(EN_HEADERS, [["2026-09", *big_file_row()]]))
    log = (tmp_path / "workers.log").open("wb")
    first = start_kill_worker(queue, log)
    second = None
    try:
        kill_while_processing(first, older, queue)
        second = start_kill_worker(queue, log)
        process_submission_task.apply_async(args=[str(newer.pk)], queue=queue)
        wait_for(lambda: Submission.objects.get(pk=newer.pk).is_finished, 60, "the newer file")
        assert Submission.objects.get(pk=newer.pk).is_current
        sweep_into(queue, monkeypatch)
        wait_for(lambda: Submission.objects.get(pk=older.pk).is_finished, 180, "the older file's retry")
        older.refresh_from_db()
        newer.refresh_from_db()
        assert older.status == "accepted" and older.attempts == 2
        assert not older.is_current and older.superseded_by_id == newer.pk
        assert newer.is_current
        assert Observation.objects.filter(submission__is_current=True).count() == 1
    finally:
        for worker in (first, second):
            if worker is not None:
                stop_worker(worker)
        log.close()
        print((tmp_path / "workers.log").read_text(errors="replace")[-3000:])
        app.conf.task_always_eager = True
