"""The benchmarks API as partners and members use it: who may read (a matrix over the whole cast),
the flat SDMX-like rows, filters and their 400s, cursor pages, CSV, ETag, the embargo as of today, and
the position: a firm's own figure goes to its own organization only."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from apps.benchmarks.models import Run
from apps.benchmarks.runs import compute_run
from apps.standards.models import StandardVersion
from tests.benchmarks.hub import Alliance, firm_figures, make_alliance, row, spread
from tests.matrix import Case, NotApplicable, Outcome, check, snapshot, unchanged
from tests.matrix import row as matrix_row

PERIOD = "2026-06"
LATE = "2026-11"  # its price figures are embargoed until 2027-03-01; quality ones are out
CODE = "tomato-paste.exports"
A_ROWS = [row("hot-break-28-30", "KZ", 150, 150 * 1234.0, 29.9)]
B_ROWS = [row("hot-break-28-30", "KZ", 160, 160 * 777.0, 28.1)]


@pytest.fixture
def alliance(cast: Any, version: StandardVersion) -> Alliance:
    found = make_alliance(cast.steward, version)
    for firm, letter in ((cast.org_a, "a"), (cast.org_b, "b")):
        found.firms.append(firm)
        found.contributors[firm.pk] = cast.person(letter, "contributor")
    for period in (PERIOD, LATE):
        found.send(cast.org_a, period, A_ROWS, key=f"a:{period}")
        found.send(cast.org_b, period, B_ROWS, key=f"b:{period}")
        spread(found, period, 12, prefix=f"p{period[-2:]}")
        compute_run(version.standard, period, trigger=Run.Trigger.COMMAND)
    return found


@pytest.fixture
def pair(cast: Any, version: StandardVersion) -> Alliance:
    """Firms A and B only, one period, one run: enough for who-may-read (their figures are withheld)."""
    found = make_alliance(cast.steward, version)
    for firm, letter, rows in ((cast.org_a, "a", A_ROWS), (cast.org_b, "b", B_ROWS)):
        found.firms.append(firm)
        found.contributors[firm.pk] = cast.person(letter, "contributor")
        found.send(firm, PERIOD, rows, key=f"{letter}:{PERIOD}")
    compute_run(version.standard, PERIOD, trigger=Run.Trigger.COMMAND)
    return found


def _state() -> Any:
    return snapshot(runs=Run.objects.values_list("id"))


def figures_listed(outcome: Outcome) -> None:
    body = outcome.response.json()
    assert body["results"] and set(body["results"][0]) >= {
        "standard",
        "measure",
        "value",
        "status",
        "run",
        "policy",
    }
    unchanged(outcome)


def own_position(outcome: Outcome) -> None:
    """Firm A's own unit price (1234 USD/t), never firm B's (777)."""
    body = outcome.response.json()
    assert body["own_value"] == pytest.approx(1234.0)
    assert "777" not in outcome.response.content.decode()
    unchanged(outcome)


def cohorts_listed(outcome: Outcome) -> None:
    assert {"standard": CODE, "code": "all"}.items() <= outcome.response.json()[0].items() or any(
        c["standard"] == CODE and c["code"] == "all" for c in outcome.response.json()
    )
    unchanged(outcome)


READERS = {"people": 200, "staff": 403, "tokens": 200, "anonymous": 401}
POSITION = f"/api/v1/benchmarks/position/?standard={CODE}&measure=unit_price&period={PERIOD}"
MATRIX = [
    *matrix_row("GET", "/api/v1/cohorts/", "alliance", effect=cohorts_listed, **READERS),
    *matrix_row("GET", f"/api/v1/benchmarks/?standard={CODE}", "alliance", effect=figures_listed, **READERS),
    *matrix_row(
        "GET",
        POSITION,
        "own",
        effect=own_position,
        a_admin=200,
        a_contributor=200,
        a_viewer=200,
        tokens=200,
        stewards=404,  # no member firm of theirs: stewards see no firm's own figure
        staff=403,
        anonymous=401,
    ),
    *matrix_row(
        "GET",
        POSITION + "&organization={org_b}",
        "foreign",
        a_admin=404,
        a_contributor=404,
        a_viewer=404,
        tokens=404,
        stewards=404,
        staff=403,
        anonymous=401,
    ),
    *matrix_row(
        "GET",
        POSITION + "&organization={org_a}",
        "own, named",
        effect=own_position,
        a_admin=200,
        a_contributor=200,
        a_viewer=200,
        tokens=200,
        stewards=404,
        staff=403,
        anonymous=NotApplicable("the same as the unnamed row"),
    ),
]


@pytest.mark.parametrize("case", MATRIX, ids=str)
def test_benchmarks_permission_matrix(cast: Any, pair: Alliance, case: Case) -> None:
    path = case.path.format(org_a=cast.org_a.pk, org_b=cast.org_b.pk)
    before = _state()
    response = cast.client_for(case.actor).get(path)
    check(Outcome(case, path, response, before, _state()))


def test_a_row_is_one_statistic_of_one_cell(cast: Any, alliance: Alliance) -> None:
    client = cast.client_for("a_viewer")
    body = client.get(
        f"/api/v1/benchmarks/?standard={CODE}&measure=unit_price&cohort=all&breakdown=none&period={PERIOD}"
    ).json()
    rows = {item["statistic"]: item for item in body["results"]}
    assert set(rows) == {"median", "mean", "p10", "p25", "p75", "p90"}
    median = rows["median"]
    assert median == {
        "standard": CODE,
        "measure": "unit_price",
        "unit": "USD/t",
        "period": PERIOD,
        "cohort": "all",
        "breakdown": {},
        "statistic": "median",
        "value": median["value"],
        "status": "published",
        "reason": None,
        "n_firms": 14,
        "reliability": "medium",
        "available_from": "2026-10-01",
        "run": median["run"],
        "policy": "2026.1",
    }
    assert rows["p10"]["value"] is None and rows["p10"]["reason"] == "statistic_needs_more_firms"
    broken = client.get(
        f"/api/v1/benchmarks/?standard={CODE}&measure=unit_price&breakdown=destination_country:KZ&period={PERIOD}"
    ).json()["results"]
    assert {item["breakdown"]["destination_country"] for item in broken} == {"KZ"}


def test_an_embargoed_figure_has_no_value_and_says_when(cast: Any, alliance: Alliance) -> None:
    client = cast.client_for("token_viewer")
    price = client.get(
        f"/api/v1/benchmarks/?standard={CODE}&measure=unit_price&breakdown=none&period={LATE}&statistic=median"
    ).json()["results"]
    assert price == [
        dict(
            price[0],
            status="embargoed",
            value=None,
            reason="embargoed",
            n_firms=None,
            available_from="2027-03-01",
        )
    ]
    assert price[0]["reliability"] is None
    quality = client.get(
        f"/api/v1/benchmarks/?standard={CODE}&measure=brix&breakdown=none&period={LATE}&statistic=median"
    ).json()["results"]
    assert quality[0]["status"] == "published" and quality[0]["value"] is not None  # quality: no lag


def test_the_same_rows_as_csv(cast: Any, alliance: Alliance) -> None:
    client = cast.client_for("a_viewer")
    query = f"/api/v1/benchmarks/?standard={CODE}&measure=unit_price&period={PERIOD}"
    response = client.get(query, HTTP_ACCEPT="text/csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    every = []
    cursor = query + "&page_size=10"
    while cursor:
        page = client.get(cursor).json()
        every.extend(page["results"])
        cursor = page["next"]
    assert len(table) == len(every) > 10  # CSV holds every row; JSON came in cursor pages
    assert {r["status"] for r in table} >= {"published", "suppressed"}
    kz = [r for r in table if r["breakdown"] == "destination_country=KZ" and r["statistic"] == "median"]
    assert kz and kz[0]["value"]


def test_reads_send_an_etag_and_honour_if_none_match(cast: Any, pair: Alliance) -> None:
    client = cast.client_for("a_viewer")
    path = f"/api/v1/benchmarks/?standard={CODE}&period={PERIOD}&measure=brix"
    first = client.get(path)
    assert first["ETag"]
    assert client.get(path, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    compute_run(pair.version.standard, PERIOD, trigger=Run.Trigger.COMMAND)  # a new run: new ETag
    assert client.get(path, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


@pytest.mark.parametrize(
    "query",
    ["statistic=max", "breakdown=:KZ", "breakdown=destination_country:", "page_size=0", "cursor=@@"],
)
def test_bad_filters_are_a_400_with_the_envelope(cast: Any, pair: Alliance, query: str) -> None:
    response = cast.client_for("a_viewer").get(f"/api/v1/benchmarks/?{query}", HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 400
    assert response.json()["error"]["code"]


def test_the_position_band_uses_published_quantiles_only(cast: Any, alliance: Alliance) -> None:
    body = cast.client_for("a_viewer").get(POSITION, HTTP_ACCEPT_LANGUAGE="en").json()
    published = {f["statistic"]: f["value"] for f in body["figures"] if f["status"] == "published"}
    assert "p10" not in published and "p90" not in published  # 14 firms
    above = [s for s in ("p25", "median", "p75") if published[s] <= 1234.0]
    assert body["band"]["lower"] == (above[-1] if above else None)
    others = firm_figures(alliance, PERIOD, "unit_price", {})
    assert 1234.0 in [pytest.approx(v) for v in others]


def test_a_person_in_several_firms_names_one(cast: Any, pair: Alliance) -> None:
    from apps.organizations.models import Role
    from apps.organizations.services import grant_membership

    person = cast.person("a", "viewer")
    grant_membership(actor=cast.person("b", "admin"), organization=cast.org_b, user=person, role=Role.VIEWER)
    client = cast.client_for("a_viewer")
    assert client.get(POSITION).status_code == 400
    assert client.get(POSITION + f"&organization={cast.org_b.pk}").json()["own_value"] == pytest.approx(777.0)


def test_reads_never_load_a_runs_facts_and_take_few_queries(
    cast: Any, pair: Alliance, django_assert_max_num_queries: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = cast.client_for("a_viewer")
    for url in (f"/api/v1/benchmarks/?standard={CODE}", POSITION):
        with CaptureQueriesContext(connection) as queries, django_assert_max_num_queries(20):
            assert client.get(url).status_code == 200
        selected = " ".join(q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT"))
        assert '"benchmarks_run"."facts"' not in selected
        assert '"benchmarks_figure"."evidence"' not in selected
