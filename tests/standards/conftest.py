from __future__ import annotations

from typing import Any

import pytest

from apps.standards.services import load_standards


@pytest.fixture
def standards(db: Any) -> list[tuple[str, str]]:
    """Every shipped standard, loaded the way `manage.py load_standards` loads them."""
    return load_standards()
