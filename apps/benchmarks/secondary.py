"""Secondary (complementary) suppression: withdraw published figures, cheapest first, until the
audit finds no attacker who learns a target (reference §6.6 step 6, as sdcTable's SIMPLEHEURISTIC).

Deterministic: the audit reports its first violation in a fixed order, and the figure withdrawn is
the cheapest of those the attack uses (the rows its linear combination or its linear programme
leans on), by number of contributors, then statistic (p10 and p90 go before quartiles, quartiles
before the mean, the median last), then cell key. A target that earlier publications had already
given away cannot be protected by this run; it is reported, not chased.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from apps.benchmarks.audit import Audit, AuditError, Margins, TargetKind, Violation
from apps.benchmarks.codes import Rule, Statistic
from apps.benchmarks.system import Candidate

STATISTIC_COST = {
    Statistic.P10: 0,
    Statistic.P90: 1,
    Statistic.P25: 2,
    Statistic.P75: 3,
    Statistic.MEAN: 4,
    Statistic.MEDIAN: 5,
}


@dataclass(frozen=True)
class Step:
    """One withdrawn figure, the violation that made it go, and the rule stewards are shown."""

    figure: int
    violation: Violation
    rule: Rule


@dataclass(frozen=True)
class Suppression:
    published: frozenset[int]
    steps: tuple[Step, ...]
    unresolved: tuple[Violation, ...]
    margins: dict[int, Margins]


def figure_cost(candidate: Candidate) -> tuple[int, int, str, str]:
    return (candidate.n, STATISTIC_COST[candidate.statistic], candidate.cell, candidate.statistic.value)


def _already_disclosed(audit: Audit, protection: float) -> list[Violation]:
    """The targets that earlier publications alone (with one insider's own amounts) give away."""
    found: list[Violation] = []
    while True:
        violation, _ = audit.find_violation(
            frozenset(), frozenset(v.target for v in found), protection, first_only=True
        )
        if violation is None:
            return found
        found.append(violation)


def _options(audit: Audit, violation: Violation, published: set[int]) -> set[int]:
    """The published figures the attack uses; failing that, every published figure that touches the
    part of the target the attacker does not know."""
    used = {audit.rows[r].figure for r in violation.rows}
    options = {f for f in used if f is not None and f in published}
    if options:
        return options
    target = audit.targets[violation.target]
    unknown = {v for v, _ in target.terms if audit.variables[v].owner != violation.attacker}
    return {
        row.figure
        for row in audit.rows
        if row.figure is not None and row.figure in published and unknown & {v for v, _ in row.terms}
    }


def _rule(audit: Audit, violation: Violation) -> Rule:
    if any(audit.rows[r].figure is None for r in violation.rows):
        return Rule.REVISION_HISTORY
    if audit.targets[violation.target].kind is TargetKind.CELL:
        return Rule.COMPLEMENTARY
    return Rule.AUDIT_EXTRA_PRIMARY


def _withdraw(
    audit: Audit, by_id: dict[int, Candidate], protection: float, skip: set[int], unresolved: list[Violation]
) -> tuple[set[int], list[Step]]:
    """The greedy phase: withdraw the cheapest figure an attack uses until no attack is left."""
    published = set(by_id)
    steps: list[Step] = []
    while True:
        violation, _ = audit.find_violation(
            frozenset(published), frozenset(skip), protection, first_only=True
        )
        if violation is None:
            return published, steps
        options = _options(audit, violation, published)
        if not options:
            skip.add(violation.target)
            unresolved.append(violation)
            continue
        chosen = min(options, key=lambda figure: figure_cost(by_id[figure]))
        published.remove(chosen)
        steps.append(Step(chosen, violation, _rule(audit, violation)))


def suppress_secondary(audit: Audit, candidates: Sequence[Candidate], protection: float) -> Suppression:
    """The figures that stay published, the withdrawals in order, the targets that could not be
    protected, and every target's final margins.

    The greedy phase withdraws a figure on the path of some attack, which may prove unneeded once
    later withdrawals have cut the other paths; the clean-up phase offers each withdrawn figure back,
    the most valuable first, and keeps it published when the audit still holds. Terminates: each
    round withdraws a figure or sets a target aside, and both are finite."""
    by_id = {candidate.id: candidate for candidate in candidates}
    unresolved = _already_disclosed(audit, protection)
    skip = {violation.target for violation in unresolved}
    published, steps = _withdraw(audit, by_id, protection, skip, unresolved)
    for step in sorted(steps, key=lambda step: figure_cost(by_id[step.figure]), reverse=True):
        trial = frozenset(published | {step.figure})
        # Most figures offered back let the attack that withdrew them in again: ask that first.
        if audit.recurs(trial, frozenset(skip), protection, step.violation):
            continue
        if audit.find_violation(trial, frozenset(skip), protection, first_only=True)[0] is None:
            published.add(step.figure)
    shown = {t for t, target in enumerate(audit.targets) if target.kind is TargetKind.CELL}
    shown |= {step.violation.target for step in steps}
    violation, margins = audit.find_violation(
        frozenset(published), frozenset(skip), protection, margins=frozenset(shown)
    )
    if violation is not None:
        raise AuditError("the clean-up kept a figure the audit refuses")
    kept = tuple(step for step in steps if step.figure not in published)
    return Suppression(frozenset(published), kept, tuple(unresolved), margins)
