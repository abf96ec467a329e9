"""The stewards' changes to benchmarks: cohorts (drafted, previewed, activated, retired) and new
versions of the disclosure policy. Every change is audited, and what it affects is marked stale so the
worker recomputes it (apps.benchmarks.freshness).
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.audit.services import record_event
from apps.benchmarks.cells import CellKey
from apps.benchmarks.codes import Status
from apps.benchmarks.freshness import mark_stale
from apps.benchmarks.labels import CLASS_LABELS, code_label
from apps.benchmarks.models import DEFAULT_COHORT, Cohort, Figure, PolicyVersion, Run
from apps.benchmarks.permissions import check_can_steward
from apps.benchmarks.policy import (
    PolicyError,
    Problem,
    legal_departures,
    policy_document,
    policy_from_document,
    policy_sha256,
)
from apps.benchmarks.runs import OverBudget, active_policy, decide, prepare
from apps.benchmarks.selectors import periods_with_data, standards_to_benchmark
from apps.organizations.models import Organization
from apps.standards.models import Standard

PREVIEW_PERIODS = 3
"""A draft cohort is previewed on the standard's newest periods with data."""


def _check_filters(code: str, names: dict[str, str], regions: list[str], size_classes: list[str]) -> None:
    problems = {}
    if code == DEFAULT_COHORT:
        problems["code"] = _("The code “all” is every standard's default cohort.")
    if not (names or {}).get("en", "").strip():
        problems["names"] = _("A cohort needs an English name.")
    unknown = sorted(set(size_classes) - set(Organization.SizeClass.values) - {""})
    if unknown:
        problems["size_classes"] = _("Unknown size classes: %(classes)s.") % {"classes": ", ".join(unknown)}
    if not regions and not size_classes:
        problems["regions"] = _("A cohort filters by region or size class; without a filter it is “all”.")
    if problems:
        raise ValidationError(problems)


def create_cohort(
    *,
    actor: Any,
    standard: Standard,
    code: str,
    names: dict[str, str],
    regions: list[str] = (),  # type: ignore[assignment]
    size_classes: list[str] = (),  # type: ignore[assignment]
    request: Any = None,
) -> Cohort:
    """A draft cohort: previewed, then activated. Nothing is computed for it until then."""
    check_can_steward(actor)
    regions, size_classes = sorted(set(regions)), sorted(set(size_classes))
    _check_filters(code, names, regions, size_classes)
    if standard not in standards_to_benchmark():
        raise ValidationError({"standard": _("This standard has no benchmarks.")})
    if Cohort.objects.filter(standard=standard, code=code).exists():
        raise ValidationError({"code": _("This standard has a cohort with this code already.")})
    with transaction.atomic():
        cohort = Cohort.objects.create(
            standard=standard,
            code=code,
            names={k: v for k, v in names.items() if v},
            regions=regions,
            size_classes=size_classes,
            created_by=actor,
        )
        record_event(
            actor=actor,
            action="cohort.create",
            target=cohort,
            data={"standard": standard.code, "code": code, "regions": regions, "size_classes": size_classes},
            request=request,
        )
    return cohort


@dataclass(frozen=True)
class PeriodPreview:
    """What activating a cohort would do in one period: its own figures by status, and how many
    figures of the cohorts already published would be withheld that are published now."""

    period: str
    n_firms: int
    own: dict[str, int]
    newly_withheld: int


@dataclass(frozen=True)
class CohortPreview:
    periods: list[PeriodPreview]
    """Newest first."""
    not_previewed: list[str]
    """Periods the engine could not decide in the preview's time (HUB_BENCHMARK_PREVIEW_SECONDS)."""


