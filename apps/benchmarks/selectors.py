"""Reads about benchmarks shared by pages and the API. Figures are read as members see them: a figure
whose lag has not passed is shown embargoed (no value, no count) whatever the run decided, so the
embargo is applied here and nowhere else."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet

from apps.benchmarks.codes import RELIABILITY_LEVELS, PublicReason, Statistic, Status
from apps.benchmarks.measures import benchmark_measures
from apps.benchmarks.models import DEFAULT_COHORT, Cohort, Figure, Run
from apps.benchmarks.sources import in_force
from apps.standards.models import Standard
from apps.standards.selectors import current_version, fields_of, with_released_versions


def standards_to_benchmark(code: str = "") -> list[Standard]:
    """Member standards whose current version has measures with a disclosure class, by code (only the
    one of `code` when given), with their released versions and fields read once."""
    standards = Standard.objects.filter(audience=Standard.Audience.MEMBER)
    if code:
        standards = standards.filter(code=code)
    found = []
    for standard in with_released_versions(standards.select_related("sector").order_by("code")):
        version = current_version(standard)
        if version is not None and benchmark_measures(fields_of(version))[0]:
            found.append(standard)
    return found


def standard_to_benchmark(code: str) -> Standard | None:
    """The member standard of `code` if it has benchmarks, else None."""
    return next(iter(standards_to_benchmark(code)), None) if code else None


def periods_with_data(standard: Standard) -> list[str]:
    """The periods for which some active member firm has a submission in force."""
    return sorted(set(in_force(standard).values_list("period", flat=True)))


@dataclass(frozen=True)
class CohortView:
    """A cohort as members see it: the default `all` or a steward's active cohort."""

    standard: str
    code: str
    names: dict[str, str]
    regions: tuple[str, ...]
    size_classes: tuple[str, ...]
    is_default: bool


DEFAULT_NAMES = {
    "en": "All member firms",
    "zh-hans": "全部会员企业",
    "ru": "Все компании-участники",
    "kk": "Барлық мүше компаниялар",
    "ky": "Бардык мүчө компаниялар",
    "uz": "Barcha aʼzo kompaniyalar",
}


def cohorts_of(standards: Iterable[Standard]) -> list[CohortView]:
    """Every standard's `all`, then its active cohorts, by standard and code."""
    standards = list(standards)
    active = Cohort.objects.filter(standard__in=standards, status=Cohort.Status.ACTIVE).select_related(
        "standard"
    )
    by_standard: dict[int, list[Cohort]] = {}
    for cohort in active:
        by_standard.setdefault(cohort.standard_id, []).append(cohort)
    views = []
    for standard in sorted(standards, key=lambda s: s.code):
        views.append(CohortView(standard.code, DEFAULT_COHORT, DEFAULT_NAMES, (), (), True))
        for cohort in sorted(by_standard.get(standard.pk, []), key=lambda c: c.code):
            views.append(
                CohortView(
                    standard.code,
                    cohort.code,
                    cohort.names,
                    tuple(cohort.regions),
                    tuple(cohort.size_classes),
                    False,
                )
            )
    return views


SHOWN_COLUMNS = (
    "id",
    "run_id",
    "standard_id",
    "period",
    "cohort",
    "measure",
    "unit",
    "breakdown_field",
    "breakdown_value",
    "statistic",
    "status",
    "value",
    "reason",
    "n_firms",
    "available_from",
)


@dataclass(frozen=True)
class Filters:
    standard: str = ""
    measure: str = ""
    cohort: str = ""
    breakdown: str | None = None
    """None: every cell; "": the whole cohort only; "field": that breakdown; "field:value": one cell."""
    period: str = ""
    period_from: str = ""
    period_to: str = ""
    statistic: str = ""


def current_figures(filters: Filters) -> QuerySet[Figure]:
    """The current figures matching `filters`, oldest first (index lookups on figure_current_lookup).

    Only the columns a reader is shown are loaded: never the run's facts and snapshot (every firm's
    combined figure, which no read may touch) nor a figure's evidence or the policy document."""
    queryset = (
        Figure.objects.filter(is_current=True)
        .select_related("standard", "run__policy")
        .only(*SHOWN_COLUMNS, "standard__code", "run__policy__version")
    )
    if filters.standard:
        queryset = queryset.filter(standard__code=filters.standard)
    if filters.measure:
        queryset = queryset.filter(measure=filters.measure)
    if filters.cohort:
        queryset = queryset.filter(cohort=filters.cohort)
    if filters.breakdown is not None:
        field, _, value = filters.breakdown.partition(":")
        queryset = queryset.filter(breakdown_field=field)
        if value:
            queryset = queryset.filter(breakdown_value=value)
    if filters.period:
        queryset = queryset.filter(period=filters.period)
    if filters.period_from:
        queryset = queryset.filter(period__gte=filters.period_from)
    if filters.period_to:
        queryset = queryset.filter(period__lte=filters.period_to)
    if filters.statistic:
        queryset = queryset.filter(statistic=filters.statistic)
    return queryset.order_by("id")


