"""Fixtures of the partner exchange tests: an alliance with computed benchmarks, and a partner
organization with an admin and a machine client (an API token), made through the services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.test import Client

from apps.accounts.models import User
from apps.benchmarks.models import Run
from apps.benchmarks.runs import compute_run
from apps.exchange.models import Agreement
from apps.exchange.services import Grant, create_agreement
from apps.organizations.models import Organization, Role
from apps.organizations.services import create_organization, grant_membership
from apps.organizations.tokens import create_api_token
from apps.standards.models import StandardVersion
from tests.benchmarks.hub import Alliance, make_alliance, row, spread

CODE = "tomato-paste.exports"
PERIOD = "2026-06"  # out of every lag by 2026-12
LATE = "2026-11"  # price figures embargoed for everyone until 2027-03-01; quality ones out for members


@dataclass
class Partner:
    organization: Organization
    admin: User
    token: str

    def client(self) -> Client:
        return Client(headers={"Authorization": f"Bearer {self.token}"})


@pytest.fixture
def version(standards: Any) -> StandardVersion:
    return StandardVersion.objects.get(standard__code=CODE, version="1.1.0")


def firms_with_data(cast: Any, version: StandardVersion) -> Alliance:
    """Firm A, firm B and twelve more with data in PERIOD (past every lag) and LATE (price figures
    still embargoed); no run computed yet."""
    found = make_alliance(cast.steward, version)
    for firm, letter in ((cast.org_a, "a"), (cast.org_b, "b")):
        found.firms.append(firm)
        found.contributors[firm.pk] = cast.person(letter, "contributor")
    for period in (PERIOD, LATE):
        found.send(
            cast.org_a, period, [row("hot-break-28-30", "KZ", 150, 150 * 1234.0, 29.9)], key=f"a{period}"
        )
        found.send(
            cast.org_b, period, [row("hot-break-28-30", "KZ", 160, 160 * 777.0, 28.1)], key=f"b{period}"
        )
        spread(found, period, 12, prefix=f"p{period[-2:]}")
    return found


@pytest.fixture
def alliance(cast: Any, version: StandardVersion) -> Alliance:
    found = firms_with_data(cast, version)
    for period in (PERIOD, LATE):
        compute_run(version.standard, period, trigger=Run.Trigger.COMMAND)
    return found


def make_partner(steward: User, slug: str) -> Partner:
    organization = create_organization(
        actor=steward,
        slug=slug,
        legal_name=f"{slug.title()} LLP",
        country="KZ",
        kind=Organization.Kind.PARTNER,
        status=Organization.Status.ACTIVE,
    )
    admin = User.objects.create_user(f"admin@{slug}.example", "exchange-tests-2026")
    grant_membership(actor=steward, organization=organization, user=admin, role=Role.ADMIN)
    _token, raw = create_api_token(
        actor=admin, organization=organization, name="partner system", role="viewer"
    )
    return Partner(organization, admin, raw)


@pytest.fixture
def partner(cast: Any) -> Partner:
    return make_partner(cast.steward, "steppe-partner")


def grant(
    steward: User,
    partner: Partner,
    *,
    measures: tuple[str, ...] = ("unit_price", "brix"),
    cohorts: tuple[str, ...] = ("all",),
    lag_months: int = 3,
    valid_from: date = date(2024, 1, 1),
    valid_until: date | None = None,
) -> Agreement:
    return create_agreement(
        actor=steward,
        partner=partner.organization,
        title="Export prices",
        valid_from=valid_from,
        valid_until=valid_until,
        lag_months=lag_months,
        reads=[Grant(CODE, measures, cohorts)],
    )
