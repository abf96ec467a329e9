"""A real Celery worker (not eager mode) takes a task from the configured broker, runs it against the
test database and stores its result, which /healthz then reports."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
from django.test import Client

from alliance.celery import app
from alliance.tasks import heartbeat
from tests.workers import start_worker, stop_worker


@pytest.fixture
def worker(transactional_db: Any, tmp_path: Any) -> Any:
    queue = f"test-{uuid.uuid4().hex[:8]}"
    log = (tmp_path / "worker.log").open("wb")
    process = start_worker(queue, log)
    yield queue
    stop_worker(process)
    log.close()
    print((tmp_path / "worker.log").read_text(errors="replace")[-3000:])  # shown when the test fails


def test_real_worker_runs_the_heartbeat_and_healthz_sees_it(worker: str) -> None:
    from django_celery_results.models import TaskResult

    app.conf.task_always_eager = False
    result = heartbeat.apply_async(queue=worker)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if TaskResult.objects.filter(task_id=result.id, status="SUCCESS").exists():
            break
        time.sleep(0.2)
    else:
        pytest.fail("the worker did not run the task within 60 s")
    body = Client().get("/healthz").json()
    assert body["worker"]["seen"] is True
    assert body["worker"]["seconds_ago"] < 60
