"""A file without data rows never erases a period; a firm with nothing to report says so explicitly."""

from __future__ import annotations

from typing import Any

import pytest

from apps.audit.models import AuditEvent
from apps.submissions import services
from apps.submissions.models import Observation, Submission
from tests.submissions.data import EN_HEADERS, ROW, csv_bytes, xlsx_bytes

SECOND = ["2026-09", "cold-break-30-32", "UZ", "CPT", "irkeshtam", "rail", "bag-in-box", "12", "9000", "USD"]


def codes(submission: Submission) -> set[str]:
    return set(submission.issues.values_list("code", flat=True))


def rows_in_force() -> int:
    return Observation.objects.filter(submission__is_current=True).count()


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(csv_bytes([*EN_HEADERS, "Remarks"], []), id="headers-and-an-unknown-column"),
        pytest.param(csv_bytes(EN_HEADERS, []), id="headers-only"),
        pytest.param(csv_bytes(EN_HEADERS, [[""] * 10, [" "] * 10]), id="headers-and-blank-rows"),
        pytest.param(csv_bytes(EN_HEADERS[:-1], []), id="headers-with-a-column-missing"),
        pytest.param(xlsx_bytes([*EN_HEADERS, "Remarks"], []), id="workbook-with-headers-only"),
    ],
)
def test_a_file_without_data_rows_is_rejected_and_supersedes_nothing(send: Any, content: bytes) -> None:
    accepted = send(csv_bytes(EN_HEADERS, [ROW, SECOND]))
    assert accepted.is_current and rows_in_force() == 2

    empty = send(content, filename="export.xlsx" if content.startswith(b"PK") else "export.csv")

    accepted.refresh_from_db()
    assert empty.status == "rejected" and not empty.is_current and empty.row_count == 0
    assert "no_rows" in codes(empty)
    assert accepted.is_current and accepted.superseded_by_id is None and rows_in_force() == 2


def test_a_header_problem_and_the_missing_rows_are_both_reported(send: Any) -> None:
    empty = send(csv_bytes(EN_HEADERS[:-1], []))
    assert {"missing_columns", "no_rows"} <= codes(empty)


def test_an_unreadable_file_is_not_also_called_empty(send: Any) -> None:
    broken = send(csv_bytes(EN_HEADERS, [ROW]) + b"\xff\xfe\x00 not text\r\n")
    assert broken.status == "rejected"
    assert "no_rows" not in codes(broken)


def declare(
    cast: Any, tomato: Any, *, period: str = "2026-09", key: str | None = None, actor: Any = None
) -> Any:
    return services.declare_nothing_to_report(
        actor=actor or cast.person("a", "contributor"),
        organization=cast.org_a,
        version=tomato,
        period=period,
        idempotency_key=key,
    )


def test_a_declaration_is_in_force_at_once_and_replaces_the_periods_data(
    send: Any, cast: Any, tomato: Any
) -> None:
    accepted = send(csv_bytes(EN_HEADERS, [ROW]))
    declaration, created = declare(cast, tomato, period="09.2026")
    accepted.refresh_from_db()
    assert created
    assert (
        declaration.source == "none" and declaration.status == "accepted" and declaration.period == "2026-09"
    )
    assert declaration.is_current and declaration.row_count == 0 and declaration.processed_at is not None
    assert not accepted.is_current and accepted.superseded_by_id == declaration.pk
    assert rows_in_force() == 0
    assert Observation.objects.filter(submission=accepted).count() == 1  # history is kept
    event = AuditEvent.objects.get(action="submission.nothing_to_report")
    assert event.data["supersedes"] == str(accepted.pk)


def test_declaring_again_or_retrying_returns_the_first_declaration(cast: Any, tomato: Any) -> None:
    first, _created = declare(cast, tomato, key="nil-2026-09")
    assert declare(cast, tomato, key="nil-2026-09") == (first, False)
    assert declare(cast, tomato) == (first, False)
    with pytest.raises(services.IdempotencyConflict):
        declare(cast, tomato, period="2026-10", key="nil-2026-09")
    assert Submission.objects.count() == 1


