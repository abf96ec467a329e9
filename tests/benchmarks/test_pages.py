"""The benchmark pages as members and stewards use them: who reaches which page and POST (a matrix over
the whole cast, firm B's people too), what a firm's page shows (its own figure, never another firm's),
the embargo as of today, the downloads (CSV, SVG, PNG), the six languages, the page's weight, and the
policy form (a legal parameter needs a sign-off note; the rules in force are refused).

Pages are for people: an API token does not sign in to them (302 to sign-in, as for anonymous).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from django.utils.formats import date_format

from apps.benchmarks import services
from apps.benchmarks.models import Cohort, Pending, PolicyVersion, Run
from apps.benchmarks.runs import active_policy, compute_run
from apps.standards.models import StandardVersion
from tests.benchmarks.hub import Alliance, firm_figures, make_alliance, row, spread
from tests.matrix import LOGIN, STEWARDS, Case, Outcome, State, check, renders, snapshot, unchanged
from tests.matrix import row as matrix_row

PERIOD = "2026-06"
LATE = "2026-11"  # its price figures are embargoed until 2027-03-01; quality ones are out
EMBARGO_ENDS = date(2027, 3, 1)
CODE = "tomato-paste.exports"
A_ROWS = [row("hot-break-28-30", "KZ", 150, 150 * 1234.0, 29.9)]
B_ROWS = [row("hot-break-28-30", "KZ", 160, 160 * 777.0, 28.1)]
PRICE = f"/benchmarks/?standard={CODE}&measure=unit_price"
# Firm A's own unit price (1234 USD/t) and firm B's (777), as a page (grouped) or a file writes them.
OWN_A = re.compile(r"(?<![\d.,])1[,\u00a0\u202f ]?234(?:[.,]0+)?(?![.,]?\d)")
OWN_B = re.compile(r"(?<![\d.,])777(?:[.,]0+)?(?![.,]?\d)")


# --- Alliances --------------------------------------------------------------------------------------------


def _firms_a_and_b(cast: Any, version: StandardVersion) -> Alliance:
    found = make_alliance(cast.steward, version)
    for firm, letter in ((cast.org_a, "a"), (cast.org_b, "b")):
        found.firms.append(firm)
        found.contributors[firm.pk] = cast.person(letter, "contributor")
    return found


@pytest.fixture
def pair(cast: Any, version: StandardVersion) -> Alliance:
    """Firms A and B only, one period, one run (their figures are withheld, their own ones shown to
    each), a draft cohort and an active one; the policy in force read once (the first read stores the
    shipped default)."""
    found = _firms_a_and_b(cast, version)
    for firm, letter, rows in ((cast.org_a, "a", A_ROWS), (cast.org_b, "b", B_ROWS)):
        found.send(firm, PERIOD, rows, key=f"{letter}:{PERIOD}")
    compute_run(version.standard, PERIOD, trigger=Run.Trigger.COMMAND)
    draft = services.create_cohort(
        actor=cast.steward,
        standard=version.standard,
        code="changji",
        names={"en": "Changji"},
        regions=["Changji"],
    )
    active = services.create_cohort(
        actor=cast.steward,
        standard=version.standard,
        code="kashgar",
        names={"en": "Kashgar"},
        regions=["Kashgar"],
    )
    services.activate_cohort(actor=cast.steward, cohort=active)
    active_policy()
    found.cohorts = {"draft": draft, "active": active}  # type: ignore[attr-defined]
    return found


@pytest.fixture
def alliance(cast: Any, version: StandardVersion) -> Alliance:
    """Firms A and B and twelve more in two periods (14 firms: medians published), each computed once."""
    found = _firms_a_and_b(cast, version)
    for period in (PERIOD, LATE):
        found.send(cast.org_a, period, A_ROWS, key=f"a:{period}")
        found.send(cast.org_b, period, B_ROWS, key=f"b:{period}")
        spread(found, period, 12, prefix=f"p{period[-2:]}")
        compute_run(version.standard, period, trigger=Run.Trigger.COMMAND)
    return found


def _client(cast: Any, actor: str, language: str = "en") -> Client:
    client = cast.client_for(actor)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _visible(html: str) -> str:
    """The page's words, without its markup (ids in links, CSRF tokens) or hashes (<code> digests)."""
    html = re.sub(r"<code[^>]*>.*?</code>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", "\n", html)


def _without(text: str, number: int) -> str:
    """`text` without a number it names an object by (a run's id may be 777 one day)."""
    return re.sub(rf"(?<!\d){number}(?!\d)", "", text)


