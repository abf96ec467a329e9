"""Reading an uploaded file into a header and a stream of rows, whatever Excel or an ERP produced.

CSV: the encoding is detected, not assumed (byte-order marks, UTF-8, UTF-16 without a mark, then
GB18030, CP1251, KOI8-R and CP866 by statistics), and so is the delimiter (, ; tab |). XLSX: the zip
is checked before any reader touches it (entry count, total uncompressed size, compression ratio,
macros, and no DOCTYPE or entity declarations in any XML part), then python-calamine reads the sheet
named after the standard or the first; its rows are turned into Python objects one at a time, numbered
as the spreadsheet numbers them. In both, the header row is found below any title rows, and memory
holds a block of rows at a time; a workbook's cells also sit in the compiled reader (about the size of
the sheet's XML, twice that while it reads the sheet).

Checking works on columns: `batches(table)` turns the rows below the header into polars frames of
text cells. CSV is read by polars itself, CHUNK_BYTES at a time (after transcoding to UTF-8 when the
file is in another encoding); workbooks and JSON rows, BATCH_ROWS at a time, are turned into text a
column at a time (`column_texts`: texts as they are, numbers by polars, anything else by `cell_text`).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import html
import io
import itertools
import json
import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import polars as pl
from django.conf import settings

from apps.submissions.csv_records import CsvRecords
from apps.submissions.messages import FileProblem

HEADER_SCAN_ROWS = 20
SAMPLE_BYTES = 256 * 1024
CANDIDATE_ENCODINGS = ["gb18030", "cp1251", "koi8_r", "cp866"]
DELIMITERS = [",", ";", "\t", "|"]
BATCH_ROWS = 10_000  # workbook or JSON rows a block; as Python objects, about 3 kB a row of 15 cells
CHUNK_BYTES = 4 * 1024 * 1024  # a block's frames take about 20 times this; larger blocks gain little
EXTRA_COLUMNS = 8  # cells beyond the header's width are read into this many extra columns, to report them
XML_PARTS = (".xml", ".rels", ".vml")
XML_HEAD_BYTES = 4096  # real workbooks reach their root element within the first 100 bytes of a part
PLAIN_PROLOG = re.compile(r"\s*(?:<\?.*?\?>\s*|<!--.*?-->\s*)*<[^!?/\s]", re.DOTALL)
ERROR_TYPE = re.compile(rb"\st\s*=\s*[\"']e[\"']")
CELL_TAG = re.compile(rb"<(?:[\w.-]+:)?c\s[^<>]*>")
CELL_REFERENCE = re.compile(rb"\sr\s*=\s*[\"']([A-Z]{1,3})([0-9]+)[\"']")
CELL_END = re.compile(rb"</(?:[\w.-]+:)?c>")
CELL_VALUE = re.compile(rb"<(?:[\w.-]+:)?v>([^<]*)</(?:[\w.-]+:)?v>")
csv.field_size_limit(1024 * 1024)
T = TypeVar("T")


@dataclass
class Table:
    kind: str
    header_row: int
    headers: list[str]
    rows: Iterator[tuple[int, list[Any]]]
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
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


def read_json(path: Path) -> Table:
    """JSON rows (`{"rows": [{field: value, ...}, ...]}`, or the bare list) as a table: the header is every
    key in the order the rows first use it; objects and lists in a cell are kept as their JSON text."""
    try:
        content = json.loads(path.read_bytes())
        rows = content["rows"] if isinstance(content, dict) else content
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            raise ValueError("rows must be a list of objects")
    except (ValueError, KeyError, TypeError, RecursionError) as error:
        raise FileProblem("bad_json", reason=str(error)[:200]) from None
    if not rows:
        raise FileProblem("no_rows")
    headers: list[str] = []
    for row in rows:
        headers += [key for key in row if key not in headers]

    def cell(value: Any) -> Any:
        return json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else value

    lines = ((number, [cell(row.get(h)) for h in headers]) for number, row in enumerate(rows, start=1))
    return Table("json", 0, headers, iter(lines))


def check_zip(path: Path) -> None:
    """Refuse zip bombs and XML tricks before any XML is parsed: too many entries, too large, too
    compressed, macros, and XML parts that declare anything (a DOCTYPE, so entities) before their root
    element. The workbook reader parses XML in compiled code that defusedxml cannot guard, so this
    check is what refuses entity expansion."""
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
            raise FileProblem("xlsx_too_large")
        strings = sum(e.file_size for e in entries if e.filename.lower() == "xl/sharedstrings.xml")
        if strings > settings.HUB_XLSX_MAX_SHARED_STRINGS:  # read whole, about four times its size
            raise FileProblem("xlsx_too_large")
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
        for entry in entries:
            if entry.filename.lower().endswith(XML_PARTS) and not _plain_xml(archive, entry):
                raise FileProblem("bad_xlsx")


def _plain_xml(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> bool:
    """Whether the part's head goes from the XML declaration (comments, processing instructions) straight
    to the root element, with no <!DOCTYPE> or <!ENTITY> declarations on the way."""
    try:
        with archive.open(entry) as part:
            head = part.read(XML_HEAD_BYTES)
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError, zlib.error):
        return False  # unreadable, encrypted or compressed in a way the reader may not share
    if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        text = head.decode("utf-16", errors="replace")
    else:
        text = head.decode("utf-8", errors="replace").removeprefix("\ufeff")
    return not text.strip() or PLAIN_PROLOG.match(text) is not None


def read_xlsx(path: Path, score: Callable[[list[Any]], int], sheet_names: list[str]) -> Table:
    """The sheet named after the standard (else the first worksheet), read by python-calamine: numbered
    as the spreadsheet numbers its rows and columns, merged cells in the header area filled with their
    top-left value, error cells (#N/A) as the text Excel shows. The reader holds the sheet's cells in
    compiled memory; Python objects are made a row at a time."""
    check_zip(path)
    workbook, name, sheet, errors = _open_sheet(path, sheet_names)
    spans = _merged_header_cells(sheet)
    try:
        header_row, headers, rest = _find_header(_sheet_rows(sheet, errors, spans), score)
    except BaseException:
        workbook.close()
        raise
    return Table("xlsx", header_row, headers, rest, sheet=name, closer=workbook.close)


def _open_sheet(path: Path, sheet_names: list[str]) -> tuple[Any, str, Any, dict[int, dict[int, str]]]:
    """(workbook, the sheet's name, the sheet read, its error cells by row and column); the workbook is
    closed again when this fails."""
    import python_calamine

    workbook = _calamine(lambda: python_calamine.CalamineWorkbook.from_path(path))
    try:
        worksheets = [
            sheet.name
            for sheet in workbook.sheets_metadata
            if sheet.typ == python_calamine.SheetTypeEnum.WorkSheet
        ]
        if not worksheets:
            raise FileProblem("bad_xlsx")
        wanted = {name.casefold()[:31] for name in sheet_names}
        name = next((title for title in worksheets if title.casefold() in wanted), worksheets[0])
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="hub-xlsx") as pool:
            scan = pool.submit(_error_cells, path, name)  # on another core while the reader reads the sheet
            sheet = _calamine(lambda: workbook.get_sheet_by_name(name))
            errors = scan.result()
    except BaseException:
        workbook.close()
        raise
    return workbook, name, sheet, errors


def _merged_header_cells(sheet: Any) -> dict[int, list[tuple[int, int, int]]]:
    """The merged cells within the first HEADER_SCAN_ROWS rows: for each row, (column, from row, from
    column) of every cell that takes the value of its range's top-left cell."""
    width = sheet.end[1] + 1 if sheet.end else 0
    spans: dict[int, list[tuple[int, int, int]]] = {}
    room = HEADER_SCAN_ROWS * width  # ranges that do not overlap cover the header area at most once
    for (first_row, first_column), (last_row, last_column) in sheet.merged_cell_ranges or []:
        rows_covered = range(first_row + 1, min(last_row + 1, HEADER_SCAN_ROWS) + 1)
        columns = range(first_column, min(last_column + 1, width))
        room -= len(rows_covered) * len(columns)
        if room < 0:
            break  # overlapping ranges: a broken or hostile sheet, not filled any further
        for row in rows_covered:
            spans.setdefault(row, []).extend((column, first_row + 1, first_column) for column in columns)
    return spans


def _sheet_rows(
    sheet: Any, errors: dict[int, dict[int, str]], spans: dict[int, list[tuple[int, int, int]]]
) -> Iterator[tuple[int, list[Any]]]:
    """The sheet's rows as (number, cells), error cells and merged header cells filled in."""
    # python-calamine yields the empty rows above the sheet's first cell, but starts every row at the
    # sheet's first column: the `left` empty columns before it are put back.
    left = sheet.start[1] if sheet.start else 0
    pad = [""] * left
    above: list[list[Any]] = []
    for number, values in enumerate(sheet.iter_rows(), start=1):
        cells = pad + values if left else values
        if number in errors:
            for column, text in errors[number].items():
                cells += [""] * (column + 1 - len(cells))
                cells[column] = text
        if number <= HEADER_SCAN_ROWS:
            for column, source_row, source_column in spans.get(number, ()):
                source = cells if source_row == number else above[source_row - 1]
                value = source[source_column] if source_column < len(source) else ""
                cells += [""] * (column + 1 - len(cells))
                cells[column] = value
            above.append(cells)
        while cells and cells[-1] == "":
            cells.pop()
        yield number, cells


def _calamine(call: Callable[[], T]) -> T:
    """`call()`, with any failure of the compiled reader (a Rust panic too) as an unreadable workbook."""
    try:
        return call()
    except BaseException as error:
        if isinstance(error, Exception) or type(error).__name__ == "PanicException":
            raise FileProblem("bad_xlsx") from None
        raise


def _error_cells(path: Path, sheet: str) -> dict[int, dict[int, str]]:
    """The sheet's cells that hold an error value (#DIV/0!, #N/A), as {row: {column from 0: text}}.
    The workbook reader gives them as empty cells; Excel shows them, and writes them so to CSV, as text.
    One pass over the sheet's XML: whole rows a block at a time, searched only where a block has one."""
    found: dict[int, dict[int, str]] = {}
    try:
        with zipfile.ZipFile(path) as archive:
            part = _sheet_part(archive, sheet)
            if part is None:
                return found
            with archive.open(part) as stream:
                pending = b""
                while True:
                    chunk = stream.read(CHUNK_BYTES)
                    data = pending + chunk
                    cut = data.rfind(b"row>") + 4 if chunk else len(data)  # </row>, also with a prefix
                    if cut < 4:
                        pending = data
                        continue
                    block, pending = data[:cut], data[cut:]
                    if b'"e"' in block or b"'e'" in block:
                        for row, column, text in _errors_in(block):
                            found.setdefault(row, {})[column] = text
                    if not chunk:
                        return found
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError, zlib.error):
        raise FileProblem("bad_xlsx") from None  # a damaged sheet (its checksum, say)


def _errors_in(block: bytes) -> Iterator[tuple[int, int, str]]:
    for match in ERROR_TYPE.finditer(block):
        start, end = block.rfind(b"<", 0, match.start()), block.find(b">", match.end())
        tag = CELL_TAG.fullmatch(block, start, end + 1) if 0 <= start < end else None
        if tag is None or tag[0].endswith(b"/>"):
            continue
        reference = CELL_REFERENCE.search(tag[0])
        if reference is None:
            continue
        close = CELL_END.search(block, end)
        value = CELL_VALUE.search(block, end, close.start() if close else len(block))
        if value:
            column = 0
            for letter in reference[1]:
                column = column * 26 + letter - 64
            yield int(reference[2]), column - 1, html.unescape(value[1].decode("utf-8", errors="replace"))


def _sheet_part(archive: zipfile.ZipFile, sheet: str) -> str | None:
    """The zip entry of the sheet named `sheet`, from the workbook and its relationships."""
    from defusedxml import DefusedXmlException, ElementTree

    try:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        relations = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError, DefusedXmlException):
        return None
    ids = [
        value
        for element in workbook.iter()
        if element.tag.rpartition("}")[2] == "sheet" and element.get("name") == sheet
        for key, value in element.attrib.items()
        if key.endswith("}id")
    ]
    targets = [
        element.get("Target", "")
        for element in relations.iter()
        if element.tag.rpartition("}")[2] == "Relationship" and ids and element.get("Id") == ids[0]
    ]
    if not targets:
        return None
    target = targets[0]
    part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
    return part if part in archive.namelist() else None


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
    as a spreadsheet numbers it). Memory holds one batch at a time, whatever the file's size.

    A NUL character is not text (PostgreSQL cannot store it): the first row holding one stops the file
    with the `nul_character` problem, instead of failing when the rows are written."""
    if table.kind == "csv" and table.path is not None:
        yield from _csv_batches(table, size)  # looks for NUL in a block's bytes, where it is cheap
        return
    names = column_names(len(table.headers))
    for block in _blocks(table.rows, size):
        yield _refuse_nul(_frame(block, names))


def _refuse_nul(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame, unless a cell holds a NUL character: then `nul_character` with the first such row."""
    cells = [name for name in frame.columns if name != "row"]
    damaged = frame.filter(
        pl.any_horizontal([pl.col(name).str.contains("\x00", literal=True) for name in cells])
    )
    if damaged.height:
        raise FileProblem("nul_character", row=int(damaged.get_column("row")[0]))
    return frame


