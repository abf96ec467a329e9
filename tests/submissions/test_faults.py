"""The pipeline under faults, tried as an attacker or an unlucky operator would: NUL characters, values
PostgreSQL refuses, submissions finishing out of order or together, and the sweeper's re-queueing."""

from __future__ import annotations

import io
import json
import secrets
import threading
import time
import zipfile
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone

from apps.submissions import services
from apps.submissions.models import Observation, Submission
from tests.submissions.data import EN_HEADERS, ROW, TOMATO_FIELDS, csv_bytes, xlsx_bytes

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SECOND = ["2026-09", "cold-break-30-32", "UZ", "CPT", "irkeshtam", "rail", "bag-in-box", "12", "9000", "USD"]


def receive(cast: Any, tomato: Any, content: bytes, filename: str = "data.csv") -> Submission:
    """Store a file without processing it (the worker has not picked it up yet)."""
    submission, _created = services.receive_submission(
        actor=cast.person("a", "contributor"),
        organization=cast.org_a,
        version=tomato,
        period="2026-09",
        upload=ContentFile(content, name=filename),
        filename=filename,
    )
    return submission


def process(submission: Submission) -> Submission:
    services.process_submission(submission_id=submission.pk)
    submission.refresh_from_db()
    return submission


# --- NUL characters and values PostgreSQL refuses ---------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/submissions/?standard=%00",
        "/api/v1/standards/%00/",
        "/api/v1/organizations/?status=a%00b",
        "/api/v1/submissions/%00/report/",
    ],
)
def test_a_nul_in_an_api_address_is_a_400_with_the_envelope(cast: Any, path: str) -> None:
    response = cast.client_for("token_viewer").get(path, HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "malformed_request" and "NUL" in error["message"]
    assert error["message"] != "The address holds a NUL character, which is not allowed."  # in Russian


@pytest.mark.parametrize("path", ["/submissions/?standard=%00", "/standards/%00/", "/organizations/%00/"])
def test_a_nul_in_a_page_address_is_a_400(cast: Any, path: str) -> None:
    response = cast.client_for("a_viewer").get(path)
    assert response.status_code == 400


def test_a_nul_in_the_idempotency_key_is_a_400_and_stores_nothing(cast: Any, standards: Any) -> None:
    response = cast.client_for("token_contributor").post(
        "/api/v1/submissions/",
        {"standard": "tomato-paste.exports", "period": "2026-09", "rows": []},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="key\x00one",
    )
    assert response.status_code == 400 and response.json()["error"]["code"] == "malformed_request"
    assert not Submission.objects.exists()


def test_a_content_length_that_is_not_a_number_is_a_400(cast: Any, standards: Any) -> None:
    response = cast.client_for("token_contributor").post(
        "/api/v1/submissions/", b"{}", content_type="application/json", CONTENT_LENGTH="abc"
    )
    assert response.status_code == 400 and response.json()["error"]["code"] == "malformed_request"


def test_a_nul_inside_a_json_row_is_rejected_with_its_row(
    cast: Any, standards: Any, django_capture_on_commit_callbacks: Any
) -> None:
    rows = [
        dict(zip(TOMATO_FIELDS, [*ROW[:7], 25, 21500, "USD"], strict=True)),
        dict(zip(TOMATO_FIELDS, [*SECOND[:6], "bag\x00in-box", 12, 9000, "USD"], strict=True)),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        response = cast.client_for("token_contributor").post(
            "/api/v1/submissions/",
            json.dumps({"standard": "tomato-paste.exports", "period": "2026-09", "rows": rows}),
            content_type="application/json",
        )
    assert response.status_code == 202
    submission = Submission.objects.get()
    assert submission.status == "rejected" and submission.attempts == 1
    issue = submission.issues.get(code="nul_character")
    assert issue.params == {"row": 2}
    assert not Observation.objects.exists()


def test_a_nul_inside_a_csv_file_is_rejected_with_its_row(send: Any) -> None:
    """A NUL near the start makes the file binary; one further down is found in its row."""
    assert send(csv_bytes(EN_HEADERS, [ROW, ["cold\x00break", *SECOND[1:]]])).issues.get().code == "binary"
    rows = [[*ROW[:7], str(quantity), *ROW[8:]] for quantity in range(1, 8000)]
    rows[7000][1] = "cold\x00break"
    submission = send(csv_bytes(EN_HEADERS, rows), period="2026-09")
    assert submission.status == "rejected"
    assert submission.issues.get(code="nul_character").params == {"row": 7002}


def test_a_value_the_database_refuses_rejects_the_file_with_a_reason_and_stores_nothing(
    send: Any, refusing_database: Any
) -> None:
    submission = send(csv_bytes(EN_HEADERS, [ROW, SECOND]))
    assert submission.status == "rejected" and submission.attempts == 1 and not submission.is_current
    issue = submission.issues.get(code="not_stored")
    assert issue.params == {"reason": "value out of range for the test"}
    assert not Observation.objects.exists()


# --- Which submission is in force ------------------------------------------------------------------------


def test_an_older_submission_finishing_last_does_not_replace_a_newer_one(cast: Any, tomato: Any) -> None:
    older = receive(cast, tomato, csv_bytes(EN_HEADERS, [ROW, SECOND]))
    newer = receive(cast, tomato, csv_bytes(EN_HEADERS, [ROW]))
    assert process(newer).is_current
    older = process(older)  # a retry by the sweeper finishes the older one last
    newer.refresh_from_db()
    assert older.status == "accepted" and not older.is_current and older.superseded_by_id == newer.pk
    assert newer.is_current and newer.superseded_by_id is None
    assert Observation.objects.filter(submission__is_current=True).count() == 1


def test_an_older_file_finishing_after_a_declaration_does_not_replace_it(cast: Any, tomato: Any) -> None:
    older = receive(cast, tomato, csv_bytes(EN_HEADERS, [ROW]))
    declaration, _created = services.declare_nothing_to_report(
        actor=cast.person("a", "contributor"), organization=cast.org_a, version=tomato, period="2026-09"
    )
    older = process(older)
    declaration.refresh_from_db()
    assert declaration.is_current and not older.is_current and older.status == "accepted"


@pytest.mark.django_db(transaction=True)
def test_two_submissions_finishing_together_wait_for_each_other(cast: Any, monkeypatch: Any) -> None:
    """The first is being put in force in an open transaction (it holds the period's lock); the second
    waits for it instead of hitting the one-in-force constraint, then supersedes it."""
    from apps.standards.models import StandardVersion
    from apps.standards.services import load_standards

    load_standards()  # an earlier transactional test may have emptied the database
    monkeypatch.setattr("apps.submissions.tasks.process_submission_task.delay", lambda pk: None)  # no worker
    tomato = StandardVersion.objects.get(standard__code="tomato-paste.exports", version="1.0.0")
    first = receive(cast, tomato, csv_bytes(EN_HEADERS, [ROW, SECOND]))
    second = receive(cast, tomato, csv_bytes(EN_HEADERS, [ROW]))
    Submission.objects.filter(pk=first.pk).update(status="accepted")
    outcome: dict[str, Any] = {}

    def finish_second() -> None:
        try:
            outcome["submission"] = services.process_submission(submission_id=second.pk)
        except Exception as error:  # reported to the test below
            outcome["error"] = error
        finally:
            connection.close()

    with transaction.atomic():
        services.lock_period(cast.org_a.pk, tomato.standard_id, "2026-09")
        Submission.objects.filter(pk=first.pk).update(is_current=True)
        worker = threading.Thread(target=finish_second)
        worker.start()
        time.sleep(1.0)
        assert worker.is_alive(), "the second submission did not wait for the period's lock"
    worker.join(timeout=30)
    assert "error" not in outcome, outcome.get("error")
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.status == "accepted" and second.is_current
    assert not first.is_current and first.superseded_by_id == second.pk


# --- The sweeper -----------------------------------------------------------------------------------------


def test_the_sweeper_does_not_queue_again_what_was_queued_recently(
    cast: Any, tomato: Any, settings: Any, monkeypatch: Any
) -> None:
    queued: list[Any] = []
    monkeypatch.setattr("apps.submissions.tasks.process_submission_task.delay", queued.append)
    submission = receive(cast, tomato, csv_bytes(EN_HEADERS, [ROW]))
    services.queue_processing(submission.pk)
    assert len(queued) == 1
    later = timezone.now() + timedelta(seconds=60)
    assert services.sweep_submissions(now=later) == 0  # queued a minute ago: the task is on its way
    much_later = timezone.now() + timedelta(seconds=settings.HUB_SUBMISSION_REQUEUE_SECONDS + 60)
    assert services.sweep_submissions(now=much_later) == 1  # its message must have been lost
    assert len(queued) == 2


def test_the_sweeper_queues_what_the_broker_never_took(cast: Any, tomato: Any, monkeypatch: Any) -> None:
    def broker_down(*args: Any) -> None:
        raise ConnectionError("broker down")

    monkeypatch.setattr("apps.submissions.tasks.process_submission_task.delay", broker_down)
    submission = receive(cast, tomato, csv_bytes(EN_HEADERS, [ROW]))
    services.queue_processing(submission.pk)
    submission.refresh_from_db()
    assert submission.queued_at is None
    assert services.sweep_submissions(now=timezone.now() + timedelta(seconds=45)) == 1


# --- Memory bounded by settings ---------------------------------------------------------------------------


def test_a_json_body_past_its_limit_is_a_413_and_stores_nothing(
    cast: Any, standards: Any, settings: Any
) -> None:
    settings.HUB_JSON_MAX_BYTES = 64 * 1024
    rows = [
        dict(zip(TOMATO_FIELDS, [*ROW[:7], quantity, 21500, "USD"], strict=True))
        for quantity in range(1, 2000)
    ]
    body = json.dumps({"standard": "tomato-paste.exports", "period": "2026-09", "rows": rows})
    assert len(body) > settings.HUB_JSON_MAX_BYTES
    response = cast.client_for("token_contributor").post(
        "/api/v1/submissions/", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "too_large" and "CSV or XLSX" in error["message"]
    assert not Submission.objects.exists()
    small = json.dumps({"standard": "tomato-paste.exports", "period": "2026-09", "rows": rows[:10]})
    accepted = cast.client_for("token_contributor").post(
        "/api/v1/submissions/", small, content_type="application/json"
    )
    assert accepted.status_code == 202


def test_a_workbook_whose_shared_strings_pass_their_limit_is_refused_before_reading(
    send: Any, settings: Any
) -> None:
    """The reader holds a workbook's shared strings whole (a 99 MB part took about 400 MB), so the part's
    unpacked size is bounded before any XML is read; the same workbook passes within the limit."""
    strings = "".join(f"<si><t>{secrets.token_hex(8)}</t></si>" for _ in range(60))
    part = f'<?xml version="1.0"?><sst xmlns="{MAIN_NS}" count="60" uniqueCount="60">{strings}</sst>'
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes(EN_HEADERS, [ROW])))
    buffer = io.BytesIO()
    with source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr("xl/sharedStrings.xml", part)  # as Excel writes text cells
    workbook = buffer.getvalue()
    settings.HUB_XLSX_MAX_SHARED_STRINGS = 200
    refused = send(workbook, filename="export.xlsx")
    assert refused.status == "rejected"
    assert list(refused.issues.values_list("code", flat=True)) == ["xlsx_too_large"]
    settings.HUB_XLSX_MAX_SHARED_STRINGS = 32 * 1024 * 1024
    again = send(workbook + b"", filename="export.xlsx")  # refused bytes are checked anew when sent again
    assert "xlsx_too_large" not in set(again.issues.values_list("code", flat=True))


def test_json_nested_thousands_deep_is_a_400_not_a_500(cast: Any, standards: Any) -> None:
    body = b'{"standard": "tomato-paste.exports", "period": "2026-09", "rows": ' + b"[" * 100_000
    body += b"]" * 100_000 + b"}"
    response = cast.client_for("token_contributor").post(
        "/api/v1/submissions/", body, content_type="application/json"
    )
    assert response.status_code == 400 and response.json()["error"]["code"] == "parse_error"
    assert not Submission.objects.exists()


def test_a_stored_json_original_nested_too_deeply_is_rejected_with_bad_json(send: Any) -> None:
    submission = send(b"[" * 100_000 + b"]" * 100_000, filename="rows.json")
    assert submission.status == "rejected"
    assert list(submission.issues.values_list("code", flat=True)) == ["bad_json"]
