"""The stewards' agreement pages as a permission matrix (every actor of the cast), and the form's
errors in the steward's language: stewards record, open, suspend and resume agreements; members,
staff without the stewards' permission and partners' own people are refused; tokens open no page."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from apps.exchange.models import Agreement
from tests.exchange.conftest import CODE, Partner, grant
from tests.matrix import LOGIN, Case, Outcome, State, check, renders, snapshot
from tests.matrix import row as matrix_row

AGREEMENTS = "/exchange/steward/agreements/"


def _state() -> State:
    return snapshot(agreements=Agreement.objects.values_list("id", "title", "status", "revision"))


def listed(outcome: Outcome) -> None:
    renders("exchange/steward_agreements.html")(outcome)
    assert "Export prices" in outcome.response.content.decode()


def recorded(outcome: Outcome) -> None:
    created = Agreement.objects.exclude(pk=outcome.objects["agreement"].pk).get()
    assert created.title == "Crossings and prices"
    assert created.partner == outcome.objects["partner"]
    assert [(g.standard.code, g.measures, g.cohorts) for g in created.reads.all()] == [
        (CODE, ["unit_price"], ["all"])
    ]
    assert outcome.location() == f"{AGREEMENTS}{created.pk}/"


def suspended(outcome: Outcome) -> None:
    agreement = Agreement.objects.get(pk=outcome.objects["agreement"].pk)
    assert (agreement.status, agreement.revision) == (Agreement.Status.SUSPENDED, 2)


STEWARD_ONLY = {"people": 403, "stewards": 200, "others": LOGIN}
STEWARD_POST = {"people": 403, "stewards": 302, "others": LOGIN}
MATRIX = [
    *matrix_row("GET", AGREEMENTS, "all", effect=listed, **STEWARD_ONLY),
    *matrix_row(
        "GET",
        AGREEMENTS + "{agreement}/",
        "one",
        effect=renders("exchange/steward_agreement.html"),
        **STEWARD_ONLY,
    ),
    *matrix_row("GET", AGREEMENTS + "999999/", "missing", people=403, stewards=404, others=LOGIN),
    *matrix_row("POST", AGREEMENTS, "new", effect=recorded, **STEWARD_POST),
    *matrix_row("POST", AGREEMENTS + "{agreement}/status/", "suspend", effect=suspended, **STEWARD_POST),
]


def _post_data(case: Case, partner: Partner) -> dict[str, Any]:
    if case.path == AGREEMENTS:
        return {
            "partner": partner.organization.pk,
            "title": "Crossings and prices",
            "valid_from": "2024-01-01",
            "lag_months": 3,
            f"read_{CODE}_measures": ["unit_price"],
            f"read_{CODE}_cohorts": ["all"],
        }
    return {"status": "suspended"}


@pytest.mark.parametrize("case", MATRIX, ids=str)
def test_agreement_pages_permission_matrix(cast: Any, version: Any, partner: Partner, case: Case) -> None:
    agreement = grant(cast.steward, partner)
    objects = {"agreement": agreement, "partner": partner.organization}
    path = case.path.format(agreement=agreement.pk)
    client = cast.client_for(case.actor)
    before = _state()
    response = client.post(path, _post_data(case, partner)) if case.method == "POST" else client.get(path)
    check(Outcome(case, path, response, before, _state(), objects))


def test_a_partners_own_admin_opens_no_steward_page(cast: Any, version: Any, partner: Partner) -> None:
    agreement = grant(cast.steward, partner)
    client = Client()
    client.force_login(partner.admin)
    assert client.get(AGREEMENTS).status_code == 403
    assert client.post(f"{AGREEMENTS}{agreement.pk}/status/", {"status": "suspended"}).status_code == 403
    assert Agreement.objects.get().status == Agreement.Status.ACTIVE


def test_a_lag_shorter_than_the_policys_is_refused_in_the_stewards_language(
    cast: Any, version: Any, partner: Partner
) -> None:
    client = cast.client_for("steward")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    data = {
        "partner": partner.organization.pk,
        "title": "Too soon",
        "valid_from": "2024-01-01",
        "lag_months": 1,
        f"read_{CODE}_measures": ["unit_price"],
        f"read_{CODE}_cohorts": ["all"],
    }
    response = client.post(AGREEMENTS, data)
    assert response.status_code == 200
    assert not Agreement.objects.exists()
    errors = response.context["form"].errors["lag_months"]
    assert errors and "3" in errors[0]
    assert "shorter" not in errors[0] and "задерж" in errors[0].lower()  # in Russian, not English
