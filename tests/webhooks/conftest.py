"""Fixtures of the webhook tests: a local receiver (an HTTP server on 127.0.0.1 that can be down for
a while), the partner and alliance of the exchange tests, and webhook settings for local targets
with retries that are due at once."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.test.utils import override_settings

from apps.benchmarks.models import Run
from apps.benchmarks.runs import compute_run
from apps.standards.models import StandardVersion
from tests.benchmarks.hub import Alliance
from tests.exchange.conftest import CODE, LATE, PERIOD, Partner, firms_with_data, make_partner

__all__ = ["CODE", "LATE", "PERIOD", "Partner", "Receiver"]


@dataclass
class Receiver:
    """What a partner's endpoint got: every request (headers, body), and the events it kept once each
    by `webhook-id`, as the spec tells receivers to. While `down` is above 0 it answers 503 and counts
    down; `answer` is the status it gives otherwise."""

    url: str = ""
    down: int = 0
    answer: int = 204
    location: str = ""
    requests: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    kept: dict[str, bytes] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str]]:
        with self.lock:
            self.requests.append((headers, body))
            if self.down > 0:
                self.down -= 1
                return 503, {}
            if self.answer in (301, 302, 307, 308):
                return self.answer, {"Location": self.location}
            self.kept.setdefault(headers.get("webhook-id", ""), body)
            return self.answer, {}

    def events(self) -> list[dict[str, Any]]:
        return [json.loads(body) for body in self.kept.values()]


def _serve(receiver: Receiver) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            status, extra = receiver.handle({k.lower(): v for k, v in self.headers.items()}, body)
            self.send_response(status)
            for name, value in extra.items():
                self.send_header(name, value)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    return server


@pytest.fixture
def receiver() -> Any:
    found = Receiver()
    server = _serve(found)
    yield found
    server.shutdown()
    server.server_close()


@pytest.fixture
def other_receiver() -> Any:
    found = Receiver()
    server = _serve(found)
    yield found
    server.shutdown()
    server.server_close()


@pytest.fixture
def local_targets() -> Any:
    """Loopback targets allowed (HUB_WEBHOOKS_ALLOW_PRIVATE), and every retry due at once."""
    with override_settings(
        HUB_WEBHOOKS_ALLOW_PRIVATE=True, HUB_WEBHOOKS_RETRY_SECONDS=[0, 0, 0, 0], HUB_WEBHOOKS_TIMEOUT=5.0
    ):
        yield


@pytest.fixture
def version(standards: Any) -> StandardVersion:
    return StandardVersion.objects.get(standard__code=CODE, version="1.1.0")


@pytest.fixture
def partner(cast: Any) -> Partner:
    return make_partner(cast.steward, "steppe-partner")


@pytest.fixture
def other_partner(cast: Any) -> Partner:
    return make_partner(cast.steward, "valley-partner")


@pytest.fixture
def alliance(cast: Any, version: StandardVersion) -> Alliance:
    """Firms with data in PERIOD (past every lag) and LATE (price figures still embargoed); no run yet:
    the tests compute them, so that `benchmark.published` is emitted while they watch."""
    return firms_with_data(cast, version)


def publish(version: StandardVersion, period: str) -> Run:
    return compute_run(version.standard, period, trigger=Run.Trigger.COMMAND)
