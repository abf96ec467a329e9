"""`make stop`: end whatever a crashed `make run` or test run of this checkout left running.

Stops this checkout's hub processes (web, worker, scheduler), then the embedded PostgreSQL server.
Imports no Django settings, so it starts nothing itself.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time
from pathlib import Path

import psutil

from alliance.embedded_db import stop_server

ROOT = Path(__file__).resolve().parent.parent
MARKERS = ("runhub", "gunicorn", "celery")


def hub_processes() -> list[psutil.Process]:
    found = []
    venv = str(ROOT / ".venv")
    for process in psutil.process_iter(["pid", "cmdline"]):
        cmdline = " ".join(process.info.get("cmdline") or [])
        if process.pid != os.getpid() and venv in cmdline and any(marker in cmdline for marker in MARKERS):
            found.append(process)
    return found


def main() -> int:
    processes = hub_processes()
    for process in processes:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.send_signal(signal.SIGTERM)
    _gone, alive = psutil.wait_procs(processes, timeout=15)
    for process in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.kill()
    if processes:
        print(f"stopped {len(processes)} hub process(es)")
    time.sleep(0.2)
    data_dir = Path(os.environ.get("HUB_DATA_DIR", ROOT / ".data"))
    print(stop_server(data_dir / "pg"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
