"""Reading an uploaded file into a header and a stream of rows, whatever Excel or an ERP produced.

CSV: the encoding is detected, not assumed (byte-order marks, UTF-8, UTF-16 without a mark, then
GB18030, CP1251, KOI8-R and CP866 by statistics), and so is the delimiter (, ; tab |). XLSX: the zip
is checked before openpyxl touches it (entry count, total uncompressed size, compression ratio),
defusedxml guards its XML, and the sheet is the one named after the standard or the first. In both,
the header row is found below any title rows, and rows are read lazily, so memory does not grow
with the file.

Checking works on columns: `batches(table)` turns the rows below the header into polars frames of
text cells, BATCH_ROWS at a time. CSV is read by polars itself (after transcoding to UTF-8 when the
file is in another encoding); workbooks and JSON rows are turned into text cell by cell (`cell_text`).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from django.conf import settings

from apps.submissions.csv_records import CsvRecords

HEADER_SCAN_ROWS = 20
SAMPLE_BYTES = 256 * 1024
CANDIDATE_ENCODINGS = ["gb18030", "cp1251", "koi8_r", "cp866"]
DELIMITERS = [",", ";", "\t", "|"]
BATCH_ROWS = 50_000
XLSX_LOAD_WHOLE_BYTES = 1024 * 1024
CHUNK_BYTES = 4 * 1024 * 1024  # a block's frames take about 20 times this; larger blocks gain little
EXTRA_COLUMNS = 8  # cells beyond the header's width are read into this many extra columns, to report them
csv.field_size_limit(1024 * 1024)


class FileProblem(Exception):
    """The file as a whole cannot be read; `code` and `params` make the report's message."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass
class Table:
    kind: str
    header_row: int
    headers: list[str]
    rows: Iterator[tuple[int, list[Any]]]
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    notes: dict[str, Any] = field(default_factory=dict)
    closer: Callable[[], None] | None = None
    path: Path | None = None

    def close(self) -> None:
        if self.closer is not None:
            self.closer()


def detect_kind(head: bytes) -> str:
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileProblem("old_excel")
    if head.lstrip(b"\xef\xbb\xbf \r\n\t")[:1] in (b"{", b"["):
        return "json"
    return "csv"


# --- CSV --------------------------------------------------------------------------------------------------


def detect_encoding(sample: bytes) -> str:
    for bom, name in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if sample.startswith(bom):
            return name
    if sample[:2000].count(b"\x00") > len(sample[:2000]) // 4:
        even, odd = sample[0:2000:2].count(b"\x00"), sample[1:2000:2].count(b"\x00")
        return "utf-16-be" if even > odd else "utf-16-le"
    if b"\x00" in sample:
        raise FileProblem("binary")
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(sample, final=len(sample) < SAMPLE_BYTES)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(sample, cp_isolation=CANDIDATE_ENCODINGS).best()
    if best is None:
        raise FileProblem("unknown_encoding")
    return best.encoding


def detect_delimiter(lines: list[str]) -> str:
    """The delimiter that splits the first lines most consistently into the most columns."""
    lines = [line for line in lines if line.strip()][:30]
    best, best_score = ",", -1.0
    for delimiter in DELIMITERS:
        counts = [len(next(csv.reader([line], delimiter=delimiter), [])) for line in lines]
        if not counts or max(counts) < 2:
            continue
        widest = max(counts)
        consistent = sum(1 for count in counts if count == widest) / len(counts)
        score = widest * consistent
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _csv_rows(text: Any, delimiter: str) -> Iterator[tuple[int, list[Any]]]:
    encoding = text.encoding
    reader = csv.reader(text, delimiter=delimiter)
    number = 0
    try:
        for number, cells in enumerate(reader, start=1):
            yield number, cells
    except UnicodeDecodeError:
        raise FileProblem("bad_bytes", encoding=encoding, row=number + 1) from None
    except csv.Error as error:
        raise FileProblem("bad_csv", row=number + 1, reason=str(error)) from None


