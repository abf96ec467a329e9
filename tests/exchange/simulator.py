"""A partner system's whole round against a running hub, as a partner's developer would write it with
nothing but the standard library:

1. obtain an access token at /oauth/token/ (client credentials);
2. ask /api/v1/exchange/allowed/ what it may read and push;
3. register a webhook endpoint on a local receiver, and see its test event arrive, signed;
4. push a file of a partner standard it may push, twice with one Idempotency-Key (one submission);
5. receive `submission.processed` for it, verify the signature, drop repeats by webhook-id;
6. pull a granted measure as SDMX-CSV and read it with a generic CSV reader (and as JSON: the same
   published values);
7. ask for a measure outside its agreement through every endpoint and format: 404 each time;
8. remove its endpoint.

Run it against `make run` (whose hub must let webhooks reach loopback: `make run` does):

    python -m tests.exchange.simulator --hub http://127.0.0.1:8000 \\
        --client-id steppe-freight-demo --secret alliance-demo-2026

It prints each step and ends with "simulator: the round passed" or raises at the first step that did
not hold. tests/exchange/test_simulator.py runs it against a live test server with a real worker.
"""

from __future__ import annotations

import argparse
import base64
import csv
import hashlib
import hmac
import io
import json
import queue
import random
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlencode

SDMX_CSV = "application/vnd.sdmx.data+csv;version=2.0.0"
SDMX_JSON = "application/vnd.sdmx.data+json;version=2.0.0"
EVENTS = ["submission.processed", "benchmark.published", "agreement.changed"]
# one plausible month of each partner standard, in the order of its fields (its template's columns);
# `n` (10 to 99) makes each round's file its own: the same bytes again would be a retry of the first


def sample_rows(standard: str, n: int) -> list[list[str]]:
    if standard == "ca.market-prices":
        return [
            ["2026-11", "KZ", "almaty", "tomato-paste-drum", f"1.{n}", "USD", "12"],
            ["2026-11", "KG", "bishkek", "tomato-paste-drum", f"1,{n + 1}", "USD", "7"],
        ]
    return [  # ca.border-crossings
        ["2026-11", "khorgos", "outbound", "road", f"6.{n}", "14", "420", "0"],
        ["2026-11", "alashankou", "outbound", "rail", f"9.{n}", "20", "160", "1"],
    ]


SAMPLED = ("ca.market-prices", "ca.border-crossings")


class RoundFailed(AssertionError):
    pass


