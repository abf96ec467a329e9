# ruff: noqa: S311 - seeded generators make repeatable demo figures; nothing here is a secret
"""Plausible monthly export figures for the demo firms, sent through the real pipeline.

Every figure is made from a random generator seeded by (firm, standard, period), so the same month
always gives the same rows: sending it again is a retry (the same Idempotency-Key and the same bytes)
and changes nothing. Prices follow a product's base price, the firm's own level, the destination
and a slow trend; quantities follow the firm's size class, its markets and the season.

The figures are shaped so that benchmarks meet every outcome of the disclosure rules (the engine
decides; nothing here marks a figure): nearly every firm ships to Kazakhstan and Uzbekistan most
months (cells of 12 to 20 and more firms); Kyrgyzstan, Tajikistan and Russia are markets of a third
or so of the firms (5 to 11, where a large firm is sometimes dominant); Mongolia, Afghanistan and
Azerbaijan of two to four; one large firm of each sector holds a long contract in Russia that dwarfs
the other firms' shipments there (dominance); a few firms miss some months. Most firms' main product
is the sector's staple (hot break 28-30 °Bx, frozen berries), so destination x product cells are
large for the staple and small for the specialities.
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


@dataclass(frozen=True)
class Market:
    """A destination and how the demo firms trade there."""

    country: str
    routes: tuple[tuple[str, str], ...]  # border crossing, transport mode
    reach: float  # the share of firms that sell there at all
    monthly: float  # how often such a firm ships there in a month
    weight: float  # a firm's tonnes there, relative to what it ships to Kazakhstan
    premium: float  # the price there, relative to Kazakhstan


MARKETS = [
    Market("KZ", (("khorgos", "road"), ("alashankou", "rail")), 1.0, 0.95, 1.0, 1.0),
    Market("UZ", (("irkeshtam", "road"),), 0.9, 0.9, 0.8, 1.04),
    Market("KG", (("torugart", "road"),), 0.45, 0.75, 0.35, 1.02),
    Market("TJ", (("irkeshtam", "road"),), 0.35, 0.75, 0.3, 1.06),
    Market("RU", (("alashankou", "rail"),), 0.4, 0.9, 0.4, 1.08),
    Market("MN", (("baketu", "road"),), 0.12, 0.6, 0.25, 1.03),
    Market("AF", (("irkeshtam", "multimodal"),), 0.12, 0.6, 0.2, 1.1),
    Market("AZ", (("alashankou", "multimodal"),), 0.12, 0.6, 0.25, 1.09),
]
CORE = ("KZ", "UZ")  # where a firm ships in proportion to its size; elsewhere a large firm sends
# only a few more trucks than a small one (its tonnes follow the square root of its size)
# One large firm of each sector holds a long contract with a buyer in Russia: several times its usual
# tonnes there, most of what the sector ships there.
CONTRACTS = {"tarim-harvest": "RU", "vita-gold-extracts": "RU", "white-gold-cotton": "RU"}
CONTRACT_WEIGHT = 5.0
# A few firms miss some months: this share of firms, each month with the chance below.
IRREGULAR = 0.2
MISSED_MONTH = 0.25


@dataclass(frozen=True)
class Product:
    code: str
    hs_code: str
    price: float  # USD a tonne
    tonnes: float  # a medium firm's tonnes of it to Kazakhstan in an average month
    share: float  # how often a firm makes it as its main product


TOMATO = [
    Product("hot-break-28-30", "200290", 930, 160, 0.75),
    Product("hot-break-30-32", "200290", 975, 140, 0.05),
    Product("hot-break-36-38", "200290", 1080, 120, 0.1),
    Product("cold-break-28-30", "200290", 1040, 100, 0.04),
    Product("cold-break-30-32", "200290", 1110, 90, 0.02),
    Product("cold-break-36-38", "200290", 1190, 80, 0.04),
]
BERRY = [
    Product("frozen-berries", "081190", 2150, 30, 0.55),
    Product("dried-berries", "081340", 3900, 6, 0.05),
    Product("juice-concentrate", "200989", 4300, 16, 0.15),
    Product("seed-oil", "151590", 36000, 0.8, 0.08),
    Product("pulp-oil", "151590", 21000, 1.3, 0.1),
    Product("leaf-tea", "121190", 5600, 3, 0.07),
]
TEXTILE = [
    Product("cotton-lint", "520100", 1900, 220, 0.2),
    Product("cotton-yarn", "520512", 3350, 100, 0.25),
    Product("woven-fabric", "520812", 7200, 32, 0.15),
    Product("knitted-fabric", "600622", 6800, 28, 0.1),
    Product("garments-knitted", "610910", 16500, 8, 0.12),
    Product("garments-woven", "620342", 18500, 6, 0.08),
    Product("home-textiles", "630231", 9800, 14, 0.1),
]
PRODUCTS = {"tomato-paste.exports": TOMATO, "sea-buckthorn.exports": BERRY, "textiles.exports": TEXTILE}
# How much the season moves exports (they peak after the autumn harvest).
SEASON = {"tomato-paste.exports": 0.35, "sea-buckthorn.exports": 0.4, "textiles.exports": 0.1}


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


@dataclass(frozen=True)
class Profile:
    """What stays the same for a firm and standard from month to month."""

    volume: float  # its tonnes relative to a medium firm's
    level: float  # its prices relative to the market's
    currency: str
    products: list[Product]  # the main product first
    markets: list[Market]  # where it sells, Kazakhstan first when it sells there
    contract: str  # the destination of its long contract, if it holds one


def profile(organization: Organization, code: str) -> Profile:
    """The firm's lasting traits for standard `code`, drawn from a generator seeded by firm and standard."""
    firm = random.Random(f"{organization.slug}|{code}")
    volume = SIZE.get(organization.size_class, 0.6) * firm.uniform(0.8, 1.25)
    level = firm.uniform(0.92, 1.08)
    currency = "CNY" if firm.random() < 0.3 else "USD"
    catalogue = PRODUCTS[code]
    main = firm.choices(catalogue, weights=[product.share for product in catalogue])[0]
    others = [product for product in catalogue if product is not main]
    products = [main, *firm.sample(others, k=firm.choice([0, 1, 1, 2]))]
    contract = CONTRACTS.get(organization.slug, "")
    markets = [market for market in MARKETS if firm.random() < market.reach or market.country == contract]
    return Profile(volume, level, currency, products, markets or MARKETS[:1], contract)


