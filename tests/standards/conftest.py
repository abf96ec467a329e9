from __future__ import annotations

from typing import Any

import pytest

from apps.standards.models import StandardVersion


@pytest.fixture
def standards(db: Any) -> list[StandardVersion]:
    """The shipped standards, which the test session loaded once (tests/conftest.py)."""
    versions = list(StandardVersion.objects.select_related("standard"))
    assert versions, "the session did not load the shipped standards"
    return versions
