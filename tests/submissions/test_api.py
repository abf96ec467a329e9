from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.submissions.models import Issue, Observation, Submission
from tests.matrix import ADMIN_LOGIN, LOGIN, Case, Outcome, State, all_of, check, renders, row, snapshot
from tests.submissions.data import EN_HEADERS, ROW, TOMATO_FIELDS, csv_bytes


def upload(client: Any, content: bytes, *, key: str | None = None, **fields: Any) -> Any:
    data = {
        "standard": "tomato-paste.exports",
        "period": "2026-09",
        "file": SimpleUploadedFile("export.csv", content, content_type="text/csv"),
        **fields,
    }
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post("/api/v1/submissions/", data, **headers)


def test_a_file_is_accepted_for_processing_with_a_status_url(
    cast: Any, standards: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = cast.client_for("token_contributor")
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, csv_bytes(EN_HEADERS, [ROW]))
    assert response.status_code == 202
    body = response.json()
    assert response["Location"] == body["url"]
    status = client.get(body["url"]).json()
    assert status["status"] == "accepted" and status["row_count"] == 1
    report = client.get(body["report_url"]).json()
    assert report["issues"] == [] and report["summary"]["delimiter"] == ","


def test_json_rows_over_the_api(cast: Any, standards: Any, django_capture_on_commit_callbacks: Any) -> None:
    names = TOMATO_FIELDS
    body = {
        "standard": "tomato-paste.exports",
        "version": "1.0.0",
        "period": "2026-09",
        "rows": [dict(zip(names, [*ROW[:7], 25, 21500, "USD"], strict=True))],
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = cast.client_for("token_contributor").post(
            "/api/v1/submissions/", body, content_type="application/json"
        )
    assert response.status_code == 202
    assert Submission.objects.get(pk=response.json()["id"]).status == "accepted"


def test_a_retried_request_returns_the_first_submission(cast: Any, standards: Any) -> None:
    client = cast.client_for("token_contributor")
    first = upload(client, csv_bytes(EN_HEADERS, [ROW]), key="erp-42")
    second = upload(client, csv_bytes(EN_HEADERS, [ROW]), key="erp-42")
    assert first.status_code == second.status_code == 202
    assert first.json()["id"] == second.json()["id"]
    other = upload(client, csv_bytes(EN_HEADERS, [ROW, ["2026-09", *ROW[1:2], "UZ", *ROW[3:]]]), key="erp-42")
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    assert Submission.objects.count() == 1


def test_too_large_is_413_and_stores_nothing(cast: Any, standards: Any, settings: Any) -> None:
    settings.HUB_UPLOAD_MAX_BYTES = 100
    response = upload(cast.client_for("token_contributor"), csv_bytes(EN_HEADERS, [ROW] * 10))
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    assert not Submission.objects.exists()


def test_bad_requests_say_what_is_wrong_in_the_readers_language(cast: Any, standards: Any) -> None:
    client = cast.client_for("token_contributor")
    response = upload(client, csv_bytes(EN_HEADERS, [ROW]), period="2026-Q3", HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 400
    detail = response.json()["error"]["details"][0]
    assert detail["field"] == "period" and "2026-Q3" in detail["message"]
    assert upload(client, b"", period="2026-09").status_code == 400
    assert upload(client, csv_bytes(EN_HEADERS, [ROW]), standard="no.such").status_code == 404
    assert upload(client, csv_bytes(EN_HEADERS, [ROW]), version="9.9.9").status_code == 404
    assert not Submission.objects.exists()


def test_another_organizations_id_is_404(cast: Any, standards: Any) -> None:
    response = upload(
        cast.client_for("a_contributor"), csv_bytes(EN_HEADERS, [ROW]), organization=cast.org_b.pk
    )
    assert response.status_code == 404
    assert not Submission.objects.exists()


def test_a_viewer_may_not_send(cast: Any, standards: Any) -> None:
    assert upload(cast.client_for("token_viewer"), csv_bytes(EN_HEADERS, [ROW])).status_code == 403
    assert upload(cast.client_for("a_viewer"), csv_bytes(EN_HEADERS, [ROW])).status_code == 403


def test_the_report_reads_in_the_readers_language(cast: Any, send: Any) -> None:
    broken = list(ROW)
    broken[7] = "lots"
    submission = send(csv_bytes(EN_HEADERS, [broken]))
    client = cast.client_for("a_viewer")
    english = client.get(f"/api/v1/submissions/{submission.pk}/report/").json()["issues"][0]
    kazakh = client.get(f"/api/v1/submissions/{submission.pk}/report/", HTTP_ACCEPT_LANGUAGE="kk").json()[
        "issues"
    ][0]
    assert (english["row"], english["column"], english["value"], english["code"]) == (
        2,
        "Quantity (t)",
        "lots",
        "not_a_number",
    )
    assert "lots" in kazakh["message"] and kazakh["message"] != english["message"]
    csv_report = client.get(f"/submissions/{submission.pk}/report.csv")
    assert csv_report["Content-Disposition"].startswith("attachment;")
    assert "lots" in csv_report.content.decode("utf-8-sig")


@pytest.fixture
def own_submission(send: Any) -> Submission:
    return send(csv_bytes(EN_HEADERS, [ROW]))


def state() -> State:
    """The submissions, their figures and their reports."""
    return snapshot(
        submissions=Submission.objects.values_list(
            "id", "organization_id", "version_id", "period", "status", "is_current", "superseded_by_id"
        ),
        observations=Observation.objects.values_list("submission_id", "row"),
        issues=Issue.objects.values_list("id", "submission_id", "code"),
    )


# Who sees no submission at all, in any list.
NO_DATA = ["steward", "superuser", "self_invited_steward", "staff"]


def submission_body(outcome: Outcome) -> None:
    body = outcome.response.json()
    assert (body["id"], body["status"]) == (str(outcome.objects["submission"].pk), "accepted")
    assert not outcome.changed()


def report_body(outcome: Outcome) -> None:
    body = outcome.response.json()
    assert body["issues"] == [] and body["summary"]["delimiter"] == ","
    assert not outcome.changed()


def report_file(outcome: Outcome) -> None:
    response = outcome.response
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    assert not outcome.changed()


def detail_page(outcome: Outcome) -> None:
    renders("submissions/detail.html")(outcome)
    assert outcome.response.context["submission"] == outcome.objects["submission"]


def listed(outcome: Outcome) -> list[str]:
    if outcome.path.startswith("/api/"):
        return [item["id"] for item in outcome.response.json()["results"]]
    return [str(submission.pk) for submission in outcome.response.context["page"]]


def own_list(outcome: Outcome) -> None:
    """The list holds firm A's submission for firm A's people and tokens, and nothing for anyone else
    (stewards included: raw figures stay within their organization)."""
    expected = [] if outcome.actor in NO_DATA else [str(outcome.objects["submission"].pk)]
    assert listed(outcome) == expected, outcome.actor
    if outcome.actor in NO_DATA and not outcome.path.startswith("/api/"):
        assert str(outcome.objects["submission"].pk) not in outcome.response.content.decode()
    assert not outcome.changed()


MEMBERS = {"a_admin": 200, "a_contributor": 200, "a_viewer": 200}
MATRIX = [
    *row(
        "GET",
        "/api/v1/submissions/{id}/",
        "own",
        effect=submission_body,
        **MEMBERS,
        tokens=200,
        stewards=404,
        staff=404,
        anonymous=401,
    ),
    *row(
        "GET",
        "/api/v1/submissions/{id}/report/",
        "own",
        effect=report_body,
        **MEMBERS,
        tokens=200,
        stewards=404,
        staff=404,
        anonymous=401,
    ),
    *row(
        "GET",
        "/api/v1/submissions/{id}/report.csv",
        "own",
        effect=report_file,
        **MEMBERS,
        tokens=200,
        stewards=404,
        staff=404,
        anonymous=401,
    ),
    *row(
        "GET",
        "/submissions/{id}/",
        "own",
        effect=detail_page,
        **MEMBERS,
        stewards=404,
        staff=404,
        others=LOGIN,
    ),
    *row(
        "GET",
        "/submissions/{id}/report.csv",
        "own",
        effect=report_file,
        **MEMBERS,
        stewards=404,
        staff=404,
        others=LOGIN,
    ),
    *row(
        "GET",
        "/submissions/",
        "own",
        effect=all_of(renders("submissions/list.html"), own_list),
        people=200,
        others=LOGIN,
    ),
    *row("GET", "/api/v1/submissions/", "own", effect=own_list, people=200, tokens=200, anonymous=401),
    # the admin shows stewards processing metadata only, read-only; no page shows observations or issues
    *row(
        "GET",
        "/admin/submissions/submission/{id}/change/",
        "own",
        effect=renders("admin/change_form.html"),
        stewards=200,
        staff=403,
        others=ADMIN_LOGIN,
    ),
    *row(
        "POST",
        "/admin/submissions/submission/{id}/change/",
        "own",
        stewards=403,
        staff=403,
        others=ADMIN_LOGIN,
    ),
    *row(
        "POST",
        "/admin/submissions/submission/{id}/delete/",
        "own",
        stewards=403,
        staff=403,
        others=ADMIN_LOGIN,
    ),
    *row("GET", "/admin/submissions/observation/", "own", stewards=404, staff=404, others=ADMIN_LOGIN),
    *row("GET", "/admin/submissions/issue/", "own", stewards=404, staff=404, others=ADMIN_LOGIN),
]


@pytest.mark.parametrize("case", MATRIX, ids=str)
def test_submission_permission_matrix(cast: Any, own_submission: Submission, case: Case) -> None:
    client = cast.client_for(case.actor)
    path = case.path.format(id=own_submission.pk)
    before = state()
    response = client.get(path) if case.method == "GET" else client.post(path, {})
    check(Outcome(case, path, response, before, state(), {"submission": own_submission}))


@pytest.mark.parametrize("actor", ["b_admin", "b_contributor", "b_viewer"])
def test_a_foreign_submission_is_indistinguishable_from_a_missing_one(
    cast: Any, own_submission: Submission, actor: str
) -> None:
    client = cast.client_for(actor)
    foreign = client.get(f"/api/v1/submissions/{own_submission.pk}/")
    missing = client.get("/api/v1/submissions/00000000-0000-0000-0000-000000000000/")
    assert foreign.status_code == missing.status_code == 404 and foreign.content == missing.content
    assert client.get("/api/v1/submissions/").json()["results"] == []
    assert client.get(f"/submissions/{own_submission.pk}/").status_code == 404
    assert Observation.objects.count() == 1
