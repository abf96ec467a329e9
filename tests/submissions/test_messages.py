"""What a report's messages say, in the reader's language.

Every problem code is made for real and reads as a whole sentence in all six languages with the
parameters the checker gives it. The files go through the worker's own path (receive_submission,
process_submission, check_table) against the shipped standards, and against one more standard loaded
the way shipped files are, for what no shipped standard has (a date field, a text field with a form
and lengths, an `lt` rule). Parameters are read back from the stored issues, never written here; a
code that nothing makes fails the test, so a new code comes with a file that makes it.

A problem that does not fit its code is refused when it is made; one stored by older code is shown
with a visible gap.
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import signal
import subprocess
import sys
import uuid
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.test import override_settings
from django.utils import translation

from apps.standards.models import Field, StandardVersion
from apps.standards.services import load_definition, read_definition_file
from apps.standards.values import interpreter_for
from apps.submissions import parsing, services
from apps.submissions.messages import CODES, MISSING, ProblemError, ReportProblem, check_problem, message
from apps.submissions.models import Issue, Submission
from tests.submissions.data import EN_HEADERS, ROW, TOMATO_FIELDS, csv_bytes, xlsx_bytes
from tests.submissions.database import refusing_twelve

LANGUAGES = [code for code, _name in settings.LANGUAGES]
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
ANY_PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]")
SEASON = {
    "period": "2026",
    "fresh_tomatoes_processed": "1000",
    "paste_produced": "200",
    "daily_capacity": "50",
    "campaign_length": "60",
    "energy_per_tonne": "3000",
    "water_per_tonne": "20",
}


def tomato(*extra: str, **cells: str) -> list[str]:
    """A good row of tomato-paste.exports (data.ROW) with cells changed by field name, and cells
    beyond EN_HEADERS."""
    row = list(ROW)
    for name, cell in cells.items():
        row[TOMATO_FIELDS.index(name)] = cell
    return [*row, *extra]


def by_titles(version: StandardVersion, rows: list[dict[str, str]], delimiter: str = ",") -> bytes:
    """A CSV of `version` headed by its fields' English titles, one line per row given by field name."""
    fields = [f for f in version.fields.order_by("position") if not f.derived]
    cells = [[row.get(f.name, "") for f in fields] for row in rows]
    return csv_bytes([f.titles["en"] for f in fields], cells, delimiter=delimiter)