def read_csv(path: Path, score: Callable[[list[Any]], int]) -> Table:
    with path.open("rb") as handle:
        sample = handle.read(SAMPLE_BYTES)
    if not sample.strip(b"\xef\xbb\xbf\xff\xfe \r\n\t\x00"):
        raise FileProblem("empty")
    encoding = detect_encoding(sample)
    try:
        text = sample.decode(encoding, errors="ignore" if len(sample) == SAMPLE_BYTES else "strict")
    except UnicodeDecodeError:
        raise FileProblem("bad_bytes", encoding=encoding, row=1) from None
    if sum(1 for ch in text[:4000] if ch < " " and ch not in "\r\n\t") > 8:
        raise FileProblem("binary")
    delimiter = detect_delimiter(text.splitlines()[:40])
    stream = io.TextIOWrapper(path.open("rb"), encoding=encoding, newline="", errors="strict")
    try:
        header_row, headers, rest = _find_header(_csv_rows(stream, delimiter), score)
    except FileProblem as problem:
        stream.close()
        if problem.code in ("bad_csv", "no_header"):  # a quote that never closes reads as either
            _check_first_records(path, encoding, delimiter)
        raise
    except BaseException:
        stream.close()
        raise
    return Table(
        "csv",
        header_row,
        headers,
        rest,
        encoding=encoding,
        delimiter=delimiter,
        closer=stream.close,
        path=path,
    )


# --- XLSX ------------------------------------------------------------------------------------------------


def check_zip(path: Path) -> None:
    """Refuse zip bombs before any XML is parsed: too many entries, too large, too compressed."""
    with path.open("rb") as handle:
        detect_kind(handle.read(8))  # an old .xls says so
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise FileProblem("bad_xlsx") from None
    with archive:
        entries = archive.infolist()
        if len(entries) > settings.HUB_XLSX_MAX_ENTRIES:
            raise FileProblem("xlsx_too_many_parts", count=len(entries))
        total = sum(entry.file_size for entry in entries)
        if total > settings.HUB_XLSX_MAX_UNCOMPRESSED:
            raise FileProblem("xlsx_too_large", size=total)
        for entry in entries:
            if entry.compress_size and entry.file_size / entry.compress_size > settings.HUB_XLSX_MAX_RATIO:
                raise FileProblem("xlsx_bomb")
            if entry.filename.startswith("/") or ".." in entry.filename.split("/"):
                raise FileProblem("bad_xlsx")
        names = {entry.filename for entry in entries}
        if "xl/workbook.xml" not in names:
            raise FileProblem("bad_xlsx")
        if "xl/vbaProject.bin" in names:
            raise FileProblem("xlsx_macros")


def read_xlsx(path: Path, score: Callable[[list[Any]], int], sheet_names: list[str]) -> Table:
    import openpyxl

    check_zip(path)
    # A workbook loaded whole holds every cell as an object (hundreds of MB for 100,000 rows), so only
    # small ones are: they give merged header cells. Larger ones are streamed (openpyxl's read-only
    # mode); both read about 6,000 rows of 15 columns a second.
    small = path.stat().st_size < XLSX_LOAD_WHOLE_BYTES
    handle = path.open("rb")  # a file object: stored originals have no .xlsx extension for openpyxl to check
    try:
        workbook = openpyxl.load_workbook(handle, read_only=not small, data_only=True)
    except Exception:
        handle.close()
        raise FileProblem("bad_xlsx") from None

    def close() -> None:
        workbook.close()
        handle.close()

    wanted = {name.casefold()[:31] for name in sheet_names}
    sheet = next((ws for ws in workbook.worksheets if ws.title.casefold() in wanted), workbook.worksheets[0])
    merged: dict[tuple[int, int], Any] = {}
    if small:
        for area in sheet.merged_cells.ranges:
            if area.min_row > HEADER_SCAN_ROWS:
                continue
            value = sheet.cell(row=area.min_row, column=area.min_col).value
            for row in range(area.min_row, area.max_row + 1):
                for column in range(area.min_col, area.max_col + 1):
                    merged[(row, column)] = value

    def rows() -> Iterator[tuple[int, list[Any]]]:
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = list(values)
            if number <= HEADER_SCAN_ROWS and merged:
                cells = [merged.get((number, column), cell) for column, cell in enumerate(cells, start=1)]
            while cells and cells[-1] is None:
                cells.pop()
            yield number, cells

    try:
        header_row, headers, rest = _find_header(rows(), score)
    except BaseException:
        close()
        raise
    return Table("xlsx", header_row, headers, rest, sheet=sheet.title, closer=close)


