# ruff: noqa: S311 - seeded generators make repeatable demo figures; nothing here is a secret
"""Plausible monthly export figures for the demo firms, sent through the real pipeline.

Every figure is made from a random generator seeded by (firm, standard, period), so the same month
always gives the same rows: sending it again is a retry (the same Idempotency-Key and the same bytes)
and changes nothing. Prices follow a product's base price, the firm's own level, the destination
and a slow trend; quantities follow the firm's size class and the season.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from apps.organizations.models import Organization
from apps.standards.models import ExchangeRate, StandardVersion

SIZE = {"micro": 0.15, "small": 0.4, "medium": 1.0, "large": 2.5, "": 0.6}
# US dollars per unit, around which the demo's monthly rates move.
RATES = {"CNY": 0.139, "KZT": 0.00205, "RUB": 0.0108, "UZS": 0.0000785, "KGS": 0.0115}
# Where the goods go, and how: destination, border crossing, transport mode.
ROUTES = [
    ("KZ", "khorgos", "road"),
    ("KZ", "alashankou", "rail"),
    ("UZ", "irkeshtam", "road"),
    ("KG", "torugart", "road"),
    ("TJ", "irkeshtam", "road"),
    ("RU", "alashankou", "rail"),
    ("MN", "baketu", "road"),
    ("AF", "irkeshtam", "multimodal"),
    ("AZ", "alashankou", "multimodal"),
]


@dataclass(frozen=True)
class Product:
    code: str
    hs_code: str
    price: float  # USD a tonne
    tonnes: tuple[float, float]  # a shipment group's weight for a medium firm


TOMATO = [
    Product("hot-break-28-30", "200290", 930, (40, 320)),
    Product("hot-break-30-32", "200290", 975, (30, 220)),
    Product("hot-break-36-38", "200290", 1080, (20, 160)),
    Product("cold-break-28-30", "200290", 1040, (20, 140)),
    Product("cold-break-36-38", "200290", 1190, (10, 90)),
]
BERRY = [
    Product("frozen-berries", "081190", 2150, (5, 60)),
    Product("dried-berries", "081340", 3900, (1, 12)),
    Product("juice-concentrate", "200989", 4300, (3, 30)),
    Product("seed-oil", "151590", 36000, (0.1, 1.5)),
    Product("pulp-oil", "151590", 21000, (0.2, 2.5)),
    Product("leaf-tea", "121190", 5600, (0.5, 6)),
]
TEXTILE = [
    Product("cotton-lint", "520100", 1900, (40, 400)),
    Product("cotton-yarn", "520512", 3350, (20, 180)),
    Product("woven-fabric", "520812", 7200, (5, 60)),
    Product("knitted-fabric", "600622", 6800, (5, 50)),
    Product("garments-knitted", "610910", 16500, (1, 15)),
    Product("garments-woven", "620342", 18500, (1, 12)),
    Product("home-textiles", "630231", 9800, (2, 25)),
]
PRODUCTS = {"tomato-paste.exports": TOMATO, "sea-buckthorn.exports": BERRY, "textiles.exports": TEXTILE}
PREMIUM = {"KZ": 1.0, "UZ": 1.04, "KG": 1.02, "TJ": 1.06, "RU": 1.08, "MN": 1.03, "AF": 1.1, "AZ": 1.09}


def months_before(today: date, count: int) -> list[str]:
    """The `count` whole months before `today`'s month, oldest first, as 2026-09."""
    months = []
    year, month = today.year, today.month
    for _ in range(count):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        months.append(f"{year:04d}-{month:02d}")
    return months[::-1]


def ensure_rates(periods: list[str]) -> None:
    """A plausible monthly rate for each demo currency and month that has none yet (stewards' own
    rates are never changed)."""
    for period in periods:
        for currency, base in RATES.items():
            rng = random.Random(f"rate|{currency}|{period}")
            value = Decimal(str(round(base * (1 + rng.uniform(-0.03, 0.03)), 10)))
            ExchangeRate.objects.get_or_create(
                currency=currency, period=period, defaults={"usd_per_unit": value}
            )


