"""Partner pulls under concurrent clients, beside /api/v1/me/ (make bench-exchange; docs/performance.md).

The data: `make run`'s demo alliance (its database under HUB_DATA_DIR, `.data` by default), with the
benchmarks the demo's submissions produced; run `make run` once until the Submissions page has
filled, then stop it. The bench starts gunicorn as `manage.py runhub` does, with the API throttle out
of the way, obtains an access token for the demo partner's machine client (`steppe-freight-demo`) at
/oauth/token/, and times GETs under --clients concurrent clients (http.client on loopback, each
with its own connection), in turns, --rounds rounds of --requests requests each:

- `/api/v1/me/` (the reference: the cheapest authenticated read);
- `/api/v1/exchange/allowed/` (the agreements in force);
- `/api/v1/benchmarks/` (the first page of what the agreement grants, 50 figures), one cell's
  figures, and the same cell as CSV, SDMX-CSV 2.0 and SDMX-JSON 2.0 (where the hub offers them);
- the same list for a measure outside the agreement (404, audited).

Every partner request passes the agreement check (apps.exchange.access.scope_of) and records the
pull in the partner's log (at most once a minute per question).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import signal
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alliance.settings")

from benchmarks import free_port, load, machine, print_rounds, start_server  # noqa: E402  (bench/benchmarks.py)

CLIENT_ID, SECRET = "steppe-freight-demo", "alliance-demo-2026"
SDMX_CSV = "application/vnd.sdmx.data+csv;version=2.0.0"
SDMX_JSON = "application/vnd.sdmx.data+json;version=2.0.0"


def access_token(port: int) -> str:
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    basic = base64.b64encode(f"{CLIENT_ID}:{SECRET}".encode()).decode()
    connection.request(
        "POST",
        "/oauth/token/",
        body="grant_type=client_credentials",
        headers={"Authorization": f"Basic {basic}", "Content-Type": "application/x-www-form-urlencoded"},
    )
    response = connection.getresponse()
    body = json.loads(response.read())
    if response.status != 200:
        raise SystemExit(f"/oauth/token/ answered {response.status}: {body}")
    return str(body["access_token"])


def demo_cell() -> dict[str, str]:
    """A cell the demo partner may read: its agreement's first standard, unit price, the newest period
    past its lag, cohort `all`, no breakdown."""
    from django.utils import timezone

    from apps.benchmarks.inputs import available_from
    from apps.benchmarks.measures import period_end
    from apps.benchmarks.models import Figure
    from apps.exchange.access import agreements_in_force
    from apps.organizations.models import Organization
    from apps.standards.models import StandardVersion

    MONTH = StandardVersion.Frequency.MONTH

    partner = Organization.objects.filter(slug="steppe-freight").first()
    if partner is None:
        raise SystemExit("no demo alliance here: run `make run` once (HUB_DATA_DIR as for this bench)")
    agreement = agreements_in_force(partner, timezone.localdate()).first()
    if agreement is None:
        raise SystemExit("the demo partner has no agreement in force")
    read = agreement.reads.select_related("standard").first()
    assert read is not None
    figures = Figure.objects.filter(
        is_current=True, standard=read.standard, measure="unit_price", cohort="all", breakdown_field=""
    )
    today = timezone.localdate()
    released = [
        period
        for period in figures.values_list("period", flat=True).distinct()
        if len(period) == 7 and available_from(period_end(period, MONTH), agreement.lag_months) <= today
    ]
    if not released:
        raise SystemExit("the demo has no benchmark figures past the lag yet: let `make run` compute them")
    return {"standard": read.standard.code, "measure": "unit_price", "period": max(released)}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--requests", type=int, default=1000, help="requests of one round of one endpoint")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--web-workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", 2)))
    parser.add_argument("--quick", action="store_true", help="one round of 200 requests")
    options = parser.parse_args()
    if options.quick:
        options.requests, options.rounds = 200, 1
    import django

    django.setup()
    print(f"# bench/exchange.py · {machine()}")
    cell = demo_cell()
    one = urlencode({**cell, "cohort": "all", "breakdown": "none"})
    outside = urlencode({"standard": cell["standard"], "measure": "brix"})
    paths: dict[str, tuple[str, str, int]] = {
        "GET /api/v1/me/": ("/api/v1/me/", "application/json", 200),
        "GET /api/v1/exchange/allowed/": ("/api/v1/exchange/allowed/", "application/json", 200),
        "GET /api/v1/benchmarks/ (first page, 50 figures)": ("/api/v1/benchmarks/", "application/json", 200),
        "GET /api/v1/benchmarks/ (one cell)": (f"/api/v1/benchmarks/?{one}", "application/json", 200),
        "GET /api/v1/benchmarks/ (one cell, CSV)": (f"/api/v1/benchmarks/?{one}", "text/csv", 200),
        "GET /api/v1/benchmarks/ (one cell, SDMX-CSV)": (f"/api/v1/benchmarks/?{one}", SDMX_CSV, 200),
        "GET /api/v1/benchmarks/ (one cell, SDMX-JSON)": (f"/api/v1/benchmarks/?{one}", SDMX_JSON, 200),
        "GET /api/v1/benchmarks/ (a measure outside the agreement: 404)": (
            f"/api/v1/benchmarks/?{outside}",
            "application/json",
            404,
        ),
    }
    from django.db import connections

    connections.close_all()
    port = free_port()
    log_path = Path(os.environ.get("HUB_DATA_DIR", ROOT / ".data")) / "bench-exchange-gunicorn.log"
    with log_path.open("wb") as log:
        server = start_server(port, options.web_workers, log)
        try:
            token = access_token(port)
            for name, (path, accept, expected) in list(paths.items()):  # warm every worker, check
                result = load(port, path, token, options.web_workers * 2, options.web_workers * 10, accept)
                if set(result["statuses"]) == {406}:
                    print(f"# {name}: not offered by this hub (406), left out")
                    del paths[name]
                elif set(result["statuses"]) != {expected}:
                    raise SystemExit(f"{path} ({accept}): {result['statuses']} (see {log_path})")
            rounds: dict[str, list[dict[str, Any]]] = {name: [] for name in paths}
            for _round in range(options.rounds):  # in turns, so drift on a shared machine hits all alike
                for name, (path, accept, _expected) in paths.items():
                    rounds[name].append(load(port, path, token, options.clients, options.requests, accept))
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
    print(f"\n## partner pulls: {options.clients} concurrent clients, gunicorn {options.web_workers} sync "
          f"workers, {options.rounds} rounds of {options.requests} requests each, the demo partner's "
          f"machine client (OAuth2 access token); the cell: {cell}")  # fmt: skip
    print_rounds(rounds)


if __name__ == "__main__":
    main()