def with_parts(workbook: bytes, parts: dict[str, Any]) -> bytes:
    """The workbook's zip with more parts."""
    patched = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(workbook)) as source,
        zipfile.ZipFile(patched, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        for name, data in parts.items():
            target.writestr(name, data)
    return patched.getvalue()


@contextmanager
def soft_time_limit() -> Iterator[None]:
    """Celery's soft time limit as a prefork worker meets it: a signal whose handler raises
    SoftTimeLimitExceeded, here while the worker is checking the file."""

    def exceeded(signum: int, frame: Any) -> None:
        names = []
        while frame is not None:
            names.append((frame.f_code.co_name, frame.f_code.co_filename))
            frame = frame.f_back
        checking = any(name == "check_table" for name, _file in names)
        # Inside a query the test's own connection, which wraps the test in a transaction, would break
        # (a worker's connection is closed and opened afresh instead).
        querying = any("psycopg" in file or "django/db" in file for _name, file in names)
        if not checking or querying:
            signal.setitimer(signal.ITIMER_REAL, 0.001)  # strike a moment later
            return
        raise SoftTimeLimitExceeded()

    previous = signal.signal(signal.SIGALRM, exceeded)
    signal.setitimer(signal.ITIMER_REAL, 0.001)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def checks(standards: Any) -> StandardVersion:
    """tomato-paste.production as shipped, with what no shipped standard has: a date field, a text field
    with a form and lengths, and an `lt` rule. Loaded by the loader of shipped files."""
    definition = read_definition_file(
        Path(settings.BASE_DIR) / "standards" / "tomato-paste.production" / "1.0.0.yaml"
    )
    definition["code"] = "tomato-paste.checks"
    definition["rules"] = [
        *definition["rules"],
        {"check": "lt", "fields": ["daily_capacity", "fresh_tomatoes_processed"]},
    ]
    definition["fields"] += [
        {
            "name": "campaign_start",
            "type": "date",
            "role": "attribute",
            "title": dict.fromkeys(LANGUAGES, "Campaign start"),
            "description": dict.fromkeys(LANGUAGES, "The day the plant began processing."),
        },
        {
            "name": "plant_code",
            "type": "string",
            "role": "attribute",
            "constraints": {"pattern": "^[A-Z0-9-]+$", "minLength": 4, "maxLength": 8},
            "title": dict.fromkeys(LANGUAGES, "Plant code"),
            "description": dict.fromkeys(LANGUAGES, "The plant's code in the firm's books."),
        },
    ]
    version, _outcome = load_definition(definition=definition, source="tests")
    return version


@pytest.fixture
def produced(send: Any, checks: StandardVersion) -> dict[str, list[dict[str, Any]]]:
    """Every (code, params) that the files below make, as their reports store them."""
    found: dict[str, list[dict[str, Any]]] = {}

    def keep(submission: Submission) -> Submission:
        for code, params in submission.issues.values_list("code", "params"):
            found.setdefault(code, []).append(params)
        return submission

    def sent(content: bytes, **options: Any) -> Submission:
        submission = send(content, **options)
        assert submission.is_finished, f"the worker stopped at {submission.status} (see its log)"
        return keep(submission)

    # Cells, as the standard's interpreter reads them.
    rows = [
        tomato("200290", quantity=""),
        tomato("200290", quantity="lots"),
        tomato("200290", quantity="-1"),
        tomato("200290", quantity="90000"),
        tomato("200290", quantity="5 ha"),
        tomato("200290", period="2026-13"),
        tomato("200290", product="ketchup"),
        tomato("200290", destination_country="Atlantis"),
        tomato("200290", currency="doubloons"),
        tomato("9999"),
    ]
    sent(csv_bytes([*EN_HEADERS, "HS code"], rows))
    rows = [
        {**SEASON, "daily_capacity": "1000"},
        {**SEASON, "campaign_length": "60.5"},
        {**SEASON, "campaign_start": "someday"},
        {**SEASON, "plant_code": "a b"},
        {**SEASON, "plant_code": "AB"},
        {**SEASON, "plant_code": "AB-123456"},
    ]
    sent(by_titles(checks, rows), period="2026", version=checks)
    # Rows.
    production = StandardVersion.objects.get(standard__code="tomato-paste.production", version="1.0.0")
    sent(by_titles(production, [{**SEASON, "paste_produced": "2000"}]), period="2026", version=production)
    rows = [
        ROW,
        ROW,
        tomato(period="01.08.2026"),
        tomato("surprise", product="cold-break-28-30"),
        tomato(product="cold-break-30-32", currency="KZT"),  # no rate for KZT
    ]
    sent(csv_bytes(EN_HEADERS, rows))
    for period in ("2026-05", "2026-06", "2026-07"):  # a usual quantity of 25 t, then kilograms
        assert sent(csv_bytes(EN_HEADERS, [tomato(period=period)]), period=period).status == "accepted"
    sent(csv_bytes(EN_HEADERS, [tomato(period="2026-08", quantity="25000")]), period="2026-08")
    # Headers.
    sent(csv_bytes([*EN_HEADERS, "Our note"], [tomato("call back")]))
    sent(csv_bytes([*EN_HEADERS, "Quantity"], [tomato("26")]))
    sent(csv_bytes(EN_HEADERS[:-3], [ROW[:-3]]))
    sent(csv_bytes([*EN_HEADERS[:7], "数量（斤）", *EN_HEADERS[8:]], [ROW]))
    sent(csv_bytes(["a", "b", "c"], [["1", "2", "3"]]))
    sent(csv_bytes(EN_HEADERS, []))
    # Files.
    sent(b"\xef\xbb\xbf \r\n")
    sent(bytes(range(256)) * 40, filename="photo.csv")
    sent(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, filename="old.xls")
    sent(bytes([0x98, 0x81, 0x8D, 0x8F, 0x90]) * 200)
    beyond_the_sample = csv_bytes(EN_HEADERS, [ROW] * (parsing.SAMPLE_BYTES // 60))
    sent(beyond_the_sample + b"2026-09,\xff\xfe\xfa\r\n")
    sent(csv_bytes(EN_HEADERS, [ROW]) + b'2026-09,"hot-break-28-30,KZ\r\n')
    with override_settings(HUB_CSV_MAX_RECORD_BYTES=64 * 1024):  # a row without its line break
        sent(csv_bytes(EN_HEADERS, [ROW]) + ",".join(ROW).encode() + b",x" * 40_000)
    title = '"' + "x" * (1024 * 1024 + 10) + '"'  # a title cell beyond what the header scan reads
    with override_settings(HUB_CSV_MAX_RECORD_BYTES=4 * 1024 * 1024):
        sent(csv_bytes(EN_HEADERS, [ROW], title=title))
    sent(b'{"rows": 5}', filename="rows.json")
    workbook = xlsx_bytes(EN_HEADERS, [ROW])
    sent(b"PK\x03\x04" + b"\x00" * 600, filename="broken.xlsx")
    sent(with_parts(workbook, {"xl/vbaProject.bin": b"macro"}), filename="macros.xlsx")
    sent(with_parts(workbook, {"xl/media/blank.xml": "<" + "a" * 2_000_000 + "/>"}), filename="bomb.xlsx")
    with override_settings(HUB_XLSX_MAX_ENTRIES=3):
        sent(workbook, filename="parts.xlsx")
    with override_settings(HUB_XLSX_MAX_UNCOMPRESSED=1000):
        sent(workbook, filename="large.xlsx")
    sent(
        json.dumps(
            {"rows": [dict(zip(TOMATO_FIELDS, tomato(packaging="bag\x00in-box"), strict=True))]}
        ).encode(),
        filename="rows.json",
    )
    # What PostgreSQL refuses while the rows are written (a trigger of the test's own refuses 12 t).
    with refusing_twelve():
        sent(csv_bytes(EN_HEADERS, [tomato(period="2026-03", quantity="12")]), period="2026-03")
    # A file that holds the worker past its time limit: Celery's soft limit is a signal that raises
    # SoftTimeLimitExceeded in the worker; here the same signal handler, armed as the check starts.
    slow = send(csv_bytes(EN_HEADERS, [tomato(period="2026-02")]), period="2026-02")
    Submission.objects.filter(pk=slow.pk).update(status="received", is_current=False)
    with soft_time_limit():
        services.process_submission(submission_id=slow.pk)
    keep(slow)
    # The worker gives up after its attempts: the pipeline makes that, not a file.
    tired = send(csv_bytes(EN_HEADERS, [tomato(product="hot-break-36-38")]), period="2026-04")
    Submission.objects.filter(pk=tired.pk).update(
        status="received", attempts=settings.HUB_SUBMISSION_MAX_ATTEMPTS, is_current=False
    )
    services.process_submission(submission_id=tired.pk)
    keep(tired)
    # A derived field's column is not part of an upload, so only the interpreter, which every cell goes
    # through, says that a value is computed by the hub.
    unit_price = Field.objects.get(
        version__standard__code="tomato-paste.exports", version__version="1.0.0", name="unit_price"
    )
    problem = interpreter_for(unit_price)("500").problem
    assert problem is not None
    found.setdefault(problem.code, []).append(problem.params)
    return found


def test_every_code_is_made_for_real(produced: dict[str, list[dict[str, Any]]]) -> None:
    assert sorted(set(CODES) - set(produced)) == []


def test_every_code_reads_whole_in_every_language_with_the_params_the_checker_gives(
    produced: dict[str, list[dict[str, Any]]],
) -> None:
    unfilled = []
    for code, made in sorted(produced.items()):
        for params in made:
            check_problem(code, params)
            for language in LANGUAGES:
                with translation.override(language):
                    template = str(CODES[code].message)
                    text = message(code, params)
                broken = (
                    "%(" in text
                    or "%s" in text
                    or (PLACEHOLDER.search(template) is not None and text == template)
                    or (MISSING in text and not any(MISSING in str(value) for value in params.values()))
                )
                if broken:
                    unfilled.append((code, language, params, text))
    assert unfilled == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_code_is_translated_with_exactly_its_params(language: str) -> None:
    wrong = []
    for code, entry in CODES.items():
        with translation.override(language):
            template = str(entry.message)
        with translation.override(None):
            if language != "en" and template == str(entry.message):
                wrong.append((code, "not translated"))
        placeholders = ANY_PLACEHOLDER.findall(template.replace("%%", ""))
        if sorted(placeholders) != sorted(f"%({name})s" for name in entry.params):
            wrong.append((code, placeholders))
        if not set(entry.numbers) <= set(entry.params):
            wrong.append((code, entry.numbers))
    assert wrong == []


def test_a_broken_rule_names_the_cell_the_other_column_and_its_value(cast: Any, send: Any) -> None:
    production = StandardVersion.objects.get(standard__code="tomato-paste.production", version="1.0.0")
    row = {**SEASON, "fresh_tomatoes_processed": "1 000", "paste_produced": "2 000,5"}
    submission = send(by_titles(production, [row], delimiter=";"), period="2026", version=production)
    client = cast.client_for("a_viewer")
    url = f"/api/v1/submissions/{submission.pk}/report/"
    (english,) = client.get(url, headers={"accept-language": "en"}).json()["issues"]
    assert english["message"] == "2 000,5 must not be greater than Fresh tomatoes processed (1,000)."
    (russian,) = client.get(url, headers={"accept-language": "ru"}).json()["issues"]
    assert "2 000,5" in russian["message"] and "Fresh tomatoes processed" in russian["message"]
    assert "1\xa0000" in russian["message"]


def test_a_repeated_key_names_a_column_the_file_left_out_by_its_title(cast: Any, send: Any) -> None:
    with translation.override("en"):  # the worker's language, in which the hub words what a file left out
        submission = send(csv_bytes(EN_HEADERS, [ROW, ROW]))  # no HS code column: its default is used
    url = f"/api/v1/submissions/{submission.pk}/report/"
    (issue,) = cast.client_for("a_viewer").get(url, headers={"accept-language": "en"}).json()["issues"]
    assert issue["message"] == (
        "This row repeats row 2: the same Period, Product, HS code, Destination country, Incoterm, "
        "Border crossing, Transport mode, Packaging. Combine them or correct one."
    )


def test_a_problem_that_does_not_fit_its_code_is_refused_where_it_is_made() -> None:
    with pytest.raises(ProblemError, match="missing"):
        ReportProblem.error(
            "rule_lte",
            row=2,
            column="Paste produced",
            value="2000",
            params={"other": "Fresh", "limit": "1000"},
        )
    with pytest.raises(ProblemError, match="extra"):
        ReportProblem.error("xlsx_too_large", params={"size": 2_000_000_000})
    with pytest.raises(ProblemError, match="not a problem code"):
        ReportProblem.error("no_such_code")
    with pytest.raises(ProblemError, match="missing"):
        parsing.FileProblem("bad_csv", row=2)


def test_an_issue_stored_by_older_code_is_shown_with_a_visible_gap_and_logged(
    send: Any, cast: Any, caplog: Any
) -> None:
    retired = f"retired_{uuid.uuid4().hex[:12]}"  # a code no earlier read has logged in this process
    submission = send(csv_bytes(EN_HEADERS, [tomato(quantity="lots")]))
    # As the checker stored broken rules before it passed the cell: without `value`.
    Issue.objects.create(
        submission=submission,
        severity="error",
        row=3,
        column="Paste produced",
        value="2000",
        code="rule_lte",
        params={"other": "Fresh tomatoes processed", "limit": "1000"},
    )
    Issue.objects.create(submission=submission, severity="error", code=retired)
    client = cast.client_for("a_viewer")
    with caplog.at_level(logging.ERROR, logger="apps.submissions.messages"):
        report = client.get(f"/api/v1/submissions/{submission.pk}/report/", headers={"accept-language": "en"})
        page = client.get(f"/submissions/{submission.pk}/")
    assert report.status_code == 200 and page.status_code == 200
    shown = [issue["message"] for issue in report.json()["issues"]]
    assert f"{MISSING} must not be greater than Fresh tomatoes processed (1,000)." in shown
    assert retired in shown
    assert f"{MISSING} must not be greater than" in page.content.decode()
    logged = [record.getMessage() for record in caplog.records]
    assert f"problem {retired!r} is not a problem code: stored by older code, or a bug" in logged


def test_a_stored_problem_that_lacks_a_parameter_is_logged_once_per_process() -> None:
    """In a process of its own, so that what earlier tests showed cannot have logged it already."""
    script = (
        "import django; django.setup()\n"
        "from apps.submissions.messages import message\n"
        "for _ in range(3):\n"
        "    print(message('rule_lte', {'other': 'Fresh tomatoes processed', 'limit': '1000'}))\n"
    )
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "alliance.settings",
        "DATABASE_URL": "postgres://unused@localhost/unused",  # message() reads no database
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert (
        result.stdout.splitlines()
        == [f"{MISSING} must not be greater than Fresh tomatoes processed (1,000)."] * 3
    )
    assert result.stderr.count("ERROR apps.submissions.messages problem 'rule_lte' lacks value") == 1, (
        result.stderr
    )