def monthly_rows(organization: Organization, version: StandardVersion, period: str) -> list[dict[str, Any]]:
    """One firm's export rows of `version` for `period`: a few shipment groups, each its own key."""
    code = version.standard.code
    rng = random.Random(f"{organization.slug}|{code}|{period}")
    firm = random.Random(f"{organization.slug}|{code}")  # what stays the same for the firm
    size = SIZE.get(organization.size_class, 0.6)
    level = firm.uniform(0.92, 1.08)
    currency = "CNY" if firm.random() < 0.3 else "USD"
    year, month = int(period[:4]), int(period[5:7])
    trend = 1 + 0.002 * ((year - 2024) * 12 + month)
    season = 1 + 0.35 * math.cos((month - 10) / 12 * 2 * math.pi)  # exports peak after the autumn harvest
    products = firm.sample(PRODUCTS[code], k=min(3, len(PRODUCTS[code])))
    routes = firm.sample(ROUTES, k=4)
    rows = []
    used: set[tuple[str, str]] = set()
    for _ in range(rng.randint(2, 6)):
        product, route = rng.choice(products), rng.choice(routes)
        if (product.code, route[0] + route[1]) in used:
            continue
        used.add((product.code, route[0] + route[1]))
        country, crossing, mode = route
        tonnes = round(rng.uniform(*product.tonnes) * size * season, 2)
        price = product.price * level * PREMIUM[country] * trend * rng.uniform(0.97, 1.03)
        usd = tonnes * price
        amount = usd / _rate(currency, period) if currency != "USD" else usd
        row: dict[str, Any] = {
            "period": period,
            "product": product.code,
            "hs_code": product.hs_code,
            "destination_country": country,
            "border_crossing": crossing,
            "transport_mode": mode,
            "value": round(amount, 2),
            "currency": currency,
        }
        row.update(_sector_fields(code, product, tonnes, rng))
        rows.append(row)
    return rows


def _rate(currency: str, period: str) -> float:
    return float(ExchangeRate.objects.get(currency=currency, period=period).usd_per_unit)


def _sector_fields(code: str, product: Product, tonnes: float, rng: random.Random) -> dict[str, Any]:
    if code == "tomato-paste.exports":
        low = int(product.code[-5:-3])
        return {
            "incoterm": rng.choice(["DAP", "FCA", "CPT"]),
            "packaging": "aseptic-drum" if rng.random() < 0.8 else "bag-in-box",
            "quantity": tonnes,
            "brix": round(rng.uniform(low + 0.1, low + 1.9), 1),
            "bostwick": round(rng.uniform(3.5, 6.5) if "hot" in product.code else rng.uniform(8, 12), 1),
            "colour_a_b": round(rng.uniform(2.0, 2.3), 2),
            "payment_terms": rng.choice([30, 45, 60, 90]),
        }
    if code == "sea-buckthorn.exports":
        fields: dict[str, Any] = {"quantity": tonnes}
        if product.code in ("frozen-berries", "dried-berries"):
            fields["oil_content"] = round(rng.uniform(3.0, 7.5), 1)
            fields["vitamin_c"] = round(rng.uniform(400, 1100))
        if product.code in ("pulp-oil", "seed-oil"):
            fields["total_carotenoids"] = round(rng.uniform(150, 320) if product.code == "pulp-oil" else 60)
        return fields
    fields = {
        "incoterm": rng.choice(["FCA", "CPT", "DAP"]),
        "net_weight": tonnes,
        "lead_time": rng.randint(15, 60),
    }
    if product.code == "cotton-yarn":
        fields["yarn_count"] = rng.choice([16, 21, 32, 40])
    if product.code.endswith("fabric"):
        fields["length"] = round(tonnes * rng.uniform(5500, 7500))
    if product.code.startswith("garments"):
        fields["pieces"] = round(tonnes * rng.uniform(3000, 4500))
    return fields


def demo_months(
    organizations: list[Organization], versions: list[StandardVersion], periods: list[str]
) -> Iterator[tuple[Organization, StandardVersion, str]]:
    """Every (firm, standard of its sector, month) to send."""
    for organization in organizations:
        sectors = set(organization.sectors.values_list("code", flat=True))
        for version in versions:
            sector = version.standard.sector
            if sector is not None and sector.code in sectors:
                for period in periods:
                    yield organization, version, period
