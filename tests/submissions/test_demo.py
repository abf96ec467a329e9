"""The demo's monthly figures go through the real pipeline, are plausible, and can be sent again."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from django.core.management import call_command

from apps.standards.models import ExchangeRate
from apps.submissions.demo import months_before
from apps.submissions.models import Observation, Submission


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
