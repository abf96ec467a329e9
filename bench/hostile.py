"""Hostile files through the worker's real reading and checking path (make bench-hostile;
docs/performance.md has the latest figures).

Each kind of file is made at two sizes (1 MB and 4 MB by default) and checked by checking.check_table in
a fresh process (bench/stage.py, as bench/ingest.py does), which is ended after --timeout seconds. The
table gives, per size, the seconds, the process's peak memory and what the file got (its rows, or the
problem that refused it), and the ratio of the larger size's time to the smaller's: about 4 when the
work grows linearly with the file, about 1 when the file is refused after a bounded amount of reading.
Peak memory includes about 240 MB of Django, polars and the standards; it should not grow with the file.

A kind is a Case: a name, the file's kind (csv; xlsx and json go through the same checking.open_table), and
a function that writes such a file of about the given size.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alliance.settings")

import stage  # bench/stage.py, next to this file
from ingest import HEADERS, PERIOD, shipment_lines

ROOT = Path(__file__).resolve().parent.parent
MB = 1024 * 1024
GOOD_ROWS = 100  # good rows before the hostile part: past the rows the header is looked for in


@dataclass
class Case:
    name: str
    kind: str  # csv, xlsx or json: how checking.open_table opens it
    write: Callable[[Path, int], None]  # writes such a file of about `size` bytes at the path


def csv_case(name: str, write: Callable[[IO[str], int], None]) -> Case:
    def to_path(path: Path, size: int) -> None:
        with path.open("w", encoding="utf-8", newline="") as out:
            write(out, size)

    return Case(name, "csv", to_path)


def _lines(size: int, lines: Iterator[str], out: IO[str]) -> None:
    """Write `lines` until about `size` bytes are written."""
    written = 0
    for line in lines:
        if written >= size:
            return
        out.write(line)
        written += len(line)


def _start(out: IO[str], headers: list[str] = HEADERS) -> int:
    head = ",".join(headers) + "\r\n" + "".join(shipment_lines(GOOD_ROWS))
    out.write(head)
    return len(head)


def _later_lines() -> Iterator[str]:
    """Data lines of other shipment groups than the good rows' and the stray quote's."""
    lines = shipment_lines(10_000_000)
    for _ in range(GOOD_ROWS + 1):
        next(lines)
    return lines


def _stray_quote_row() -> str:
    cells = list(shipment_lines(GOOD_ROWS + 1))[-1].split(",")
    cells[5] = '"' + cells[5]  # the border crossing opens a quote that never closes
    return ",".join(cells)


def stray_quote_then_blank_lines(out: IO[str], size: int) -> None:
    done = _start(out) + out.write(_stray_quote_row())
    out.write("\r\n" * max(0, (size - done) // 2))


def stray_quote_then_data_rows(out: IO[str], size: int) -> None:
    done = _start(out) + out.write(_stray_quote_row())
    _lines(size - done, _later_lines(), out)


def inch_marks(out: IO[str], size: int) -> None:
    """Every row has a note with inch marks in an unquoted cell (the column is not in the standard)."""
    done = _start(out, [*HEADERS, "Note"])
    notes = ['1/2" pipe', '12" x 18" crate', "5'6\" pallet"]
    lines = (f"{line[:-2]},{notes[number % 3]}\r\n" for number, line in enumerate(_later_lines()))
    _lines(size - done, lines, out)


def long_quoted_cell(out: IO[str], size: int) -> None:
    """One row's note is a quoted cell that fills the file, closed at its end (at 1 MB, just within the
    row limit)."""
    done = _start(out, [*HEADERS, "Note"])
    line = list(shipment_lines(GOOD_ROWS + 1))[-1]
    out.write(line[:-2] + ',"' + "x" * max(0, size - done - 200) + '"\r\n')


def many_columns(out: IO[str], size: int) -> None:
    """Rows of 20,000 cells, all beyond the header's 15 columns but the first 15."""
    done = _start(out)
    extra = ",0" * 20_000
    _lines(size - done, (line[:-2] + extra + "\r\n" for line in _later_lines()), out)


