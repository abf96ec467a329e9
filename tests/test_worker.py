"""A real Celery worker (not eager mode) takes a task from the configured broker, runs it against the
test database and stores its result, which /healthz then reports."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from alliance.celery import app
from alliance.tasks import heartbeat


def _test_database_url() -> str:
    db = connection.settings_dict
    if db.get("HOST"):
        credentials = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
        return f"postgres://{credentials}@{db['HOST']}:{db.get('PORT') or 5432}/{db['NAME']}"
    return f"postgres://{db['USER']}@/{db['NAME']}?host={db['OPTIONS']['host']}"


@pytest.fixture
def worker(transactional_db: Any, tmp_path: Any) -> Any:
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "DATABASE_URL": _test_database_url(), "HUB_DATA_DIR": str(settings.DATA_DIR)}
    log = (tmp_path / "worker.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "alliance",
            "worker",
            "--pool",
            "solo",
            "--queues",
            queue,
            "--hostname",
            f"{queue}@%h",
            "--loglevel",
            "WARNING",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
        ],
        env=env,
        cwd=settings.BASE_DIR,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    yield queue
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
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
