"""The members' exchange page and the stewards' partner-access log.

Every actor against `/exchange/`, the access log and its CSV (a permission matrix); "who read my data"
shows a partner's pull of figures that include the firm's data, and not one of a cohort the firm is
not in, of a period it sent nothing for, or of figures still embargoed for the partner; a partner's
people see their own agreements; stewards filter the log by partner, action and days, and download
it as CSV with the same filters, without a figure's value in it."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.benchmarks.models import Run
from apps.benchmarks.runs import compute_run
from apps.benchmarks.services import activate_cohort, create_cohort
from apps.exchange import member_views
from apps.exchange.models import Agreement
from apps.exchange.services import set_agreement_status
from apps.organizations.models import Organization
from tests.benchmarks.hub import Alliance
from tests.exchange.conftest import CODE, LATE, PERIOD, Partner, grant, make_partner
from tests.matrix import ACTORS, LOGIN, Case, Outcome, State, check, renders, snapshot
from tests.matrix import row as matrix_row

PAGE = "/exchange/"
LOG = "/exchange/steward/access/"
FIGURES = "/api/v1/benchmarks/"
WHOLE = f"standard={CODE}&measure=unit_price&breakdown=none"


def _pull(partner: Partner, query: str) -> list[dict[str, Any]]:
    response = partner.client().get(f"{FIGURES}?{query}")
    assert response.status_code == 200, response.content
    rows: list[dict[str, Any]] = response.json()["results"]
    return rows


@pytest.fixture
def kashgar(cast: Any, alliance: Alliance) -> Any:
    """A cohort of the firms in Kashgar (half the spread firms; firms A and B are in Changji), with
    the period recomputed so that it has figures."""
    cohort = create_cohort(
        actor=cast.steward,
        standard=alliance.version.standard,
        code="kashgar",
        names={"en": "Kashgar firms"},
        regions=["Kashgar"],
    )
    activate_cohort(actor=cast.steward, cohort=cohort)
    compute_run(alliance.version.standard, PERIOD, trigger=Run.Trigger.COMMAND)
    return cohort


@pytest.fixture
def reading(cast: Any, alliance: Alliance, kashgar: Any, partner: Partner) -> Partner:
    """The partner, granted unit price in `all` and `kashgar`, has pulled both cohorts' figures."""
    grant(cast.steward, partner, measures=("unit_price",), cohorts=("all", "kashgar"))
    assert _pull(partner, f"{WHOLE}&cohort=all&period={PERIOD}")
    assert _pull(partner, f"{WHOLE}&cohort=kashgar&period={PERIOD}")
    return partner


def _cells(response: Any) -> list[tuple[str, str, str, str, str]]:
    """The page's "who read my data" rows: (partner, standard, cohort, first, last)."""
    return [
        (item["read"].partner.slug, cell["code"], cell["cohort_code"], cell["first"], cell["last"])
        for item in response.context["reads"]
        for cell in item["cells"]
    ]


def _member_page(user: Any, query: str = "") -> Any:
    client = Client()
    client.force_login(user)
    response = client.get(f"{PAGE}{query}")
    assert response.status_code == 200, response.content[:300]
    return response


# --- The permission matrix -------------------------------------------------------------------------


def _state() -> State:
    return snapshot(
        agreements=Agreement.objects.values_list("id", "status", "revision"),
        reads=AuditEvent.objects.filter(action="exchange.read").values_list("id"),
        exports=AuditEvent.objects.filter(action="exchange.access_exported").values_list("id"),
    )


def members_page(outcome: Outcome) -> None:
    renders("exchange/member.html")(outcome)
    assert outcome.response.context["organization"] == outcome.objects["own"]
    assert [r["agreement"].partner for r in outcome.response.context["receivers"]] == [
        outcome.objects["partner"]
    ]
    if outcome.objects["own"] == outcome.objects["firm_a"]:
        assert ("steppe-partner", CODE, "all", PERIOD, PERIOD) in _cells(outcome.response)


def partners_page(outcome: Outcome) -> None:
    renders("exchange/partner.html")(outcome)
    assert [a["agreement"].partner for a in outcome.response.context["agreements"]] == [
        outcome.objects["partner"]
    ]


def to_steward_pages(outcome: Outcome) -> None:
    assert outcome.location() == "/exchange/steward/agreements/"


def access_log_page(outcome: Outcome) -> None:
    renders("exchange/steward_access.html")(outcome)
    actions = {item.event.action for item in outcome.response.context["accesses"]}
    assert {"exchange.read", "agreement.create"} <= actions


