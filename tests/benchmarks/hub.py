"""Benchmark tests' alliances, built through the real services: member firms with a contributor each,
and their monthly tomato-paste rows sent as JSON and processed as the worker does. The rows are kept,
so a test can compute what the hub should publish from what was sent (numpy, independently)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from apps.accounts.models import User
from apps.organizations.models import EnterpriseGroup, Organization, Role, Sector
from apps.organizations.services import create_organization, grant_membership
from apps.standards.models import StandardVersion
from apps.submissions import services
from apps.submissions.models import Submission

PASSWORD = "benchmark-tests-2026"
CODE = "tomato-paste.exports"
ROUTES = {
    "KZ": ("khorgos", "road"),
    "UZ": ("irkeshtam", "road"),
    "KG": ("torugart", "road"),
    "RU": ("alashankou", "rail"),
}


def row(
    product: str, country: str, quantity: float, value: float, brix: float | None = None
) -> dict[str, Any]:
    crossing, mode = ROUTES[country]
    found: dict[str, Any] = {
        "product": product,
        "hs_code": "200290",
        "destination_country": country,
        "incoterm": "DAP",
        "border_crossing": crossing,
        "transport_mode": mode,
        "packaging": "aseptic-drum",
        "quantity": quantity,
        "value": value,
        "currency": "USD",
    }
    if brix is not None:
        found["brix"] = brix
    return found


@dataclass
class Alliance:
    steward: User
    sector: Sector
    version: StandardVersion
    firms: list[Organization] = field(default_factory=list)
    contributors: dict[int, User] = field(default_factory=dict)
    sent: dict[tuple[int, str], list[dict[str, Any]]] = field(default_factory=dict)

    def add_firm(
        self, slug: str, *, region: str = "Changji", size_class: str = "small", group: str = ""
    ) -> Organization:
        enterprise_group = EnterpriseGroup.objects.get_or_create(name=group)[0] if group else None
        firm = create_organization(
            actor=self.steward,
            slug=slug,
            legal_name=f"{slug.title()} Co., Ltd.",
            country="CN",
            region=region,
            size_class=size_class,
            sectors=[self.sector],
            enterprise_group=enterprise_group,
            status=Organization.Status.ACTIVE,
        )
        person = User.objects.create_user(f"contributor@{slug}.example", PASSWORD)
        grant_membership(actor=self.steward, organization=firm, user=person, role=Role.ADMIN)
        self.firms.append(firm)
        self.contributors[firm.pk] = person
        return firm

    def send(
        self, firm: Organization, period: str, rows: list[dict[str, Any]], key: str | None = None
    ) -> Submission:
        rows = [{"period": period, **item} for item in rows]
        submission, _created = services.receive_rows(
            actor=self.contributors[firm.pk],
            organization=firm,
            version=self.version,
            period=period,
            rows=rows,
            idempotency_key=key or f"{firm.slug}:{period}:{len(self.sent)}",
        )
        services.process_submission(submission_id=submission.pk)
        submission.refresh_from_db()
        assert submission.status == Submission.Status.ACCEPTED, submission.summary
        self.sent[(firm.pk, period)] = rows
        return submission


def make_alliance(steward: User, version: StandardVersion) -> Alliance:
    sector, _ = Sector.objects.get_or_create(code="tomato-paste", defaults={"names": {"en": "Tomato paste"}})
    return Alliance(steward, sector, version)


def spread(alliance: Alliance, period: str, count: int, *, prefix: str = "firm", start: int = 0) -> None:
    """`count` firms, each with two or three rows of plausible, distinct figures in `period`: all ship
    to KZ, every second one to UZ too, and the first three to KG."""
    for index in range(start, start + count):
        firm = alliance.add_firm(f"{prefix}-{index:02d}", region="Changji" if index % 2 else "Kashgar")
        tonnes = 100 + 13 * index
        rows = [row("hot-break-28-30", "KZ", tonnes, tonnes * (900 + 7 * index), 28.4 + index / 20)]
        if index % 2 == 0:
            rows.append(row("cold-break-28-30", "UZ", 40 + index, (40 + index) * (1050 + 3 * index), 29.0))
        if index < 3:
            rows.append(row("hot-break-36-38", "KG", 10 + index, (10 + index) * 1200))
        alliance.send(firm, period, rows)


# --- The numpy reference ------------------------------------------------------------------------------


def firm_figures(alliance: Alliance, period: str, measure: str, where: dict[str, str]) -> list[float]:
    """Each contributor's combined figure in a cell, from the rows as sent (groups added together)."""
    groups: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for firm in alliance.firms:
        if firm.status != Organization.Status.ACTIVE:
            continue
        rows = [
            r
            for r in alliance.sent.get((firm.pk, period), [])
            if all(r.get(k) == v for k, v in where.items())
        ]
        groups[firm.enterprise_group_id or f"firm-{firm.pk}"].extend(rows)
    figures = []
    for rows in groups.values():
        if not rows:
            continue
        quantity = np.array([r["quantity"] for r in rows], dtype=float)
        value = np.array([r["value"] for r in rows], dtype=float)
        if measure == "quantity":
            figures.append(float(quantity.sum()))
        elif measure == "value":
            figures.append(float(value.sum()))
        elif measure == "unit_price":
            figures.append(float(value.sum() / quantity.sum()))
        elif measure == "brix":
            given = [(r["brix"], r["quantity"]) for r in rows if r.get("brix") is not None]
            if given:
                brix, weight = np.array(given, dtype=float).T
                figures.append(float((brix * weight).sum() / weight.sum()))
    return figures


def reference_quantile(figures: Sequence[float], level: Fraction, window: int = 4) -> float:
    """The mean of the `window` sorted figures nearest position (n - 1)·level, ties to the lower."""
    ordered = np.sort(np.asarray(figures, dtype=float))
    h = (len(ordered) - 1) * float(level)
    distance = np.abs(np.arange(len(ordered)) - h)
    nearest = np.lexsort((np.arange(len(ordered)), distance))[:window]
    return float(ordered[nearest].mean())


def reference_mean(alliance: Alliance, period: str, measure: str, where: dict[str, str]) -> float:
    rows = [
        r
        for firm in alliance.firms
        if firm.status == Organization.Status.ACTIVE
        for r in alliance.sent.get((firm.pk, period), [])
        if all(r.get(k) == v for k, v in where.items())
    ]
    quantity = math.fsum(r["quantity"] for r in rows)
    value = math.fsum(r["value"] for r in rows)
    n = len(firm_figures(alliance, period, measure, where))
    if measure == "unit_price":
        return value / quantity
    if measure == "brix":
        given = [(r["brix"], r["quantity"]) for r in rows if r.get("brix") is not None]
        return math.fsum(b * w for b, w in given) / math.fsum(w for _b, w in given)
    return (quantity if measure == "quantity" else value) / n
