"""The worker's validation stage (checking.check_table: read, map headers, convert, validate; nothing
stored) on one file, in a fresh process of its own so that its peak memory is its own: shared by
bench/ingest.py and bench/hostile.py.

Runs against the embedded database of `make run` (or DATABASE_URL), with the standards loaded, as the
demo firm red-valley-tomato.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alliance.settings")

STANDARD, VERSION, FIRM = "tomato-paste.exports", "1.0.0", "red-valley-tomato"


def check_file(path: str, period: str, kind: str = "csv") -> dict:
    """Open and check the file as the worker does, with nothing written: rows, errors, the problems' codes,
    seconds, and this process's peak memory. A problem of the whole file (unreadable) is a result too."""
    import django

    django.setup()
    from apps.organizations.models import Organization
    from apps.standards.models import StandardVersion
    from apps.submissions import parsing
    from apps.submissions.checking import check_table, open_table

    version = StandardVersion.objects.get(standard__code=STANDARD, version=VERSION)
    fields = [f for f in version.fields.order_by("position") if not f.derived]
    organization = Organization.objects.get(slug=FIRM)
    started = time.perf_counter()
    try:
        table = open_table(Path(path), kind=kind, fields=fields, version=version)
    except parsing.FileProblem as problem:
        problems, summary = [], {"rows": 0, "file_problem": problem}
    else:
        try:
            problems, summary = check_table(
                version=version,
                fields=fields,
                table=table,
                period=period,
                organization_id=organization.pk,
                size=Path(path).stat().st_size,
            )
        finally:
            table.close()
    elapsed = time.perf_counter() - started
    errors = [p for p in problems if p.severity == "error"]
    codes = sorted({p.code for p in problems})
    if "file_problem" in summary:
        errors, codes = [summary["file_problem"]], [summary["file_problem"].code]
    return {
        "rows": summary["rows"],
        "errors": len(errors),
        "duplicates": sum(1 for p in errors if p.code == "duplicate_key"),
        "codes": codes,
        "seconds": elapsed,
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _run(sender: Any, function: Callable[..., dict], args: tuple) -> None:
    sender.send(function(*args))
    sender.close()


def in_own_process(function: Callable[..., dict], *args: Any, timeout: float | None = None) -> dict | None:
    """`function(*args)` in a fresh (spawned) process; None if it has not answered within `timeout`
    seconds, in which case that process is ended."""
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_run, args=(sender, function, args))
    process.start()
    sender.close()
    try:
        result = receiver.recv() if receiver.poll(timeout) else None
    except EOFError:  # it died without answering
        result = None
    if result is None and process.is_alive():
        process.terminate()
    process.join()
    receiver.close()
    return result
