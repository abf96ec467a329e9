"""`make run`: prepare the database, then run web server, Celery worker and scheduler until Ctrl-C.

The children run in their own sessions, so a Ctrl-C reaches only this process, which stops them in
order and waits for them; the embedded database stops when the last process using it has exited.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the whole hub (web, worker, scheduler) until Ctrl-C."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--bind", default=os.environ.get("HUB_BIND", "127.0.0.1:8000"))
        parser.add_argument("--web-workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", 2)))
        parser.add_argument("--worker-concurrency", type=int, default=2)
        parser.add_argument("--no-setup", action="store_true", help="Skip migrations and demo data.")
        parser.add_argument("--no-demo", action="store_true", help="Skip the demo alliance.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["no_setup"]:
            call_command("migrate", interactive=False, verbosity=0)
            call_command("createcachetable", verbosity=0)
            call_command("collectstatic", interactive=False, verbosity=0)
            if not options["no_demo"]:
                call_command("seed_demo")
                call_command("seed_demo_submissions")  # the worker below processes them
        control = settings.DATA_DIR / "broker" / "control"
        shutil.rmtree(control, ignore_errors=True)
        python = sys.executable
        commands = {
            "web": [
                python,
                "-m",
                "gunicorn",
                "alliance.wsgi:application",
                "--bind",
                options["bind"],
                "--workers",
                str(options["web_workers"]),
                "--timeout",
                "120",
                "--graceful-timeout",
                "10",
                "--access-logfile",
                "-",
            ],
            "worker": [
                python,
                "-m",
                "celery",
                "-A",
                "alliance",
                "worker",
                "--loglevel",
                "INFO",
                "--concurrency",
                str(options["worker_concurrency"]),
                "--hostname",
                "worker@%h",
            ],
            "scheduler": [
                python,
                "-m",
                "celery",
                "-A",
                "alliance",
                "beat",
                "--loglevel",
                "INFO",
            ],
        }
        children: dict[str, subprocess.Popen[bytes]] = {}
        stopping = False

        def request_stop(signum: int, frame: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
        for name, command in commands.items():
            children[name] = subprocess.Popen(command, start_new_session=True)
        self.stdout.write(
            f"Alliance Hub at http://{options['bind']}/ (API docs at /api/docs/). Ctrl-C stops it."
        )
        exit_code = 0
        while not stopping:
            for name, child in children.items():
                if child.poll() is not None:
                    self.stderr.write(f"{name} exited with code {child.returncode}; stopping the hub")
                    stopping, exit_code = True, 1
                    break
            time.sleep(0.3)
        self.stdout.write("Stopping web, worker and scheduler ...")
        for child in children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 25
        for child in children.values():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        self.stdout.write("Stopped.")
        if exit_code:
            sys.exit(exit_code)