def access_log_csv(outcome: Outcome) -> None:
    assert outcome.response["Content-Type"].startswith("text/csv")
    assert "attachment" in outcome.response["Content-Disposition"]
    lines = b"".join(outcome.response.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0].startswith("event,at,action,partner")
    assert outcome.changed() == {"exports"}


EXTRA = ("b_viewer", "partner_admin")
ROLES = ("admin", "contributor", "viewer")
OWN_PAGE = {"a_admin": 200, "a_contributor": 200, "a_viewer": 200, "stewards": 302, "staff": 403}
STEWARD_ONLY = {"people": 403, "stewards": 200, "others": LOGIN}
MATRIX = [
    *[
        Case(c.method, c.path, c.target, c.actor, c.expected, members_page if c.status == 200 else c.effect)
        for c in matrix_row("GET", PAGE, "own", effect=to_steward_pages, **OWN_PAGE, others=LOGIN)
    ],
    Case("GET", PAGE, "own", "b_viewer", 200, members_page),
    Case("GET", PAGE, "own", "partner_admin", 200, partners_page),
    *[Case("GET", PAGE + "?organization=firm-a", "named", f"a_{role}", 200, members_page) for role in ROLES],
    Case("GET", PAGE + "?organization=firm-a", "foreign", "b_viewer", 404, None),
    Case("GET", PAGE + "?organization=firm-a", "foreign", "partner_admin", 404, None),
    *matrix_row("GET", LOG, "log", effect=access_log_page, **STEWARD_ONLY),
    *[Case("GET", LOG, "log", actor, 403, None) for actor in EXTRA],
    *matrix_row("GET", LOG + "?format=csv", "csv", effect=access_log_csv, **STEWARD_ONLY),
    *[Case("GET", LOG + "?format=csv", "csv", actor, 403, None) for actor in EXTRA],
]


def _client(cast: Any, partner: Partner, actor: str) -> Client:
    if actor == "partner_admin":
        client = Client()
        client.force_login(partner.admin)
        return client
    return cast.client_for(actor)


def test_exchange_pages_permission_matrix(cast: Any, reading: Partner) -> None:
    """Every case of the table against one alliance (building it takes seconds); a failing case is
    named with what it got, and the others still run."""
    failures = []
    for case in MATRIX:
        own = cast.org_b if case.actor == "b_viewer" else cast.org_a
        objects = {"own": own, "firm_a": cast.org_a, "partner": reading.organization}
        before = _state()
        response = _client(cast, reading, case.actor).get(case.path)
        try:
            check(Outcome(case, case.path, response, before, _state(), objects))
        except AssertionError as error:
            failures.append(f"{case}: {error}")
    assert not failures, "\n".join(failures)
    assert len(MATRIX) == 3 * (len(ACTORS) + len(EXTRA)) + 5


# --- Who read my data ------------------------------------------------------------------------------


def test_a_read_of_a_cell_the_firm_is_in_is_shown_and_one_of_another_cohort_is_not(
    cast: Any, alliance: Alliance, reading: Partner
) -> None:
    mine = _cells(_member_page(cast.person("a", "viewer")))
    assert mine == [("steppe-partner", CODE, "all", PERIOD, PERIOD)]
    in_kashgar = next(f for f in alliance.firms if f.region == "Kashgar" and f.slug.startswith("p06"))
    theirs = _cells(_member_page(alliance.contributors[in_kashgar.pk]))
    assert sorted(theirs) == [
        ("steppe-partner", CODE, "all", PERIOD, PERIOD),
        ("steppe-partner", CODE, "kashgar", PERIOD, PERIOD),
    ]


def test_a_read_of_both_cohorts_shows_a_firm_only_the_cells_it_is_in(
    cast: Any, alliance: Alliance, reading: Partner
) -> None:
    both = _pull(reading, f"{WHOLE}&period={PERIOD}")
    assert {r["cohort"] for r in both} == {"all", "kashgar"}
    newest = AuditEvent.objects.filter(action="exchange.read").latest("id").pk
    mine = _member_page(cast.person("a", "viewer")).context["reads"]
    assert [[c["cohort_code"] for c in item["cells"]] for item in mine if item["read"].event == newest] == [
        ["all"]
    ]
    in_kashgar = next(f for f in alliance.firms if f.region == "Kashgar" and f.slug.startswith("p06"))
    theirs = _member_page(alliance.contributors[in_kashgar.pk]).context["reads"]
    assert [[c["cohort_code"] for c in item["cells"]] for item in theirs if item["read"].event == newest] == [
        ["all", "kashgar"]
    ]


