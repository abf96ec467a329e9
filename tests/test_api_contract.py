"""The v1 contract partners build against: error envelope, pagination, ETags, languages, schema, docs."""

from __future__ import annotations

import base64
from typing import Any
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client


def test_errors_use_the_envelope(cast: Any) -> None:
    body = Client().get("/api/v1/me/").json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == "not_authenticated"


def test_unknown_api_path_is_a_json_404(db: Any) -> None:
    response = Client().get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_error_messages_follow_accept_language(db: Any) -> None:
    messages = {
        language: Client().get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE=language).json()["error"]["message"]
        for language in ("en", "zh-hans", "ru", "kk", "ky", "uz")
    }
    assert len(set(messages.values())) == 6, messages


def test_reads_send_etags_and_honour_if_none_match(cast: Any) -> None:
    client = cast.client_for("token_viewer")
    first = client.get("/api/v1/organizations/")
    assert first.status_code == 200 and first["ETag"]
    second = client.get("/api/v1/organizations/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 304


def test_lists_are_cursor_paginated(cast: Any) -> None:
    client = cast.client_for("steward")
    page = client.get("/api/v1/organizations/?page_size=1").json()
    assert len(page["results"]) == 1 and page["next"] and "cursor=" in page["next"]
    rest = client.get(page["next"]).json()
    assert [o["slug"] for o in page["results"] + rest["results"]] == ["firm-a", "firm-b"]


def test_organization_list_query_count_does_not_grow_with_rows(cast: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.conftest import make_firm

    client = cast.client_for("steward")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/v1/organizations/").status_code == 200
        return len(queries)

    before = count()
    sector = cast.org_a.sectors.first()
    for i in range(10):
        make_firm(cast.steward, f"extra-{i}", sector)
    assert count() == before <= 12


def test_writable_fields_do_not_exist_on_read_only_endpoints(cast: Any) -> None:
    client = cast.client_for("a_admin")
    response = client.patch(
        f"/api/v1/organizations/{cast.org_a.pk}/", {"status": "active"}, content_type="application/json"
    )
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_database_outage_answers_503_not_500(cast: Any) -> None:
    client = cast.client_for("token_viewer")
    with mock.patch("apps.organizations.api.organizations_for", side_effect=OperationalError("gone")):
        response = client.get("/api/v1/organizations/")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "service_unavailable"
    assert "gone" not in response.content.decode()


def test_schema_and_docs_are_served_without_a_cdn(db: Any) -> None:
    schema = Client().get("/api/schema/?format=json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {"/api/v1/me/", "/api/v1/organizations/", "/api/v1/organizations/{id}/"} <= set(paths)
    docs = Client().get("/api/docs/").content.decode()
    assert "swagger-ui" in docs
    assert "https://" not in docs.replace("https://swagger.io", "")


# --- Pagination, filters and parameters: a bad value is a 400 in the envelope ---------------------------


def _invalid(response: Any, field: str) -> dict[str, Any]:
    assert response.status_code == 400, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()["error"]
    assert body["code"] == "invalid" and body["message"]
    assert [detail["field"] for detail in body["details"]] == [field]
    return body["details"][0]


@pytest.mark.parametrize("value", ["abc", "0", "201", "-1", "1.5", "5.0", "", "1e3"])
def test_a_page_size_that_is_no_whole_number_from_1_to_200_is_a_400(cast: Any, value: str) -> None:
    client = cast.client_for("steward")
    _invalid(client.get("/api/v1/organizations/", {"page_size": value}), "page_size")
    _invalid(client.get("/api/v1/submissions/", {"page_size": value}), "page_size")


def test_page_size_bounds_are_accepted(cast: Any) -> None:
    client = cast.client_for("steward")
    assert len(client.get("/api/v1/organizations/?page_size=1").json()["results"]) == 1
    assert client.get("/api/v1/organizations/?page_size=200").status_code == 200


@pytest.mark.parametrize(
    "cursor",
    ["zzz", "%%%", base64.b64encode(b"p=abc").decode(), base64.b64encode(b"o=-1").decode(), "cj1mb28="],
)
def test_a_cursor_the_hub_did_not_issue_is_a_400(cast: Any, cursor: str) -> None:
    client = cast.client_for("steward")
    assert _invalid(client.get("/api/v1/organizations/", {"cursor": cursor}), "cursor")["message"]
    _invalid(client.get("/api/v1/submissions/", {"cursor": cursor}), "cursor")


def test_a_bad_filter_value_is_a_400(cast: Any) -> None:
    client = cast.client_for("steward")
    detail = _invalid(client.get("/api/v1/organizations/?status=nope"), "status")
    assert detail["code"] == "invalid_choice"
    _invalid(client.get("/api/v1/submissions/?status=nope"), "status")
    assert client.get("/api/v1/organizations/?status=&kind=member").status_code == 200  # empty: no filter


def test_an_unknown_lang_is_a_400_and_codes_are_read_leniently(cast: Any, standards: Any) -> None:
    client = cast.client_for("token_viewer")
    url = "/api/v1/standards/tomato-paste.exports/versions/1.0.0/"
    assert _invalid(client.get(url + "?lang=de"), "lang")["code"] == "invalid_choice"
    _invalid(client.get("/api/v1/standards/?lang="), "lang")
    assert client.get(url + "?lang=ZH_hans").json()["title"] == "番茄酱出口"


def test_nul_in_an_api_path_or_query_is_a_400_in_the_envelope(cast: Any, standards: Any) -> None:
    client = cast.client_for("token_contributor")
    for url in ("/api/v1/standards/%00/versions/1.0.0/", "/api/v1/submissions/?standard=%00"):
        response = client.get(url)
        assert response.status_code == 400 and response.json()["error"]["code"] == "malformed_request"


def test_throttled_requests_are_429_with_retry_after(cast: Any) -> None:
    from alliance.rest import ClientRateThrottle

    client = cast.client_for("token_viewer")
    with mock.patch.dict(ClientRateThrottle.THROTTLE_RATES, {"client": "2/min"}):
        statuses = [client.get("/api/v1/me/") for _ in range(3)]
    assert [r.status_code for r in statuses] == [200, 200, 429]
    assert statuses[-1].json()["error"]["code"] == "throttled"
    assert int(statuses[-1]["Retry-After"]) >= 1


def test_a_multipart_field_over_the_memory_limit_is_413(cast: Any, standards: Any, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    response = cast.client_for("token_contributor").post(
        "/api/v1/submissions/", {"standard": "x" * 200, "period": "2026-09"}
    )
    assert response.status_code == 413 and response.json()["error"]["code"] == "too_large"
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 1
    response = cast.client_for("token_contributor").post(
        "/api/v1/submissions/", {"standard": "x", "period": "2026-09"}
    )
    assert response.status_code == 400 and response.json()["error"]["code"] == "parse_error"


# --- Downloads: Accept is honoured, errors stay JSON ------------------------------------------------------

TEMPLATES = "/api/v1/standards/tomato-paste.exports/versions/1.0.0/"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.mark.parametrize(
    ("path", "accept", "media_type"),
    [
        ("template.csv", "text/csv", "text/csv"),
        ("template.csv", "text/csv, application/json", "text/csv"),
        ("template.csv", "*/*", "text/csv"),
        ("template.csv", "application/json", "text/csv"),
        ("template.xlsx", XLSX, XLSX),
        ("template.xlsx", f"{XLSX}, application/octet-stream, application/json", XLSX),
        ("template.xlsx", "application/octet-stream", "application/octet-stream"),
        ("template.xlsx", "*/*", XLSX),
        ("template.xlsx", "application/json", XLSX),
    ],
)
def test_downloads_answer_the_media_type_asked_for(
    cast: Any, standards: Any, path: str, accept: str, media_type: str
) -> None:
    response = cast.client_for("token_viewer").get(TEMPLATES + path, HTTP_ACCEPT=accept)
    assert response.status_code == 200
    assert response["Content-Type"].split(";")[0] == media_type
    assert response.content.startswith(b"PK" if path.endswith("xlsx") else b"\xef\xbb\xbf")


def test_downloads_answer_errors_in_json_whatever_was_asked(cast: Any, standards: Any) -> None:
    client = cast.client_for("token_viewer")
    missing = client.get("/api/v1/standards/no.such/versions/1.0.0/template.csv", HTTP_ACCEPT="text/csv")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    refused = client.get(TEMPLATES + "template.xlsx", HTTP_ACCEPT="image/png")
    assert refused.status_code == 406 and refused.json()["error"]["code"] == "not_acceptable"
    anonymous = Client().get(TEMPLATES + "template.csv", HTTP_ACCEPT="text/csv")
    assert anonymous.status_code == 401 and anonymous["Content-Type"] == "application/json"


# --- The schema --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def _operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(method.upper(), path, op) for path, ops in schema["paths"].items() for method, op in ops.items()]


ERROR_REF = {"$ref": "#/components/schemas/Error"}


def test_every_operation_documents_its_errors_with_the_one_error_component(schema: dict[str, Any]) -> None:
    assert set(schema["components"]["schemas"]["Error"]["properties"]) == {"error"}
    for method, path, operation in _operations(schema):
        responses = operation["responses"]
        expected = {"400", "401", "406", "429", "503"}
        if "{" in path:
            expected.add("404")
        if method == "POST":
            expected |= {"403", "413", "415"}
        assert expected <= set(responses), (method, path, expected - set(responses))
        for status, response in responses.items():
            if int(status) >= 400:
                assert response["content"] == {"application/json": {"schema": ERROR_REF}}, (path, status)
                assert response["description"], (path, status)
        for status in ("429", "503"):
            assert responses[status]["headers"]["Retry-After"]["required"] is True
        if method == "GET":
            assert "304" in responses and "ETag" in responses["200"]["headers"]
        assert "." not in operation["operationId"]


def test_error_component_matches_what_the_api_answers(cast: Any, schema: dict[str, Any]) -> None:
    components = schema["components"]["schemas"]
    body = cast.client_for("steward").get("/api/v1/organizations/?page_size=x").json()
    assert set(body["error"]) == set(components["ErrorInfo"]["required"])
    assert set(body["error"]["details"][0]) == set(components["ErrorDetail"]["required"])


def test_query_parameters_have_their_real_types_and_bounds(schema: dict[str, Any]) -> None:
    for method, path, operation in _operations(schema):
        parameters = {p["name"]: p["schema"] for p in operation.get("parameters", [])}
        if "page_size" in parameters:
            assert parameters["page_size"] == {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}
        for parameter in operation.get("parameters", []):
            optional = not parameter.get("required")  # a required period (a position's) has no empty value
            if parameter["name"] in ("status", "kind", "size_class", "country", "period") and optional:
                assert parameter["allowEmptyValue"] is True, (path, parameter["name"])
        if "lang" in parameters:
            assert sorted(parameters["lang"]["enum"]) == ["en", "kk", "ky", "ru", "uz", "zh-hans"]
        if path.startswith("/api/v1/submissions/{id}"):
            assert parameters["id"] == {"type": "string", "format": "uuid"}, (method, path)
        assert "format" not in parameters, path


def test_file_and_rows_bodies_are_separate_components(schema: dict[str, Any]) -> None:
    content = schema["paths"]["/api/v1/submissions/"]["post"]["requestBody"]["content"]
    multipart = content["multipart/form-data"]["schema"]["$ref"].rsplit("/", 1)[1]
    rows = content["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert multipart != rows
    components = schema["components"]["schemas"]
    assert "file" in components[multipart]["required"] and "rows" not in components[multipart]["properties"]
    assert components[multipart]["properties"]["file"] == {
        "type": "string",
        "format": "binary",
        "description": "CSV or XLSX.",
    }
    assert "rows" in components[rows]["required"] and "file" not in components[rows]["properties"]


def test_downloads_are_described_as_what_they_send(schema: dict[str, Any]) -> None:
    paths = schema["paths"]
    csv_template = paths["/api/v1/standards/{code}/versions/{version}/template.csv"]["get"]
    assert csv_template["responses"]["200"]["content"] == {"text/csv": {"schema": {"type": "string"}}}
    report = paths["/api/v1/submissions/{id}/report.csv"]["get"]
    assert report["responses"]["200"]["content"] == {"text/csv": {"schema": {"type": "string"}}}
    xlsx = paths["/api/v1/standards/{code}/versions/{version}/template.xlsx"]["get"]["responses"]["200"]
    binary = {"schema": {"type": "string", "format": "binary"}}
    assert xlsx["content"] == {XLSX: binary, "application/octet-stream": binary}


def test_a_body_with_both_a_file_and_rows_is_refused(cast: Any, standards: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = cast.client_for("token_contributor")
    data = {"standard": "tomato-paste.exports", "period": "2026-09", "rows": "[]"}
    data["file"] = SimpleUploadedFile("export.csv", b"Period\r\n2026-09\r\n", content_type="text/csv")
    assert client.post("/api/v1/submissions/", data).status_code == 400
    body = {"standard": "tomato-paste.exports", "period": "2026-09", "rows": [], "file": "x"}
    assert client.post("/api/v1/submissions/", body, content_type="application/json").status_code == 400
    missing = client.post("/api/v1/submissions/", {"standard": "tomato-paste.exports", "period": "2026-09"})
    assert missing.json()["error"]["details"][0]["field"] == "file"
