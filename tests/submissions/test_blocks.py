"""CSV is read by polars a block of whole records at a time: the rows, their numbers and their cells
must be exactly what the standard library's reader sees, wherever a block happens to end."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apps.submissions import parsing

HEADERS = ["Period", "Product", "Quantity"]


def _score(cells: list[Any]) -> int:
    return sum(1 for cell in cells if cell in HEADERS)


def _rows_by_polars(path: Path, encoding: str, delimiter: str) -> list[tuple[int, list[str]]]:
    # encoding and delimiter as detection would find them in a real file (tiny random ones can fool it)
    table = parsing.Table("csv", 2, HEADERS, iter(()), encoding=encoding, delimiter=delimiter, path=path)
    frames = list(parsing.batches(table))
    rows = []
    for frame in frames:
        cells = frame.select(pl.exclude("row")).fill_null("")
        for number, values in zip(frame.get_column("row").to_list(), cells.iter_rows(), strict=True):
            trimmed = list(values)
            while trimmed and trimmed[-1] == "":
                trimmed.pop()
            rows.append((number, trimmed))
    return rows


def _rows_by_csv(text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    rows = list(enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1))
    header = next(number for number, cells in rows if _score(cells))
    result = []
    for number, cells in rows[header:]:
        trimmed = list(cells)
        while trimmed and trimmed[-1] == "":
            trimmed.pop()
        result.append((number, trimmed))
    return result


cell = st.one_of(
    st.sampled_from(["2026-09", "hot-break-28-30", "1 234,5", "", "x"]),
    st.text(alphabet="ab;,\n\r\"' 霍尔果斯Ж", max_size=12),
)


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(st.lists(cell, min_size=0, max_size=5), min_size=1, max_size=25),
    chunk=st.integers(min_value=16, max_value=200),
    delimiter=st.sampled_from([",", ";"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1251", "utf-16"]),
)
def test_blocks_give_the_same_rows_numbers_and_cells_as_the_csv_module(
    tmp_path_factory: Any, rows: list[list[str]], chunk: int, delimiter: str, encoding: str
) -> None:
    if encoding == "cp1251":  # a Cyrillic code page has no Chinese
        rows = [["".join(ch for ch in c if ch not in "霍尔果斯") for c in r] for r in rows]
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(["Title of the export"])
    writer.writerow(HEADERS)
    writer.writerows(rows)
    text = out.getvalue()
    path = tmp_path_factory.mktemp("blocks") / "file.csv"
    path.write_bytes(text.encode(encoding))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(parsing, "CHUNK_BYTES", chunk)
        seen = _rows_by_polars(path, encoding, delimiter)
    expected = _rows_by_csv(text, delimiter)
    assert seen == expected


def test_cells_beyond_the_header_are_kept_for_the_report(tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text("Period,Product,Quantity\n2026-09,a,1,EXTRA,MORE\n2026-09,b\n")
    table = parsing.read_csv(path, _score)
    (frame,) = list(parsing.batches(table))
    table.close()
    assert frame.get_column("row").to_list() == [2, 3]
    assert frame.get_column("x0").to_list() == ["EXTRA", None]
    assert frame.get_column("x1").to_list() == ["MORE", None]
    assert frame.get_column("c2").to_list() == ["1", None]


def test_bad_bytes_after_the_sampled_start_name_their_row(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    good = "Period,Product,Quantity\n" + "2026-09,Хоргос,1\n" * 30_000  # UTF-8, beyond the sample
    path.write_bytes(good.encode() + b"2026-09,\xff\xfe\xfa,1\n")
    table = parsing.read_csv(path, _score)
    assert table.encoding == "utf-8"
    with pytest.raises(parsing.FileProblem) as problem, pytest.MonkeyPatch.context() as patch:
        patch.setattr(parsing, "CHUNK_BYTES", 65536)
        list(parsing.batches(table))
    table.close()
    assert problem.value.code == "bad_bytes" and problem.value.params["row"] == 30_002


@pytest.mark.parametrize(
    ("cell", "text"),
    [
        (None, None),
        ("1 234,5", "1 234,5"),
        (42, "42"),
        (1.5, "1.5"),
        (1.234, "1.2340"),  # never three decimals: a decimal-comma file would read them as thousands
        (1e-7, "0.0000001"),
        (True, "TRUE"),
        (dt.datetime(2026, 9, 30), "2026-09-30"),
        (dt.datetime(2026, 9, 30, 14, 5), "2026-09-30 14:05:00"),
        (dt.date(2026, 9, 1), "2026-09-01"),
    ],
)
def test_workbook_cells_become_text_without_ambiguity(cell: Any, text: str | None) -> None:
    assert parsing.cell_text(cell) == text


def test_blocks_of_workbook_or_json_rows_are_bounded_in_bytes_as_well_as_rows() -> None:
    """10,500 rows with one 8 KB cell each would be 84 MB of text in one block of rows; blocks stop at
    CHUNK_BYTES of text instead, and every row still arrives once, in order."""
    big = "x" * 8192
    rows = ((number, ["2026-09", big, "1"]) for number in range(2, 10_502))
    table = parsing.Table("json", 1, HEADERS, rows)
    numbers: list[int] = []
    for frame in parsing.batches(table):
        text = sum(frame.get_column(name).str.len_bytes().fill_null(0).sum() for name in ("c0", "c1", "c2"))
        assert text <= parsing.CHUNK_BYTES + 8192 + 16
        numbers += frame.get_column("row").to_list()
    assert numbers == list(range(2, 10_502))


workbook_cell = st.one_of(
    st.floats(),  # every float: whole, tiny, huge, more than 15 digits, -0.0, NaN, infinities
    st.floats(min_value=-1e9, max_value=1e9).map(lambda value: round(value, 3)),
    st.integers(min_value=-(10**18), max_value=10**18),
    st.booleans(),
    st.sampled_from(["", "n/a", "1 234,5", None]),
    st.dates().map(lambda day: dt.datetime.combine(day, dt.time(0))),
)


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(st.lists(workbook_cell, min_size=0, max_size=6), min_size=1, max_size=30),
    kind=st.sampled_from(["float", "mixed"]),
)
def test_workbook_blocks_hold_each_cells_text(rows: list[list[Any]], kind: str) -> None:
    if kind == "float":  # a column of numbers only, as a workbook's measures are
        rows = [[cell for cell in cells if type(cell) is float] for cells in rows]
    numbered = list(enumerate(rows, start=2))
    table = parsing.Table("xlsx", 1, HEADERS, iter(numbered))
    seen = []
    for frame in parsing.batches(table, size=7):
        seen += frame.select(pl.exclude("row")).rows()
    width = len(HEADERS) + parsing.EXTRA_COLUMNS
    expected = [
        tuple(parsing.cell_text(cell) or None for cell in [*cells[:width], *[None] * (width - len(cells))])
        for cells in rows
    ]
    assert seen == expected