# --- The permission matrix --------------------------------------------------------------------------------


def _state() -> State:
    """What the pages' POSTs may change: cohorts, the policy, runs and the periods marked stale."""
    return snapshot(
        cohorts=Cohort.objects.values_list("id", "standard_id", "code", "status", "activated_at"),
        policies=PolicyVersion.objects.values_list("id", "version", "sha256", "sign_off"),
        runs=Run.objects.values_list("id", "policy_id", "period"),
        pending=Pending.objects.values_list("id", "standard_id", "period", "trigger"),
    )


def only_changed(outcome: Outcome, *names: str) -> None:
    assert outcome.changed() <= set(names), (str(outcome.case), sorted(outcome.changed()))


def _own_figures(outcome: Outcome, text: str) -> None:
    """Firm A's people see firm A's own figure, firm B's firm B's; stewards (no firm) neither."""
    firm = outcome.actor[0] if outcome.actor[:2] in ("a_", "b_") else None
    assert bool(OWN_A.search(text)) == (firm == "a"), (str(outcome.case), "firm A's own figure")
    assert bool(OWN_B.search(text)) == (firm == "b"), (str(outcome.case), "firm B's own figure")


def members_page(outcome: Outcome) -> None:
    renders("benchmarks/index.html")(outcome)
    _own_figures(outcome, _visible(outcome.response.content.decode()))


def csv_download(outcome: Outcome) -> None:
    response = outcome.response
    assert response["Content-Type"].startswith("text/csv"), str(outcome.case)
    header, *rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    _own_figures(outcome, "\n".join(cell for line in rows for cell in line))  # cell by cell
    assert ("your figure" in header) == (outcome.actor not in STEWARDS), (str(outcome.case), header)
    unchanged(outcome)


def svg_download(outcome: Outcome) -> None:
    assert outcome.response["Content-Type"] == "image/svg+xml", str(outcome.case)
    ET.fromstring(outcome.response.content)
    assert not OWN_B.search(outcome.response.content.decode()) or outcome.actor.startswith("b_")
    unchanged(outcome)


def png_download(outcome: Outcome) -> None:
    assert outcome.response["Content-Type"] == "image/png", str(outcome.case)
    assert outcome.response.content.startswith(b"\x89PNG\r\n\x1a\n")
    unchanged(outcome)


def disclosure_doc(outcome: Outcome) -> None:
    assert outcome.response["Content-Type"] == "text/plain; charset=utf-8", str(outcome.case)
    assert outcome.response.content == (Path(settings.BASE_DIR) / "docs" / "disclosure.md").read_bytes()
    unchanged(outcome)


def cohorts_page(outcome: Outcome) -> None:
    renders("benchmarks/steward_cohorts.html")(outcome)
    listed = {cohort.code for cohort, *_words in outcome.response.context["cohorts"]}
    assert {"changji", "kashgar"} <= listed, listed


def preview_page(outcome: Outcome) -> None:
    """A draft's page previews activating it for the period with data, and stores nothing."""
    renders("benchmarks/steward_cohort.html")(outcome)
    preview = outcome.response.context["preview"]
    assert [p.period for p in preview.periods] == [PERIOD], preview
    assert 'id="preview"' in outcome.response.content.decode()


def policy_page(outcome: Outcome) -> None:
    renders("benchmarks/steward_policy.html")(outcome)
    assert outcome.response.context["policy"] == active_policy()


def runs_page(outcome: Outcome) -> None:
    renders("benchmarks/steward_runs.html")(outcome)
    assert [run.period for run in outcome.response.context["page"]] == [PERIOD]


def run_page(outcome: Outcome) -> None:
    renders("benchmarks/steward_run.html")(outcome)
    assert len(outcome.response.context["page"]) > 0
    text = _without(_visible(outcome.response.content.decode()), outcome.objects["run"].pk)
    assert not OWN_A.search(text) and not OWN_B.search(text), str(outcome.case)
    for word in ("firm-a", "firm-b", "Firm A", "Firm B", "Фирма А", "Co., Ltd."):
        assert word not in text, (str(outcome.case), word)


def cohort_created(outcome: Outcome) -> None:
    """POST cohorts/: a draft cohort "small-firms" of small firms, and to its page."""
    only_changed(outcome, "cohorts")
    ((pk, _standard, code, status, activated_at),) = outcome.added("cohorts")
    assert (code, status, activated_at) == ("small-firms", "draft", None)
    assert Cohort.objects.get(pk=pk).size_classes == ["small"]
    assert outcome.location() == f"/benchmarks/steward/cohorts/{pk}/"


