"""Fixtures of the submission tests: the standard firms send to, exchange rates, a contributor who
sends, and a database that refuses some rows (the files themselves are made in data.py)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.base import ContentFile

from apps.standards.models import ExchangeRate, StandardVersion
from apps.submissions import services
from tests.submissions.database import refusing_twelve


@pytest.fixture
def tomato(standards: Any) -> StandardVersion:
    return StandardVersion.objects.get(standard__code="tomato-paste.exports", version="1.0.0")


@pytest.fixture
def rates(db: Any) -> None:
    ExchangeRate.objects.create(currency="KZT", period="2026-09", usd_per_unit=Decimal("0.00205"))
    ExchangeRate.objects.create(currency="CNY", period="2026-09", usd_per_unit=Decimal("0.1389"))


@pytest.fixture
def send(cast: Any, tomato: StandardVersion, django_capture_on_commit_callbacks: Any) -> Any:
    """Send bytes as a contributor of firm A and process them the way the worker does."""

    def _send(
        content: bytes,
        *,
        period: str = "2026-09",
        filename: str = "data.csv",
        key: str | None = None,
        version: StandardVersion | None = None,
        actor: Any = None,
    ) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            submission, _created = services.receive_submission(
                actor=actor or cast.person("a", "contributor"),
                organization=cast.org_a,
                version=version or tomato,
                period=period,
                upload=ContentFile(content, name=filename),
                filename=filename,
                idempotency_key=key,
            )
        submission.refresh_from_db()
        return submission

    return _send


@pytest.fixture
def refusing_database(db: Any) -> Iterator[None]:
    with refusing_twelve():
        yield