def test_a_firm_that_sent_nothing_for_the_period_read_sees_no_read(
    cast: Any, alliance: Alliance, reading: Partner
) -> None:
    late_only = next(f for f in alliance.firms if f.slug.startswith("p11"))
    response = _member_page(alliance.contributors[late_only.pk])
    assert _cells(response) == []
    assert "No partner has read figures that include your organization" in response.content.decode()


def test_figures_embargoed_for_the_partner_are_no_read_of_anyones_data(
    cast: Any, alliance: Alliance, partner: Partner
) -> None:
    grant(cast.steward, partner, measures=("unit_price",))
    rows = _pull(partner, f"{WHOLE}&period={LATE}")
    assert rows and {r["status"] for r in rows} == {"embargoed"}
    event = AuditEvent.objects.get(action="exchange.read")
    assert (event.data["figures"], event.data["cells"], event.data["runs"]) == (len(rows), [], [])
    assert _cells(_member_page(cast.person("a", "viewer"))) == []


def test_the_read_records_its_cells_small_and_once_a_minute(
    cast: Any, alliance: Alliance, reading: Partner
) -> None:
    _pull(reading, f"{WHOLE}&cohort=all&period={PERIOD}")  # a repeat within the minute
    events = AuditEvent.objects.filter(action="exchange.read").order_by("id")
    assert events.count() == 2
    first = events[0].data
    run = Run.objects.filter(period=PERIOD).latest("id").pk
    assert first["runs"] == [f"{run}:all"]
    assert [(c["cohort"], c["measures"], c["periods"]) for c in first["cells"]] == [
        ("all", ["unit_price"], [PERIOD, PERIOD])
    ]
    assert "value" not in str(first) and len(str(first)) < 600


def test_another_firms_reads_never_appear(cast: Any, alliance: Alliance, reading: Partner) -> None:
    """A read of only the Kashgar cohort is on a Kashgar firm's page, never on firm A's or B's."""
    for person in (cast.person("a", "admin"), cast.person("b", "viewer")):
        assert {cell[2] for cell in _cells(_member_page(person))} == {"all"}


def test_a_person_in_two_firms_picks_one(cast: Any, alliance: Alliance, reading: Partner) -> None:
    from apps.organizations.services import grant_membership

    person = cast.person("b", "viewer")
    grant_membership(actor=cast.person("a", "admin"), organization=cast.org_a, user=person, role="viewer")
    assert _member_page(person, "?organization=firm-a").context["organization"] == cast.org_a
    assert _member_page(person, "?organization=firm-b").context["organization"] == cast.org_b


def test_who_receives_lists_agreements_in_force_only(cast: Any, alliance: Alliance, partner: Partner) -> None:
    agreement = grant(cast.steward, partner)
    other = make_partner(cast.steward, "second-partner")
    grant(cast.steward, other, valid_from=timezone.localdate() + timedelta(days=10))  # not begun
    page = _member_page(cast.person("a", "contributor"))
    assert [r["agreement"] for r in page.context["receivers"]] == [agreement]
    assert [g["cohorts"] for g in page.context["receivers"][0]["reads"]] == [["All member firms"]]
    set_agreement_status(actor=cast.steward, agreement=agreement, status=Agreement.Status.SUSPENDED)
    assert _member_page(cast.person("a", "contributor")).context["receivers"] == []


def test_a_partners_people_see_their_own_agreements_only(
    cast: Any, alliance: Alliance, partner: Partner
) -> None:
    mine = grant(cast.steward, partner)
    grant(cast.steward, make_partner(cast.steward, "second-partner"))
    set_agreement_status(actor=cast.steward, agreement=mine, status=Agreement.Status.SUSPENDED)
    response = _member_page(partner.admin)
    assert [(a["agreement"], a["in_force"]) for a in response.context["agreements"]] == [(mine, False)]
    assert "second-partner" not in response.content.decode()


def test_reads_come_newest_first_in_pages(
    cast: Any, alliance: Alliance, reading: Partner, monkeypatch: Any
) -> None:
    monkeypatch.setattr(member_views, "PAGE_SIZE", 1)
    _pull(reading, f"{WHOLE}&cohort=all")  # another question: a newer read
    person = cast.person("a", "viewer")
    first, second = _member_page(person), _member_page(person, "?page=2")
    assert first.context["page"].has_next()
    assert first.context["reads"][0]["read"].event > second.context["reads"][0]["read"].event