def activated(outcome: Outcome) -> None:
    only_changed(outcome, "cohorts", "pending")
    draft = outcome.objects["draft"]
    assert {r[:4] for r in outcome.added("cohorts")} == {(draft.pk, draft.standard_id, "changji", "active")}
    assert outcome.location() == f"/benchmarks/steward/cohorts/{draft.pk}/"


def retired(outcome: Outcome) -> None:
    only_changed(outcome, "cohorts", "pending")
    active = outcome.objects["active"]
    assert {r[2:4] for r in outcome.added("cohorts")} == {("kashgar", "retired")}
    assert outcome.location() == f"/benchmarks/steward/cohorts/{active.pk}/"


def policy_adopted(outcome: Outcome) -> None:
    """POST policy/: version 2026.2 in force, with its sign-off note, and back to the policy page."""
    only_changed(outcome, "policies", "pending")
    ((_pk, version, _sha, sign_off),) = outcome.added("policies")
    assert (version, sign_off) == ("2026.2", "Approved by the board, 2026-11-30.")
    assert active_policy().document["classes"]["price_cost"]["min_contributors"] == 6
    assert outcome.location() == "/benchmarks/steward/policy/"


def _with_firm_b(cases: list[Case]) -> list[Case]:
    """The rows' cases, and firm B's people answering as firm A's (every page here is the alliance's)."""
    return cases + [
        dataclasses.replace(case, actor="b" + case.actor[1:]) for case in cases if case.actor.startswith("a_")
    ]


MEMBERS = {"people": 200, "staff": 403, "others": LOGIN}  # tokens sign in to no page
STEWARD_ONLY = {"people": 403, "stewards": 200, "others": LOGIN}
STEWARD_POST = {"people": 403, "stewards": 302, "others": LOGIN}
COHORTS = "/benchmarks/steward/cohorts/"
MATRIX = _with_firm_b(
    [
        *matrix_row("GET", PRICE, "alliance", effect=members_page, **MEMBERS),
        *matrix_row("GET", PRICE + "&format=csv&lang=en", "alliance", effect=csv_download, **MEMBERS),
        *matrix_row("GET", PRICE + "&format=svg&lang=en", "alliance", effect=svg_download, **MEMBERS),
        *matrix_row("GET", PRICE + "&format=png", "alliance", effect=png_download, **MEMBERS),
        *matrix_row("GET", "/benchmarks/disclosure/", "alliance", effect=disclosure_doc, **MEMBERS),
        *matrix_row("GET", COHORTS, "all", effect=cohorts_page, **STEWARD_ONLY),
        *matrix_row("GET", COHORTS + "{draft}/", "draft", effect=preview_page, **STEWARD_ONLY),
        *matrix_row("GET", COHORTS + "999999/", "missing", people=403, stewards=404, others=LOGIN),
        *matrix_row("GET", "/benchmarks/steward/policy/", "in force", effect=policy_page, **STEWARD_ONLY),
        *matrix_row("GET", "/benchmarks/steward/runs/", "all", effect=runs_page, **STEWARD_ONLY),
        *matrix_row("GET", "/benchmarks/steward/runs/{run}/", "one", effect=run_page, **STEWARD_ONLY),
        *matrix_row("POST", COHORTS, "new", effect=cohort_created, **STEWARD_POST),
        *matrix_row("POST", COHORTS + "{draft}/activate/", "draft", effect=activated, **STEWARD_POST),
        *matrix_row("POST", COHORTS + "{active}/retire/", "active", effect=retired, **STEWARD_POST),
        *matrix_row("POST", "/benchmarks/steward/policy/", "signed", effect=policy_adopted, **STEWARD_POST),
    ]
)


