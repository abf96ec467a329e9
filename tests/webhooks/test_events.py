"""The three events: `agreement.changed` when a steward records, suspends or resumes an agreement;
`submission.processed` to the submitting partner's own endpoints; `benchmark.published` naming only
the cells the partner's agreements grant and already release to it, checked again at delivery."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from apps.benchmarks.codes import Status
from apps.exchange.access import scope_of_partner
from apps.exchange.models import Agreement
from apps.exchange.services import create_agreement, set_agreement_status
from apps.standards.models import StandardVersion
from apps.submissions import services as submissions
from apps.webhooks import services
from apps.webhooks.models import Delivery, Event, EventType
from apps.webhooks.signing import verify
from tests.exchange.conftest import grant
from tests.webhooks.conftest import CODE, LATE, PERIOD, Partner, publish


def _subscribe(partner: Partner, receiver: Any, *events: str) -> str:
    _endpoint, secret = services.register_endpoint(
        actor=partner.admin, organization=partner.organization, url=receiver.url, events=list(events)
    )
    return secret


def test_agreement_changed_is_sent_on_create_suspend_and_resume(
    cast: Any, partner: Partner, receiver: Any, local_targets: Any, django_capture_on_commit_callbacks: Any
) -> None:
    secret = _subscribe(partner, receiver, EventType.AGREEMENT_CHANGED)
    with django_capture_on_commit_callbacks(execute=True):
        agreement = grant(cast.steward, partner)
    with django_capture_on_commit_callbacks(execute=True):
        set_agreement_status(actor=cast.steward, agreement=agreement, status=Agreement.Status.SUSPENDED)
    with django_capture_on_commit_callbacks(execute=True):
        set_agreement_status(actor=cast.steward, agreement=agreement, status=Agreement.Status.ACTIVE)
    got = [verify(secret=secret, body=body, headers=headers) for headers, body in receiver.requests]
    assert [(e["type"], e["data"]["change"], e["data"]["status"]) for e in got] == [
        ("agreement.changed", "create", "active"),
        ("agreement.changed", "suspend", "suspended"),
        ("agreement.changed", "resume", "active"),
    ]
    assert got[1]["data"]["agreement"] == agreement.pk and got[1]["data"]["revision"] == 2


def test_agreement_changed_goes_only_to_that_partner(
    cast: Any, partner: Partner, other_partner: Partner, receiver: Any, other_receiver: Any,
    local_targets: Any, django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    _subscribe(partner, receiver, EventType.AGREEMENT_CHANGED)
    _subscribe(other_partner, other_receiver, EventType.AGREEMENT_CHANGED)
    with django_capture_on_commit_callbacks(execute=True):
        grant(cast.steward, partner)
    assert len(receiver.kept) == 1 and other_receiver.requests == []


def test_submission_processed_goes_to_the_submitting_partner_only(
    cast: Any, partner: Partner, other_partner: Partner, receiver: Any, other_receiver: Any,
    local_targets: Any, standards: Any, django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    secret = _subscribe(partner, receiver, EventType.SUBMISSION_PROCESSED)
    _subscribe(other_partner, other_receiver, EventType.SUBMISSION_PROCESSED)
    today = timezone.localdate()
    create_agreement(
        actor=cast.steward,
        partner=partner.organization,
        title="Crossings",
        valid_from=today - timedelta(days=30),
        lag_months=6,
        push_standards=["ca.border-crossings"],
    )
    version = StandardVersion.objects.get(standard__code="ca.border-crossings", status="published")
    with django_capture_on_commit_callbacks(execute=True):
        submission, _created = submissions.receive_rows(
            actor=partner.admin,
            organization=partner.organization,
            version=version,
            period="2026-09",
            rows=[{"period": "2026-09"}],
            idempotency_key="crossings-1",
        )
        submissions.process_submission(submission_id=submission.pk)
    submission.refresh_from_db()
    [(headers, body)] = receiver.requests
    event = verify(secret=secret, body=body, headers=headers)
    assert event["type"] == "submission.processed"
    assert event["data"] | {"report": ""} == {
        "submission": str(submission.pk),
        "status": submission.status,
        "standard": "ca.border-crossings",
        "version": version.version,
        "period": "2026-09",
        "rows": submission.row_count,
        "errors": submission.error_count,
        "warnings": submission.warning_count,
        "in_force": submission.is_current,
        "report": "",
    }
    assert event["data"]["report"].endswith(f"/api/v1/submissions/{submission.pk}/report/")
    assert other_receiver.requests == []


def _cells_in_scope(partner: Partner, run_period: str, cells: list[dict[str, Any]]) -> None:
    scope = scope_of_partner(partner.organization, timezone.localdate())
    for cell in cells:
        assert cell["period"] == run_period and cell["standard"] == CODE
        assert scope.may_read(standard=CODE, measure=cell["measure"], cohort=cell["cohort"]), cell
        release = scope.release(
            standard=CODE, measure=cell["measure"], cohort=cell["cohort"], period=run_period
        )
        assert release is not None and release <= timezone.localdate()
        assert set(cell) == {"standard", "measure", "cohort", "period", "breakdown"}  # never a value


def test_benchmark_published_names_only_cells_the_agreement_grants(
    cast: Any, alliance: Any, version: Any, partner: Partner, other_partner: Partner, receiver: Any,
    other_receiver: Any, local_targets: Any, django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    grant(cast.steward, partner, measures=("unit_price",), cohorts=("all",))
    grant(cast.steward, other_partner, measures=("brix",), cohorts=("all",))
    secret = _subscribe(partner, receiver, EventType.BENCHMARK_PUBLISHED)
    other_secret = _subscribe(other_partner, other_receiver, EventType.BENCHMARK_PUBLISHED)
    with django_capture_on_commit_callbacks(execute=True):
        run = publish(version, PERIOD)
    [(headers, body)] = receiver.requests
    event = verify(secret=secret, body=body, headers=headers)
    assert event["type"] == "benchmark.published" and event["data"]["run"] == run.pk
    cells = event["data"]["cells"]
    assert cells and {c["measure"] for c in cells} == {"unit_price"}
    _cells_in_scope(partner, PERIOD, cells)
    published = {
        (f.measure, f.cohort, f.breakdown_field, f.breakdown_value)
        for f in run.figures.filter(status=Status.PUBLISHED)
    }
    for cell in cells:
        field, value = next(iter(cell["breakdown"].items()), ("", ""))
        assert (cell["measure"], cell["cohort"], field, value) in published
    [(headers, body)] = other_receiver.requests
    other = verify(secret=other_secret, body=body, headers=headers)["data"]["cells"]
    assert other and {c["measure"] for c in other} == {"brix"}
    _cells_in_scope(other_partner, PERIOD, other)


def test_a_run_still_embargoed_for_the_partner_announces_nothing(
    cast: Any, alliance: Any, version: Any, partner: Partner, receiver: Any, local_targets: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    grant(cast.steward, partner, measures=("unit_price", "brix"), cohorts=("all",), lag_months=3)
    _subscribe(partner, receiver, EventType.BENCHMARK_PUBLISHED)
    with django_capture_on_commit_callbacks(execute=True):
        publish(version, LATE)
    assert receiver.requests == [] and not Event.objects.exists()


def test_a_partner_without_an_agreement_gets_no_benchmark_event(
    cast: Any, alliance: Any, version: Any, partner: Partner, receiver: Any, local_targets: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    _subscribe(partner, receiver, EventType.BENCHMARK_PUBLISHED)
    with django_capture_on_commit_callbacks(execute=True):
        publish(version, PERIOD)
    assert receiver.requests == [] and not Event.objects.exists()


def test_a_suspended_agreement_stops_a_pending_benchmark_delivery(
    cast: Any, alliance: Any, version: Any, partner: Partner, receiver: Any, local_targets: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    agreement = grant(cast.steward, partner, measures=("unit_price",), cohorts=("all",))
    _subscribe(partner, receiver, EventType.BENCHMARK_PUBLISHED)
    receiver.down = 1
    with django_capture_on_commit_callbacks(execute=True):
        publish(version, PERIOD)
    assert Delivery.objects.get().status == Delivery.Status.FAILED
    set_agreement_status(actor=cast.steward, agreement=agreement, status=Agreement.Status.SUSPENDED)
    with django_capture_on_commit_callbacks(execute=True):
        services.sweep_deliveries(now=timezone.now() + timedelta(seconds=1))
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.GAVE_UP
    assert len(receiver.requests) == 1 and receiver.kept == {}


def test_member_firms_submissions_make_no_events(cast: Any, alliance: Any) -> None:
    assert not Event.objects.exists()