def _blocks(rows: Iterator[tuple[int, list[Any]]], size: int) -> Iterator[list[tuple[int, list[Any]]]]:
    """Workbook and JSON rows `size` at a time, or fewer once their text reaches CHUNK_BYTES (as a CSV
    block), so that large cells do not make a block large."""
    block: list[tuple[int, list[Any]]] = []
    held = 0
    for item in rows:
        block.append(item)
        held += sum(len(cell) for cell in item[1] if isinstance(cell, str))
        if len(block) >= size or held >= CHUNK_BYTES:
            yield block
            block, held = [], 0
    if block:
        yield block


def data_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """The batch without its blank rows (every cell empty or spaces), cells stripped, empty as ""."""
    cells = [name for name in frame.columns if name != "row"]
    frame = frame.with_columns(pl.col(cells).str.strip_chars().fill_null(""))
    return frame.filter(~pl.all_horizontal([pl.col(name) == "" for name in cells]))


def has_data_rows(table: Table) -> bool:
    """Whether any row below the header holds a cell (reads up to the first such row)."""
    return any(data_rows(frame).height for frame in batches(table))


def _frame(block: list[tuple[int, list[Any]]], names: list[str]) -> pl.DataFrame:
    """A batch of workbook or JSON rows as text columns, turned column by column (`column_texts`)."""
    width = len(names)
    rows = [cells for _number, cells in block]
    if max(map(len, rows)) > width:
        rows = [cells[:width] for cells in rows]
    columns = list(itertools.zip_longest(*rows))
    empty = pl.repeat(None, len(rows), dtype=pl.String, eager=True)  # columns no row reaches
    data = {"row": pl.Series("row", [number for number, _cells in block], dtype=pl.UInt32)}
    for index, name in enumerate(names):
        data[name] = (column_texts(columns[index]) if index < len(columns) else empty).alias(name)
    return pl.DataFrame(data)