def test_the_pages_read_in_a_fixed_number_of_queries(cast: Any, alliance: Alliance, reading: Partner) -> None:
    """However many reads there are: the member's page and the stewards' log each read in a fixed
    number of queries (22 and 8 today)."""
    member, steward = Client(), cast.client_for("steward")
    member.force_login(cast.person("a", "viewer"))

    def counts() -> tuple[int, int]:
        found = []
        for client, path in ((member, PAGE), (steward, LOG)):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(path).status_code == 200
            found.append(len(queries))
        return found[0], found[1]

    few = counts()
    for period in ("", f"&period_from={PERIOD}", f"&period_to={LATE}"):
        _pull(reading, f"{WHOLE}&cohort=all{period}")
    assert counts() == few
    assert few[0] <= 22 and few[1] <= 8


def test_the_navigation_offers_the_page_to_members_and_partners_only(
    cast: Any, alliance: Alliance, partner: Partner
) -> None:
    link = f'href="{PAGE}"'
    for actor in ("a_viewer", "steward"):
        assert link in cast.client_for(actor).get("/").content.decode()
    assert link not in cast.client_for("staff").get("/").content.decode()
    assert link in _client(cast, partner, "partner_admin").get("/").content.decode()


# --- The stewards' access log ----------------------------------------------------------------------


@pytest.fixture
def two_partners(cast: Any, reading: Partner) -> tuple[Partner, Partner]:
    other = make_partner(cast.steward, "second-partner")
    grant(cast.steward, other, measures=("unit_price",))
    _pull(other, WHOLE)
    assert other.client().get(f"{FIGURES}?standard={CODE}&measure=quantity").status_code == 404
    return reading, other


def _log(cast: Any, query: str = "") -> list[Any]:
    response = cast.client_for("steward").get(f"{LOG}?{query}")
    assert response.status_code == 200
    return list(response.context["accesses"])


def _csv(cast: Any, query: str = "") -> list[dict[str, str]]:
    response = cast.client_for("steward").get(f"{LOG}?{query}&format=csv")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_the_log_filters_by_partner(cast: Any, two_partners: tuple[Partner, Partner]) -> None:
    _first, second = two_partners
    listed = _log(cast, "partner=second-partner")
    assert {item.partner for item in listed} == {second.organization}
    assert {item.event.action for item in listed} == {"exchange.read", "exchange.refused", "agreement.create"}
    assert {r["partner"] for r in _csv(cast, "partner=second-partner")} == {"second-partner"}
    assert len(_csv(cast, "partner=second-partner")) == len(listed)


def test_the_log_filters_by_action(cast: Any, two_partners: tuple[Partner, Partner]) -> None:
    refused = _log(cast, "action=exchange.refused")
    assert [(i.event.action, i.partner.slug, i.asked["measure"]) for i in refused] == [
        ("exchange.refused", "second-partner", "quantity")
    ]
    rows = _csv(cast, "action=exchange.read")
    assert {r["action"] for r in rows} == {"exchange.read"} and len(rows) == 3
    assert all(r["figures"] and r["asked"] for r in rows)


def test_the_log_filters_by_days(cast: Any, two_partners: tuple[Partner, Partner]) -> None:
    today = timezone.localdate()
    assert len(_log(cast, f"date_from={today}&date_to={today}")) == len(_log(cast))
    assert _log(cast, f"date_from={today + timedelta(days=1)}") == []
    assert _csv(cast, f"date_to={today - timedelta(days=1)}") == []


def test_a_wrong_filter_is_said_and_its_csv_refused(cast: Any, two_partners: Any) -> None:
    client = cast.client_for("steward")
    response = client.get(f"{LOG}?date_from=2026-12-10&date_to=2026-12-01")
    assert response.status_code == 200 and response.context["form"].errors
    assert client.get(f"{LOG}?date_from=2026-12-10&date_to=2026-12-01&format=csv").status_code == 400
    assert client.get(f"{LOG}?partner=no-such-partner&format=csv").status_code == 400


def test_the_csv_holds_no_figure_value(cast: Any, alliance: Alliance, partner: Partner) -> None:
    grant(cast.steward, partner, measures=("unit_price",))
    rows = _pull(partner, f"{WHOLE}&period={PERIOD}")
    values = {str(r["value"]) for r in rows if r["value"] is not None}
    assert values
    response = cast.client_for("steward").get(f"{LOG}?format=csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "exchange.read" in text
    assert not [value for value in values if value in text]
    event = AuditEvent.objects.get(action="exchange.read")
    assert not [value for value in values if value in str(event.data)]


def test_a_partner_organization_is_no_steward(cast: Any, partner: Partner) -> None:
    assert partner.organization.kind == Organization.Kind.PARTNER
    client = _client(cast, partner, "partner_admin")
    assert client.get(LOG).status_code == 403
    assert partner.client().get(PAGE).status_code == 302  # a machine client opens no page
