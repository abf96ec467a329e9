"""Fixtures shared by the benchmark tests."""

from __future__ import annotations

from typing import Any

import pytest

from apps.standards.models import StandardVersion


@pytest.fixture
def version(standards: Any) -> StandardVersion:
    """tomato-paste.exports 1.1.0: the version that declares breakdowns (destination, product)."""
    return StandardVersion.objects.get(standard__code="tomato-paste.exports", version="1.1.0")
