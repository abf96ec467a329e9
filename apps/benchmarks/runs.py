"""A benchmark run: read one standard's period from PostgreSQL, decide every figure with the disclosure
engine, and store the run with its figures as the period's current benchmarks.

    run = compute_run(standard, "2026-03", trigger=Run.Trigger.COMMAND)

The engine decides as if every lag had passed (`RELEASED`); each figure keeps the day it may be shown
(`available_from`), and reads show it as embargoed until then. So a figure's decision does not change
when its embargo ends, and no run is needed on that day. Runs of one (standard, period) are serialised
by an advisory lock, and each takes every earlier run's published facts as known (revision differencing).

The engine gets HUB_BENCHMARK_RUN_SECONDS a run. A run that needs longer is stored with every figure
`not_computed` (no value, nothing published, rule OVER_BUDGET for stewards), so one large period
cannot hold a worker for hours or be retried for ever; publishing nothing is always safe.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from apps.benchmarks import sources
from apps.benchmarks.cells import CellKey, CohortRule, build_cells
from apps.benchmarks.codes import STATISTICS, Rule, Statistic, Status
from apps.benchmarks.disclosure import Decision, Evidence, RunOutcome, input_sha256, protect_run
from apps.benchmarks.inputs import Cell, EarlierFigure, available_from
from apps.benchmarks.marking import steward_figure
from apps.benchmarks.measures import Measure, benchmark_measures, period_end
from apps.benchmarks.models import DEFAULT_COHORT, Cohort, Figure, PolicyVersion, Run
from apps.benchmarks.policy import (
    DEFAULT_POLICY,
    Policy,
    policy_document,
    policy_from_document,
    policy_sha256,
)
from apps.benchmarks.signals import run_published
from apps.standards.models import Standard, StandardVersion
from apps.standards.selectors import current_version, fields_of

logger = logging.getLogger(__name__)

RELEASED = date.max
"""The `today` the engine decides with: every lag has passed (see the module's docstring)."""

RUN_LOCK = 0x5B12
"""First key of the advisory lock that serialises the runs of one (standard, period)."""


class NothingToCompute(ValueError):
    """The standard has no released version or no measure with a disclosure class."""


class OverBudget(Exception):
    """The engine ran past its time budget (raised inside it by a timer signal)."""


@contextlib.contextmanager
def time_budget(seconds: float | None) -> Iterator[None]:
    """Raise OverBudget in the block once `seconds` have passed (a real-time timer signal). Only the
    main thread receives signals, as in a worker process, the command and tests; elsewhere (a web
    thread) there is no budget. A C call in progress (one linear programme) finishes first."""
    if seconds is None or seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise OverBudget

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def active_policy() -> PolicyVersion:
    """The policy in force: the newest version. The shipped default is the first (migration 0002 adds
    it; a database emptied since, as tests do, gets it back here)."""
    found = PolicyVersion.objects.order_by("-id").first()
    if found is None:
        found, _created = PolicyVersion.objects.get_or_create(
            sha256=policy_sha256(DEFAULT_POLICY),
            defaults={"version": DEFAULT_POLICY.version, "document": policy_document(DEFAULT_POLICY)},
        )
    return found


def cohort_rules(standard: Standard, *, extra: Cohort | None = None) -> list[CohortRule]:
    """`all` and the standard's active cohorts (plus `extra`, a draft being previewed), by code."""
    cohorts = list(Cohort.objects.filter(standard=standard, status=Cohort.Status.ACTIVE))
    if extra is not None and all(cohort.pk != extra.pk for cohort in cohorts):
        cohorts.append(extra)
    rules = [CohortRule(DEFAULT_COHORT)] + [
        CohortRule(cohort.code, frozenset(cohort.regions), frozenset(cohort.size_classes))
        for cohort in cohorts
    ]
    return sorted(rules, key=lambda rule: rule.code)


def _earlier(standard: Standard, period: str, today: date) -> list[EarlierFigure]:
    """What earlier runs of the period published and someone could have seen: a run's figure was
    shown if the run was still current on or after the figure's `available_from` (a run superseded
    while its figures were embargoed showed nothing of them). Each such fact is taken as known."""
    runs = list(
        Run.objects.filter(standard=standard, period=period).order_by("id").values_list("facts", "created_at")
    )
    facts = set()
    for index, (recorded, _created) in enumerate(runs):
        ended = runs[index + 1][1].date() if index + 1 < len(runs) else today
        for label, quantity, per, statistic, firms, slices, *release in recorded:
            if release and release[0] and ended < date.fromisoformat(release[0]):
                continue
            facts.add(
                EarlierFigure(label, quantity, per, Statistic(statistic), frozenset(firms), frozenset(slices))
            )
    return sorted(facts, key=lambda fact: (fact.label, fact.quantity, fact.statistic.value))


def _fact_record(fact: EarlierFigure, release: date | None) -> list[Any]:
    """A published fact as the run keeps it, with the day its figure could first be seen."""
    return [
        fact.label,
        fact.quantity,
        fact.per,
        fact.statistic.value,
        sorted(fact.firms),
        sorted(fact.slices),
        release.isoformat() if release else None,
    ]


@dataclass
class Prepared:
    """Everything a run decides over, read from the database."""

    version: StandardVersion
    measures: dict[str, Measure]
    cells: list[Cell]
    firms: list[sources.Contributor]
    amounts: list[Any]
    earlier: list[EarlierFigure]
    submissions: list[str]
    read_seconds: float


def prepare(standard: Standard, period: str, *, extra: Cohort | None = None) -> Prepared:
    started = time.perf_counter()
    version = current_version(standard)
    if version is None:
        raise NothingToCompute(standard.code)
    fields = fields_of(version)
    measures, quantities = benchmark_measures(fields)
    if not measures:
        raise NothingToCompute(standard.code)
    by_name = {field.name: field for field in fields}
    breakdowns = [by_name[name] for name in version.breakdowns if name in by_name]
    amounts = sources.amounts(standard, period, breakdowns, list(quantities.values()))
    earlier = _earlier(standard, period, timezone.localdate())
    named = {firm for fact in earlier for firm in fact.firms}
    firms = sources.contributors(sorted(named))
    known = {firm.id for firm in firms}
    amounts = [amount for amount in amounts if amount.firm in known]
    cells = build_cells(
        cohorts=cohort_rules(standard, extra=extra),
        measures=measures,
        breakdowns=[field.name for field in breakdowns],
        amounts=amounts,
        firms=firms,
        period_end=period_end(period, version.frequency),
    )
    return Prepared(
        version,
        {measure.name: measure for measure in measures},
        cells,
        firms,
        amounts,
        earlier,
        sources.snapshot(standard, period),
        time.perf_counter() - started,
    )


def decide(prepared: Prepared, policy: Policy, *, budget: float | None = None) -> tuple[RunOutcome, float]:
    """The engine's decisions over `prepared`; OverBudget after `budget` seconds (None: no limit)."""
    started = time.perf_counter()
    with time_budget(budget):
        outcome = protect_run(
            cells=prepared.cells,
            firms=sources.engine_firms(prepared.firms),
            amounts=prepared.amounts,
            today=RELEASED,
            earlier=prepared.earlier,
            policy=policy,
        )
    return outcome, time.perf_counter() - started


def not_computed(prepared: Prepared, policy: Policy) -> RunOutcome:
    """The outcome of a run the engine could not finish: every figure `not_computed`, none published,
    no fact disclosed."""
    evidence = Evidence(rule=Rule.OVER_BUDGET, n_contributors=0)
    ordered = sorted(prepared.cells, key=lambda cell: cell.key)
    decisions = tuple(
        Decision(cell.key, statistic, Status.NOT_COMPUTED, None, None, None, None, evidence)
        for cell in ordered
        for statistic in STATISTICS
    )
    firms = list(sources.engine_firms(prepared.firms))
    run = input_sha256(ordered, firms, prepared.amounts, prepared.earlier, RELEASED)
    return RunOutcome(policy_sha256(policy), run, decisions, (), ())


def _figure(run: Run, decision: Decision, measure: Measure, release: date) -> Figure:
    key = CellKey.parse(decision.cell)
    evidence = steward_figure(decision)["evidence"]
    return Figure(
        run=run,
        standard_id=run.standard_id,
        period=run.period,
        cohort=key.cohort,
        measure=key.measure,
        unit=measure.unit,
        breakdown_field=key.breakdown_field,
        breakdown_value=key.breakdown_value,
        statistic=decision.statistic.value,
        status=decision.status.value,
        value=decision.value if decision.status is Status.PUBLISHED else None,
        reason=decision.reason.value if decision.reason else "",
        n_firms=decision.n_firms if isinstance(decision.n_firms, int) else None,
        available_from=release,
        evidence=evidence,
    )


def _lock(standard: Standard, period: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [RUN_LOCK, f"{standard.pk}|{period}"]
        )


def compute_run(standard: Standard, period: str, *, trigger: str) -> Run:
    """Recompute one (standard, period) and make its figures current, in one transaction."""
    with transaction.atomic():
        _lock(standard, period)
        policy_version = active_policy()
        policy = policy_from_document(policy_version.document)
        prepared = prepare(standard, period)
        budget = settings.HUB_BENCHMARK_RUN_SECONDS
        try:
            outcome, audit_seconds = decide(prepared, policy, budget=budget)
        except OverBudget:
            logger.warning("benchmark run of %s %s over its %s s: not computed", standard, period, budget)
            outcome, audit_seconds = not_computed(prepared, policy), float(budget)
        started = time.perf_counter()
        summary = Counter(
            f"{decision.status.value}:{decision.reason.value if decision.reason else ''}"
            for decision in outcome.decisions
        )
        run = Run.objects.create(
            standard=standard,
            period=period,
            policy=policy_version,
            policy_sha256=outcome.policy_sha256,
            input_sha256=outcome.input_sha256,
            trigger=trigger,
            n_firms=len({amount.firm for amount in prepared.amounts}),
            n_cells=len(prepared.cells),
            submissions=prepared.submissions,
            summary=dict(sorted(summary.items())),
            unresolved=list(outcome.unresolved),
        )
        cells = {cell.key: cell for cell in prepared.cells}
        releases = {
            cell.key: available_from(cell.period_end, policy.rules_for(cell.measure_class).lag_months)
            for cell in prepared.cells
        }
        run.facts = [
            _fact_record(fact, releases.get(fact.label.split(" ", 1)[0])) for fact in outcome.published_facts
        ]
        figures = []
        for decision in outcome.decisions:
            cell = cells[decision.cell]
            figures.append(_figure(run, decision, prepared.measures[cell.measure], releases[cell.key]))
        Figure.objects.filter(standard=standard, period=period, is_current=True).update(is_current=False)
        Figure.objects.bulk_create(figures, batch_size=2000)
        run.timings = {
            "read": round(prepared.read_seconds, 4),
            "audit": round(audit_seconds, 4),
            "write": round(time.perf_counter() - started, 4),
        }
        run.save(update_fields=["timings", "facts"])
        run_published.send(sender=Run, run=run)
    return run
