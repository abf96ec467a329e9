"""A partner's round trip through a client that openapi-python-client generated from /api/schema/,
used as generated (run.py puts the package `hubclient` on PYTHONPATH). Not collected by pytest.

    python tests/contract/roundtrip.py --base-url http://127.0.0.1:PORT --token ah_... [--part main]

`--part main` reads, downloads, sends a file and JSON rows, follows them and reads typed errors;
`--part throttle` expects a hub started with a low HUB_API_RATE and reads the typed 429.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import time
import uuid
from typing import Any

import openpyxl
from hubclient import AuthenticatedClient, Client
from hubclient.api.me import me_retrieve
from hubclient.api.organizations import organizations_list, organizations_retrieve
from hubclient.api.standards import (
    standards_list,
    standards_versions_retrieve,
    standards_versions_template_csv_retrieve,
    standards_versions_template_xlsx_retrieve,
)
from hubclient.api.submissions import (
    submissions_create,
    submissions_list,
    submissions_report_csv_retrieve,
    submissions_report_retrieve,
    submissions_retrieve,
)
from hubclient.models import (
    Error,
    Me,
    PaginatedOrganizationList,
    PaginatedSubmissionList,
    Report,
    Standard,
    StandardsVersionsTemplateCsvRetrieveLang,
    StandardsVersionsTemplateXlsxRetrieveLang,
    Submission,
    SubmitFileRequest,
    SubmitRowsRequest,
    SubmitRowsRequestRowsItem,
    Version,
)
from hubclient.types import File

STANDARD = "tomato-paste.exports"
FINAL = {"accepted", "accepted_with_warnings", "rejected"}
ROWS = [
    {
        "period": "2026-09",
        "product": "hot-break-28-30",
        "destination_country": "KZ",
        "incoterm": "DAP",
        "border_crossing": "khorgos",
        "transport_mode": "road",
        "packaging": "aseptic-drum",
        "quantity": "25",
        "value": "21500",
        "currency": "USD",
        "brix": "28.5",
    },
    {
        "period": "2026-09",
        "product": "cold-break-36-38",
        "destination_country": "KG",
        "incoterm": "FCA",
        "border_crossing": "torugart",
        "transport_mode": "road",
        "packaging": "aseptic-drum",
        "quantity": "20.5",
        "value": "18000",
        "currency": "USD",
    },
]

steps = 0


def ok(what: str) -> None:
    global steps
    steps += 1
    print(f"  ok  {what}", flush=True)


def expect_error(response: Any, status: int, code: str) -> Error:
    """A typed error body: the generated Error model, not None and not a dict."""
    assert response.status_code == status, (response.status_code, response.content[:300])
    error = response.parsed
    assert isinstance(error, Error), type(error)
    assert error.error.code == code and error.error.message, error.to_dict()
    return error


def wait_final(client: AuthenticatedClient, submission_id: Any) -> Submission:
    deadline = time.monotonic() + 600
    while True:
        found = submissions_retrieve.sync(submission_id, client=client)
        assert isinstance(found, Submission), found
        if found.status.value in FINAL:
            return found
        assert time.monotonic() < deadline, f"submission {submission_id} still {found.status.value}"
        time.sleep(1)


def main_part(base_url: str, token: str) -> None:
    client = AuthenticatedClient(base_url=base_url, token=token, timeout=60)

    me = me_retrieve.sync_detailed(client=client)
    assert me.status_code == 200 and isinstance(me.parsed, Me), me.content
    assert me.parsed.kind.value == "token"
    own = me.parsed.memberships[0].organization
    ok(f"me/: a token of {own.slug}")
    again = me_retrieve.sync_detailed(client=client, if_none_match=me.headers["ETag"])
    assert again.status_code == 304 and again.parsed is None
    ok("me/ again with If-None-Match: 304")

    page = organizations_list.sync(client=client, page_size=1)
    assert isinstance(page, PaginatedOrganizationList), page
    assert [o.slug for o in page.results] == [own.slug]
    ok("organizations/: the token's own organization")

    standards = standards_list.sync(client=client)
    assert isinstance(standards, list) and all(isinstance(s, Standard) for s in standards), standards
    standard = next(s for s in standards if s.code == STANDARD)
    assert isinstance(standard.latest_version, str)
    number = standard.latest_version
    version = standards_versions_retrieve.sync(STANDARD, number, client=client)
    assert isinstance(version, Version), version
    columns = [f for f in version.fields if not f.definition.to_dict().get("derived")]
    ok(f"standards/: {len(standards)} standards, {STANDARD} {number} with {len(columns)} columns")

    template = standards_versions_template_csv_retrieve.sync(
        STANDARD, number, client=client, lang=StandardsVersionsTemplateCsvRetrieveLang.EN
    )
    assert isinstance(template, str) and template.startswith("\ufeff"), template
    header = next(csv.reader(io.StringIO(template.lstrip("\ufeff"))))
    assert len(header) == len(columns), header
    assert all(text.startswith(c.title) for text, c in zip(header, columns, strict=True)), header
    ok(f"template.csv: {len(header)} columns, UTF-8 with BOM")

    workbook_file = standards_versions_template_xlsx_retrieve.sync(
        STANDARD, number, client=client, lang=StandardsVersionsTemplateXlsxRetrieveLang.RU
    )
    assert isinstance(workbook_file, File), workbook_file
    content = workbook_file.payload.read()
    assert content[:2] == b"PK", content[:20]
    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    russian = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    ru_csv = standards_versions_template_csv_retrieve.sync(
        STANDARD, number, client=client, lang=StandardsVersionsTemplateCsvRetrieveLang.RU
    )
    assert isinstance(ru_csv, str)
    assert russian == next(csv.reader(io.StringIO(ru_csv.lstrip("\ufeff")))), russian
    ok(f"template.xlsx: {len(content)} bytes, the header row in Russian ({russian[0]}, ...)")

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in ROWS:
        writer.writerow([row.get(c.name, "") for c in columns])
    filled = buffer.getvalue().encode("utf-8")
    upload = SubmitFileRequest(
        standard=STANDARD,
        version=number,
        period="2026-09",
        file=File(payload=io.BytesIO(filled), file_name="export.csv", mime_type="text/csv"),
    )
    key = f"file-{uuid.uuid4()}"
    sent = submissions_create.sync_detailed(client=client, body=upload, idempotency_key=key)
    assert sent.status_code == 202 and isinstance(sent.parsed, Submission), sent.content
    assert sent.headers["Location"] == sent.parsed.url
    ok(f"POST submissions/ (multipart, the filled template): 202, {sent.parsed.id}")

    key = f"rows-{uuid.uuid4()}"
    rows = [SubmitRowsRequestRowsItem.from_dict({**row, "period": "2026-10"}) for row in ROWS]
    body = SubmitRowsRequest(standard=STANDARD, version=number, period="2026-10", rows=rows)
    first = submissions_create.sync(client=client, body=body, idempotency_key=key)
    second = submissions_create.sync(client=client, body=body, idempotency_key=key)
    assert isinstance(first, Submission) and isinstance(second, Submission), (first, second)
    assert first.id == second.id
    ok(f"POST submissions/ (JSON rows) twice with one Idempotency-Key: the same {first.id}")

    for submission in (sent.parsed, first):
        final = wait_final(client, submission.id)
        assert final.status.value in {"accepted", "accepted_with_warnings"}, final.to_dict()
        assert final.row_count == 2, final.to_dict()
        report = submissions_report_retrieve.sync(submission.id, client=client)
        assert isinstance(report, Report) and report.submission.id == submission.id, report
        assert all(issue.severity == "warning" for issue in report.issues), report.to_dict()
        report_csv = submissions_report_csv_retrieve.sync(submission.id, client=client)
        assert isinstance(report_csv, str) and report_csv.startswith("\ufeff"), report_csv
        ok(f"{final.source.value}: {final.status.value}, {final.row_count} rows, report and report.csv")

    listing = submissions_list.sync(client=client, page_size=2)
    assert isinstance(listing, PaginatedSubmissionList) and len(listing.results) == 2, listing
    ok("submissions/: newest first, two a page")

    missing = expect_error(submissions_retrieve.sync_detailed(uuid.uuid4(), client=client), 404, "not_found")
    foreign = expect_error(organizations_retrieve.sync_detailed(own.id + 1, client=client), 404, "not_found")
    assert missing.to_dict() == foreign.to_dict()
    ok("404 for a missing submission and a foreign organization: the same typed Error")

    error = expect_error(organizations_list.sync_detailed(client=client, page_size=0), 400, "invalid")
    assert [d.field for d in error.error.details] == ["page_size"], error.to_dict()
    ok(f"400 for page_size=0: typed Error ({error.error.details[0].message})")
    quarter = SubmitRowsRequest(standard=STANDARD, version=number, period="2026-Q3", rows=rows)
    error = expect_error(submissions_create.sync_detailed(client=client, body=quarter), 400, "invalid")
    assert [d.field for d in error.error.details] == ["period"], error.to_dict()
    ok(f"400 for a quarter sent to a monthly standard: typed Error ({error.error.details[0].message})")

    anonymous = Client(base_url=base_url)
    expect_error(me_retrieve.sync_detailed(client=anonymous), 401, "not_authenticated")
    ok("401 without a token: typed Error")


def throttle_part(base_url: str, token: str) -> None:
    client = AuthenticatedClient(base_url=base_url, token=token, timeout=60)
    for _attempt in range(50):
        response = me_retrieve.sync_detailed(client=client)
        if response.status_code != 200:
            break
    error = expect_error(response, 429, "throttled")
    assert int(response.headers["Retry-After"]) >= 1
    wait = response.headers["Retry-After"]
    ok(f"429 past HUB_API_RATE: typed Error, Retry-After {wait} ({error.error.message})")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--part", choices=["main", "throttle"], default="main")
    args = parser.parse_args()
    (main_part if args.part == "main" else throttle_part)(args.base_url, args.token)
    print(f"  {steps} steps passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
