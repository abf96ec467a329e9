from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def checkpoint(settings: Any, tmp_path: Path) -> Path:
    """Each test verifies against a checkpoint of its own (tests roll their events back)."""
    path = tmp_path / "audit_checkpoint.json"
    settings.HUB_AUDIT_CHECKPOINT_FILE = path
    return path