def _policy_form(document: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """The policy form as the page fills it from `document`, with `changes` on top."""
    data: dict[str, Any] = {
        "version": document["version"],
        "protection_interval": document["protection_interval"],
        "sign_off": "",
    }
    for code, rules in document["classes"].items():
        for name, value in rules.items():
            data[f"{code}_{name}"] = "" if value is None else value
    for index, level in enumerate(document["statistic_levels"]):
        data[f"level_{index}_min_firms"] = level["min_firms"]
        data[f"level_{index}_statistics"] = level["statistics"]
    return data | changes


SIGNED_CHANGE = {
    "version": "2026.2",
    "price_cost_min_contributors": 6,
    "sign_off": "Approved by the board, 2026-11-30.",
}


def _post_data(case: Case) -> dict[str, Any]:
    if case.path == COHORTS:
        return {"standard": CODE, "code": "small-firms", "name_en": "Small firms", "size_classes": ["small"]}
    if case.path.endswith("/policy/"):
        return _policy_form(active_policy().document, **SIGNED_CHANGE)
    return {}


@pytest.mark.parametrize("case", MATRIX, ids=str)
def test_benchmark_pages_permission_matrix(cast: Any, pair: Alliance, case: Case) -> None:
    cohorts = pair.cohorts  # type: ignore[attr-defined]
    objects = {"draft": cohorts["draft"], "active": cohorts["active"], "run": Run.objects.get()}
    path = case.path.format(draft=objects["draft"].pk, active=objects["active"].pk, run=objects["run"].pk)
    client = cast.client_for(case.actor)
    before = _state()
    response = client.post(path, _post_data(case)) if case.method == "POST" else client.get(path)
    check(Outcome(case, path, response, before, _state(), objects))
    if case.actor.startswith("token_"):  # a token opens no session either
        assert settings.SESSION_COOKIE_NAME not in response.cookies, str(case)


def test_a_refused_cohort_step_says_why_and_changes_nothing(cast: Any, pair: Alliance) -> None:
    client = _client(cast, "steward")
    active = pair.cohorts["active"]  # type: ignore[attr-defined]
    before = _state()
    again = client.post(f"{COHORTS}{active.pk}/activate/", follow=True)
    assert again.redirect_chain == [(f"{COHORTS}{active.pk}/", 302)]
    assert "Only a draft cohort can be activated." in again.content.decode()
    duplicate = client.post(
        COHORTS, {"standard": CODE, "code": "kashgar", "name_en": "K", "regions": "Kashgar"}
    )
    assert duplicate.status_code == 200
    assert "This standard has a cohort with this code already." in duplicate.content.decode()
    everyone = client.post(COHORTS, {"standard": CODE, "code": "all", "name_en": "All", "regions": "Changji"})
    assert everyone.status_code == 200 and "every standard&#x27;s default cohort" in everyone.content.decode()
    assert _state() == before


def test_the_admin_shows_a_superuser_no_firm_and_no_amount(cast: Any, pair: Alliance) -> None:
    """Superusers are stewards on these pages; the admin's read-only run page holds no firm either."""
    run = Run.objects.get()
    page = _client(cast, "superuser").get(f"/admin/benchmarks/run/{run.pk}/change/")
    assert page.status_code == 200
    text = _without(_visible(page.content.decode()), run.pk)
    assert not OWN_A.search(text) and not OWN_B.search(text)
    for word in ("firm-a", "firm-b", "Firm A", "Firm B", "Co., Ltd."):
        assert word not in text, word


# --- What a firm's pages and files show -------------------------------------------------------------------


def test_a_firm_sees_its_own_figure_and_never_anothers(cast: Any, alliance: Alliance) -> None:
    client = _client(cast, "a_viewer")
    page = client.get(PRICE)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="own-firm"' in html and '<td class="own">1,234</td>' in html
    assert "<svg" in html  # the chart, with medians published (14 firms)
    assert not OWN_B.search(_visible(html))
    table = client.get(PRICE + "&format=csv").content.decode("utf-8-sig")
    assert [line[-2] for line in csv.reader(io.StringIO(table))][1:] == ["1234", "1234"]
    assert not OWN_B.search(table)
    chart = client.get(PRICE + "&format=svg").content.decode()
    assert not OWN_B.search(_visible(chart))
    for text in (html, table, chart):
        assert "Firm B" not in text and "firm-b" not in text


def test_the_run_page_shows_rules_and_evidence_never_a_firm_or_an_amount(
    cast: Any, alliance: Alliance
) -> None:
    run = Run.objects.get(period=PERIOD)
    page = _client(cast, "steward").get(f"/benchmarks/steward/runs/{run.pk}/?measure=unit_price")
    assert page.status_code == 200
    html = page.content.decode()
    for firm in alliance.firms:
        for word in (firm.slug, firm.legal_name, firm.name):
            assert word not in html, word
    decisions = re.search(r'<table id="decisions">.*?</table>', html, flags=re.S)
    assert decisions
    evidence = _visible(decisions.group(0))
    amounts = set()
    for firm in alliance.firms:
        for item in alliance.sent.get((firm.pk, PERIOD), []):
            amounts |= {item["value"], item["value"] / item["quantity"]}
    amounts |= {
        *firm_figures(alliance, PERIOD, "unit_price", {}),
        *firm_figures(alliance, PERIOD, "value", {}),
    }
    for amount in amounts:
        for written in {f"{amount:.0f}", f"{amount:,.0f}", f"{amount:.2f}"}:
            assert not re.search(rf"(?<![\d.,]){re.escape(written)}(?![.,]?\d)", evidence), written
    shown = page.context["page"].object_list
    rules = {figure.evidence.get("rule") for figure in shown}
    assert {"THRESHOLD", "DOMINANCE", "STATISTIC_MIN_N"} & rules, rules
    shares = {str(figure.evidence["top_share"]) for figure in shown if figure.evidence.get("top_share")}
    assert shares and all(f"<td>{share}</td>" in html for share in shares), shares
    assert all(re.fullmatch(r"0(\.\d+)?|1(\.0+)?", share) for share in shares), shares  # a share, no amount


# --- The embargo ------------------------------------------------------------------------------------------


def test_a_late_periods_prices_say_embargoed_and_until_when(cast: Any, alliance: Alliance) -> None:
    client = _client(cast, "a_viewer")
    html = client.get(PRICE).content.decode()
    with translation.override("en"):
        until = date_format(EMBARGO_ENDS, "DATE_FORMAT")
    late = re.search(rf"<tr><td>{LATE}</td>(.*?)</tr>", html, flags=re.S)
    assert late, html
    assert f"embargoed until {until}" in late.group(1) and 'class="embargoed"' in late.group(1)
    published = re.search(rf"<tr><td>{PERIOD}</td>(.*?)</tr>", html, flags=re.S)
    assert published and "embargoed" not in published.group(1) and '<td class="value">' in published.group(1)
    rows = list(csv.DictReader(io.StringIO(client.get(PRICE + "&format=csv").content.decode("utf-8-sig"))))
    by_period = {r["period"]: r for r in rows}
    assert by_period[LATE]["median"] == "embargoed until 2027-03-01"
    assert by_period[LATE]["your figure"] == "1234"  # a firm's own figure is never embargoed to it
    assert re.fullmatch(r"\d+", by_period[PERIOD]["median"])
    brix = client.get(f"/benchmarks/?standard={CODE}&measure=brix").content.decode()
    quality = re.search(rf"<tr><td>{LATE}</td>(.*?)</tr>", brix, flags=re.S)
    assert quality and "embargoed" not in quality.group(1)  # quality figures have no lag


# --- Downloads --------------------------------------------------------------------------------------------


def test_the_downloads_are_well_formed_files_with_names(cast: Any, alliance: Alliance) -> None:
    client = _client(cast, "a_viewer")
    name = f"{CODE}_unit_price_all"
    table = client.get(PRICE + "&format=csv&lang=en")
    assert table["Content-Disposition"] == f'attachment; filename="{name}.csv"'
    assert table.content.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(table.content.decode("utf-8-sig"))))
    assert lines[0] == [
        "period",
        "firms",
        "p10",
        "p25",
        "median",
        "p75",
        "p90",
        "mean",
        "reliability",
        "your figure",
        "your position",
    ]
    assert [line[0] for line in lines[1:]] == [LATE, PERIOD]  # one row a period, newest first
    assert all(len(line) == len(lines[0]) for line in lines)

    chart = client.get(PRICE + "&format=svg&lang=en")
    assert chart["Content-Type"] == "image/svg+xml"
    assert chart["Content-Disposition"] == f'attachment; filename="{name}.svg"'
    root = ET.fromstring(chart.content)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert any(element.tag.endswith("path") or element.tag.endswith("polyline") for element in root.iter())

    image = client.get(PRICE + "&format=png&lang=en")
    assert image["Content-Type"] == "image/png"
    assert image["Content-Disposition"] == f'attachment; filename="{name}.png"'
    assert image.content.startswith(b"\x89PNG\r\n\x1a\n") and len(image.content) > 1000


