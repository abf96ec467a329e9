"""The dimension keys of a file's rows, on disk: which rows repeat an earlier row's key (`KeyLedger`).

Checking a file of millions of rows must not hold every key in memory; the ledger writes each block's
keys to scratch files as they come and finds the repeats once, at the end.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import BinaryIO

import numpy as np

from apps.submissions.scratch import scratch_dir


class KeyLedger:
    """The dimension keys of a file's rows, kept on disk so that memory does not grow with the file.

    Each row's key is an 8-byte hash, stored with its 4-byte row number in one of BUCKETS files chosen
    by the hash's top bits. Rows with the same key land in the same bucket, in file order, so at the
    end each bucket is sorted on its own (a 64th of the file at a time) and the repeats are found there.
    A hash collision could only report two different keys as repeated, once in 2**64 pairs.
    """

    BUCKETS = 64
    RECORD = np.dtype([("hash", "<u8"), ("row", "<u4")])

    def __init__(self) -> None:
        self.folder: Path | None = None
        self.files: list[BinaryIO] = []

    def add(self, hashes: np.ndarray, rows: np.ndarray) -> None:
        if not len(hashes):
            return
        if self.folder is None:
            self.folder = Path(tempfile.mkdtemp(prefix="keys-", dir=scratch_dir()))
            self.files = [(self.folder / f"{n:02d}").open("ab") for n in range(self.BUCKETS)]
        records = np.empty(len(hashes), dtype=self.RECORD)
        records["hash"], records["row"] = hashes, rows
        bucket = (records["hash"] >> np.uint64(58)).astype(np.intp)
        order = np.argsort(bucket, kind="stable")  # stable: file order within a bucket
        records, ends = records[order], np.cumsum(np.bincount(bucket, minlength=self.BUCKETS))
        for number, (start, end) in enumerate(zip(np.concatenate(([0], ends[:-1])), ends, strict=True)):
            if end > start:
                records[start:end].tofile(self.files[number])

    def repeated(self, limit: int) -> tuple[int, list[tuple[int, int]]]:
        """(how many rows repeat an earlier row's key, the first `limit` of them as (row, first row))."""
        if self.folder is None:
            return 0, []
        count = 0
        shown = np.empty((0, 2), dtype=np.int64)
        for handle in self.files:
            handle.flush()
            records = np.fromfile(handle.name, dtype=self.RECORD)
            if not len(records):
                continue
            records = records[np.argsort(records["hash"], kind="stable")]
            hashes, rows = records["hash"], records["row"].astype(np.int64)
            starts = np.ones(len(hashes), dtype=bool)
            starts[1:] = hashes[1:] != hashes[:-1]
            repeats = np.flatnonzero(~starts)
            if not len(repeats):
                continue
            count += len(repeats)
            first_of = rows[np.maximum.accumulate(np.where(starts, np.arange(len(hashes)), 0))]
            pairs = np.column_stack((rows[repeats], first_of[repeats]))
            shown = np.concatenate((shown, pairs))
            shown = shown[np.argsort(shown[:, 0], kind="stable")][:limit]
        return count, [(int(row), int(first)) for row, first in shown]

    def close(self) -> None:
        for handle in self.files:
            handle.close()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
        self.folder, self.files = None, []
