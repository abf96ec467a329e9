"""The stewards' changes: cohorts are drafted with checked filters, previewed without storing anything
(within the time a page can wait), activated and retired, each audited and marking the standard's
periods stale; a new policy version is hashed, needs a sign-off for a legal parameter and makes
everything stale. Only stewards may make any of these changes."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from apps.audit.models import AuditEvent
from apps.benchmarks import runs, services
from apps.benchmarks.models import Cohort, Figure, Pending, PolicyVersion, Run
from apps.benchmarks.policy import DEFAULT_POLICY, policy_document
from apps.benchmarks.runs import compute_run
from apps.organizations.models import Organization
from apps.standards.models import StandardVersion
from tests.benchmarks.hub import Alliance, make_alliance, spread

PERIODS = ("2026-05", "2026-06")
CODE = "tomato-paste.exports"
ENGLISH = {"en": "Changji firms"}


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


@pytest.fixture
def alliance(cast: Any, version: StandardVersion) -> Alliance:
    """Twelve firms in each period, half of them in Changji; each period computed once."""
    found = make_alliance(cast.steward, version)
    for period in PERIODS:
        spread(found, period, 12, prefix=f"f{period[-2:]}")
        compute_run(version.standard, period, trigger=Run.Trigger.COMMAND)
    Pending.objects.all().delete()
    return found


def _draft(cast: Any, alliance: Alliance, **changes: Any) -> Cohort:
    arguments: dict[str, Any] = {
        "actor": cast.steward,
        "standard": alliance.version.standard,
        "code": "changji",
        "names": ENGLISH,
        "regions": ["Changji"],
    }
    return services.create_cohort(**(arguments | changes))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"code": "all"}, "code"),
        ({"names": {"ru": "Фирмы Чанцзи"}}, "names"),
        ({"regions": [], "size_classes": ["gigantic"]}, "size_classes"),
        ({"regions": [], "size_classes": []}, "regions"),
    ],
)
def test_a_cohort_with_bad_filters_is_refused_field_by_field(
    cast: Any, alliance: Alliance, changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        _draft(cast, alliance, **changes)
    assert field in refused.value.message_dict
    assert not Cohort.objects.exists()


def test_a_second_cohort_with_the_same_code_is_refused(cast: Any, alliance: Alliance) -> None:
    _draft(cast, alliance)
    with pytest.raises(ValidationError) as refused:
        _draft(cast, alliance, regions=["Kashgar"])
    assert "code" in refused.value.message_dict
    assert Cohort.objects.count() == 1


@pytest.mark.parametrize("actor", ["a_admin", "a_contributor", "a_viewer", "staff"])
def test_only_stewards_change_cohorts_and_the_policy(cast: Any, alliance: Alliance, actor: str) -> None:
    person = cast.user_for(actor)
    cohort = _draft(cast, alliance)
    with pytest.raises(PermissionDenied):
        _draft(cast, alliance, actor=person, code="other")
    for change in (services.activate_cohort, services.retire_cohort):
        with pytest.raises(PermissionDenied):
            change(actor=person, cohort=cohort)
    with pytest.raises(PermissionDenied):
        services.preview_cohort(actor=person, cohort=cohort)
    with pytest.raises(PermissionDenied):
        services.adopt_policy(actor=person, document=policy_document(DEFAULT_POLICY))
    cohort.refresh_from_db()
    assert cohort.status == Cohort.Status.DRAFT and PolicyVersion.objects.count() == 1


def test_a_preview_counts_the_cohorts_figures_and_stores_nothing(cast: Any, alliance: Alliance) -> None:
    cohort = _draft(cast, alliance)
    runs_before, figures_before = Run.objects.count(), Figure.objects.count()
    preview = services.preview_cohort(actor=cast.steward, cohort=cohort)
    assert [p.period for p in preview.periods] == list(reversed(PERIODS)) and not preview.not_previewed
    newest = preview.periods[0]
    in_changji = Organization.objects.filter(
        region="Changji", kind=Organization.Kind.MEMBER, status=Organization.Status.ACTIVE
    )
    assert newest.n_firms == in_changji.count()  # its members, whether or not they sent this period
    cells = {
        (f.measure, f.breakdown_field, f.breakdown_value)
        for f in Figure.objects.filter(is_current=True, period=PERIODS[-1], cohort="all")
    }
    # the cohort has the cells of `all` its firms are in, six statistics each; six firms publish a median
    assert 0 < sum(newest.own.values()) <= 6 * len(cells)
    assert newest.own.get("published", 0) > 0
    assert newest.newly_withheld >= 0
    assert (Run.objects.count(), Figure.objects.count()) == (runs_before, figures_before)


def test_a_preview_stops_at_its_time_and_says_which_periods_it_left(
    cast: Any, alliance: Alliance, settings: Any, monkeypatch: Any
) -> None:
    cohort = _draft(cast, alliance)
    settings.HUB_BENCHMARK_PREVIEW_SECONDS = 1

    def slow_engine(**kwargs: Any) -> Any:
        time.sleep(30)
        raise AssertionError("the preview's time should have stopped the engine")

    monkeypatch.setattr(runs, "protect_run", slow_engine)
    started = time.monotonic()
    preview = services.preview_cohort(actor=cast.steward, cohort=cohort)
    assert time.monotonic() - started < 10
    assert preview.periods == [] and preview.not_previewed == list(reversed(PERIODS))


def test_activating_and_retiring_are_audited_and_recompute(cast: Any, alliance: Alliance) -> None:
    cohort = _draft(cast, alliance)
    services.activate_cohort(actor=cast.steward, cohort=cohort)
    assert cohort.status == Cohort.Status.ACTIVE and cohort.activated_at is not None
    assert sorted(Pending.objects.values_list("period", "trigger")) == [(p, "cohort") for p in PERIODS]
    with pytest.raises(ValidationError):
        services.activate_cohort(actor=cast.steward, cohort=cohort)
    compute_run(alliance.version.standard, PERIODS[-1], trigger=Run.Trigger.COHORT)
    assert Figure.objects.filter(is_current=True, cohort="changji", period=PERIODS[-1]).exists()

    Pending.objects.all().delete()
    services.retire_cohort(actor=cast.steward, cohort=cohort)
    assert cohort.status == Cohort.Status.RETIRED and Pending.objects.count() == len(PERIODS)
    compute_run(alliance.version.standard, PERIODS[-1], trigger=Run.Trigger.COHORT)
    assert not Figure.objects.filter(is_current=True, cohort="changji").exists()
    assert Figure.objects.filter(cohort="changji").exists()  # what it published stays in the runs
    actions = list(AuditEvent.objects.filter(action__startswith="cohort.").values_list("action", flat=True))
    assert sorted(actions) == ["cohort.activate", "cohort.create", "cohort.retire"]


def test_a_new_policy_is_hashed_needs_a_sign_off_for_a_legal_parameter_and_recomputes(
    cast: Any, alliance: Alliance
) -> None:
    document = policy_document(DEFAULT_POLICY)
    for same in (document, document | {"version": "2026.9", "sign_off": "no change"}):
        with pytest.raises(ValidationError, match="in force"):
            services.adopt_policy(actor=cast.steward, document=same)

    stricter = document | {"version": "2026.2"}
    stricter["classes"] = {**document["classes"], "price_cost": {**document["classes"]["price_cost"]}}
    stricter["classes"]["price_cost"]["lag_months"] = 6
    with pytest.raises(ValidationError):
        services.adopt_policy(actor=cast.steward, document=stricter)  # a legal parameter, no sign-off
    assert PolicyVersion.objects.count() == 1

    adopted = services.adopt_policy(
        actor=cast.steward, document=stricter | {"sign_off": "Board resolution 2026-14, six-month lag."}
    )
    assert adopted.version == "2026.2" and len(adopted.sha256) == 64
    assert runs.active_policy() == adopted
    assert sorted(Pending.objects.values_list("period", flat=True)) == list(PERIODS)
    event = AuditEvent.objects.get(action="policy.adopt")
    assert event.data["legal_departures"] == ["price_cost.lag_months"]
    longer = stricter | {"sign_off": "Resolution 2026-15.", "classes": dict(stricter["classes"])}
    longer["classes"]["price_cost"] = {**stricter["classes"]["price_cost"], "lag_months": 7}
    with pytest.raises(ValidationError) as again:
        services.adopt_policy(actor=cast.steward, document=longer)  # new rules, a version already used
    assert "version" in again.value.message_dict
    run = compute_run(alliance.version.standard, PERIODS[-1], trigger=Run.Trigger.COHORT)
    assert run.policy == adopted and run.policy_sha256 == adopted.sha256
