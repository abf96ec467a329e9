"""Recording and changing data-sharing agreements (stewards only), each change audited."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from apps.audit.services import record_event
from apps.benchmarks.codes import MeasureClass
from apps.benchmarks.measures import benchmark_measures
from apps.benchmarks.models import DEFAULT_COHORT, Cohort
from apps.benchmarks.policy import policy_from_document
from apps.benchmarks.runs import active_policy
from apps.benchmarks.selectors import standards_to_benchmark
from apps.exchange.models import Agreement, ReadGrant
from apps.exchange.signals import agreement_changed
from apps.organizations.models import Organization
from apps.organizations.permissions import is_steward
from apps.standards.models import Standard
from apps.standards.selectors import current_version, fields_of


@dataclass(frozen=True)
class Grant:
    """What a steward grants on one member standard: measure and cohort codes."""

    standard: str
    measures: tuple[str, ...]
    cohorts: tuple[str, ...]


def check_can_manage(actor: Any) -> None:
    if not is_steward(actor):
        raise PermissionDenied


def policy_lag() -> int:
    """The longest lag of the disclosure policy in force: no agreement may be shorter."""
    policy = policy_from_document(active_policy().document)
    return max(policy.rules_for(measure_class).lag_months for measure_class in MeasureClass)


def readable_measures(standard: Standard) -> list[str]:
    version = current_version(standard)
    return [measure.name for measure in benchmark_measures(fields_of(version))[0]] if version else []


def readable_cohorts(standard: Standard) -> list[str]:
    active = Cohort.objects.filter(standard=standard, status=Cohort.Status.ACTIVE).order_by("code")
    return [DEFAULT_COHORT, *active.values_list("code", flat=True)]


def _checked_grants(grants: Iterable[Grant]) -> list[tuple[Standard, list[str], list[str]]]:
    by_code = {standard.code: standard for standard in standards_to_benchmark()}
    checked = []
    for grant in grants:
        standard = by_code.get(grant.standard)
        if standard is None:
            raise ValidationError({"reads": _("%(code)s has no benchmarks.") % {"code": grant.standard}})
        measures, cohorts = sorted(set(grant.measures)), sorted(set(grant.cohorts))
        if not measures or not cohorts:
            raise ValidationError(
                {"reads": _("%(code)s: name at least one measure and one cohort.") % {"code": standard.code}}
            )
        unknown = [m for m in measures if m not in readable_measures(standard)]
        unknown += [c for c in cohorts if c not in readable_cohorts(standard)]
        if unknown:
            raise ValidationError(
                {
                    "reads": _("%(code)s has no published measure or active cohort %(names)s.")
                    % {"code": standard.code, "names": ", ".join(unknown)}
                }
            )
        checked.append((standard, measures, cohorts))
    return checked


def _checked_pushes(codes: Iterable[str]) -> list[Standard]:
    codes = sorted(set(codes))
    found = list(Standard.objects.filter(code__in=codes, audience=Standard.Audience.PARTNER))
    missing = sorted(set(codes) - {standard.code for standard in found})
    if missing:
        raise ValidationError(
            {"push_standards": _("Not a partner standard: %(codes)s.") % {"codes": ", ".join(missing)}}
        )
    return found


def _check_terms(partner: Organization, valid_from: date, valid_until: date | None, lag_months: int) -> None:
    if partner.kind != Organization.Kind.PARTNER:
        raise ValidationError({"partner": _("Agreements are made with partner organizations only.")})
    if valid_until is not None and valid_until < valid_from:
        raise ValidationError({"valid_until": _("An agreement cannot end before it begins.")})
    shortest = policy_lag()
    if lag_months < shortest:
        raise ValidationError(
            {
                "lag_months": _("The lag cannot be shorter than the disclosure policy's %(months)d months.")
                % {"months": shortest}
            }
        )


def _terms(agreement: Agreement) -> dict[str, Any]:
    return {
        "partner": agreement.partner.slug,
        "title": agreement.title,
        "status": agreement.status,
        "valid_from": agreement.valid_from.isoformat(),
        "valid_until": agreement.valid_until.isoformat() if agreement.valid_until else None,
        "lag_months": agreement.lag_months,
        "revision": agreement.revision,
        "reads": [
            {"standard": g.standard.code, "measures": g.measures, "cohorts": g.cohorts}
            for g in agreement.reads.select_related("standard").order_by("standard__code")
        ],
        "push": sorted(agreement.push_standards.values_list("code", flat=True)),
    }


def create_agreement(
    *,
    actor: Any,
    partner: Organization,
    title: str,
    valid_from: date,
    valid_until: date | None = None,
    lag_months: int,
    reads: Iterable[Grant] = (),
    push_standards: Iterable[str] = (),
    request: Any = None,
) -> Agreement:
    """A data-sharing agreement with `partner`, in force from `valid_from`: what it may read (published
    benchmark figures of these standards, measures and cohorts, `lag_months` after their period) and
    push (these partner standards)."""
    check_can_manage(actor)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the agreement a title.")})
    _check_terms(partner, valid_from, valid_until, lag_months)
    grants = _checked_grants(reads)
    pushes = _checked_pushes(push_standards)
    if not grants and not pushes:
        raise ValidationError(_("An agreement grants something to read or to push."))
    with transaction.atomic():
        agreement = Agreement.objects.create(
            partner=partner,
            title=title,
            valid_from=valid_from,
            valid_until=valid_until,
            lag_months=lag_months,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        ReadGrant.objects.bulk_create(
            ReadGrant(agreement=agreement, standard=standard, measures=measures, cohorts=cohorts)
            for standard, measures, cohorts in grants
        )
        agreement.push_standards.set(pushes)
        record_event(
            actor=actor,
            action="agreement.create",
            organization=partner,
            target=agreement,
            data=_terms(agreement),
            request=request,
        )
        agreement_changed.send(sender=Agreement, agreement=agreement, change="create")
    return agreement


def set_agreement_status(*, actor: Any, agreement: Agreement, status: str, request: Any = None) -> Agreement:
    """Suspend an agreement (nothing of it holds from the next request on) or resume it."""
    check_can_manage(actor)
    if status not in Agreement.Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    with transaction.atomic():
        locked = Agreement.objects.select_for_update().select_related("partner").get(pk=agreement.pk)
        if locked.status == status:
            return locked
        locked.status = status
        locked.revision += 1
        locked.save(update_fields=["status", "revision", "updated_at"])
        record_event(
            actor=actor,
            action="agreement.suspend" if status == Agreement.Status.SUSPENDED else "agreement.resume",
            organization=locked.partner,
            target=locked,
            data=_terms(locked),
            request=request,
        )
        change = "suspend" if status == Agreement.Status.SUSPENDED else "resume"
        agreement_changed.send(sender=Agreement, agreement=locked, change=change)
    return locked