# --- Languages --------------------------------------------------------------------------------------------

WORDS = {
    "index": ("Benchmarks", "Data standard", "Measure", "Breakdown", "Period", "Firms", "Reliability"),
    "cohorts": ("Cohorts", "Regions", "Size classes", "Create draft", "New draft cohort"),
    "cohort": ("Preview", "Activate", "Regions", "Period", "Firms"),
    "policy": ("Disclosure policy", "In force", "Minimum contributors", "Adopt", "Sign-off note"),
    "runs": ("Benchmark runs", "Computed", "Trigger", "Period"),
    "run": ("Decision", "Rule", "Top share", "Contributors", "Statistic"),
}


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_every_page_is_in_the_readers_language(cast: Any, pair: Alliance, language: str) -> None:
    draft = pair.cohorts["draft"]  # type: ignore[attr-defined]
    run = Run.objects.get()
    pages = {
        "index": ("a_viewer", PRICE),
        "cohorts": ("steward", COHORTS),
        "cohort": ("steward", f"{COHORTS}{draft.pk}/"),
        "policy": ("steward", "/benchmarks/steward/policy/"),
        "runs": ("steward", "/benchmarks/steward/runs/"),
        "run": ("steward", f"/benchmarks/steward/runs/{run.pk}/"),
    }
    clients = {actor: _client(cast, actor, language) for actor in ("a_viewer", "steward")}
    for page, (actor, path) in pages.items():
        response = clients[actor].get(path)
        assert response.status_code == 200, (page, response.status_code)
        html = response.content.decode()
        assert f'<html lang="{language}">' in html, page
        text = _visible(html)
        for word in WORDS[page]:
            found = re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text)
            assert bool(found) == (language == "en"), (page, language, word)
    doc = clients["a_viewer"].get("/benchmarks/disclosure/")
    docs = Path(settings.BASE_DIR) / "docs"
    expected = docs / ("disclosure.md" if language == "en" else f"disclosure.{language}.md")
    assert doc.status_code == 200 and doc.content == expected.read_bytes()