# --- Both -------------------------------------------------------------------------------------------------


def _find_header(
    rows: Iterator[tuple[int, list[Any]]], score: Callable[[list[Any]], int]
) -> tuple[int, list[str], Iterator[tuple[int, list[Any]]]]:
    """The row (within the first rows) whose cells name the most fields; title rows above it are skipped."""
    seen: list[tuple[int, list[Any]]] = []
    for item in rows:
        seen.append(item)
        if len(seen) >= HEADER_SCAN_ROWS:
            break
    if not any(any(cell not in (None, "") for cell in cells) for _number, cells in seen):
        raise FileProblem("empty")
    scored = [(score(cells), index) for index, (_number, cells) in enumerate(seen)]
    best_score, best_index = max(scored, key=lambda item: (item[0], -item[1]))
    if best_score == 0:
        raise FileProblem("no_header")
    number, cells = seen[best_index]
    headers = ["" if cell is None else str(cell).strip() for cell in cells]

    def rest() -> Iterator[tuple[int, list[Any]]]:
        yield from seen[best_index + 1 :]
        yield from rows

    return number, headers, rest()


# --- Batches of text columns -------------------------------------------------------------------------------


def column_names(width: int) -> list[str]:
    """c0, c1, ... for the header's columns, then x0.. for cells beyond it."""
    return [f"c{i}" for i in range(width)] + [f"x{i}" for i in range(EXTRA_COLUMNS)]


def batches(table: Table, size: int = BATCH_ROWS) -> Iterator[pl.DataFrame]:
    """The rows below the header as frames of text cells (null when empty) with their row number ("row",
    as a spreadsheet numbers it). Memory holds one batch at a time, whatever the file's size."""
    if table.kind == "csv" and table.path is not None:
        yield from _csv_batches(table, size)
        return
    width = len(table.headers)
    names = column_names(width)
    numbers: list[int] = []
    columns: list[list[str | None]] = [[] for _name in names]
    for number, cells in table.rows:
        numbers.append(number)
        texts = [cell_text(cell) for cell in cells[: width + EXTRA_COLUMNS]]
        texts += [None] * (len(names) - len(texts))
        for column, text in zip(columns, texts, strict=True):
            column.append(text)
        if len(numbers) >= size:
            yield _frame(numbers, names, columns)
            numbers, columns = [], [[] for _name in names]
    if numbers:
        yield _frame(numbers, names, columns)


def data_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """The batch without its blank rows (every cell empty or spaces), cells stripped, empty as ""."""
    cells = [name for name in frame.columns if name != "row"]
    frame = frame.with_columns(pl.col(cells).str.strip_chars().fill_null(""))
    return frame.filter(~pl.all_horizontal([pl.col(name) == "" for name in cells]))


def has_data_rows(table: Table) -> bool:
    """Whether any row below the header holds a cell (reads up to the first such row)."""
    return any(data_rows(frame).height for frame in batches(table))


def _frame(numbers: list[int], names: list[str], columns: list[list[str | None]]) -> pl.DataFrame:
    data: dict[str, pl.Series] = {"row": pl.Series("row", numbers, dtype=pl.UInt32)}
    for name, column in zip(names, columns, strict=True):
        data[name] = pl.Series(name, column, dtype=pl.String)
    return pl.DataFrame(data)