def long_line(out: IO[str], size: int) -> None:
    """After the good rows, one line of the file's size without a line break."""
    done = _start(out)
    out.write("0," * max(0, (size - done) // 2))


def every_cell_quoted(out: IO[str], size: int) -> None:
    """A normal file, for comparison: what many ERPs write, every cell in quotes."""
    out.write('"' + '","'.join(HEADERS) + '"\r\n')
    lines = ('"' + '","'.join(line[:-2].split(",")) + '"\r\n' for line in shipment_lines(10_000_000))
    _lines(size, lines, out)


def plain_rows(out: IO[str], size: int) -> None:
    """A normal file, for comparison."""
    out.write(",".join(HEADERS) + "\r\n")
    _lines(size, shipment_lines(10_000_000), out)


def _workbook(path: Path, size: int, cells: Callable[[int, list[str]], list[object]]) -> None:
    """A workbook (sheet named after the standard) of good rows turned by `cells`, written until the
    file would be about `size` bytes (estimated from the rows' text, as deflate packs it)."""
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("tomato-paste.exports")
    sheet.append(HEADERS)
    written = 0
    for number, line in enumerate(shipment_lines(10_000_000)):
        row = cells(number, line[:-2].split(","))
        sheet.append(row)
        written += sum(len(str(cell)) for cell in row) // 3  # about what deflate leaves of it
        if written >= size:
            break
    workbook.save(path)


def workbook_big_cells(path: Path, size: int) -> None:
    """Every row with an 8 KB cell of text that does not compress (hex), as its payment terms."""
    _workbook(path, size, lambda number, cells: [*cells[:14], os.urandom(4096).hex()])


def workbook_compressed_sheet(path: Path, size: int) -> None:
    """A sheet of one repeated cell: it packs far beyond any real spreadsheet's ratio."""
    _workbook(path, size * 60, lambda number, cells: ["x" * 2000] * 15)


def json_rows(path: Path, size: int) -> None:
    """JSON rows of the standard, as the API's JSON body is stored."""
    import json

    import yaml

    definition = yaml.safe_load((ROOT / "standards" / "tomato-paste.exports" / "1.0.0.yaml").read_text())
    names = [field["name"] for field in definition["fields"] if "derived" not in field]  # HEADERS' order
    rows, written = [], 0
    for line in shipment_lines(10_000_000):
        row = dict(zip(names, line[:-2].split(","), strict=False))
        rows.append(row)
        written += len(line) * 2
        if written >= size:
            break
    path.write_text(json.dumps({"rows": rows}))


def json_nested(path: Path, size: int) -> None:
    """Brackets nested as deep as the file is long."""
    half = size // 2
    path.write_text("[" * half + "]" * half)


CASES = [
    csv_case("plain rows (normal)", plain_rows),
    csv_case("every cell quoted (normal)", every_cell_quoted),
    csv_case("stray quote, then blank lines", stray_quote_then_blank_lines),
    csv_case("stray quote, then data rows", stray_quote_then_data_rows),
    csv_case("inch marks in unquoted cells", inch_marks),
    csv_case("one very long quoted cell", long_quoted_cell),
    csv_case("20,000 columns a row", many_columns),
    csv_case("one long line, no line break", long_line),
    Case("workbook: 8 KB cells that do not compress", "xlsx", workbook_big_cells),
    Case("workbook: a sheet packed beyond any real ratio", "xlsx", workbook_compressed_sheet),
    Case("JSON rows (normal)", "json", json_rows),
    Case("JSON nested as deep as it is long", "json", json_nested),
]


def outcome(result: dict | None) -> str:
    if result is None:
        return "not finished"
    if result["rows"] and not result["errors"]:
        return f"{result['rows']:,} rows"
    return f"{result['rows']:,} rows, " + ", ".join(result["codes"][:2])


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="1,4", help="file sizes in MB, comma-separated (default 1,4)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds a file may take (default 120)")
    parser.add_argument("--only", default="", help="only the cases whose name contains this")
    options = parser.parse_args()
    sizes = [float(size) for size in options.sizes.split(",")]
    folder = Path(tempfile.mkdtemp(prefix="hub-hostile-"))
    print(
        f"machine: {os.cpu_count()} cores ({cpu_model()}) · Python {platform.python_version()} · "
        f"{dt.date.today().isoformat()} · timeout {options.timeout:.0f} s"
    )
    columns = [f"{size:g} MB: {what}" for size in sizes for what in ("s", "peak MB", "result")]
    print("| case | " + " | ".join(columns) + f" | time {sizes[-1]:g} MB / {sizes[0]:g} MB |")
    print("|---" * (len(columns) + 2) + "|")
    for case in CASES:
        if options.only not in case.name:
            continue
        cells, seconds = [], []
        for size in sizes:
            path = folder / f"{len(seconds)}.{case.kind}"
            case.write(path, int(size * MB))
            result = stage.in_own_process(
                stage.check_file, str(path), PERIOD, case.kind, timeout=options.timeout
            )
            path.unlink()
            if result is None:
                cells += [f"> {options.timeout:.0f}", "", outcome(result)]
                seconds.append(None)
            else:
                cells += [f"{result['seconds']:.2f}", f"{result['max_rss_mb']:.0f}", outcome(result)]
                seconds.append(result["seconds"])
        first, last = seconds[0], seconds[-1]
        ratio = f"{last / first:.1f}" if first and last else "—"
        print(f"| {case.name} | " + " | ".join(cells) + f" | {ratio} |", flush=True)
    folder.rmdir()


if __name__ == "__main__":
    main()