# --- Page weight ------------------------------------------------------------------------------------------

PAGE_BUDGET = 60_000
"""Bytes of HTML the members' page with its chart may weigh: measured 7.5 KB with two periods, chart
inline (the page shows at most 24 periods; the budget leaves room for them)."""


def test_the_members_page_with_a_chart_is_light(cast: Any, alliance: Alliance) -> None:
    response = _client(cast, "a_viewer").get(PRICE)
    html = response.content.decode()
    assert "<svg" in html
    assert len(response.content) < PAGE_BUDGET, len(response.content)
    links = re.findall(r'\b(?:src|href)\s*=\s*["\']([^"\']*)["\']', html)
    assert links
    foreign = [link for link in links if re.match(r"(?i)(https?:)?//", link) and "//testserver" not in link]
    assert not foreign, foreign
    assert "@import" not in html and "url(http" not in html


# --- The policy form --------------------------------------------------------------------------------------


def _adopt(client: Client, **changes: Any) -> Any:
    return client.post("/benchmarks/steward/policy/", _policy_form(active_policy().document, **changes))


def test_a_legal_change_needs_a_sign_off_note(cast: Any, pair: Alliance) -> None:
    client = _client(cast, "steward")
    before = _state()
    refused = _adopt(client, **(SIGNED_CHANGE | {"sign_off": ""}))
    assert refused.status_code == 200
    assert "sign-off note is needed" in refused.content.decode()
    assert _state() == before
    adopted = _adopt(client, **SIGNED_CHANGE)
    assert (adopted.status_code, adopted["Location"]) == (302, "/benchmarks/steward/policy/")
    policy = active_policy()
    assert (policy.version, policy.sign_off) == ("2026.2", SIGNED_CHANGE["sign_off"])
    assert policy.document["classes"]["price_cost"]["min_contributors"] == 6
    assert PolicyVersion.objects.count() == len(before["policies"]) + 1
    page = client.get("/benchmarks/steward/policy/").content.decode()
    assert "Policy 2026.2 is in force" in page and "<strong>2026.2</strong>" in page


def test_the_rules_in_force_are_refused_as_a_new_version(cast: Any, pair: Alliance) -> None:
    client = _client(cast, "steward")
    before = _state()
    same = _adopt(client, version="2026.9")
    assert same.status_code == 200 and "This policy is the one in force." in same.content.decode()
    assert _state() == before


def test_the_missing_sign_off_is_said_in_the_stewards_language(cast: Any, pair: Alliance) -> None:
    client = _client(cast, "steward", "ru")
    before = _state()
    refused = _adopt(client, **(SIGNED_CHANGE | {"sign_off": ""}))
    assert refused.status_code == 200 and _state() == before
    problems = re.search(
        r'<ul class="errorlist" id="policy-problems">(.*?)</ul>', refused.content.decode(), re.S
    )
    assert problems, "no problem listed"
    assert "sign-off" not in problems.group(1) and re.search("[а-яА-Я]", problems.group(1)), problems.group(1)
