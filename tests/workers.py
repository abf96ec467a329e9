"""Real Celery workers for the few tests that prove delivery, kills and retries."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from typing import Any

from django.conf import settings
from django.db import connection


def worker_database_url() -> str:
    """The test database, for a worker process that is not part of the test run."""
    db = connection.settings_dict
    if db.get("HOST"):
        credentials = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
        return f"postgres://{credentials}@{db['HOST']}:{db.get('PORT') or 5432}/{db['NAME']}"
    return f"postgres://{db['USER']}@/{db['NAME']}?host={db['OPTIONS']['host']}"


def start_worker(queue: str, log: Any, *, pool: str = "solo", **environment: str) -> subprocess.Popen[bytes]:
    """A worker on its own queue, against the test database, in its own process group."""
    env = {
        **os.environ,
        "DATABASE_URL": worker_database_url(),
        "HUB_DATA_DIR": str(settings.DATA_DIR),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        **environment,
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "alliance",
            "worker",
            "--pool",
            pool,
            "--concurrency",
            "1",
            "--queues",
            queue,
            "--hostname",
            f"{queue}-{uuid.uuid4().hex[:4]}@%h",
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
        start_new_session=True,
    )


def stop_worker(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, 15)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, 9)
        process.wait()