def column_texts(cells: Sequence[Any]) -> pl.Series:
    """`cell_text` of every cell, and null for empty ones: texts as they are, and columns of numbers and
    texts (a workbook's measures, empty cells among them) turned by polars, not one cell at a time."""
    kinds = set(map(type, cells))
    if kinds <= {str, type(None)}:
        texts = pl.Series(cells, dtype=pl.String)
    elif kinds == {float}:
        texts = _number_texts(pl.Series(cells, dtype=pl.Float64))
    elif kinds <= {float, str, type(None)}:
        numbers = pl.Series([cell if type(cell) is float else None for cell in cells], dtype=pl.Float64)
        words = pl.Series([cell if type(cell) is str else None for cell in cells], dtype=pl.String)
        texts = _number_texts(numbers)
        texts = texts.zip_with(texts.is_not_null(), words)
    else:
        texts = pl.Series([cell_text(cell) for cell in cells], dtype=pl.String)
    return texts.replace("", None)


def _number_texts(numbers: pl.Series) -> pl.Series:
    """`cell_text` of floats in bulk. Whole numbers below 10^15 are their digits. Others between 10^-4
    and 10^15 whose shortest form has at most 15 digits (at most 16 characters besides the sign) are
    that form, which is then what Python's 15-digit format gives. The rest (more digits, exponents,
    -0.0, NaN) go one by one. In steps, so that polars makes each column once."""
    value, shortest, point, size = pl.col("v"), pl.col("s"), pl.col("p"), pl.col("n")
    frame = pl.DataFrame({"v": numbers}).with_columns(s=value.cast(pl.String))
    frame = frame.with_columns(p=shortest.str.find(".", literal=True), n=shortest.str.len_bytes())
    frame = frame.with_columns(
        whole=(value.abs() < 1e15) & (value == value.floor()) & ~((value == 0) & (1 / value < 0)),
        plain=(value.abs() >= 1e-4)
        & (value.abs() < 1e15)
        & point.is_not_null()
        & (size - (value < 0).cast(pl.UInt32) <= 16)
        & ~shortest.str.contains("e", literal=True),
    )
    three = frame.select(pl.col("plain") & (size - point == 4)).to_series()
    if three.any():  # never three decimals
        frame = frame.with_columns(s=pl.when(three).then(shortest + "0").otherwise(shortest))
    texts = frame.select(
        pl.when("whole").then(value.cast(pl.Int64).cast(pl.String)).when("plain").then(shortest).alias("t")
    ).to_series()
    rest = (texts.is_null() & numbers.is_not_null()).arg_true()
    if rest.len():
        texts = texts.scatter(rest, [cell_text(number) for number in numbers.gather(rest).to_list()])
    return texts


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
            frame = frame.slice(1).with_row_index("row", offset=row)
            if frame.height:
                yield _refuse_nul(frame) if b"\x00" in block else frame
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
