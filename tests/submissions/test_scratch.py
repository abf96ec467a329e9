"""Repeated dimension keys are found across a whole file, however its blocks fall, with the keys kept
on disk; a worker's scratch files go when the attempt ends, and a killed worker's once they are stale."""

from __future__ import annotations

import itertools
import os
import time
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from apps.submissions import parsing
from apps.submissions.models import Observation
from apps.submissions.scratch import clear_stale_scratch
from tests.submissions.conftest import csv_bytes
from tests.submissions.test_files import EN_HEADERS

COUNTRIES = ["KZ", "KG", "UZ", "TJ", "RU", "MN", "AF", "TM", "CN", "TR"]
INCOTERMS = ["EXW", "FCA", "CPT", "CIP", "DAP", "FOB", "CFR", "CIF"]
CROSSINGS = ["khorgos", "alashankou", "torugart", "irkeshtam", "baketu", "sea"]
MODES = ["road", "rail", "multimodal", "sea", "air"]


def distinct_rows(count: int) -> list[list[str]]:
    combos = itertools.product(COUNTRIES, INCOTERMS, CROSSINGS, MODES, ["aseptic-drum", "tin"])
    return [
        ["2026-09", "hot-break-28-30", country, incoterm, crossing, mode, pack, "25", "21500", "USD"]
        for country, incoterm, crossing, mode, pack in itertools.islice(combos, count)
    ]


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