def monthly_rows(organization: Organization, version: StandardVersion, period: str) -> list[dict[str, Any]]:
    """One firm's export rows of `version` for `period`: for each market it ships to this month, one
    row per product (each its own key)."""
    code = version.standard.code
    rng = random.Random(f"{organization.slug}|{code}|{period}")
    firm = profile(organization, code)
    qualities = _qualities(organization, code)
    year, month = int(period[:4]), int(period[5:7])
    trend = 1 + 0.002 * ((year - 2024) * 12 + month)
    season = 1 + SEASON[code] * math.cos((month - 10) / 12 * 2 * math.pi)
    shipped = [market for market in firm.markets if rng.random() < market.monthly]
    rows = []
    for market in shipped or firm.markets[:1]:
        crossing, mode = rng.choice(market.routes)
        contract = market.country == firm.contract
        volume = firm.volume if market.country in CORE or contract else math.sqrt(firm.volume)
        weight = market.weight * (CONTRACT_WEIGHT if contract else 1)
        products = firm.products if rng.random() < 0.4 else firm.products[:1]  # all, or the main one
        for product in products:
            split = 1.0 if len(products) == 1 else 0.65 if product is products[0] else 0.35
            tonnes = product.tonnes * volume * weight * split * season * rng.uniform(0.8, 1.2)
            discount = 0.96 if contract else 1
            price = product.price * firm.level * market.premium * trend * discount * rng.uniform(0.97, 1.03)
            usd = tonnes * price
            amount = usd / _rate(firm.currency, period) if firm.currency != "USD" else usd
            row: dict[str, Any] = {
                "period": period,
                "product": product.code,
                "hs_code": product.hs_code,
                "destination_country": market.country,
                "border_crossing": crossing,
                "transport_mode": mode,
                "value": round(amount, 2),
                "currency": firm.currency,
            }
            row.update(_sector_fields(code, product, round(tonnes, 2), qualities, rng))
            rows.append(row)
    return rows


def _rate(currency: str, period: str) -> float:
    return float(ExchangeRate.objects.get(currency=currency, period=period).usd_per_unit)


