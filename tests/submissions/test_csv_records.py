"""Where a CSV record ends, whatever its quotes: found in one pass, as polars reads the file, and never
by reading on without bound.

A quote opens a quoted cell only at the start of a cell; anywhere else (the inch mark of `1/2" pipe`)
it is an ordinary character. A quote that opens a cell and never closes would make the rest of the
file one cell: the file is refused at the row where it opened, after at most HUB_CSV_MAX_RECORD_BYTES.
"""

from __future__ import annotations

import csv
import io
import itertools
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apps.submissions import parsing
from apps.submissions.csv_records import CsvRecords
from apps.submissions.messages import message
from apps.submissions.models import Observation, Submission
from tests.submissions.checks import rejected_with
from tests.submissions.data import EN_HEADERS, ROW

MB = 1024 * 1024


def distinct_rows(count: int) -> list[list[str]]:
    """`count` rows of ROW's kind, each its own shipment group and quantity."""
    groups = itertools.product(
        ["hot-break-28-30", "hot-break-30-32", "cold-break-28-30", "cold-break-36-38"],
        ["KZ", "KG", "UZ", "TJ", "RU", "CN", "MN", "AF"],
        ["DAP", "FCA", "CPT", "EXW", "CIP", "DDP"],
        ["khorgos", "alashankou", "torugart", "irkeshtam", "baketu", "sea"],
    )
    rows = []
    for number, (product, country, incoterm, crossing) in zip(range(count), groups, strict=False):
        row = list(ROW)
        row[1], row[2], row[3], row[4] = product, country, incoterm, crossing
        row[7] = str(10 + number)
        rows.append(row)
    return rows


def csv_text(headers: list[str], rows: list[list[str]]) -> str:
    """The file as an ERP writes it: cells joined as they are, no quoting added."""
    return "".join(",".join(cells) + "\r\n" for cells in [headers, *rows])


def records_of(
    content: bytes, chunks: list[int], limit: int
) -> tuple[list[bytes], CsvRecords, parsing.FileProblem | None]:
    """The blocks the record finder hands out when `content` arrives in pieces of the given sizes (cycled),
    taking the whole records after each piece as the reader does; and the problem it refused with."""
    records = CsvRecords(",", limit)
    blocks, offset = [], 0
    try:
        for size in itertools.cycle(chunks):
            if offset >= len(content):
                break
            records.feed(content[offset : offset + size])
            offset += size
            blocks.append(records.take())
        blocks.append(records.finish())
    except parsing.FileProblem as problem:
        return blocks, records, problem
    return [block for block in blocks if block], records, None


# --- The work grows with the file, not with its square ----------------------------------------------------

VISITS_PER_BYTE = 64  # a bounded number of passes over each byte (once more for a refused record)
HOSTILE = {
    "stray quote, then blank lines": ('2026-09,"khorgos,road\r\n', "\r\n"),
    "stray quote, then data rows": ('a,"b,c\n', "2026-09,hot-break-28-30,KZ,25\n"),
    "inch marks": ("", '2026-09,1/2" pipe,KZ,3" hose\n'),
    "inch marks on one line": ("", '1/2",'),
    "only quotes": ("", '"'),
    "quotes after a letter": ("a", '"'),
    "empty quoted cells": ("", '"",'),
    "escaped quotes and line breaks": ('"', '""\n'),
    "a quoted cell closed and reopened": ("", '"x"y'),
}


@settings(max_examples=80, deadline=None)
@given(
    kind=st.sampled_from(sorted(HOSTILE)),
    repeats=st.integers(min_value=1, max_value=20_000),
    chunks=st.lists(st.integers(min_value=1, max_value=5000), min_size=1, max_size=4),
    limit=st.sampled_from([64, 4096, MB]),
)
def test_finding_records_visits_each_byte_a_bounded_number_of_times(
    kind: str, repeats: int, chunks: list[int], limit: int
) -> None:
    head, unit = HOSTILE[kind]
    content = (head + unit * repeats).encode()
    _blocks, records, problem = records_of(content, chunks, limit)
    assert problem is None or problem.code in ("open_quote", "row_too_long")
    assert records.visited <= VISITS_PER_BYTE * len(content) + 64, (records.visited, len(content))


@settings(max_examples=60, deadline=None)
@given(
    unit=st.text(alphabet='"\n\r,;a ', min_size=1, max_size=12),
    repeats=st.integers(min_value=1, max_value=5000),
    chunks=st.lists(st.integers(min_value=1, max_value=3000), min_size=1, max_size=4),
)
def test_any_repeated_pattern_is_scanned_in_linear_work(unit: str, repeats: int, chunks: list[int]) -> None:
    content = (unit * repeats).encode()
    _blocks, records, _problem = records_of(content, chunks, 4096)
    assert records.visited <= VISITS_PER_BYTE * len(content) + 64, (records.visited, len(content))


