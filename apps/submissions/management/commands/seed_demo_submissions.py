"""Two years of monthly export figures for every active demo firm (the months it reports; a few firms
miss some), sent as its contributor through the same service as the API's JSON rows
(apps.submissions.demo makes the figures).

Idempotent: each month is sent with the Idempotency-Key `demo:<standard>:<period>` and the same bytes,
so running it again adds only months that have passed since. By default the worker processes what
was sent (`make run` starts it); `--now` processes each submission here instead.
"""

from __future__ import annotations

import os
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from apps.accounts.models import User
from apps.organizations.models import Organization
from apps.standards.models import Standard
from apps.standards.selectors import current_version
from apps.submissions import demo, services
from apps.submissions.models import Submission


class Command(BaseCommand):
    help = "Send two years of plausible monthly export figures for the demo firms (idempotent)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--months",
            type=int,
            default=int(os.environ.get("HUB_DEMO_MONTHS", "24")),
            help="How many past months (default HUB_DEMO_MONTHS, else 24).",
        )
        parser.add_argument("--firms", nargs="*", default=None, help="Only these organizations (slugs).")
        parser.add_argument("--now", action="store_true", help="Process here instead of in the worker.")

    def handle(self, *args: Any, **options: Any) -> None:
        periods = demo.months_before(date.today(), options["months"])
        with transaction.atomic():
            demo.ensure_rates(periods)
        firms = Organization.objects.filter(
            kind=Organization.Kind.MEMBER, status=Organization.Status.ACTIVE
        ).order_by("slug")
        if options["firms"] is not None:
            firms = firms.filter(slug__in=options["firms"])
        standards = Standard.objects.filter(code__in=list(demo.PRODUCTS)).select_related("sector")
        versions = [version for version in map(current_version, standards) if version is not None]
        sent = 0
        done = set(  # months sent before: a retry would return them anyway, without making their rows
            Submission.objects.filter(idempotency_key__startswith="demo:").values_list(
                "organization_id", "idempotency_key"
            )
        )
        for organization, version, period in demo.demo_months(list(firms), versions, periods):
            key = f"demo:{version.standard.code}:{period}"
            if (organization.pk, key) in done:
                continue
            contributor = User.objects.filter(email=f"contributor@{organization.slug}.example").first()
            if contributor is None:
                continue
            submission, created = services.receive_rows(
                actor=contributor,
                organization=organization,
                version=version,
                period=period,
                rows=demo.monthly_rows(organization, version, period),
                idempotency_key=key,
            )
            if options["now"] and submission.status == Submission.Status.RECEIVED:
                services.process_submission(submission_id=submission.pk)
            sent += created
        self.stdout.write(
            f"Demo submissions: {sent} sent for {len(periods)} months"
            + ("." if options["now"] else "; the worker processes them.")
        )
