"""Ingestion speed on this machine, measured in one run (make bench; docs/performance.md has the latest).

(a) the validation stage alone (read, map headers, convert, validate; nothing stored) in rows/s, and
    as a ratio to `frictionless validate` of the same file against the equivalent Table Schema;
(b) end to end (POST to /api/v1/submissions/ with a token, processed by the same code the worker
    runs, until accepted and stored) in rows/s, and as a ratio to a plain PostgreSQL COPY of the same
    rows into a table of the same shape;
plus the peak memory of the validation stage for three file sizes (it should not grow with the file),
(c) how long a normal monthly file takes from the POST until its status is final, with a real worker, and
(d) the validation stage of the same rows as an XLSX workbook (--xlsx-rows, 100,000 by default), read by
    python-calamine, in rows/s and as a ratio to openpyxl merely reading every cell of the same file
    (read-only, values only), with the peak memory of each in a process of its own.

`--case d` runs one case alone (repeat it for several); all four run by default. `--repeat 3` runs
(d)'s two stages three times in turns and keeps the fastest of each.

Runs against the embedded database of `make run` (or DATABASE_URL), as the demo firm red-valley-tomato,
for period 2030-01 so that it does not touch the demo's own data.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alliance.settings")

import stage  # bench/stage.py, next to this file

PERIOD = "2030-01"
HEADERS = [
    "Period",
    "Product",
    "HS code",
    "Destination country",
    "Incoterm",
    "Border crossing",
    "Transport mode",
    "Packaging",
    "Quantity (t)",
    "Value",
    "Currency",
    "Brix",
    "Bostwick consistency",
    "Colour a/b",
    "Payment terms",
]


def shipment_lines(rows: int) -> Iterator[str]:
    """The data lines of a monthly file: every row a distinct shipment group; amounts nearly all distinct,
    as in real files."""
    products = [
        "hot-break-28-30",
        "hot-break-30-32",
        "hot-break-36-38",
        "cold-break-28-30",
        "cold-break-30-32",
        "cold-break-36-38",
    ]
    import pycountry

    countries = [c.alpha_2 for c in pycountry.countries]
    incoterms = ["EXW", "FCA", "CPT", "CIP", "DAP", "DPU", "DDP", "FAS", "FOB", "CFR", "CIF"]
    crossings = ["khorgos", "alashankou", "torugart", "irkeshtam", "baketu", "sea"]
    modes = ["road", "rail", "multimodal", "sea", "air"]
    packaging = ["aseptic-drum", "bag-in-box", "tin"]
    combos = itertools.product(products, countries, incoterms, crossings, modes, packaging)
    for number, (product, country, incoterm, crossing, mode, pack) in enumerate(combos):
        if number >= rows:
            break
        quantity = f"{1 + (number * 7) % 900}.{number % 97:02d}"  # about 87,000 distinct values
        value = f"{(number * 7919) % 100_000_000 / 100:.2f}"  # nearly every row its own amount
        yield (
            f"{PERIOD},{product},200290,{country},{incoterm},{crossing},{mode},{pack},{quantity},"
            f"{value},USD,{28 + number % 10}.{number % 10},{4 + number % 5}.5,2.1{number % 10},"
            f"{30 + number % 60}\r\n"
        )


def make_file(path: Path, rows: int) -> None:
    """A monthly file of `rows` rows (shipment_lines) below the header."""
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(",".join(HEADERS) + "\r\n")
        out.writelines(shipment_lines(rows))


NUMBERS = {2: int, 8: float, 9: float, 11: float, 12: float, 13: float, 14: int}  # typed cells in Excel


def make_workbook(path: Path, rows: int) -> None:
    """The monthly file of `make_file` as a workbook, on a sheet named after the standard, with numbers as
    number cells (as a firm's spreadsheet holds them) and the rest as text."""
    import csv

    import openpyxl

    source = path.with_suffix(".csv")
    make_file(source, rows)
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("tomato-paste.exports")
    with source.open(encoding="utf-8", newline="") as lines:
        reader = csv.reader(lines)
        sheet.append(next(reader))
        for cells in reader:
            sheet.append([NUMBERS[i](cell) if i in NUMBERS else cell for i, cell in enumerate(cells)])
    workbook.save(path)
    source.unlink()


def table_schema_file(path: Path) -> Path:
    import django

    django.setup()
    from apps.standards.definition import table_schema
    from apps.standards.models import StandardVersion

    version = StandardVersion.objects.get(standard__code="tomato-paste.exports", version="1.0.0")
    schema = table_schema(version, "en")
    titles = {f["name"]: f["title"] for f in schema["fields"]}
    for field in schema["fields"]:  # the file's headers carry units in brackets; the schema names them so
        field["name"] = next(h for h in HEADERS if h.split(" (")[0] == titles[field["name"]])
    schema.pop("primaryKey", None)
    target = path.with_suffix(".schema.json")
    target.write_text(json.dumps(schema, ensure_ascii=False))
    return target


def validation_stage(path: Path) -> dict:
    """The worker's validation stage on the file, in a fresh process of its own (its peak memory its own)."""
    kind = "xlsx" if path.suffix == ".xlsx" else "csv"
    result = stage.in_own_process(stage.check_file, str(path), PERIOD, kind)
    assert result is not None
    return result


def _openpyxl_reading(path: str) -> dict:
    """openpyxl reading every cell of the workbook's first sheet (read-only, values only), nothing else."""
    import openpyxl

    started = time.perf_counter()
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    rows = cells = 0
    for values in workbook.worksheets[0].iter_rows(values_only=True):
        rows += 1
        cells += sum(1 for value in values if value is not None)
    workbook.close()
    return {
        "rows": rows - 1,  # the header is no data row
        "cells": cells,
        "seconds": time.perf_counter() - started,
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def openpyxl_reading(path: Path) -> dict:
    """In a fresh process of its own, as the validation stage runs."""
    result = stage.in_own_process(_openpyxl_reading, str(path))
    assert result is not None
    return result


def frictionless_stage(path: Path, schema: Path) -> dict:
    executable = Path(sys.executable).with_name("frictionless")
    started = time.perf_counter()
    completed = subprocess.run(
        [
            str(executable),
            "validate",
            path.name,
            "--schema",
            schema.name,
            "--limit-errors",
            "1000000",
            "--json",
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=path.parent,  # it refuses paths outside its folder
    )
    elapsed = time.perf_counter() - started
    report = json.loads(completed.stdout or "{}")
    task = (report.get("tasks") or [{}])[0]
    return {
        "seconds": elapsed,
        "valid": report.get("valid"),
        "rows": task.get("stats", {}).get("rows"),
        "errors": task.get("stats", {}).get("errors"),
    }


def bench_client() -> tuple:
    """The bench firm and an API client with a fresh contributor token of it."""
    import django

    django.setup()
    from django.test import Client

    from apps.accounts.models import User
    from apps.organizations.models import Organization
    from apps.organizations.tokens import create_api_token

    organization = Organization.objects.get(slug="red-valley-tomato")
    admin = User.objects.get(email="admin@red-valley-tomato.example")
    _token, secret = create_api_token(
        actor=admin, organization=organization, name="bench", role="contributor", days=1
    )
    return organization, Client(headers={"Authorization": f"Bearer {secret}"}, HTTP_HOST="127.0.0.1")


def post_file(client: Any, period: str, content: bytes) -> dict:
    """POST a CSV file for `period` to the API as a member's system does; the 202 answer's body."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        "/api/v1/submissions/",
        {
            "standard": "tomato-paste.exports",
            "version": "1.0.0",
            "period": period,
            "file": SimpleUploadedFile("export.csv", content, content_type="text/csv"),
        },
    )
    assert response.status_code == 202, response.content[:500]
    return response.json()


def end_to_end(path: Path) -> dict:
    from apps.submissions import services
    from apps.submissions.models import Submission

    organization, client = bench_client()
    # an earlier run's submission of the same bytes would be returned as a retry: remove it first
    Submission.objects.filter(organization=organization, period=PERIOD).delete()
    content = path.read_bytes()
    started = time.perf_counter()
    submission_id = post_file(client, PERIOD, content)["id"]
    services.process_submission(submission_id=submission_id)  # what the worker runs, here in-process
    submission = Submission.objects.get(pk=submission_id)
    elapsed = time.perf_counter() - started
    return {
        "seconds": elapsed,
        "status": submission.status,
        "rows": submission.row_count,
        "id": submission_id,
    }


def copy_reference(path: Path) -> dict:
    import django

    django.setup()
    from django.db import connection

    columns = ", ".join(
        f'"c{i}" {"numeric" if i in (8, 9, 11, 12, 13, 14) else "text"}' for i in range(len(HEADERS))
    )
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_copy")
        cursor.execute(f"CREATE TABLE bench_copy ({columns})")  # logged, like the observation table
        started = time.perf_counter()
        with (
            cursor.cursor.copy("COPY bench_copy FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
            path.open("rb") as handle,
        ):
            while chunk := handle.read(1 << 20):
                copy.write(chunk)
        elapsed = time.perf_counter() - started
        cursor.execute("SELECT count(*) FROM bench_copy")
        rows = cursor.fetchone()[0]
        cursor.execute("DROP TABLE bench_copy")
    return {"seconds": elapsed, "rows": rows}


def stored_copy_reference(submission_id: str) -> dict:
    """COPY of the rows exactly as the hub stored them into a table like the observation table (same
    columns, same primary key): the storing step alone, with nothing to check."""
    import io

    import django

    django.setup()
    from django.db import connection, transaction

    from apps.standards.slots import column_of
    from apps.submissions.models import Submission

    version = Submission.objects.get(pk=submission_id).version
    columns = ", ".join(["submission_id", "row", *(column_of(f) for f in version.fields.exclude(slot=None))])
    buffer = io.BytesIO()
    with connection.cursor() as cursor:
        with cursor.cursor.copy(
            f"COPY (SELECT {columns} FROM submissions_observation "
            f"WHERE submission_id = '{submission_id}') TO STDOUT (FORMAT csv)"
        ) as copy:
            for block in copy:
                buffer.write(block)
        cursor.execute("DROP TABLE IF EXISTS bench_stored")
        cursor.execute("CREATE TABLE bench_stored (LIKE submissions_observation INCLUDING ALL)")
    data = buffer.getvalue()
    started = time.perf_counter()
    with (
        transaction.atomic(),
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY bench_stored ({columns}) FROM STDIN (FORMAT csv)") as copy,
    ):
        for offset in range(0, len(data), 1 << 20):
            copy.write(data[offset : offset + (1 << 20)])
    elapsed = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM bench_stored")
        rows = cursor.fetchone()[0]
        cursor.execute("DROP TABLE bench_stored")
    return {"seconds": elapsed, "rows": rows}


def monthly_latency(folder: Path, files: int = 30, rows: int = 300) -> dict:
    """A normal monthly file (`rows` rows) POSTed to the API and processed by a real Celery worker on
    the configured broker, as a member sends it: the time from the POST until its status URL says it
    is final, for `files` files, each for another month (so none is a retry)."""
    import statistics
    import uuid

    organization, client = bench_client()
    from apps.submissions import services
    from apps.submissions.models import Submission
    from apps.submissions.tasks import process_submission_task
    from tests.workers import start_worker, stop_worker

    periods = [f"{2031 + n // 12}-{n % 12 + 1:02d}" for n in range(files + 1)]
    Submission.objects.filter(organization=organization, period__in=periods).delete()
    queue = f"bench-{uuid.uuid4().hex[:8]}"
    services.queue_processing = lambda pk: process_submission_task.apply_async(args=[str(pk)], queue=queue)
    log = (folder / "worker.log").open("wb")
    worker = start_worker(queue, log)
    seconds, sent = [], []
    try:
        for number, period in enumerate(periods):
            path = folder / f"month-{period}.csv"
            make_file(path, rows)
            started = time.perf_counter()
            answer = post_file(client, period, path.read_bytes().replace(PERIOD.encode(), period.encode()))
            sent.append(answer["id"])
            while client.get(answer["url"]).json()["status"] in ("received", "processing"):
                assert time.perf_counter() < started + 120, "a monthly file took over 120 s"
                time.sleep(0.02)
            if number:  # the first one also waits for the worker to start
                seconds.append(time.perf_counter() - started)
    finally:
        stop_worker(worker)
        log.close()
        for submission_id in sent:
            remove_submission(submission_id)
    ordered = sorted(seconds)
    return {
        "files": len(seconds),
        "rows": rows,
        "p50_ms": statistics.median(ordered) * 1000,
        "p99_ms": ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))] * 1000,
    }


def remove_submission(submission_id: str) -> None:
    """The bench's submission is no demo data: remove it, its rows and its original file."""
    import django

    django.setup()
    from apps.submissions.models import Submission

    submission = Submission.objects.get(pk=submission_id)
    submission.original.delete(save=False)
    submission.delete()


def workbooks(folder: Path, rows: int, repeat: int) -> None:
    """(d): the hub's validation stage of a workbook against openpyxl reading the same workbook; each the
    fastest of `repeat` runs, taken in turns (on a busy machine one run of either can be far off)."""
    big, half, small = folder / "tomato.xlsx", folder / "tomato-half.xlsx", folder / "tomato-small.xlsx"
    started = time.perf_counter()
    for path, count in ((big, rows), (half, max(1, rows // 2)), (small, max(1, rows // 10))):
        make_workbook(path, count)
    print(
        f"    workbook: {rows:,} rows, {big.stat().st_size / 1e6:.1f} MB "
        f"(written by openpyxl in {time.perf_counter() - started:.0f} s, with two smaller ones)"
    )
    runs = [(validation_stage(big), openpyxl_reading(big)) for _run in range(repeat)]
    ours = min((run for run, _theirs in runs), key=lambda run: run["seconds"])
    theirs = min((run for _ours, run in runs), key=lambda run: run["seconds"])
    smaller = [validation_stage(small), validation_stage(half)]
    ours_rate, theirs_rate = ours["rows"] / ours["seconds"], theirs["rows"] / theirs["seconds"]
    best = f", the fastest of {repeat} runs each" if repeat > 1 else ""
    print(
        f"(d) validation stage of the workbook (python-calamine{best}): {ours_rate:,.0f} rows/s "
        f"({ours['seconds']:.1f} s, {ours['errors']} errors); openpyxl reading its cells (read-only, "
        f"values only): {theirs_rate:,.0f} rows/s ({theirs['seconds']:.1f} s, {theirs['cells']:,} cells); "
        f"ratio {ours_rate / theirs_rate:.1f}× (target 10×)"
    )
    sizes = ", ".join(f"{run['max_rss_mb']:.0f} MB for {run['rows']:,} rows" for run in [*smaller, ours])
    print(
        f"    peak memory of the validation stage: {sizes}; of openpyxl reading: "
        f"{theirs['max_rss_mb']:.0f} MB for {theirs['rows']:,} rows"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the CSV file of (a) and (b)")
    parser.add_argument("--xlsx-rows", type=int, default=100_000, help="rows of the workbook of (d)")
    parser.add_argument("--case", action="append", choices=["a", "b", "c", "d"], help="only this case")
    parser.add_argument("--repeat", type=int, default=1, help="runs of (d), the fastest of each counts")
    options = parser.parse_args()
    cases = set(options.case or "abcd")
    folder = Path(tempfile.mkdtemp(prefix="hub-bench-"))
    print(
        f"machine: {platform.node()} · {os.cpu_count()} cores · {cpu_model()} · "
        f"Python {platform.python_version()} · {time.strftime('%Y-%m-%d')} · "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    big = folder / "tomato.csv"
    if cases & {"a", "b"}:
        make_file(big, options.rows)
        print(f"    file: {options.rows:,} rows, {big.stat().st_size / 1e6:.0f} MB")
    if "a" in cases:
        half, small = folder / "tomato-half.csv", folder / "tomato-small.csv"
        make_file(half, max(1, options.rows // 2))
        make_file(small, max(1, options.rows // 10))
        schema = table_schema_file(big)
        ours = validation_stage(big)
        smaller = [validation_stage(small), validation_stage(half)]
        theirs = frictionless_stage(big, schema)
        ours_rate = ours["rows"] / ours["seconds"]
        theirs_rate = (theirs["rows"] or options.rows) / theirs["seconds"]
        print(
            f"(a) validation stage: {ours_rate:,.0f} rows/s ({ours['seconds']:.1f} s, {ours['errors']} "
            f"errors, {ours['duplicates']} repeated keys); frictionless validate: {theirs_rate:,.0f} rows/s "
            f"({theirs['seconds']:.1f} s, valid={theirs['valid']}); "
            f"ratio {ours_rate / theirs_rate:.2f}× (target 10×)"
        )
        sizes = ", ".join(f"{run['max_rss_mb']:.0f} MB for {run['rows']:,} rows" for run in [*smaller, ours])
        print(f"    peak memory of the validation stage: {sizes}")
    if "b" in cases:
        whole = end_to_end(big)
        copy = copy_reference(big)
        stored = stored_copy_reference(whole["id"])
        remove_submission(whole["id"])
        whole_rate = whole["rows"] / whole["seconds"]
        copy_rate, stored_rate = copy["rows"] / copy["seconds"], stored["rows"] / stored["seconds"]
        print(
            f"(b) end to end through the API: {whole_rate:,.0f} rows/s "
            f"({whole['seconds']:.1f} s, {whole['status']}); "
            f"plain COPY of the file into a table of its 15 columns: {copy_rate:,.0f} rows/s "
            f"({copy['seconds']:.1f} s), ratio {whole_rate / copy_rate:.2f}; "
            f"plain COPY of the stored rows into a table like the observation table: "
            f"{stored_rate:,.0f} rows/s ({stored['seconds']:.1f} s), ratio {whole_rate / stored_rate:.2f} "
            f"(target 0.33)"
        )
    if "c" in cases:
        latency = monthly_latency(folder)
        print(
            f"(c) a monthly file of {latency['rows']} rows, POST to the API until its status is final, "
            f"with a real worker on the configured broker: p50 {latency['p50_ms']:.0f} ms, "
            f"p99 {latency['p99_ms']:.0f} ms over {latency['files']} files (target: within seconds)"
        )
    if "d" in cases:
        workbooks(folder, options.xlsx_rows, max(1, options.repeat))


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo, where there is one."""
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return platform.processor() or "CPU unknown"
    names = (line.split(":", 1)[1].strip() for line in lines if line.startswith("model name"))
    return next(names, "CPU unknown")


if __name__ == "__main__":
    main()