def test_refusing_a_record_looks_at_no_more_than_the_limit() -> None:
    records = CsvRecords(",", 64 * 1024)
    records.feed(b'Period,Product\n2026-09,"x\n')
    with pytest.raises(parsing.FileProblem) as problem:
        for _ in range(1000):  # 16 MB of line breaks inside the open quote, fed as they arrive
            records.feed(b"\n" * 16384)
            records.take()
    assert problem.value.code == "open_quote" and problem.value.params["row"] == 2
    assert records.visited < 8 * 200 * 1024  # it stopped at about 64 KB, not at 16 MB


# --- The records are the csv module's, wherever the pieces end ---------------------------------------------


@st.composite
def csv_files(draw: Any) -> tuple[str, str]:
    """CSV text in one of the hub's delimiters: plain cells, cells with inch marks (unquoted, a quote
    inside), quoted cells holding delimiters, quotes and line breaks; CRLF or LF; the last line with or
    without its line break."""
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    others = "".join(ch for ch in ",;|\t" if ch != delimiter)
    plain = st.text(alphabet="ab 7Ж霍" + others, max_size=6)
    inch_mark = st.builds(
        lambda a, b: f'{a}"{b}', st.text(alphabet="1/2 a" + others, min_size=1, max_size=4), plain
    )
    quoted = st.text(alphabet='ab ,;|\t\n\r"Ж', max_size=8).map(lambda t: '"' + t.replace('"', '""') + '"')
    ending = draw(st.sampled_from(["\n", "\r\n"]))
    rows = draw(st.lists(st.lists(st.one_of(plain, inch_mark, quoted), max_size=5), min_size=1, max_size=30))
    text = ending.join(delimiter.join(cells) for cells in rows) + draw(st.sampled_from([ending, ""]))
    return text, delimiter


