"""Webhook fan-out: one event to --endpoints endpoints, the time until every delivery is delivered
(make bench-webhooks; docs/performance.md).

The data: `make run`'s demo alliance (its database under HUB_DATA_DIR, `.data` by default; stop
`make run` first). The bench registers --endpoints endpoints of the demo partner `steppe-freight` (past
the limit of ten a partner has: the fan-out of one event to many partners is the same work) on one
local receiver (a threaded HTTP server on loopback that checks every signature), starts a Celery
worker as `manage.py runhub` does (--concurrency processes, on a queue of its own), writes one
`agreement.changed` event with a delivery to each endpoint in one transaction (as the hub does when a
steward changes an agreement), and waits until every delivery is delivered. It prints the time from
the commit to the last delivery, the deliveries a second, and each delivery's time from the commit
(p50, p99), then removes the endpoints it made.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
QUEUE = f"bench-webhooks-{uuid.uuid4().hex[:6]}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alliance.settings")
os.environ["HUB_WEBHOOKS_ALLOW_PRIVATE"] = "1"  # the receiver listens on loopback
os.environ["CELERY_TASK_DEFAULT_QUEUE"] = QUEUE

from benchmarks import machine  # noqa: E402  (bench/benchmarks.py)


class Receiver:
    def __init__(self) -> None:
        self.arrivals: dict[str, float] = {}
        self.bad = 0
        self.secrets: dict[str, str] = {}
        self.lock = threading.Lock()

    def start(self) -> int:
        from apps.webhooks.signing import verify

        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {name.lower(): value for name, value in self.headers.items()}
                try:
                    verify(secret=receiver.secrets[self.path], body=body, headers=headers)
                except Exception:  # any refusal counts as a bad delivery
                    with receiver.lock:
                        receiver.bad += 1
                    self.send_response(400)
                    self.end_headers()
                    return
                with receiver.lock:
                    receiver.arrivals.setdefault(self.path, time.monotonic())
                self.send_response(204)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return int(self.server.server_address[1])


def start_worker(concurrency: int, log: Any) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "celery", "-A", "alliance", "worker", "--loglevel", "WARNING",
               "--concurrency", str(concurrency), "--queues", QUEUE, "--hostname", f"{QUEUE}@%h",
               "--without-heartbeat", "--without-mingle", "--without-gossip"]  # fmt: skip
    return subprocess.Popen(
        command, cwd=ROOT, env=dict(os.environ), stdout=log, stderr=log, start_new_session=True
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--endpoints", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes, as make run has")
    parser.add_argument("--timeout", type=float, default=300.0)
    options = parser.parse_args()
    import django

    django.setup()
    from django.db import transaction

    from apps.accounts.models import User
    from apps.organizations.models import Organization
    from apps.webhooks import services
    from apps.webhooks.models import Delivery, EventType

    print(f"# bench/webhooks.py · {machine()}")
    partner = Organization.objects.filter(slug="steppe-freight").first()
    if partner is None:
        raise SystemExit("no demo alliance here: run `make run` once (HUB_DATA_DIR as for this bench)")
    admin = User.objects.get(email="admin@steppe-freight.example")
    receiver = Receiver()
    port = receiver.start()
    # A partner has at most 10 endpoints; the fan-out of one event to many partners' endpoints is the
    # same work for the worker, so the bench gives its one partner as many as it measures.
    services.MAX_ENDPOINTS = max(services.MAX_ENDPOINTS, options.endpoints)
    from apps.webhooks.models import Endpoint

    for left in Endpoint.objects.filter(
        organization=partner, url__regex=r"^http://127\.0\.0\.1:[0-9]+/hook/"
    ):
        services.delete_endpoint(actor=admin, endpoint=left)  # an interrupted run's
    endpoints = []
    for number in range(options.endpoints):
        path = f"/hook/{number}"
        endpoint, secret = services.register_endpoint(
            actor=admin,
            organization=partner,
            url=f"http://127.0.0.1:{port}{path}",
            events=[EventType.AGREEMENT_CHANGED],
        )
        receiver.secrets[path] = secret
        endpoints.append(endpoint)
    log_path = Path(os.environ.get("HUB_DATA_DIR", ROOT / ".data")) / "bench-webhooks-worker.log"
    with log_path.open("wb") as log:
        worker = start_worker(options.concurrency, log)
        try:
            time.sleep(3)  # the worker connects to the broker
            with transaction.atomic():
                event = services.emit(
                    event_type=EventType.AGREEMENT_CHANGED,
                    organization=partner,
                    payload={"bench": True},
                    endpoints=endpoints,
                )
            started = time.monotonic()
            assert event is not None
            deadline = started + options.timeout
            while time.monotonic() < deadline:
                if len(receiver.arrivals) == len(endpoints):
                    break
                time.sleep(0.05)
            elapsed = time.monotonic() - started
            delivered = Delivery.objects.filter(event=event, status="delivered").count()
        finally:
            os.killpg(worker.pid, signal.SIGTERM)
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait()
            for endpoint in endpoints:
                services.delete_endpoint(actor=admin, endpoint=endpoint)
            receiver.server.shutdown()
    times = sorted(arrival - started for arrival in receiver.arrivals.values())
    print(f"\n## webhook fan-out: one event to {options.endpoints} endpoints on one loopback receiver, "
          f"a worker of {options.concurrency} processes, the broker of the settings")  # fmt: skip
    print("| endpoints | received | delivered (rows) | bad signatures | all delivered after s | deliveries/s "
          "| p50 s | p99 s |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    p50 = statistics.median(times) if times else float("nan")
    p99 = times[min(len(times) - 1, round(0.99 * (len(times) - 1)))] if times else float("nan")
    print(f"| {options.endpoints} | {len(times)} | {delivered} | {receiver.bad} | {elapsed:.2f} "
          f"| {len(times) / elapsed:.0f} | {p50:.2f} | {p99:.2f} |")  # fmt: skip
    print("each delivery's time: from the event's commit to its first arrival at the receiver.")


if __name__ == "__main__":
    main()
