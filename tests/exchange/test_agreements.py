"""Data-sharing agreements as partners meet them: a partner's machine client reads exactly the
published figures its agreements grant (standards, measures, cohorts), no sooner than the agreement's
lag, through the list, its filters and CSV; anything else is a missing object (404, audited); a
suspended, expired or not yet valid agreement grants nothing from the next request on; and
/api/v1/exchange/allowed/ says what holds today."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.benchmarks.inputs import available_from
from apps.benchmarks.measures import period_end
from apps.exchange.models import Agreement
from apps.exchange.services import Grant, create_agreement, set_agreement_status
from apps.standards.models import StandardVersion
from tests.exchange.conftest import CODE, LATE, PERIOD, Partner, grant, make_partner

LIST = "/api/v1/benchmarks/"


def _all(client: Any, query: str = "") -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    url: str | None = f"{LIST}?{query}"
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        rows += body["results"]
        url = body["next"]
    return rows


def _key(row: dict[str, Any]) -> tuple[Any, ...]:
    return (row["measure"], row["period"], row["cohort"], tuple(row["breakdown"].items()), row["statistic"])


def _missing_body(partner: Partner) -> bytes:
    response = partner.client().get(f"/api/v1/submissions/{uuid.uuid4()}/")
    assert response.status_code == 404
    return response.content


def test_without_an_agreement_a_partner_reads_nothing(cast: Any, alliance: Any, partner: Partner) -> None:
    assert _all(partner.client()) == []
    allowed = partner.client().get("/api/v1/exchange/allowed/")
    assert allowed.status_code == 200
    assert allowed.json()["agreements"] == []
    assert allowed.json()["partner"] == "steppe-partner"


def test_a_partner_reads_exactly_what_its_agreement_grants(
    cast: Any, alliance: Any, partner: Partner
) -> None:
    grant(cast.steward, partner, measures=("unit_price", "brix"), cohorts=("all",), lag_months=3)
    member = {_key(r): r for r in _all(cast.client_for("a_viewer"), f"standard={CODE}")}
    rows = _all(partner.client())
    assert rows, "the agreement grants figures"
    assert {r["measure"] for r in rows} == {"unit_price", "brix"}
    assert {r["cohort"] for r in rows} == {"all"}
    assert {r["standard"] for r in rows} == {CODE}
    # Every cell of the granted measures is there, and nothing else.
    granted = {
        k for k, r in member.items() if r["measure"] in ("unit_price", "brix") and r["cohort"] == "all"
    }
    assert {_key(r) for r in rows} == granted
    today = timezone.localdate()
    for item in rows:
        theirs = member[_key(item)]
        release = available_from(period_end(item["period"], "month"), 3)
        if theirs["available_from"]:
            release = max(release, date.fromisoformat(theirs["available_from"]))
        if today < release:
            assert (item["status"], item["value"], item["n_firms"]) == ("embargoed", None, None), item
            assert item["available_from"] == release.isoformat()
        else:
            for name in ("status", "value", "reason", "n_firms", "run", "policy"):
                assert item[name] == theirs[name], (name, item, theirs)
    # Firm A's own figures never reach a partner (its unit price is 1234 USD/t, firm B's 777).
    body = partner.client().get(f"{LIST}?standard={CODE}&measure=unit_price").content.decode()
    assert "1234.0" not in body and "777.0" not in body


def test_the_agreements_lag_holds_back_what_members_already_see(
    cast: Any, alliance: Any, partner: Partner
) -> None:
    """Brix is a quality measure: members see November's from 1 December; a partner whose agreement
    lags three months sees it from 1 March."""
    grant(cast.steward, partner, measures=("brix",), lag_months=3)
    today = timezone.localdate()
    member = _all(cast.client_for("a_viewer"), f"standard={CODE}&measure=brix&period={LATE}&breakdown=none")
    theirs = _all(partner.client(), f"standard={CODE}&measure=brix&period={LATE}&breakdown=none")
    assert len(member) == len(theirs) == 6
    release = available_from(period_end(LATE, "month"), 3)
    assert release == date(2027, 3, 1)
    if today < release:
        assert {r["status"] for r in theirs} == {"embargoed"}
        assert {r["available_from"] for r in theirs} == {"2027-03-01"}
        assert "embargoed" not in {r["status"] for r in member}
        assert any(r["status"] == "published" for r in member)


def test_the_csv_carries_the_same_granted_rows(cast: Any, alliance: Any, partner: Partner) -> None:
    grant(cast.steward, partner, measures=("unit_price",))
    response = partner.client().get(f"{LIST}?standard={CODE}", HTTP_ACCEPT="text/csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows and {r["measure"] for r in rows} == {"unit_price"}
    assert len(rows) == len(_all(partner.client(), f"standard={CODE}"))


@pytest.mark.parametrize(
    "query",
    [
        f"standard={CODE}&measure=quantity",  # a measure the agreement does not name
        "measure=value",
        f"standard={CODE}&cohort=kashgar",  # a cohort it does not name (and that does not exist)
        "standard=sea-buckthorn.exports",  # a standard it does not name
        "standard=no-such.standard",  # one that does not exist: the same answer
    ],
)
def test_asking_outside_the_agreement_is_a_missing_object_and_audited(
    cast: Any, alliance: Any, partner: Partner, query: str
) -> None:
    grant(cast.steward, partner, measures=("unit_price", "brix"))
    before = AuditEvent.objects.filter(action="exchange.refused").count()
    for accept in ("application/json", "text/csv"):
        response = partner.client().get(f"{LIST}?{query}", HTTP_ACCEPT=accept)
        assert response.status_code == 404, (query, accept)
        assert response.content == _missing_body(partner)
    events = AuditEvent.objects.filter(action="exchange.refused").order_by("id")
    assert events.count() == before + 1  # the repeat within a minute is not recorded again
    assert events.last().data["partner"] == "steppe-partner"
    assert events.last().organization_id is None  # the stewards' security log


def test_a_partner_has_no_position(cast: Any, alliance: Any, partner: Partner) -> None:
    grant(cast.steward, partner)
    response = partner.client().get(f"{LIST}position/?standard={CODE}&measure=unit_price&period={PERIOD}")
    assert response.status_code == 404
    assert "1234" not in response.content.decode()
    outside = partner.client().get(f"{LIST}position/?standard={CODE}&measure=quantity&period={PERIOD}")
    assert outside.status_code == 404 and outside.content == _missing_body(partner)
    assert AuditEvent.objects.filter(action="exchange.refused", data__asked__measure="quantity").exists()


def test_cohorts_listed_are_the_granted_ones(cast: Any, alliance: Any, partner: Partner) -> None:
    assert partner.client().get("/api/v1/cohorts/").json() == []
    grant(cast.steward, partner)
    cohorts = partner.client().get("/api/v1/cohorts/").json()
    assert [(c["standard"], c["code"]) for c in cohorts] == [(CODE, "all")]


@pytest.mark.parametrize("change", ["suspended", "expired", "not yet valid"])
def test_an_agreement_out_of_force_grants_nothing_from_the_next_request(
    cast: Any, alliance: Any, partner: Partner, change: str
) -> None:
    today = timezone.localdate()
    if change == "suspended":
        agreement = grant(cast.steward, partner)
        assert _all(partner.client())
        set_agreement_status(actor=cast.steward, agreement=agreement, status=Agreement.Status.SUSPENDED)
    elif change == "expired":
        grant(cast.steward, partner, valid_from=date(2024, 1, 1), valid_until=today - timedelta(days=1))
    else:
        grant(cast.steward, partner, valid_from=today + timedelta(days=1))
    assert _all(partner.client()) == []
    assert partner.client().get("/api/v1/exchange/allowed/").json()["agreements"] == []
    response = partner.client().get(f"{LIST}?standard={CODE}&measure=unit_price")
    assert response.status_code == 404


def test_a_resumed_agreement_holds_again(cast: Any, alliance: Any, partner: Partner) -> None:
    agreement = grant(cast.steward, partner)
    set_agreement_status(actor=cast.steward, agreement=agreement, status=Agreement.Status.SUSPENDED)
    resumed = set_agreement_status(actor=cast.steward, agreement=agreement, status=Agreement.Status.ACTIVE)
    assert resumed.revision == 3
    assert _all(partner.client())
    actions = list(
        AuditEvent.objects.filter(object_type="exchange.agreement", object_id=str(agreement.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["agreement.create", "agreement.suspend", "agreement.resume"]


def test_allowed_says_what_holds_today(cast: Any, alliance: Any, partner: Partner) -> None:
    agreement = create_agreement(
        actor=cast.steward,
        partner=partner.organization,
        title="Prices and crossings",
        valid_from=date(2024, 1, 1),
        lag_months=4,
        reads=[Grant(CODE, ("unit_price", "quantity"), ("all",))],
        push_standards=["ca.border-crossings"],
    )
    body = partner.client().get("/api/v1/exchange/allowed/").json()
    assert body["date"] == timezone.localdate().isoformat()
    assert body["agreements"] == [
        {
            "id": agreement.pk,
            "title": "Prices and crossings",
            "valid_from": "2024-01-01",
            "valid_until": None,
            "lag_months": 4,
            "revision": 1,
            "read": [{"standard": CODE, "measures": ["quantity", "unit_price"], "cohorts": ["all"]}],
            "push": ["ca.border-crossings"],
        }
    ]


@pytest.mark.parametrize(
    ("actor", "status"),
    [("a_admin", 403), ("token_viewer", 403), ("steward", 403), ("anonymous", 401)],
)
def test_allowed_is_for_partners_machine_clients(cast: Any, actor: str, status: int) -> None:
    assert cast.client_for(actor).get("/api/v1/exchange/allowed/").status_code == status


def test_one_partners_agreement_grants_another_nothing(cast: Any, alliance: Any, partner: Partner) -> None:
    grant(cast.steward, partner)
    other = make_partner(cast.steward, "other-partner")
    assert _all(other.client()) == []
    assert other.client().get("/api/v1/exchange/allowed/").json()["agreements"] == []


# --- Recording agreements ------------------------------------------------------------------------------


def test_only_stewards_record_agreements(cast: Any, version: StandardVersion, partner: Partner) -> None:
    for actor in (cast.person("a", "admin"), partner.admin, cast.staff):
        with pytest.raises(PermissionDenied):
            grant(actor, partner)
    assert not Agreement.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"lag_months": 2}, "lag_months"),  # shorter than the policy's three months
        ({"reads": [Grant(CODE, ("no_such_measure",), ("all",))]}, "reads"),
        ({"reads": [Grant(CODE, ("unit_price",), ("kashgar",))]}, "reads"),  # no such active cohort
        ({"reads": [Grant("tomato-paste.production", ("unit_price",), ("all",))]}, "reads"),
        ({"reads": [Grant(CODE, (), ("all",))]}, "reads"),
        ({"push_standards": ["tomato-paste.exports"]}, "push_standards"),  # a member standard
        ({"valid_until": date(2023, 12, 31)}, "valid_until"),
        ({"title": " "}, "title"),
    ],
)
def test_a_wrong_agreement_is_refused_and_nothing_is_written(
    cast: Any, version: StandardVersion, partner: Partner, change: dict[str, Any], field: str
) -> None:
    arguments: dict[str, Any] = {
        "actor": cast.steward,
        "partner": partner.organization,
        "title": "Export prices",
        "valid_from": date(2024, 1, 1),
        "lag_months": 3,
        "reads": [Grant(CODE, ("unit_price",), ("all",))],
        **change,
    }
    with pytest.raises(ValidationError) as raised:
        create_agreement(**arguments)
    assert field in raised.value.message_dict
    assert not Agreement.objects.exists()
    assert not AuditEvent.objects.filter(action="agreement.create").exists()


def test_agreements_are_made_with_partners_only(cast: Any, version: StandardVersion) -> None:
    with pytest.raises(ValidationError) as raised:
        create_agreement(
            actor=cast.steward,
            partner=cast.org_a,
            title="Not a partner",
            valid_from=date(2024, 1, 1),
            lag_months=3,
            reads=[Grant(CODE, ("unit_price",), ("all",))],
        )
    assert "partner" in raised.value.message_dict


def test_every_partner_pull_is_in_the_partners_log(cast: Any, alliance: Any, partner: Partner) -> None:
    grant(cast.steward, partner, measures=("unit_price",))
    rows = _all(partner.client(), f"standard={CODE}&measure=unit_price&breakdown=none")
    partner.client().get(f"{LIST}?standard={CODE}&measure=unit_price&breakdown=none")  # a repeat
    _all(cast.client_for("a_viewer"), f"standard={CODE}")  # members' reads are not partner reads
    reads = AuditEvent.objects.filter(action="exchange.read")
    assert reads.count() == 1
    event = reads.get()
    assert event.organization_id == partner.organization.pk
    received = [r for r in rows if r["status"] in ("published", "suppressed")]
    assert received
    assert event.data == {
        "asked": {"breakdown": "none", "measure": "unit_price", "standard": CODE},
        "figures": len(rows),
        "cells": [
            {
                "standard": CODE,
                "cohort": "all",
                "measures": ["unit_price"],
                "periods": [min(r["period"] for r in received), max(r["period"] for r in received)],
                "figures": len(received),
            }
        ],
        "runs": [f"{run}:all" for run in sorted({r["run"] for r in received})],
    }
