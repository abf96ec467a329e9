"""Repeated dimension keys are found across a whole file, however its blocks fall, with the keys kept
on disk; a worker's scratch files go when the attempt ends, and a killed worker's once they are stale."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings
from hypothesis import given, settings
from hypothesis import strategies as st

from apps.submissions import parsing
from apps.submissions.models import Observation
from apps.submissions.scratch import clear_stale_scratch
from tests.submissions.data import EN_HEADERS, csv_bytes, distinct_rows


@pytest.fixture
def scratch(tmp_path: Path) -> Any:
    with override_settings(HUB_SCRATCH_DIR=tmp_path / "scratch"):
        yield tmp_path / "scratch"


def test_keys_repeated_far_apart_are_found_across_blocks(send: Any, scratch: Path) -> None:
    rows = distinct_rows(4000)
    # file rows are numbered from 2 (the header is row 1): data row i is file row i + 2
    content = csv_bytes(EN_HEADERS, [*rows, rows[0], rows[1999], rows[0], rows[3999]])
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(parsing, "CHUNK_BYTES", 4096)  # about 60 blocks
        submission = send(content)
    assert submission.status == "rejected"
    repeated = submission.issues.filter(code="duplicate_key").values_list("row", "params__first")
    assert list(repeated) == [(4002, 2), (4003, 2001), (4004, 2), (4005, 4001)]
    assert not Observation.objects.filter(submission=submission).exists()
    assert list(scratch.iterdir()) == []  # the attempt's spool and keys are gone


def test_every_repeat_is_counted_beyond_the_reports_limit(send: Any, scratch: Path) -> None:
    rows = distinct_rows(300)
    with override_settings(HUB_REPORT_MAX_ISSUES=5):
        submission = send(csv_bytes(EN_HEADERS, rows + rows))
    assert submission.status == "rejected"
    assert submission.error_count == 300
    shown = list(submission.issues.filter(code="duplicate_key").values_list("row", "params__first"))
    assert shown == [(302 + n, 2 + n) for n in range(5)]  # the first five, in file order


def test_an_accepted_file_leaves_no_scratch(send: Any, scratch: Path) -> None:
    submission = send(csv_bytes(EN_HEADERS, distinct_rows(500)))
    assert submission.status == "accepted"
    assert Observation.objects.filter(submission=submission).count() == 500
    assert list(scratch.iterdir()) == []


def test_a_killed_workers_stale_files_are_removed_and_live_ones_kept(scratch: Path) -> None:
    scratch.mkdir(parents=True)
    hour_ago = time.time() - 3700
    stale_rows = scratch / "rows-dead-1.csv"
    stale_rows.write_text("x")
    stale_keys = scratch / "keys-dead"
    stale_keys.mkdir()
    (stale_keys / "00").write_bytes(b"k" * 12)
    live_keys = scratch / "keys-live"  # made long ago, but its buckets are still being written
    live_keys.mkdir()
    (live_keys / "00").write_bytes(b"k" * 12)
    live_rows = scratch / "rows-live-2.csv"
    live_rows.write_text("y")
    for path in (stale_rows, stale_keys / "00", stale_keys, live_keys):
        os.utime(path, (hour_ago, hour_ago))
    assert clear_stale_scratch() == 2
    assert sorted(p.name for p in scratch.iterdir()) == ["keys-live", "rows-live-2.csv"]


def test_clearing_a_missing_scratch_folder_does_nothing(scratch: Path) -> None:
    assert clear_stale_scratch() == 0


@settings(max_examples=80, deadline=None)
@given(
    keys=st.lists(st.integers(min_value=0, max_value=40), min_size=0, max_size=400),
    blocks=st.integers(min_value=1, max_value=7),
    limit=st.integers(min_value=0, max_value=30),
)
def test_the_key_ledger_finds_what_a_dictionary_finds(keys: list[int], blocks: int, limit: int) -> None:
    """Every row that repeats an earlier row's key, with that first row, however the rows are cut into
    blocks and whatever the report's limit: as a plain dictionary over the file would say."""
    import numpy as np

    from apps.submissions.ledger import KeyLedger

    rows = list(range(2, 2 + len(keys)))
    first_row: dict[int, int] = {}
    expected = []
    for row, key in zip(rows, keys, strict=True):
        if key in first_row:
            expected.append((row, first_row[key]))
        else:
            first_row[key] = row
    hashes = np.array([(key * 0x9E3779B97F4A7C15) % 2**64 for key in keys], dtype=np.uint64)
    numbers = np.array(rows, dtype=np.uint32)
    ledger = KeyLedger()
    try:
        size = max(1, len(keys) // blocks)
        for start in range(0, len(keys), size):
            ledger.add(hashes[start : start + size], numbers[start : start + size])
        count, shown = ledger.repeated(limit)
    finally:
        ledger.close()
    assert count == len(expected)
    assert shown == expected[:limit]