def rows_by_csv(text: str, delimiter: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def rows_by_polars(block: bytes, delimiter: str, width: int) -> list[list[str]]:
    schema = {f"c{i}": pl.String for i in range(max(1, width))}
    frame = pl.read_csv(
        block,
        has_header=False,
        separator=delimiter,
        schema=schema,
        truncate_ragged_lines=True,
        missing_columns="insert",
        raise_if_empty=False,
    )
    rows = []
    for values in frame.iter_rows():
        cells = ["" if value is None else value for value in values]
        while cells and cells[-1] == "":
            cells.pop()
        rows.append(cells)
    return rows


def trimmed(rows: list[list[str]]) -> list[list[str]]:
    result = []
    for cells in rows:
        cells = list(cells)
        while cells and cells[-1] == "":
            cells.pop()
        result.append(cells)
    return result


@settings(max_examples=300, deadline=None)
@given(file=csv_files(), chunks=st.lists(st.integers(min_value=1, max_value=64), min_size=1, max_size=5))
def test_blocks_hold_whole_records_that_read_as_the_csv_module_reads_the_file(
    file: tuple[str, str], chunks: list[int]
) -> None:
    text, delimiter = file
    content = text.encode()
    records = CsvRecords(delimiter, MB)
    blocks, offset = [], 0
    for size in itertools.cycle(chunks):
        if offset >= len(content):
            break
        records.feed(content[offset : offset + size])
        offset += size
        blocks.append(records.take())
    blocks.append(records.finish())
    expected = rows_by_csv(text, delimiter)
    # every block ends where the csv module ends a record: read alone, the blocks give its rows
    by_csv = [row for block in blocks for row in rows_by_csv(block.decode(), delimiter)]
    assert by_csv == expected
    assert records.count == len(expected)
    # and polars reads each block to the same cells (the inch marks as written)
    width = max((len(row) for row in expected), default=1)
    by_polars = [row for block in blocks if block for row in rows_by_polars(block, delimiter, width)]
    assert by_polars == trimmed(expected)


def test_header_rows_are_skipped_whole_even_with_line_breaks_in_quotes() -> None:
    records = CsvRecords(";", MB)
    records.feed(b'"Exports;\nSeptember"\r\nPeriod;Product\r\n2026-09;"a\nb"\r\n')
    assert records.skip(2) == 2
    assert records.finish() == b'2026-09;"a\nb"\r\n'


# --- What the firm sees ------------------------------------------------------------------------------------


def test_a_stray_quote_refuses_the_file_at_its_row_without_reading_on(send: Any) -> None:
    rows = distinct_rows(60)
    rows[40][4] = '"khorgos'  # row 42 (the header is row 1): a quote opens the cell and never closes
    text = csv_text(EN_HEADERS, rows) + "\r\n" * (3 * MB // 2)
    submission = send(text.encode())
    rejected_with(submission, "open_quote")
    issue = submission.issues.get(code="open_quote")
    assert issue.params["row"] == 42
    shown = message(issue.code, issue.params)
    assert "Row 42" in shown and '"' in shown and "1 MB" in shown


def test_a_stray_quote_followed_by_data_rows_names_its_row(send: Any) -> None:
    rows = distinct_rows(1000)
    rows[500][1] = '"hot-break-28-30'  # row 502
    text = csv_text(EN_HEADERS, rows)  # about 80 KB: the end of the file comes before the limit
    submission = send(text.encode())
    rejected_with(submission, "open_quote")
    assert submission.issues.get(code="open_quote").params["row"] == 502


def test_a_stray_quote_in_the_first_rows_of_a_large_file_names_its_row(send: Any) -> None:
    rows = distinct_rows(3000)
    rows[1][4] = '"khorgos'  # row 3, among the rows read to find the header
    text = csv_text(EN_HEADERS, rows) + "\r\n" * (2 * MB)
    submission = send(text.encode())
    rejected_with(submission, "open_quote")
    assert submission.issues.get(code="open_quote").params["row"] == 3


def test_a_row_longer_than_the_limit_is_refused(send: Any, settings: Any) -> None:
    settings.HUB_CSV_MAX_RECORD_BYTES = 64 * 1024
    rows = distinct_rows(30)
    text = csv_text(EN_HEADERS, rows) + ",".join(ROW) + ",x" * 100_000  # no line break at its end
    submission = send(text.encode())
    rejected_with(submission, "row_too_long")
    issue = submission.issues.get(code="row_too_long")
    assert issue.params["row"] == 32
    assert "Row 32" in message(issue.code, issue.params)


INCHES = ['1/2" pipe', '12" x 18"', "5'6\"", '3"" hose', 'say "hi"', 'x"']


def test_inch_marks_in_unquoted_cells_are_read_as_written(
    send: Any, monkeypatch: Any, tmp_path: Path
) -> None:
    monkeypatch.setattr(parsing, "CHUNK_BYTES", 300)  # many blocks, cut between such rows
    rows = distinct_rows(40)
    for number, row in enumerate(rows):
        row.append(INCHES[number % len(INCHES)])
    text = csv_text([*EN_HEADERS, "Note"], rows)
    path = tmp_path / "inches.csv"
    path.write_text(text, encoding="utf-8")
    expected = rows_by_csv(text, ",")

    def score(cells: list[Any]) -> int:
        return sum(1 for cell in cells if cell in EN_HEADERS)

    table = parsing.read_csv(path, score)
    frames = list(parsing.batches(table))
    table.close()
    notes = [value for frame in frames for value in frame.get_column("c10").to_list()]
    assert notes == [row[10] for row in expected[1:]]
    assert notes[0] == '1/2" pipe' and notes[3] == '3"" hose'
    numbers = [value for frame in frames for value in frame.get_column("row").to_list()]
    assert numbers == list(range(2, 42))

    submission = send(text.encode())
    assert submission.status == Submission.Status.ACCEPTED_WITH_WARNINGS, list(
        submission.issues.values("code", "params")
    )
    assert submission.issues.get().code == "unknown_column"  # the note itself is not part of the standard
    assert submission.row_count == 40
    stored = sorted(Observation.objects.filter(submission=submission).values_list("row", flat=True))
    assert stored == list(range(2, 42))


def test_an_inch_mark_in_a_checked_cell_is_reported_as_written(send: Any) -> None:
    rows = distinct_rows(5)
    rows[2][6] = '55" drum'  # row 4, packaging
    submission = send(csv_text(EN_HEADERS, rows).encode())
    rejected_with(submission, "not_allowed")
    issue = submission.issues.get(code="not_allowed")
    assert (issue.row, issue.column, issue.value) == (4, "Packaging", '55" drum')


def test_a_quoted_cell_with_line_breaks_is_one_cell(send: Any, monkeypatch: Any, tmp_path: Path) -> None:
    monkeypatch.setattr(parsing, "CHUNK_BYTES", 64)  # blocks end inside the quoted cells
    rows = distinct_rows(12)
    for number, row in enumerate(rows):
        row.append(f'"line {number}\r\nsecond line, with ""quotes""\nthird"' if number % 3 == 0 else "plain")
    text = csv_text([*EN_HEADERS, "Note"], rows)
    path = tmp_path / "notes.csv"
    path.write_text(text, encoding="utf-8")

    def score(cells: list[Any]) -> int:
        return sum(1 for cell in cells if cell in EN_HEADERS)

    table = parsing.read_csv(path, score)
    frames = list(parsing.batches(table))
    table.close()
    notes = [value for frame in frames for value in frame.get_column("c10").to_list()]
    assert notes[0] == 'line 0\r\nsecond line, with "quotes"\nthird'
    assert notes[1] == "plain" and len(notes) == 12
    assert [value for frame in frames for value in frame.get_column("row").to_list()] == list(range(2, 14))

    submission = send(text.encode())
    assert submission.status == Submission.Status.ACCEPTED_WITH_WARNINGS
    assert submission.row_count == 12


def test_a_row_of_many_cells_is_reported_as_extra_cells_wherever_its_block_starts(
    send: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(parsing, "CHUNK_BYTES", 128)  # each of these rows starts a block
    rows = distinct_rows(4)
    rows[0] += ["0"] * 50  # row 2: the first row of the first block, far wider than the header
    rows[2] += ["0"] * 50  # row 4
    submission = send(csv_text(EN_HEADERS, rows).encode())
    rejected_with(submission, "extra_cells")
    assert sorted(submission.issues.filter(code="extra_cells").values_list("row", flat=True)) == [2, 4]
    assert not submission.issues.filter(code="bad_csv").exists()
