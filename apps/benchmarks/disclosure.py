"""One benchmark run under disclosure control (DESIGN §5, reference/disclosure-control.md §6.6).

    outcome = protect_run(cells=cells, firms=firms, amounts=amounts, today=date(2026, 12, 1))
    outcome.decision("tomato/hot-break|2026-03|unit_price", Statistic.MEDIAN).status

For every cell and each of the six statistics the run decides: published (with its rounded value),
suppressed (with a public reason that leaks nothing), embargoed (until the lag has passed) or no data,
and records for stewards the exact rule and its evidence: counts, the largest contributor's share, the
p% margin, how close the best attacker gets, in shares, never a firm or an amount.

Pure and deterministic: the same input and policy give the same outcome, byte for byte
(`run_record`), whatever the order of firms, amounts and cells. The audit does not depend on `today`:
a figure embargoed today is released by a later run with the same decision.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from typing import Any

from apps.benchmarks.audit import Audit, Margins
from apps.benchmarks.codes import (
    HOMOGENEITY_WARNING,
    PUBLIC_REASON,
    STATISTICS,
    PublicReason,
    Rule,
    Statistic,
    Status,
)
from apps.benchmarks.inputs import (
    Amount,
    AmountTable,
    Cell,
    EarlierFigure,
    Firm,
    InputError,
    available_from,
    check_cells,
)
from apps.benchmarks.policy import DEFAULT_POLICY, Policy, canonical_json, policy_sha256
from apps.benchmarks.pools import proven_safe
from apps.benchmarks.secondary import Suppression, suppress_secondary
from apps.benchmarks.system import Candidate, CellState, System, assess_cell, build_system, candidates


@dataclass(frozen=True)
class Evidence:
    """What stewards see behind a decision. Shares are rounded (the top share up, margins down, to
    5 and 1 percentage points), so the evidence says which rule bit, not what a firm reported.

    `protects` names what a withdrawn figure hides (a cell's total, an atom as the cells that hold it,
    one contributor's part of a cell); `attacker` is "outsider" or "insider" (never which one);
    `attacker_margins` is how close the best attacker's lower and upper bounds come to the protected
    quantity, as a share of the part it does not know (None: unbounded; at most 10 is shown), after
    the run's suppressions;
    `step` is the order in which secondary suppression withdrew the figure."""

    rule: Rule | None
    n_contributors: int
    top_share: Decimal | None = None
    p_margin: Decimal | None = None
    minimum_firms: int | None = None
    protects: tuple[str, ...] = ()
    attacker: str | None = None
    attack: str | None = None
    attacker_margins: tuple[Decimal | None, Decimal | None] | None = None
    step: int | None = None
    warnings: tuple[str, ...] = ()
    after_embargo: tuple[Status, Rule | None] | None = None


@dataclass(frozen=True)
class Decision:
    """One figure: every field but `evidence` is public; `n_firms` is exact from the threshold up,
    else "<5", and hidden (None) while embargoed."""

    cell: str
    statistic: Statistic
    status: Status
    value: float | None
    n_firms: int | str | None
    reason: PublicReason | None
    available_from: date | None
    evidence: Evidence


@dataclass(frozen=True)
class RunOutcome:
    """A run's decisions, with the hashes of its policy and input. `unresolved` lists the sensitive
    quantities that earlier publications had already given away (nothing this run withholds can hide
    them). `published_facts` is what this run gives away, to be passed as `earlier` to later runs for
    the same periods; it names firms, so it belongs to the run record and is never shown."""

    policy_sha256: str
    input_sha256: str
    decisions: tuple[Decision, ...]
    unresolved: tuple[str, ...]
    published_facts: tuple[EarlierFigure, ...]

    def decision(self, cell: str, statistic: Statistic) -> Decision:
        for decision in self.decisions:
            if decision.cell == cell and decision.statistic is statistic:
                return decision
        raise KeyError((cell, statistic))


def _decimal(value: Fraction | float) -> Decimal:
    if isinstance(value, Fraction):
        return Decimal(value.numerator) / Decimal(value.denominator)
    return Decimal(value)


def _stepped(value: Fraction | float | None, steps: int, rounding: str) -> Decimal | None:
    """`value` rounded to 1/steps in the given direction (None stays None: unbounded, or not measured)."""
    if value is None:
        return None
    return (_decimal(value) * steps).to_integral_value(rounding) / steps


MARGIN_SHOWN_UP_TO = 10.0
"""Margins are shown up to 1000% of the protected quantity; a wider one is shown as 10."""


def _margins(margins: Margins | None) -> tuple[Decimal | None, Decimal | None] | None:
    if margins is None:
        return None

    def shown(side: float | None) -> Decimal | None:
        return None if side is None else _stepped(min(side, MARGIN_SHOWN_UP_TO), 100, ROUND_FLOOR)

    return (shown(margins.lower), shown(margins.upper))


def _rounded(value: float, step: Decimal | None) -> float:
    """A figure at the measure's published precision (half to even)."""
    if step is None:
        return value
    return float((Decimal(value) / step).to_integral_value(ROUND_HALF_EVEN) * step)


def _homogeneous(state: CellState, value: float, policy: Policy) -> bool:
    """Every contributor lies within the homogeneity tolerance of the figure (reference §3.3 Q4)."""
    tolerance = float(policy.homogeneity_warn) * abs(value)
    return all(abs(c.figure - value) <= tolerance for c in state.contributors)


def _narrowest(targets: Iterable[int], margins: dict[int, Margins]) -> Margins | None:
    found = None
    for target in targets:
        if target in margins:
            found = margins[target] if found is None else found.merged(margins[target])
    return found


Underlying = tuple[Status, Rule | None, float | None, Evidence]


class _Marker:
    """Turns a run's states and its suppression into decisions, and collects what it gives away."""

    def __init__(
        self,
        system: System,
        audit: Audit,
        suppression: Suppression,
        found: Sequence[Candidate],
        policy: Policy,
    ) -> None:
        self.system, self.audit, self.suppression, self.policy = system, audit, suppression, policy
        self.candidate_of = {(c.cell, c.statistic): c for c in found}
        self.steps = {step.figure: (order, step) for order, step in enumerate(suppression.steps, start=1)}

    def underlying(self, state: CellState, statistic: Statistic) -> Underlying:
        """The decision as if the lag had passed."""
        check = state.check
        base = Evidence(
            rule=None,
            n_contributors=check.n,
            top_share=_stepped(check.top_share, 20, ROUND_CEILING),
            p_margin=_stepped(check.p_margin, 20, ROUND_FLOOR),
        )
        if check.n == 0:
            return Status.NO_DATA, Rule.NO_DATA, None, replace(base, rule=Rule.NO_DATA)
        primary = self._primary(state, statistic, base)
        if primary is not None:
            return primary
        candidate = self.candidate_of[(state.cell.key, statistic)]
        if candidate.id in self.steps:
            return self._withdrawn(candidate, base)
        value = state.values[statistic]
        warnings = (HOMOGENEITY_WARNING,) if _homogeneous(state, value, self.policy) else ()
        return Status.PUBLISHED, None, _rounded(value, state.cell.rounding), replace(base, warnings=warnings)

    def _primary(self, state: CellState, statistic: Statistic, base: Evidence) -> Underlying | None:
        check = state.check
        targets = self.system.cell_targets.get(state.cell.key, ())
        protected = replace(
            base,
            rule=check.rule,
            protects=tuple(self.audit.targets[t].label for t in targets),
            attacker_margins=_margins(_narrowest(targets, self.suppression.margins)),
        )
        if check.rule is Rule.THRESHOLD:
            return Status.SUPPRESSED, Rule.THRESHOLD, None, protected
        if statistic not in state.allowed:
            minimum = self.policy.minimum_firms_for(statistic)
            return (
                Status.SUPPRESSED,
                Rule.STATISTIC_MIN_N,
                None,
                replace(base, rule=Rule.STATISTIC_MIN_N, minimum_firms=minimum),
            )
        if statistic is Statistic.MEAN and check.rule is not None:
            return Status.SUPPRESSED, check.rule, None, protected
        return None

    def _withdrawn(self, candidate: Candidate, base: Evidence) -> Underlying:
        order, step = self.steps[candidate.id]
        violation = step.violation
        evidence = replace(
            base,
            rule=step.rule,
            protects=(self.audit.targets[violation.target].label,),
            attacker="outsider" if violation.attacker is None else "insider",
            attack=violation.test,
            attacker_margins=_margins(self.suppression.margins.get(violation.target)),
            step=order,
        )
        return Status.SUPPRESSED, step.rule, None, evidence


def _shown_count(n: int, threshold: int) -> int | str:
    return n if n >= threshold or n == 0 else f"<{threshold}"


def _decision(
    state: CellState, statistic: Statistic, underlying: Underlying, policy: Policy, today: date
) -> Decision:
    """The public decision: the underlying one, or the embargo while the lag has not passed."""
    status, rule, value, evidence = underlying
    rules = policy.rules_for(state.cell.measure_class)
    release = available_from(state.cell.period_end, rules.lag_months)
    if today < release:
        embargoed = replace(evidence, rule=Rule.LAG, after_embargo=(status, rule))
        return Decision(
            state.cell.key,
            statistic,
            Status.EMBARGOED,
            None,
            None,
            PublicReason.EMBARGOED,
            release,
            embargoed,
        )
    reason = None if rule is None else PUBLIC_REASON[rule]
    shown = _shown_count(state.check.n, rules.min_contributors)
    return Decision(state.cell.key, statistic, status, value, shown, reason, None, evidence)


def _fact(state: CellState, statistic: Statistic, run: str) -> EarlierFigure:
    members = state.contributors if statistic is Statistic.MEAN else state.windows[statistic]
    cell = state.cell
    return EarlierFigure(
        label=f"{cell.key} {statistic.value} (run {run[:12]})",
        quantity=cell.quantity,
        per=cell.per,
        statistic=statistic,
        firms=frozenset(firm for c in members for firm in c.firms),
        slices=cell.slices,
    )


def _document(value: Any) -> Any:
    if isinstance(value, frozenset | set):
        return sorted(value)
    if isinstance(value, date | Decimal):
        return str(value)
    return value


def input_sha256(
    cells: Sequence[Cell],
    firms: Sequence[Firm],
    amounts: Sequence[Amount],
    earlier: Sequence[EarlierFigure],
    today: date,
) -> str:
    """The SHA-256 of the run's input in canonical form: the same input in any order gives the same hash."""
    document = {
        "cells": sorted(canonical_json([[k, _document(v)] for k, v in vars(cell).items()]) for cell in cells),
        "firms": sorted([firm.id, firm.group] for firm in firms),
        "amounts": sorted([a.firm, a.quantity, a.slice, a.value] for a in amounts),
        "earlier": sorted(canonical_json([[k, _document(v)] for k, v in vars(f).items()]) for f in earlier),
        "today": today.isoformat(),
    }
    return hashlib.sha256(canonical_json(document).encode()).hexdigest()


def protect_run(
    *,
    cells: Iterable[Cell],
    firms: Iterable[Firm],
    amounts: Iterable[Amount],
    today: date,
    earlier: Iterable[EarlierFigure] = (),
    policy: Policy = DEFAULT_POLICY,
) -> RunOutcome:
    """Decides every figure of one run: the primary rules per cell, then the whole-run audit with
    secondary suppression, then the embargo. Raises InputError on inconsistent input. Pure: reads
    nothing and writes nothing; the caller stores the outcome."""
    firms, amounts, earlier = list(firms), list(amounts), list(earlier)
    table = AmountTable(firms, amounts)
    ordered = sorted(cells, key=lambda cell: cell.key)
    check_cells(ordered, table)
    for figure in earlier:
        if not figure.firms <= table.groups.keys():
            raise InputError(f"earlier figure {figure.label}: unknown firms")
    earlier.sort(key=lambda figure: (figure.label, figure.quantity, figure.statistic.value))
    states = [assess_cell(cell, table, policy) for cell in ordered]
    found = candidates(states)
    system = build_system(states, found, earlier, table)
    protection = float(policy.protection_interval)
    proven = proven_safe(system.variables, system.rows, system.targets, protection)
    audit = Audit(system.variables, system.rows, system.targets, proven=proven, proven_at=protection)
    suppression = suppress_secondary(audit, found, protection)
    marker = _Marker(system, audit, suppression, found, policy)
    run = input_sha256(ordered, firms, amounts, earlier, today)
    decisions, facts = [], []
    for state in states:
        for statistic in STATISTICS:
            underlying = marker.underlying(state, statistic)
            decisions.append(_decision(state, statistic, underlying, policy, today))
            if underlying[0] is Status.PUBLISHED:
                facts.append(_fact(state, statistic, run))
    unresolved = tuple(
        f"{audit.targets[v.target].label} ({'outsider' if v.attacker is None else 'insider'})"
        for v in suppression.unresolved
    )
    return RunOutcome(policy_sha256(policy), run, tuple(decisions), unresolved, tuple(facts))