def recent_figures(filters: Filters, *, periods: int) -> QuerySet[Figure]:
    """The current figures matching `filters` in the newest `periods` periods that have any, oldest
    first: one query (the periods are a subquery)."""
    matching = current_figures(filters)
    newest = matching.order_by().values("period").distinct().order_by("-period")[:periods]
    return matching.filter(period__in=newest)


def breakdown_cells(*, standard: str, measure: str, cohort: str) -> list[tuple[str, str]]:
    """The (breakdown field, value) pairs that have current figures in a standard's measure and cohort."""
    return list(
        Figure.objects.filter(is_current=True, standard__code=standard, measure=measure, cohort=cohort)
        .exclude(breakdown_field="")
        .values_list("breakdown_field", "breakdown_value")
        .distinct()
        .order_by("breakdown_field", "breakdown_value")
    )


def cohorts_listed() -> QuerySet[Cohort]:
    """Every stored cohort (draft, active, retired), for stewards."""
    return Cohort.objects.select_related("standard", "created_by").order_by("standard__code", "code")


def reliability(n_firms: int | None) -> str | None:
    """A label by number of firms: low, medium, high (None below the threshold or unknown)."""
    if n_firms is None:
        return None
    label = None
    for minimum, name in RELIABILITY_LEVELS:
        if n_firms >= minimum:
            label = name
    return label


@dataclass(frozen=True)
class Shown:
    """One figure as members see it on `today`."""

    figure: Figure
    status: str
    value: float | None
    reason: str | None
    n_firms: int | None
    available_from: date | None

    @property
    def breakdown(self) -> dict[str, str]:
        return (
            {self.figure.breakdown_field: self.figure.breakdown_value} if self.figure.breakdown_field else {}
        )

    @property
    def reliability(self) -> str | None:
        return reliability(self.n_firms) if self.status != Status.NO_DATA else None


def shown(figure: Figure, today: date, *, not_before: date | None = None) -> Shown:
    """The figure on `today`: embargoed until its lag has passed (and, for a partner, until
    `not_before`, its agreement's release day, when that is later), else as the run decided it. A
    figure its run did not compute says so whatever the day: it holds nothing to wait for."""
    if figure.status == Status.NOT_COMPUTED:
        return Shown(figure, Status.NOT_COMPUTED.value, None, None, None, None)
    release = figure.available_from
    if not_before is not None and (release is None or not_before > release):
        release = not_before
    if release is not None and today < release:
        return Shown(figure, Status.EMBARGOED.value, None, PublicReason.EMBARGOED.value, None, release)
    published = figure.status == Status.PUBLISHED
    return Shown(
        figure,
        figure.status,
        figure.value if published else None,
        figure.reason or None,
        figure.n_firms,
        release,
    )


def latest_run_id(standard: str = "") -> int:
    """The newest run's id (of one standard when given): what a page's cache key depends on."""
    queryset = Run.objects.all()
    if standard:
        queryset = queryset.filter(standard__code=standard)
    return queryset.order_by("-id").values_list("id", flat=True).first() or 0


def runs_listed(standard: str = "") -> QuerySet[Run]:
    queryset = Run.objects.select_related("standard", "policy").defer("facts").order_by("-id")
    return queryset.filter(standard__code=standard) if standard else queryset


def run_figures(run: Run) -> QuerySet[Figure]:
    return run.figures.order_by("cohort", "measure", "breakdown_field", "breakdown_value", "id")


DECISION_COLUMNS = (
    "id",
    "run_id",
    "cohort",
    "measure",
    "breakdown_field",
    "breakdown_value",
    "statistic",
    "status",
    "reason",
    "n_firms",
    "available_from",
    "evidence",
)


def run_decisions(run: Run, *, measure: str = "", status: str = "") -> QuerySet[Figure]:
    """A run's figures for the stewards' page (of one measure or status when given): the decision and
    its evidence, not the value."""
    queryset = run_figures(run).only(*DECISION_COLUMNS)
    if measure:
        queryset = queryset.filter(measure=measure)
    return queryset.filter(status=status) if status else queryset


def run_measures(run: Run) -> list[str]:
    return list(run.figures.order_by("measure").values_list("measure", flat=True).distinct())


def statistic_order() -> list[str]:
    return [Statistic.P10, Statistic.P25, Statistic.MEDIAN, Statistic.P75, Statistic.P90, Statistic.MEAN]
