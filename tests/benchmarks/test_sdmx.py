"""SDMX-CSV 2.0 and SDMX-JSON 2.0 pulls of /api/v1/benchmarks/ as partners and members make them: the
same rows as the JSON pull (read back with Python's csv module, or by decoding every observation key
into its dimensions), withheld figures with no value and their SDMX status codes, the agreement's
lag, a 404 for anything outside the agreement, content negotiation by the SDMX media types, and (for
any rows, awkward text included) both messages giving every row back."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from apps.benchmarks.inputs import available_from
from apps.benchmarks.measures import period_end
from apps.benchmarks.sdmx import sdmx_csv, sdmx_json
from tests.exchange.conftest import CODE, LATE, PERIOD, Partner, alliance, grant, partner

__all__ = ["alliance", "partner"]  # the exchange tests' fixtures, used here too

LIST = "/api/v1/benchmarks/"
SDMX_CSV = "application/vnd.sdmx.data+csv; version=2.0.0"
SDMX_JSON = "application/vnd.sdmx.data+json; version=2.0.0"
DATAFLOW = "ALLIANCE:BENCHMARKS(1.0.0)"
DIMENSIONS = ["STANDARD", "MEASURE", "COHORT", "BREAKDOWN", "STATISTIC", "TIME_PERIOD"]
ATTRIBUTES = [
    "UNIT_MEASURE",
    "OBS_STATUS",
    "CONF_STATUS",
    "REASON",
    "N_FIRMS",
    "RELIABILITY",
    "AVAILABLE_FROM",
    "RUN",
    "POLICY",
]
CODES = {  # status: (OBS_STATUS, CONF_STATUS)
    "published": ("A", "F"),
    "suppressed": ("Q", "C"),
    "embargoed": ("Q", "E"),
    "not_computed": ("O", "F"),
    "no_data": ("M", "F"),
}


def _json_rows(client: Any, query: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    url: str | None = f"{LIST}?{query}"
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        rows += response.json()["results"]
        url = response.json()["next"]
    return rows


def _key(row: dict[str, Any]) -> tuple[str, ...]:
    breakdown = ";".join(f"{k}={v}" for k, v in sorted(row["breakdown"].items())) or "_T"
    return (row["standard"], row["measure"], row["cohort"], breakdown, row["statistic"], row["period"])


def _csv_rows(client: Any, query: str, accept: str = SDMX_CSV) -> list[dict[str, str]]:
    response = client.get(f"{LIST}?{query}", HTTP_ACCEPT=accept)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == f"{SDMX_CSV}; charset=utf-8"
    text = response.content.decode("utf-8")
    assert text.startswith("STRUCTURE,STRUCTURE_ID,ACTION,")
    table = list(csv.DictReader(io.StringIO(text)))
    assert table and list(table[0]) == [
        "STRUCTURE",
        "STRUCTURE_ID",
        "ACTION",
        *DIMENSIONS,
        "OBS_VALUE",
        *ATTRIBUTES,
    ]
    assert {(r["STRUCTURE"], r["STRUCTURE_ID"], r["ACTION"]) for r in table} == {("dataflow", DATAFLOW, "I")}
    return table


def _decoded(message: dict[str, Any]) -> list[dict[str, Any]]:
    """Every observation of an SDMX-JSON message back as its dimension, measure and attribute values."""
    structure = message["data"]["structures"][0]
    dimensions = sorted(structure["dimensions"]["observation"], key=lambda d: d["keyPosition"])
    attributes = structure["attributes"]["observation"]
    assert [d["id"] for d in dimensions] == DIMENSIONS
    assert [a["id"] for a in attributes] == ATTRIBUTES
    assert [m["id"] for m in structure["measures"]["observation"]] == ["OBS_VALUE"]
    observations = []
    for key, (value, *indexes) in message["data"]["dataSets"][0]["observations"].items():
        positions = [int(i) for i in key.split(":")]
        item = {
            d["id"]: d["values"][i].get("id", d["values"][i].get("value"))
            for d, i in zip(dimensions, positions, strict=True)
        }
        item["OBS_VALUE"] = value
        for attribute, index in zip(attributes, indexes, strict=True):
            if "values" not in attribute or index is None:  # a free attribute: the value itself
                item[attribute["id"]] = index
            else:
                chosen = attribute["values"][index]
                item[attribute["id"]] = chosen.get("id", chosen.get("value"))
        observations.append(item)
    return observations


def _check_same(theirs: dict[str, Any], row: dict[str, Any], cell: Any = lambda v: v) -> None:
    """An SDMX observation says what the JSON row says (`cell` turns a JSON value into the format's)."""
    assert theirs["UNIT_MEASURE"] == cell(row["unit"])
    assert (theirs["OBS_STATUS"], theirs["CONF_STATUS"]) == CODES[row["status"]], row
    for name, column in (
        ("reason", "REASON"),
        ("n_firms", "N_FIRMS"),
        ("reliability", "RELIABILITY"),
        ("available_from", "AVAILABLE_FROM"),
        ("run", "RUN"),
        ("policy", "POLICY"),
    ):
        assert theirs[column] == cell(row[name]), (column, theirs, row)


def _csv_cell(value: Any) -> str:
    return "" if value is None else str(value)


def test_a_partners_sdmx_csv_carries_the_values_of_its_json_pull(
    cast: Any, alliance: Any, partner: Partner
) -> None:
    grant(cast.steward, partner, measures=("unit_price", "brix"))
    rows = {_key(r): r for r in _json_rows(partner.client(), f"standard={CODE}")}
    table = _csv_rows(partner.client(), f"standard={CODE}")
    assert len(table) == len(rows)
    assert {r["MEASURE"] for r in table} == {"unit_price", "brix"}
    published = 0
    for line in table:
        row = rows[tuple(line[d] for d in DIMENSIONS)]
        if row["value"] is None:
            assert line["OBS_VALUE"] == ""
        else:
            assert float(line["OBS_VALUE"]) == row["value"]
            published += 1
        _check_same(line, row, _csv_cell)
    assert published, "the agreement grants published figures"
    assert "1234.0" not in str(table) and "777.0" not in str(table)  # firm A's and B's own figures


def test_withheld_figures_have_no_value_and_say_why_in_sdmx_codes(cast: Any, alliance: Any) -> None:
    table = _csv_rows(cast.client_for("a_viewer"), f"standard={CODE}&measure=unit_price")
    statuses = {(r["OBS_STATUS"], r["CONF_STATUS"], r["REASON"]) for r in table if r["OBS_VALUE"] == ""}
    assert ("Q", "C", "statistic_needs_more_firms") in statuses  # p10 and p90 of 14 firms
    assert ("Q", "E", "embargoed") in statuses  # November's prices, until 1 March
    assert {r["OBS_STATUS"] for r in table if r["OBS_VALUE"]} == {"A"}
    assert {r["CONF_STATUS"] for r in table if r["OBS_VALUE"]} == {"F"}
    embargoed = [r for r in table if r["CONF_STATUS"] == "E"]
    assert {(r["N_FIRMS"], r["AVAILABLE_FROM"]) for r in embargoed} == {("", "2027-03-01")}


def test_no_sdmx_figure_is_newer_than_the_agreements_lag(cast: Any, alliance: Any, partner: Partner) -> None:
    """Members see November's Brix from 1 December; a partner whose agreement lags three months, not
    before 1 March, in either SDMX format."""
    grant(cast.steward, partner, measures=("brix",), lag_months=3)
    query = f"standard={CODE}&measure=brix&period={LATE}"
    release = available_from(period_end(LATE, "month"), 3)
    if timezone.localdate() >= release:
        pytest.skip("the lag has passed")
    assert release == date(2027, 3, 1)
    member = _csv_rows(cast.client_for("a_viewer"), query)
    assert any(r["OBS_VALUE"] for r in member)
    table = _csv_rows(partner.client(), query)
    assert table and {(r["OBS_VALUE"], r["CONF_STATUS"], r["AVAILABLE_FROM"]) for r in table} == {
        ("", "E", "2027-03-01")
    }
    message = partner.client().get(f"{LIST}?{query}", HTTP_ACCEPT=SDMX_JSON).json()
    observations = _decoded(message)
    assert len(observations) == len(table)
    assert {o["OBS_VALUE"] for o in observations} == {None}


@pytest.mark.parametrize("accept", [SDMX_CSV, SDMX_JSON, "application/vnd.sdmx.data+csv"])
@pytest.mark.parametrize("query", [f"standard={CODE}&measure=quantity", "standard=sea-buckthorn.exports"])
def test_asking_outside_the_agreement_is_404_in_sdmx_too(
    cast: Any, alliance: Any, partner: Partner, accept: str, query: str
) -> None:
    grant(cast.steward, partner, measures=("unit_price",))
    missing = partner.client().get(f"{LIST}?{query}")
    assert missing.status_code == 404
    response = partner.client().get(f"{LIST}?{query}", HTTP_ACCEPT=accept)
    assert response.status_code == 404
    assert response.content == missing.content
    assert response["Content-Type"] == "application/json"


def test_sdmx_json_observations_decode_to_the_json_rows(cast: Any, alliance: Any) -> None:
    client = cast.client_for("a_viewer")
    query = f"standard={CODE}&measure=unit_price"
    rows = {_key(r): r for r in _json_rows(client, query)}
    response = client.get(f"{LIST}?{query}", HTTP_ACCEPT=SDMX_JSON, HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 200
    assert response["Content-Type"] == SDMX_JSON
    message = response.json()
    meta = message["meta"]
    assert meta["sender"]["id"] == "ALLIANCE" and meta["contentLanguages"] == ["ru"]
    assert meta["schema"].endswith("/2.0.0/sdmx-json-data-schema.json")
    assert message["data"]["dataSets"][0]["action"] == "Information"
    observations = _decoded(message)
    assert len(observations) == len(rows) > 20
    for item in observations:
        row = rows[tuple(item[d] for d in DIMENSIONS)]
        assert item["OBS_VALUE"] == row["value"]
        _check_same(item, row)
    annotations = message["data"]["structures"][0]["annotations"]
    assert {a["value"] for a in annotations if a["type"] == "RUN"} == {str(r["run"]) for r in rows.values()}
    assert {a["value"] for a in annotations if a["type"] == "POLICY"} == {r["policy"] for r in rows.values()}


def test_an_unchanged_sdmx_json_pull_is_304(cast: Any, alliance: Any) -> None:
    client = cast.client_for("a_viewer")
    path = f"{LIST}?standard={CODE}&measure=brix&period={PERIOD}"
    first = client.get(path, HTTP_ACCEPT=SDMX_JSON)
    assert first["ETag"]
    assert client.get(path, HTTP_ACCEPT=SDMX_JSON, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


@pytest.mark.parametrize(
    ("accept", "content_type"),
    [
        (SDMX_CSV, f"{SDMX_CSV}; charset=utf-8"),
        ("application/vnd.sdmx.data+csv;version=2.0.0", f"{SDMX_CSV}; charset=utf-8"),
        ("application/vnd.sdmx.data+csv", f"{SDMX_CSV}; charset=utf-8"),
        (SDMX_JSON, SDMX_JSON),
        ("application/vnd.sdmx.data+json", SDMX_JSON),
        ("application/vnd.sdmx.data+json;version=2.0.0, application/json;q=0.5", SDMX_JSON),
        ("application/vnd.sdmx.data+csv; version=1.0.0", None),
        ("application/vnd.sdmx.data+json; version=1.0.0", None),
    ],
)
def test_sdmx_is_negotiated_by_its_media_types(
    cast: Any, alliance: Any, accept: str, content_type: str | None
) -> None:
    response = cast.client_for("token_viewer").get(f"{LIST}?standard={CODE}&measure=brix", HTTP_ACCEPT=accept)
    if content_type is None:
        assert response.status_code == 406
        assert response.json()["error"]["code"]
    else:
        assert response.status_code == 200
        assert response["Content-Type"] == content_type


SDMX_ID = re.compile(r"[A-Za-z0-9_@$-]+")
STATUSES = list(CODES)
TEXT = st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=12)


def _cell_key(cell: tuple[Any, ...]) -> tuple[Any, ...]:
    return (*cell[:3], tuple(cell[3].items()), *cell[4:])


@st.composite
def figure_rows(draw: Any) -> list[dict[str, Any]]:
    """Rows as the API makes them, with awkward text (commas, quotes, `=`, dots) in every free field."""
    cells = draw(
        st.lists(
            st.tuples(
                st.sampled_from(["tomato-paste.exports", "cotton", "a,b"]),
                st.sampled_from(["unit_price", "brix"]),
                st.sampled_from(["all", "north"]),
                st.one_of(st.just({}), st.dictionaries(st.just("destination_country"), TEXT, min_size=1)),
                st.sampled_from(["median", "mean", "p10"]),
                st.sampled_from(["2026-06", "2026-11"]),
            ),
            max_size=12,
            unique_by=_cell_key,
        )
    )
    rows = []
    for standard, measure, cohort, breakdown, statistic, period in cells:
        status = draw(st.sampled_from(STATUSES))
        published = status == "published"
        rows.append(
            {
                "standard": standard,
                "measure": measure,
                "unit": draw(st.sampled_from(["USD/t", "°Bx", 'a "unit", too'])),
                "period": period,
                "cohort": cohort,
                "breakdown": breakdown,
                "statistic": statistic,
                "value": draw(st.floats(-1e9, 1e9, allow_nan=False)) if published else None,
                "status": status,
                "reason": None if published else draw(st.sampled_from([None, "confidential", "embargoed"])),
                "n_firms": draw(st.one_of(st.none(), st.integers(0, 500))),
                "reliability": draw(st.sampled_from([None, "low", "high"])),
                "available_from": draw(st.sampled_from([None, "2027-03-01"])),
                "run": draw(st.integers(1, 10**6)),
                "policy": draw(st.sampled_from(["2026.1", "2026.2"])),
            }
        )
    return rows


def _check_listed(component: dict[str, Any]) -> None:
    """What the published SDMX-JSON 2.0 schema asks of a component (ids, and no listed integer: its
    `value` is one of integer or number, which an integer is both)."""
    assert SDMX_ID.fullmatch(component["id"])
    for value in component.get("values", []):
        assert ("id" in value) != ("value" in value), value
        assert "value" in value or (SDMX_ID.fullmatch(value["id"]) and "name" in value), value
        assert not isinstance(value.get("value"), int), value


@settings(max_examples=60, deadline=None)
@given(figure_rows())
def test_both_sdmx_messages_give_back_every_row(rows: list[dict[str, Any]]) -> None:
    by_key = {_key(row): row for row in rows}
    table = list(csv.DictReader(io.StringIO(sdmx_csv(rows).decode("utf-8"))))
    assert len(table) == len(rows)
    for line in table:
        row = by_key[tuple(line[d] for d in DIMENSIONS)]
        assert line["OBS_VALUE"] == _csv_cell(row["value"])
        if row["value"] is not None:
            assert float(line["OBS_VALUE"]) == row["value"]
        _check_same(line, row, _csv_cell)
    message = json.loads(json.dumps(sdmx_json(rows, prepared=timezone.now(), language="en")))
    assert SDMX_ID.fullmatch(message["meta"]["id"])
    structure = message["data"]["structures"][0]
    for component in (*structure["dimensions"]["observation"], *structure["attributes"]["observation"]):
        _check_listed(component)
    if not rows:
        assert message["data"]["dataSets"][0]["observations"] == {}
        return
    observations = _decoded(message)
    assert len(observations) == len(rows)
    for item in observations:
        row = by_key[tuple(item[d] for d in DIMENSIONS)]
        assert item["OBS_VALUE"] == row["value"]
        _check_same(item, row)


@pytest.mark.parametrize("accept", [SDMX_CSV, SDMX_JSON])
def test_an_sdmx_pull_takes_no_more_queries_than_json_and_never_loads_a_runs_facts(
    cast: Any, alliance: Any, partner: Partner, accept: str
) -> None:
    """Every row at once, yet no more queries than one JSON page: a partner's pull (its agreements, the
    read log) takes about twenty, a member's about a dozen."""
    grant(cast.steward, partner, measures=("unit_price", "brix"))
    for client in (cast.client_for("a_viewer"), partner.client()):
        counts = []
        for asked in ("application/json", accept):
            client.get(f"{LIST}?standard={CODE}", HTTP_ACCEPT=asked)  # the read log's first write
            with CaptureQueriesContext(connection) as queries:
                assert client.get(f"{LIST}?standard={CODE}", HTTP_ACCEPT=asked).status_code == 200
            counts.append(len(queries.captured_queries))
        assert counts[1] <= counts[0] <= 30, counts
        selected = " ".join(q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT"))
        assert '"benchmarks_run"."facts"' not in selected
        assert '"benchmarks_figure"."evidence"' not in selected