def cell_text(value: Any) -> str | None:
    """A workbook's or JSON document's cell as the text a CSV export would hold, without ambiguity:
    dates in ISO form, numbers with a decimal point and never exactly three decimals (which a
    decimal-comma file would read as thousands)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return str(value)
        text = format(value, ".15g") if abs(value) < 1e15 else repr(value)
        if "e" in text:
            from decimal import Decimal

            text = format(Decimal(repr(value)), "f")
        tail = text.partition(".")[2]
        return f"{text}0" if len(tail) == 3 else text
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _csv_batches(table: Table, size: int) -> Iterator[pl.DataFrame]:
    """Polars reads the file a block of whole records at a time (CHUNK_BYTES, cut where a record ends:
    CsvRecords), after strict decoding from the detected encoding. Memory holds one block and at most
    one record of HUB_CSV_MAX_RECORD_BYTES."""
    assert table.path is not None
    names = column_names(len(table.headers))
    schema = {name: pl.String for name in names}
    delimiter = table.delimiter or ","
    records = CsvRecords(delimiter, settings.HUB_CSV_MAX_RECORD_BYTES)
    skip, row = table.header_row, table.header_row + 1
    for data, final in _utf8_chunks(table.path, table.encoding or "utf-8"):
        records.feed(data)
        if skip:  # the title rows and the header, which may reach over several chunks
            skip -= records.skip(skip)
            if skip:
                if final:
                    return
                continue
        block = records.finish() if final else records.take()
        if block:
            try:
                frame = pl.read_csv(
                    b"\n" + block,  # polars sizes its buffers by the first line: a blank one, dropped below
                    has_header=False,
                    separator=delimiter,
                    schema=schema,
                    truncate_ragged_lines=True,
                    missing_columns="insert",
                    extra_columns="ignore",  # else a block whose first row is wider is refused
                    raise_if_empty=False,
                )
            except pl.exceptions.PolarsError as error:
                reason = str(error).splitlines()[0][:200]
                raise FileProblem("bad_csv", row=row, reason=reason) from None
            frame = frame.slice(1)
            if frame.height:
                yield frame.with_row_index("row", offset=row)
                row += frame.height


def _check_first_records(path: Path, encoding: str, delimiter: str) -> None:
    """Raise the problem of the first records (those the header is looked for in) if one of them is
    longer than the limit or has a quote that never closes: the standard library's reader, which
    reads them, only says that a cell is too large, or finds no header in a row that swallowed the file."""
    records = CsvRecords(delimiter, settings.HUB_CSV_MAX_RECORD_BYTES)
    wanted = HEADER_SCAN_ROWS
    for data, final in _utf8_chunks(path, encoding):
        records.feed(data)
        wanted -= records.skip(wanted)
        if not wanted:
            return
        if final:
            records.finish()
            return


def _utf8_chunks(path: Path, encoding: str) -> Iterator[tuple[bytes, bool]]:
    """The file as UTF-8, CHUNK_BYTES at a time, strictly decoded from `encoding` (without a byte-order
    mark), each with whether it is the last."""
    recode = encoding not in ("utf-8", "utf-8-sig")
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    lines, first = 0, True
    with path.open("rb") as source:
        while True:
            raw = source.read(CHUNK_BYTES)
            try:
                text = decoder.decode(raw, final=not raw)
            except UnicodeDecodeError as error:
                bad = lines + raw[: error.start].count(b"\n") + 1
                raise FileProblem("bad_bytes", encoding=encoding, row=bad) from None
            data = text.encode("utf-8") if recode else raw
            if first and data.startswith(codecs.BOM_UTF8):
                data = data[len(codecs.BOM_UTF8) :]
            first = False
            lines += data.count(b"\n")
            yield data, not raw
            if not raw:
                return
