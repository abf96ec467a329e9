"""The webhook pages and API in the project's permission matrix: every actor of the shared cast
(member firms' people and tokens, stewards, staff, anonymous) against a partner's endpoint and
delivery. None of them is a partner's admin or machine client, so each is refused and nothing
changes: the list is 403 (401 or the sign-in page without credentials), the partner's objects 404.
test_api.py and test_pages.py hold the partner's own and the foreign partner's rows."""

from __future__ import annotations

from typing import Any

import pytest

from apps.webhooks import services
from apps.webhooks.models import Delivery, Endpoint, EventType
from tests.matrix import LOGIN, Case, Outcome, State, check, snapshot
from tests.matrix import row as matrix_row
from tests.webhooks.conftest import Partner

API = "/api/v1/exchange/webhooks/"
PAGES = "/exchange/webhooks/"


def _state() -> State:
    return snapshot(
        endpoints=Endpoint.objects.values_list("id", "url", "secret", "previous_secret", "is_active"),
        deliveries=Delivery.objects.values_list("id", "status", "attempts"),
    )


API_LIST = {"people": 403, "tokens": 403, "anonymous": 401}
API_OBJECT = {"people": 404, "tokens": 404, "anonymous": 401}
PAGE_LIST = {"people": 403, "others": LOGIN}
PAGE_OBJECT = {"people": 404, "others": LOGIN}
MATRIX = [
    *matrix_row("GET", API, "list", **API_LIST),
    *matrix_row("POST", API, "register", **API_LIST),
    *matrix_row("GET", API + "{endpoint}/", "one", **API_OBJECT),
    *matrix_row("DELETE", API + "{endpoint}/", "remove", **API_OBJECT),
    *matrix_row("POST", API + "{endpoint}/test/", "test", **API_OBJECT),
    *matrix_row("POST", API + "{endpoint}/rotate/", "rotate", **API_OBJECT),
    *matrix_row("GET", API + "{endpoint}/deliveries/", "log", **API_OBJECT),
    *matrix_row("POST", API + "deliveries/{delivery}/replay/", "replay", **API_OBJECT),
    *matrix_row("GET", PAGES, "list", **PAGE_LIST),
    *matrix_row("POST", PAGES, "register", **PAGE_LIST),
    *matrix_row("GET", PAGES + "{endpoint}/", "one", **PAGE_OBJECT),
    *matrix_row("POST", PAGES + "{endpoint}/test/", "test", **PAGE_OBJECT),
    *matrix_row("POST", PAGES + "{endpoint}/rotate/", "rotate", **PAGE_OBJECT),
    *matrix_row("POST", PAGES + "{endpoint}/delete/", "remove", **PAGE_OBJECT),
    *matrix_row("POST", PAGES + "deliveries/{delivery}/replay/", "replay", **PAGE_OBJECT),
]


@pytest.mark.parametrize("case", MATRIX, ids=str)
def test_webhook_permission_matrix(
    cast: Any, partner: Partner, receiver: Any, local_targets: Any, case: Case,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    endpoint, _secret = services.register_endpoint(
        actor=partner.admin,
        organization=partner.organization,
        url=receiver.url,
        events=[EventType.AGREEMENT_CHANGED],
    )
    with django_capture_on_commit_callbacks(execute=True):
        delivery = services.send_test(actor=partner.admin, endpoint=endpoint)
    path = case.path.format(endpoint=endpoint.pk, delivery=delivery.pk)
    client = cast.client_for(case.actor)
    before = _state()
    data = {"url": receiver.url, "events": ["agreement.changed"]}
    with django_capture_on_commit_callbacks(execute=True):
        if case.method == "POST" and path.startswith(API):
            response = client.post(path, data, "application/json")
        elif case.method == "POST":
            response = client.post(path, data)
        else:
            response = client.generic(case.method, path)
    check(Outcome(case, path, response, before, _state(), {"endpoint": endpoint}))