def _qualities(organization: Organization, code: str) -> dict[str, Any]:
    """The firm's own quality levels and habits, around which its rows vary."""
    draw = random.Random(f"{organization.slug}|{code}|quality")
    return {
        "brix": draw.uniform(0.3, 1.7),  # above the grade's lower bound
        "bostwick": draw.uniform(-1.0, 1.0),
        "colour_a_b": draw.uniform(2.0, 2.3),
        "incoterm": draw.choice(["DAP", "FCA", "CPT"]),
        "payment_terms": draw.choice([30, 45, 60, 90]),
        "oil_content": draw.uniform(3.5, 7.0),
        "vitamin_c": draw.uniform(450, 1050),
        "carotenoids": draw.uniform(160, 310),
        "lead_time": draw.uniform(20, 50),
        "yarn_count": draw.choice([16, 21, 32, 40]),
    }


def _sector_fields(
    code: str, product: Product, tonnes: float, firm: dict[str, Any], rng: random.Random
) -> dict[str, Any]:
    if code == "tomato-paste.exports":
        low = int(product.code[-5:-3])
        bostwick = (5.0 if "hot" in product.code else 10.0) + firm["bostwick"] + rng.uniform(-0.6, 0.6)
        return {
            "incoterm": firm["incoterm"] if rng.random() < 0.8 else rng.choice(["DAP", "FCA", "CPT"]),
            "packaging": "aseptic-drum" if rng.random() < 0.8 else "bag-in-box",
            "quantity": tonnes,
            "brix": round(min(max(low + firm["brix"] + rng.uniform(-0.3, 0.3), low + 0.1), low + 1.9), 1),
            "bostwick": round(bostwick, 1),
            "colour_a_b": round(firm["colour_a_b"] + rng.uniform(-0.04, 0.04), 2),
            "payment_terms": firm["payment_terms"] if rng.random() < 0.85 else rng.choice([30, 45, 60, 90]),
        }
    if code == "sea-buckthorn.exports":
        fields: dict[str, Any] = {"quantity": tonnes}
        if product.code in ("frozen-berries", "dried-berries"):
            fields["oil_content"] = round(firm["oil_content"] + rng.uniform(-0.4, 0.4), 1)
            fields["vitamin_c"] = round(firm["vitamin_c"] * rng.uniform(0.92, 1.08))
        if product.code == "pulp-oil":
            fields["total_carotenoids"] = round(firm["carotenoids"] * rng.uniform(0.95, 1.05))
        if product.code == "seed-oil":
            fields["total_carotenoids"] = round(rng.uniform(50, 70))
        return fields
    fields = {
        "incoterm": firm["incoterm"] if rng.random() < 0.8 else rng.choice(["FCA", "CPT", "DAP"]),
        "net_weight": tonnes,
        "lead_time": round(firm["lead_time"] + rng.uniform(-5, 5)),
    }
    if product.code == "cotton-yarn":
        fields["yarn_count"] = firm["yarn_count"]
    if product.code.endswith("fabric"):
        fields["length"] = round(tonnes * rng.uniform(5500, 7500))
    if product.code.startswith("garments"):
        fields["pieces"] = round(tonnes * rng.uniform(3000, 4500))
    return fields


def reports(organization: Organization, code: str, period: str) -> bool:
    """Whether the firm sends standard `code` for `period`: a few firms miss some months."""
    if random.Random(f"{organization.slug}|{code}|irregular").random() >= IRREGULAR:
        return True
    return random.Random(f"{organization.slug}|{code}|{period}|missed").random() >= MISSED_MONTH


def demo_months(
    organizations: list[Organization], versions: list[StandardVersion], periods: list[str]
) -> Iterator[tuple[Organization, StandardVersion, str]]:
    """Every (firm, standard of its sector, month) to send: the months the firm reports, month by
    month (every firm's month before the next month), so each period's benchmarks are computed once
    its submissions are in, as when firms report monthly."""
    sectors = {org.pk: set(org.sectors.values_list("code", flat=True)) for org in organizations}
    for period in periods:
        for organization in organizations:
            for version in versions:
                sector = version.standard.sector
                mine = sector is not None and sector.code in sectors[organization.pk]
                if mine and reports(organization, version.standard.code, period):
                    yield organization, version, period
