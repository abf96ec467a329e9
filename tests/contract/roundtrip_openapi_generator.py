"""A smaller round trip through the client that OpenAPI Generator's `python` generator made from the
same /api/schema/ (run.py puts the package `hub_og_client` on PYTHONPATH). Not collected by pytest.

    python tests/contract/roundtrip_openapi_generator.py --base-url http://127.0.0.1:PORT --token ah_...

This generator sends `Accept: application/json` when an operation lists JSON at all (here: for its
errors), also to the downloads, and gives an operation with two request media types one set of
parameters (the multipart form's) but labels it with the JSON type unless told `_content_type`.
"""

from __future__ import annotations

import argparse
import sys
import uuid

import hub_og_client
from hub_og_client.exceptions import ApiException, NotFoundException
from hub_og_client.models import Error, Me, PaginatedOrganizationList, Submission

STANDARD = "tomato-paste.exports"
FILE = (
    b"Period,Product,Destination country,Incoterm,Border crossing,Transport mode,Packaging,Quantity (t),"
    b"Value,Currency\r\n2026-08,hot-break-30-32,UZ,DAP,khorgos,road,bag-in-box,12,10100,USD\r\n"
)

steps = 0


def ok(what: str) -> None:
    global steps
    steps += 1
    print(f"  ok  {what}", flush=True)


def typed_error(error: ApiException, status: int, code: str) -> Error:
    assert error.status == status, (error.status, error.body)
    assert isinstance(error.data, Error), (type(error.data), error.body)
    assert error.data.error.code == code and error.data.error.message, error.body
    return error.data


def main_part(api: hub_og_client.ApiClient) -> None:
    me = hub_og_client.MeApi(api).me_retrieve()
    assert isinstance(me, Me) and me.kind.value == "token", me
    ok(f"me/: a token of {me.memberships[0].organization.slug}")

    page = hub_og_client.OrganizationsApi(api).organizations_list(page_size=5)
    assert isinstance(page, PaginatedOrganizationList) and len(page.results) == 1, page
    ok("organizations/: one organization")

    standards = hub_og_client.StandardsApi(api)
    csv = standards.standards_versions_template_csv_retrieve(STANDARD, "1.0.0", lang="kk")
    assert isinstance(csv, str) and csv.startswith("\ufeff"), csv[:40]
    xlsx = standards.standards_versions_template_xlsx_retrieve(STANDARD, "1.0.0")
    assert bytes(xlsx[:2]) == b"PK", xlsx[:20]
    ok(f"templates with Accept: application/json: CSV ({len(csv)} characters), XLSX ({len(xlsx)} bytes)")

    submissions = hub_og_client.SubmissionsApi(api)
    sent = submissions.submissions_create(
        standard=STANDARD,
        period="2026-08",
        file=("export.csv", FILE),
        idempotency_key=f"og-{uuid.uuid4()}",
        _content_type="multipart/form-data",  # it would label the form fields application/json
    )
    assert isinstance(sent, Submission) and sent.standard == STANDARD, sent
    ok(f"POST submissions/ (multipart): 202, {sent.id}")

    try:
        submissions.submissions_retrieve(str(uuid.uuid4()))
    except NotFoundException as error:
        typed_error(error, 404, "not_found")
    else:
        raise AssertionError("a missing submission was found")
    ok("404 for a missing submission: typed Error")

    try:
        hub_og_client.OrganizationsApi(api).organizations_list(cursor="not-a-cursor")
    except ApiException as error:
        body = typed_error(error, 400, "invalid")
        # The generator names `field` `var_field` (a reserved word there).
        assert [d.var_field for d in body.error.details] == ["cursor"], error.body
    else:
        raise AssertionError("a made-up cursor was accepted")
    ok("400 for a cursor the hub did not issue: typed Error")


def throttle_part(api: hub_og_client.ApiClient) -> None:
    me = hub_og_client.MeApi(api)
    for _attempt in range(50):
        try:
            me.me_retrieve()
        except ApiException as error:
            typed_error(error, 429, "throttled")
            assert error.headers is not None and int(error.headers["Retry-After"]) >= 1
            ok(f"429 past HUB_API_RATE: typed Error, Retry-After {error.headers['Retry-After']}")
            return
    raise AssertionError("no 429 after 50 requests")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--part", choices=["main", "throttle"], default="main")
    args = parser.parse_args()
    configuration = hub_og_client.Configuration(host=args.base_url, access_token=args.token)
    # urllib3 would otherwise wait out each 429's Retry-After and try again, three times.
    configuration.retries = 0
    with hub_og_client.ApiClient(configuration) as api:
        (main_part if args.part == "main" else throttle_part)(api)
    print(f"  {steps} steps passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