def check(condition: bool, what: str) -> None:
    if not condition:
        raise RoundFailed(what)


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Hub:
    url: str
    token: str = ""

    def call(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        accept: str = "application/json",
    ) -> Answer:
        sent = {"Accept": accept, **(headers or {})}
        if self.token:
            sent["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.url + path, data=body, headers=sent, method=method)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return Answer(response.status, dict(response.headers), response.read())
        except urllib.error.HTTPError as error:
            return Answer(error.code, dict(error.headers), error.read())

    def get(self, path: str, accept: str = "application/json") -> Answer:
        return self.call("GET", path, accept=accept)

    def post_json(self, path: str, data: Any) -> Answer:
        return self.call(
            "POST", path, body=json.dumps(data).encode(), headers={"Content-Type": "application/json"}
        )


def multipart(fields: dict[str, str], filename: str, content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: text/csv\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def verify(secret: str, headers: dict[str, str], body: bytes, tolerance: int = 300) -> bool:
    """Standard Webhooks: HMAC-SHA256 of "{id}.{timestamp}.{body}" with the base64 key of `whsec_...`."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    message_id, timestamp = headers["webhook-id"], headers["webhook-timestamp"]
    if abs(time.time() - int(timestamp)) > tolerance:
        return False
    signed = f"{message_id}.{timestamp}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(
        hmac.compare_digest(expected, signature.partition(",")[2])
        for signature in headers["webhook-signature"].split()
    )


@dataclass
class Receiver:
    """A local webhook endpoint: it keeps each event once by webhook-id, with its signature checked
    against `secret` once the hub has answered it."""

    host: str = "127.0.0.1"
    port: int = 0
    secret: str = ""
    seen: dict[str, dict[str, Any]] = field(default_factory=dict)
    deliveries: int = 0
    arrived: queue.Queue[dict[str, Any]] = field(default_factory=queue.Queue)
    unverified: list[str] = field(default_factory=list)

    def start(self) -> str:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {name.lower(): value for name, value in self.headers.items()}
                receiver.deliveries += 1
                if not receiver.secret or not verify(receiver.secret, headers, body):
                    receiver.unverified.append(headers.get("webhook-id", ""))
                    self.send_response(400)
                    self.end_headers()
                    return
                self.send_response(204)
                self.end_headers()
                event_id = headers["webhook-id"]
                if event_id not in receiver.seen:
                    receiver.seen[event_id] = json.loads(body)
                    receiver.arrived.put(receiver.seen[event_id])

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer((self.host, self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"http://{self.host}:{self.server.server_address[1]}/hook"

    def wait_for(self, matches: Any, seconds: float) -> dict[str, Any]:
        deadline = time.monotonic() + seconds
        held: list[dict[str, Any]] = []
        try:
            while time.monotonic() < deadline:
                try:
                    event = self.arrived.get(timeout=max(0.1, deadline - time.monotonic()))
                except queue.Empty:
                    break
                if matches(event):
                    return event
                held.append(event)
        finally:
            for event in held:
                self.arrived.put(event)
        raise RoundFailed(f"no matching event within {seconds:.0f} s (seen: {list(self.seen.values())})")

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def say(step: str) -> None:
    print(f"simulator: {step}", flush=True)


def obtain_token(hub: Hub, client_id: str, secret: str) -> str:
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    answer = hub.call(
        "POST",
        "/oauth/token/",
        body=b"grant_type=client_credentials",
        headers={"Authorization": f"Basic {basic}", "Content-Type": "application/x-www-form-urlencoded"},
    )
    check(answer.status == 200, f"/oauth/token/ answered {answer.status}: {answer.body[:300]!r}")
    body = answer.json()
    check(body["token_type"] == "Bearer" and body["expires_in"] > 0, f"token answer {body}")
    return str(body["access_token"])


def outside_measure(hub: Hub, read: dict[str, Any], reads: list[dict[str, Any]]) -> str:
    """A measure of the read standard that no agreement grants: it exists, but not for this partner."""
    standard = hub.get(f"/api/v1/standards/{read['standard']}/").json()
    version = standard["latest_version"]
    version = version["version"] if isinstance(version, dict) else version
    fields = hub.get(f"/api/v1/standards/{read['standard']}/versions/{version}/").json()["fields"]
    granted = {m for r in reads if r["standard"] == read["standard"] for m in r["measures"]}
    outside = [f["name"] for f in fields if f.get("role") == "measure" and f["name"] not in granted]
    check(bool(outside), f"every measure of {read['standard']} is granted: nothing to be refused")
    return str(outside[0])


def run_round(
    hub_url: str, client_id: str, secret: str, *, wait_seconds: float = 90.0, receiver_host: str = "127.0.0.1"
) -> dict[str, Any]:
    hub = Hub(hub_url.rstrip("/"))
    hub.token = obtain_token(hub, client_id, secret)
    say("1. access token obtained")

    allowed = hub.get("/api/v1/exchange/allowed/")
    check(allowed.status == 200, f"allowed/ answered {allowed.status}")
    agreements = allowed.json()["agreements"]
    reads = [read for agreement in agreements for read in agreement["read"]]
    pushes = sorted({code for agreement in agreements for code in agreement["push"]})
    check(bool(reads) and bool(pushes), f"the agreements grant no reads or no pushes: {agreements}")
    read = reads[0]
    measure, cohort = read["measures"][0], read["cohorts"][0]
    outside = outside_measure(hub, read, reads)
    say(f"2. allowed: reads {read['standard']} {read['measures']}, pushes {pushes}; outside: {outside}")

    receiver = Receiver(host=receiver_host)
    hook_url = receiver.start()
    try:
        created = hub.post_json("/api/v1/exchange/webhooks/", {"url": hook_url, "events": EVENTS})
        check(created.status == 201, f"webhook registration answered {created.status}: {created.body!r}")
        endpoint = created.json()
        receiver.secret = endpoint["secret"]
        check(hub.get(f"/api/v1/exchange/webhooks/{endpoint['id']}/").status == 200, "endpoint readable")
        tested = hub.call("POST", f"/api/v1/exchange/webhooks/{endpoint['id']}/test/")
        check(tested.status in (200, 201, 202), f"test event answered {tested.status}")
        receiver.wait_for(lambda event: event.get("type") == "webhook.test", wait_seconds)
        say("3. webhook endpoint registered; its signed test event arrived")

        standard = next(code for code in pushes if code in SAMPLED)
        template = hub.get(f"/api/v1/standards/{standard}/", accept="application/json").json()
        version = template["latest_version"]
        version = version["version"] if isinstance(version, dict) else version
        header = (
            hub.get(f"/api/v1/standards/{standard}/versions/{version}/template.csv", accept="text/csv")
            .body.decode("utf-8-sig")
            .splitlines()[0]
        )
        for _fresh in range(5):  # a file of the same bytes as an earlier round's is that round's
            text = io.StringIO()
            writer = csv.writer(text)
            writer.writerow(next(csv.reader([header])))
            writer.writerows(sample_rows(standard, random.randint(100, 998)))
            body, content_type = multipart(
                {"standard": standard, "period": "2026-11"}, "push.csv", text.getvalue().encode()
            )
            key = f"simulator-{uuid.uuid4()}"
            sent = [
                hub.call(
                    "POST",
                    "/api/v1/submissions/",
                    body=body,
                    headers={"Content-Type": content_type, "Idempotency-Key": key},
                )
                for _attempt in range(2)  # a retry on a weak link: the same key, one submission
            ]
            if sent[0].status != 202 or sent[0].json()["status"] == "received":
                break
        check(all(answer.status == 202 for answer in sent), f"push answered {[a.status for a in sent]}")
        submission = sent[0].json()
        check(sent[1].json()["id"] == submission["id"], "a retried push made a second submission")
        say(f"4. pushed {standard} 2026-11 (twice with one Idempotency-Key: submission {submission['id']})")

        processed = receiver.wait_for(
            lambda event: (
                event.get("type") == "submission.processed"
                and event.get("data", {}).get("submission") == submission["id"]
            ),
            wait_seconds,
        )
        final = hub.get(f"/api/v1/submissions/{submission['id']}/").json()
        if final["status"] not in ("accepted", "accepted_with_warnings"):
            report = hub.get(final["report_url"].removeprefix(hub.url)).body.decode()[:1500]
            raise RoundFailed(f"the push ended {final['status']}: {report}")
        say(f"5. {processed['type']} received, verified, once ({final['status']})")

        query = urlencode(
            {"standard": read["standard"], "measure": measure, "cohort": cohort, "breakdown": "none"}
        )
        pulled = hub.get(f"/api/v1/benchmarks/?{query}", accept=SDMX_CSV)
        check(pulled.status == 200, f"SDMX-CSV pull answered {pulled.status}")
        rows = list(csv.DictReader(io.StringIO(pulled.body.decode("utf-8-sig"))))
        check(bool(rows), "the SDMX-CSV pull is empty")
        check(all(row["MEASURE"] == measure for row in rows), "SDMX-CSV rows of another measure")
        published = {
            (row["TIME_PERIOD"], row["STATISTIC"]): float(row["OBS_VALUE"])
            for row in rows
            if row["OBS_VALUE"]
        }
        check(bool(published), "no published value in the SDMX-CSV pull")
        as_json: dict[tuple[str, str], float] = {}
        page: str | None = f"/api/v1/benchmarks/?{query}&page_size=200"
        while page:
            answer = hub.get(page.removeprefix(hub.url)).json()
            as_json.update(
                {
                    (r["period"], r["statistic"]): r["value"]
                    for r in answer["results"]
                    if r["value"] is not None
                }
            )
            page = answer["next"]
        check(published == as_json, "SDMX-CSV and JSON disagree on the published values")
        say(f"6. pulled {len(rows)} SDMX-CSV rows ({len(published)} published values), the same as JSON")

        refused = urlencode({"standard": read["standard"], "measure": outside})
        missing = hub.get(f"/api/v1/submissions/{uuid.uuid4()}/")
        attempts = {
            f"benchmarks/ as {accept}": hub.get(f"/api/v1/benchmarks/?{refused}", accept=accept)
            for accept in ("application/json", "text/csv", SDMX_CSV, SDMX_JSON)
        }
        attempts["benchmarks/position/"] = hub.get(f"/api/v1/benchmarks/position/?{refused}&period=2026-06")
        for name, answer in attempts.items():
            check(answer.status == 404, f"{outside} through {name} answered {answer.status}")
            if "json" in name or name.endswith("position/"):
                check(answer.body == missing.body, f"{name}: not the body of a missing object")
        say(f"7. {outside} refused as missing through {len(attempts)} endpoints and formats")

        check(not receiver.unverified, f"deliveries with a wrong signature: {receiver.unverified}")
        deleted = hub.call("DELETE", f"/api/v1/exchange/webhooks/{endpoint['id']}/")
        check(deleted.status == 204, f"endpoint removal answered {deleted.status}")
        say("8. webhook endpoint removed")
    finally:
        receiver.stop()
    say("the round passed")
    return {
        "submission": submission["id"],
        "events": list(receiver.seen.values()),
        "deliveries": receiver.deliveries,
        "published": published,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--hub", default="http://127.0.0.1:8000")
    parser.add_argument("--client-id", default="steppe-freight-demo")
    parser.add_argument("--secret", default="alliance-demo-2026")
    parser.add_argument("--wait", type=float, default=90.0, help="seconds to wait for each webhook event")
    options = parser.parse_args()
    run_round(options.hub, options.client_id, options.secret, wait_seconds=options.wait)


if __name__ == "__main__":
    main()