def test_data_sent_after_a_declaration_replaces_it(send: Any, cast: Any, tomato: Any) -> None:
    declaration, _created = declare(cast, tomato)
    accepted = send(csv_bytes(EN_HEADERS, [ROW]))
    declaration.refresh_from_db()
    assert accepted.is_current and not declaration.is_current and rows_in_force() == 1


def test_a_viewer_cannot_declare(cast: Any, tomato: Any) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        declare(cast, tomato, actor=cast.person("a", "viewer"))
    assert not Submission.objects.exists()


# --- Through the API and the page ---------------------------------------------------------------------------


def post_declaration(client: Any, key: str | None = None, **fields: Any) -> Any:
    body = {"standard": "tomato-paste.exports", "period": "2026-09", **fields}
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(
        "/api/v1/submissions/nothing-to-report/", body, content_type="application/json", **headers
    )


def test_the_api_records_a_declaration_and_answers_a_retry_with_it(cast: Any, standards: Any) -> None:
    client = cast.client_for("token_contributor")
    response = post_declaration(client, key="nil-1")
    assert response.status_code == 201
    body = response.json()
    assert body["source"] == "none" and body["status"] == "accepted" and body["is_current"] is True
    assert body["row_count"] == 0 and response["Location"] == body["url"]
    again = post_declaration(client, key="nil-1")
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    assert client.get(body["url"]).json()["source"] == "none"


@pytest.mark.parametrize(
    ("actor", "fields", "status", "code"),
    [
        ("token_viewer", {}, 403, "permission_denied"),
        ("anonymous", {}, 401, "not_authenticated"),
        ("token_contributor", {"period": "September"}, 400, "invalid"),
        ("token_contributor", {"standard": "no.such-standard"}, 404, "not_found"),
        ("token_contributor", {"version": "9.9.9"}, 404, "not_found"),
    ],
)
def test_the_api_refuses_a_declaration_it_cannot_take(
    cast: Any, standards: Any, actor: str, fields: dict[str, str], status: int, code: str
) -> None:
    response = post_declaration(cast.client_for(actor), **fields)
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert not Submission.objects.exists()


def test_a_foreign_organization_is_404_for_a_declaration(cast: Any, standards: Any) -> None:
    response = post_declaration(cast.client_for("a_contributor"), organization=cast.org_b.pk)
    assert response.status_code == 404
    assert not Submission.objects.exists()


def test_the_page_declares_nothing_to_report(send: Any, cast: Any, tomato: Any) -> None:
    accepted = send(csv_bytes(EN_HEADERS, [ROW]))
    client = cast.client_for("a_contributor")
    page = client.get("/submissions/", HTTP_ACCEPT_LANGUAGE="en")
    assert 'name="declare"' in page.content.decode()
    response = client.post(
        "/submissions/",
        {
            "declare": "1",
            "none-organization": str(cast.org_a.pk),
            "none-version": str(tomato.pk),
            "none-period": "2026-09",
        },
    )
    declaration = Submission.objects.get(source="none")
    assert response.status_code == 302 and response["Location"] == f"/submissions/{declaration.pk}/"
    accepted.refresh_from_db()
    assert declaration.is_current and not accepted.is_current
    detail = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "declared that it has nothing to report" in detail
    listing = client.get("/submissions/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Nothing to report" in listing


def test_the_page_says_what_is_wrong_with_a_declaration(cast: Any, tomato: Any) -> None:
    response = cast.client_for("a_contributor").post(
        "/submissions/",
        {
            "declare": "1",
            "none-organization": str(cast.org_a.pk),
            "none-version": str(tomato.pk),
            "none-period": "Q9",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "is not a period of this standard" in response.content.decode()
    assert not Submission.objects.exists()
