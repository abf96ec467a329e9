"""Which benchmark figures include an organization's data: the runs that read one of its submissions
(a run records the submissions in force it read), and the cohorts of their standards that admit it.

Only the organization's own data is asked about; nothing here names another firm or a value.
"""

from __future__ import annotations

from dataclasses import dataclass

from apps.benchmarks.cells import CohortRule
from apps.benchmarks.models import DEFAULT_COHORT, Cohort, Run
from apps.benchmarks.sources import Contributor
from apps.organizations.models import Organization
from apps.submissions.models import Submission


@dataclass(frozen=True)
class Contribution:
    """One run that read the organization's data: its standard, its period, and the cohorts of the
    standard the organization is in (by its region and size class; `all` while it is an active
    member firm)."""

    run: int
    standard: str
    period: str
    cohorts: frozenset[str]


def contributions_of(organization: Organization) -> list[Contribution]:
    """Every run that read a submission of `organization`, newest first, with the cohorts (of any
    status: a retired cohort's figures were read while it was active) that admit it. Empty for an
    organization that is not an active member firm: its data is in no figure."""
    if organization.kind != Organization.Kind.MEMBER or organization.status != Organization.Status.ACTIVE:
        return []
    firm = Contributor(str(organization.pk), "", organization.region, organization.size_class)
    submissions = [
        str(pk) for pk in Submission.objects.filter(organization=organization).values_list("pk", flat=True)
    ]
    if not submissions:
        return []
    runs = list(
        Run.objects.filter(submissions__has_any_keys=submissions)
        .order_by("-id")
        .values_list("id", "standard_id", "standard__code", "period")
    )
    admitting: dict[int, set[str]] = {}
    for cohort in Cohort.objects.filter(standard_id__in={standard for _r, standard, _c, _p in runs}):
        rule = CohortRule(cohort.code, frozenset(cohort.regions), frozenset(cohort.size_classes))
        if rule.admits(firm):
            admitting.setdefault(cohort.standard_id, set()).add(cohort.code)
    return [
        Contribution(run, code, period, frozenset({DEFAULT_COHORT, *admitting.get(standard, ())}))
        for run, standard, code, period in runs
    ]