def preview_cohort(*, actor: Any, cohort: Cohort) -> CohortPreview:
    """Run the engine for the newest periods with the cohort added, store nothing, and compare with
    what is published now (the current figures). A page waits for it, so the engine gets
    HUB_BENCHMARK_PREVIEW_SECONDS for all the periods together, newest first."""
    check_can_steward(actor)
    previews, skipped = [], []
    policy = policy_from_document(active_policy().document)
    deadline = time.monotonic() + settings.HUB_BENCHMARK_PREVIEW_SECONDS
    for period in reversed(periods_with_data(cohort.standard)[-PREVIEW_PERIODS:]):
        if time.monotonic() >= deadline:
            skipped.append(period)
            continue
        prepared = prepare(cohort.standard, period, extra=cohort)
        try:
            added, _seconds = decide(prepared, policy, budget=max(deadline - time.monotonic(), 0.001))
        except OverBudget:
            skipped.append(period)
            continue
        published_now = set(
            Figure.objects.filter(
                standard=cohort.standard, period=period, is_current=True, status=Status.PUBLISHED
            ).values_list("cohort", "measure", "breakdown_field", "breakdown_value", "statistic")
        )
        own: Counter[str] = Counter()
        newly = 0
        for decision in added.decisions:
            key = CellKey.parse(decision.cell)
            if key.cohort == cohort.code:
                own[decision.status.value] += 1
            elif decision.status != Status.PUBLISHED and (
                (key.cohort, key.measure, key.breakdown_field, key.breakdown_value, decision.statistic.value)
                in published_now
            ):
                newly += 1
        members = {cell.firms for cell in prepared.cells if cell.key.startswith(f"{cohort.code}|")}
        previews.append(PeriodPreview(period, len(next(iter(members), frozenset())), dict(own), newly))
    return CohortPreview(previews, skipped)


def _mark_standard(standard: Standard) -> None:
    for period in periods_with_data(standard):
        mark_stale(standard_id=standard.pk, period=period, trigger=Run.Trigger.COHORT)


def activate_cohort(*, actor: Any, cohort: Cohort, request: Any = None) -> Cohort:
    check_can_steward(actor)
    if cohort.status != Cohort.Status.DRAFT:
        raise ValidationError(_("Only a draft cohort can be activated."))
    with transaction.atomic():
        cohort.status = Cohort.Status.ACTIVE
        cohort.activated_at = timezone.now()
        cohort.save(update_fields=["status", "activated_at"])
        record_event(
            actor=actor, action="cohort.activate", target=cohort, data={"code": cohort.code}, request=request
        )
        _mark_standard(cohort.standard)
    return cohort


def retire_cohort(*, actor: Any, cohort: Cohort, request: Any = None) -> Cohort:
    """No new figures are computed for it; what it published stays in the runs' records."""
    check_can_steward(actor)
    if cohort.status != Cohort.Status.ACTIVE:
        raise ValidationError(_("Only an active cohort can be retired."))
    with transaction.atomic():
        cohort.status = Cohort.Status.RETIRED
        cohort.save(update_fields=["status"])
        record_event(
            actor=actor, action="cohort.retire", target=cohort, data={"code": cohort.code}, request=request
        )
        _mark_standard(cohort.standard)
    return cohort


def _rules(document: dict[str, Any]) -> dict[str, Any]:
    """A policy document without its name, version and sign-off note: what decides figures."""
    return {key: value for key, value in document.items() if key not in ("name", "version", "sign_off")}


def _policy_problem(problem: Problem) -> str:
    """A policy's problem in the steward's language, its measure class by name."""
    params = dict(problem.params)
    if "measure_class" in params:
        params["measure_class"] = code_label(CLASS_LABELS, params["measure_class"])
    return _(problem.message) % params if params else _(problem.message)


def adopt_policy(*, actor: Any, document: dict[str, Any], request: Any = None) -> PolicyVersion:
    """A new version of the disclosure policy, in force at once; every benchmark is recomputed under it.
    Raises ValidationError listing what is outside the allowed ranges (a legal parameter departing from
    the defaults without a sign-off note among them)."""
    check_can_steward(actor)
    try:
        policy = policy_from_document(document)
    except PolicyError as error:
        raise ValidationError([_policy_problem(problem) for problem in error.problems]) from None
    except (KeyError, TypeError, ValueError, ArithmeticError) as error:
        raise ValidationError(_("The policy document is incomplete: %(error)s") % {"error": error}) from None
    digest = policy_sha256(policy)
    if _rules(policy_document(policy)) == _rules(active_policy().document):
        raise ValidationError(_("This policy is the one in force."))
    if PolicyVersion.objects.filter(version=policy.version).exists():
        raise ValidationError({"version": _("A policy with this version exists already: give it a new one.")})
    with transaction.atomic():
        adopted = PolicyVersion.objects.create(
            version=policy.version,
            document=policy_document(policy),
            sha256=digest,
            sign_off=policy.sign_off,
            created_by=actor,
        )
        record_event(
            actor=actor,
            action="policy.adopt",
            target=adopted,
            data={"version": policy.version, "sha256": digest, "legal_departures": legal_departures(policy)},
            request=request,
        )
        for standard in standards_to_benchmark():
            _mark_standard(standard)
    return adopted
