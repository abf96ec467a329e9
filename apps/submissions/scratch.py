"""The worker's scratch folder (HUB_SCRATCH_DIR): files that live as long as one processing attempt,
the checked rows waiting for COPY and the file's dimension keys. A worker killed with SIGKILL (or by
the kernel when memory runs out) cannot remove its own; the next processing run on that machine does."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from django.conf import settings


def scratch_dir() -> Path:
    """The worker's folder for files that live as long as one processing attempt (HUB_SCRATCH_DIR)."""
    folder = Path(settings.HUB_SCRATCH_DIR)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def clear_stale_scratch(*, now: float | None = None) -> int:
    """Remove what killed workers left in the scratch folder: entries untouched for longer than
    HUB_SCRATCH_MAX_AGE (a live attempt writes to its files with every block). Returns how many."""
    folder = Path(settings.HUB_SCRATCH_DIR)
    if not folder.is_dir():
        return 0
    cutoff = (now if now is not None else time.time()) - settings.HUB_SCRATCH_MAX_AGE
    removed = 0
    for entry in folder.iterdir():
        try:
            if _last_written(entry) >= cutoff:
                continue
            if entry.is_dir():
                shutil.rmtree(entry)
            else:
                entry.unlink()
        except FileNotFoundError:  # another worker removed it first
            continue
        removed += 1
    return removed


def _last_written(entry: Path) -> float:
    """When anything in `entry` was last written (a folder's own time changes only with its names)."""
    times = [entry.stat().st_mtime]
    if entry.is_dir():
        times += [inner.stat().st_mtime for inner in entry.iterdir()]
    return max(times)
