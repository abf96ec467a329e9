"""The demo's monthly figures go through the real pipeline, are plausible, and can be sent again."""

from __future__ import annotations

import io
from collections import Counter, defaultdict
from datetime import date
from typing import Any

from django.core.management import call_command

from apps.organizations.models import Organization
from apps.standards.models import ExchangeRate, StandardVersion
from apps.submissions import demo
from apps.submissions.demo import months_before
from apps.submissions.models import Observation, Submission

# The demo's two years as of December 2026: fixed, so the shapes below do not move with the calendar.
DEMO_MONTHS = months_before(date(2026, 12, 1), 24)


def seed(**options: Any) -> str:
    out = io.StringIO()
    call_command("seed_demo_submissions", stdout=out, **options)
    return out.getvalue()


def test_the_demo_months_are_accepted_with_plausible_figures(cast: Any, standards: Any) -> None:
    assert "3 sent" in seed(months=3, firms=["firm-a"], now=True)
    months = months_before(date.today(), 3)
    sent = Submission.objects.filter(organization=cast.org_a).order_by("period")
    assert [s.period for s in sent] == months
    assert {s.status for s in sent} <= {"accepted", "accepted_with_warnings"}
    assert all(s.is_current and s.submitted_by == cast.person("a", "contributor") for s in sent)
    assert not Submission.objects.filter(organization=cast.org_b).exists()
    for observation in Observation.objects.filter(submission__in=sent):
        measures = observation.measures
        assert 700 < measures["value"] / measures["quantity"] < 1600  # USD a tonne of paste
        assert 20 <= measures["brix"] <= 40
    assert ExchangeRate.objects.filter(currency="CNY", period__in=months).count() == 3


def test_sending_the_demo_again_changes_nothing(cast: Any, standards: Any) -> None:
    seed(months=2, firms=["firm-a"], now=True)
    rows = Observation.objects.count()
    assert "0 sent" in seed(months=2, firms=["firm-a"], now=True)
    assert Submission.objects.count() == 2 and Observation.objects.count() == rows


def test_a_stewards_own_rate_is_kept(cast: Any, standards: Any) -> None:
    month = months_before(date.today(), 1)[0]
    ExchangeRate.objects.create(currency="KZT", period=month, usd_per_unit="0.0021")
    seed(months=1, firms=["firm-a"], now=True)
    assert str(ExchangeRate.objects.get(currency="KZT", period=month).usd_per_unit) == "0.0021000000"


def active_firms(sector: str) -> list[Organization]:
    return list(
        Organization.objects.filter(
            kind=Organization.Kind.MEMBER, status=Organization.Status.ACTIVE, sectors__code=sector
        ).select_related("enterprise_group")
    )


def contributor(organization: Organization) -> str:
    """Firms of one enterprise group count as one contributor."""
    group = organization.enterprise_group
    return f"group:{group.pk}" if group is not None else organization.slug


def test_the_demo_has_enough_contributors_for_benchmarks_in_every_sector(db: Any) -> None:
    call_command("seed_demo", stdout=io.StringIO())
    contributors = {
        sector: len({contributor(firm) for firm in active_firms(sector)})
        for sector in ("tomato-paste", "sea-buckthorn", "textiles")
    }
    assert contributors["tomato-paste"] >= 20
    assert contributors["sea-buckthorn"] >= 15 and contributors["textiles"] >= 15
    groups = Counter(
        firm.enterprise_group.name for firm in active_firms("tomato-paste") if firm.enterprise_group
    )
    assert len(groups) >= 2 and set(groups.values()) == {2}


def test_a_demo_month_of_tomato_paste_meets_every_disclosure_rule(db: Any) -> None:
    """Per destination and month: a market of 2 to 4 firms (too few), one of 12 or more (all published
    but p10/p90 when under 20), and one of 5 or more where one firm ships over a quarter (dominance);
    and not every firm reports every month."""
    call_command("seed_demo", stdout=io.StringIO())
    demo.ensure_rates(DEMO_MONTHS)
    version = StandardVersion.objects.get(standard__code="tomato-paste.exports", version="1.0.0")
    firms = active_firms("tomato-paste")
    reporting = Counter(period for _firm, _version, period in demo.demo_months(firms, [version], DEMO_MONTHS))
    assert min(reporting.values()) < len(firms) and max(reporting.values()) >= len(firms) - 1
    for period in DEMO_MONTHS:
        tonnes: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        for firm in firms:
            if demo.reports(firm, "tomato-paste.exports", period):
                for row in demo.monthly_rows(firm, version, period):
                    tonnes[row["destination_country"]][contributor(firm)] += row["quantity"]
                    assert 20 <= row["brix"] <= 40 and 1 <= row["colour_a_b"] <= 3
        firm_counts = {country: len(by_firm) for country, by_firm in tonnes.items()}
        assert any(2 <= count <= 4 for count in firm_counts.values()), period
        assert firm_counts["KZ"] >= 12 and firm_counts["UZ"] >= 12, period
        assert any(5 <= count < 12 for count in firm_counts.values()), period
        assert any(
            len(by_firm) >= 5 and max(by_firm.values()) > 0.25 * sum(by_firm.values())
            for by_firm in tonnes.values()
        ), period
        assert max(tonnes["KZ"].values()) < 0.25 * sum(tonnes["KZ"].values()), period
