"""The audit's shortcuts (one basis shared by the outsider and every insider, bounds that prove most
margins without a direction, components kept while their published rows do not change) decide as
the plain audit does, where every attacker of every component is decided by its own basis on every
call; and what they let through is judged safe by the independent attacker (tests/benchmarks/attacker.py)
over a few hundred random small alliances."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from hypothesis import given, settings

from apps.benchmarks.audit import Audit, Margins, Violation
from apps.benchmarks.disclosure import MARGIN_SHOWN_UP_TO
from apps.benchmarks.inputs import AmountTable
from apps.benchmarks.policy import DEFAULT_POLICY, Policy
from apps.benchmarks.secondary import Suppression, suppress_secondary
from apps.benchmarks.system import Candidate, assess_cell, build_system, candidates
from tests.benchmarks.alliances import Alliance, alliances
from tests.benchmarks.attacker import (
    World,
    disclosed_exactly,
    narrowest_margins,
    published_rows,
    sensitive_vectors,
    values_of,
)
from tests.benchmarks.builders import LATER, amounts, firms, run, sum_cell

K = 4


class PlainAudit(Audit):
    """The audit without its shortcuts: no cache, no memory of attackers found safe, every attacker
    by its own basis and its own certified margins, on every call (as the engine audited before they
    were added); asked for the first violation only, it still audits everything, and it never
    answers the clean-up's quick question (`recurs`), so every figure offered back is audited whole."""

    def find_violation(
        self,
        published: frozenset[int],
        skip: frozenset[int],
        protection: float,
        *,
        margins: frozenset[int] = frozenset(),
        first_only: bool = False,
    ) -> tuple[Violation | None, dict[int, Margins]]:
        chosen = np.fromiter(published, dtype=np.intp, count=len(published))
        actives = [
            np.flatnonzero((c.row_figures < 0) | np.isin(c.row_figures, chosen)) for c in self._components
        ]
        for component, active in zip(self._components, actives, strict=True):
            for attacker in component.attackers:
                violation = self._span_violation(component, active, attacker, skip)
                if violation is not None:
                    return violation, {}
        found: dict[int, Margins] = {}
        for component, active in zip(self._components, actives, strict=True):
            lower = np.full(len(component.target_ids), np.inf)
            upper = np.full(len(component.target_ids), np.inf)
            checked = np.zeros(len(component.target_ids), dtype=np.bool_)
            for attacker in component.attackers:
                violation = self._interval_violation(
                    component, active, attacker, skip, protection, (lower, upper, checked)
                )
                if violation is not None:
                    return violation, found
            for k in np.flatnonzero(checked):
                found[component.target_ids[k]] = Margins(
                    None if not np.isfinite(lower[k]) else float(lower[k]),
                    None if not np.isfinite(upper[k]) else float(upper[k]),
                )
        return None, found

    def recurs(
        self, published: frozenset[int], skip: frozenset[int], protection: float, violation: Violation
    ) -> bool:
        return False


def _suppressions(alliance: Alliance) -> tuple[Suppression, Suppression, Audit, Sequence[Candidate]]:
    policy: Policy = alliance.policy
    table = AmountTable(alliance.firms, alliance.amounts)
    states = [assess_cell(cell, table, policy) for cell in sorted(alliance.cells, key=lambda c: c.key)]
    found = candidates(states)
    system = build_system(states, found, [], table)
    protection = float(policy.protection_interval)
    shared = Audit(system.variables, system.rows, system.targets)
    plain = PlainAudit(system.variables, system.rows, system.targets)
    return (
        suppress_secondary(shared, found, protection),
        suppress_secondary(plain, found, protection),
        shared,
        found,
    )


UNBOUNDED = 1e12
"""A margin past this is an unbounded side seen through float noise: a direction that should have
no negative entry has one of about 1e-17, and the margin comes out as 1e16 or so, or as None."""


def _close(a: float | None, b: float | None) -> bool:
    """Equal as shown (a margin past 10 is shown as 10), an unbounded side (None) and a noisy one
    past UNBOUNDED counted as the same."""
    a = None if a is None or a > UNBOUNDED else a
    b = None if b is None or b > UNBOUNDED else b
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(min(a, MARGIN_SHOWN_UP_TO), min(b, MARGIN_SHOWN_UP_TO), rel_tol=1e-7, abs_tol=1e-9)


@settings(max_examples=200, deadline=None)
@given(alliances(max_firms=14, max_cohorts=3))
def test_the_shared_audit_suppresses_what_the_plain_audit_suppresses(alliance: Alliance) -> None:
    """Same figures kept, same withdrawals in the same order for the same attacks, same targets left
    unresolved, and the shown margins equal up to rounding."""
    shared, plain, audit, _ = _suppressions(alliance)
    assert shared.published == plain.published
    assert [(s.figure, s.violation.target, s.violation.attacker, s.rule) for s in shared.steps] == [
        (s.figure, s.violation.target, s.violation.attacker, s.rule) for s in plain.steps
    ]
    assert [(v.target, v.attacker) for v in shared.unresolved] == [
        (v.target, v.attacker) for v in plain.unresolved
    ]
    shown = {t for t, target in enumerate(audit.targets) if target.kind.value == "cell"}
    shown |= {s.violation.target for s in shared.steps}
    for target in shown & plain.margins.keys():
        ours, theirs = shared.margins[target], plain.margins[target]
        assert _close(ours.lower, theirs.lower) and _close(ours.upper, theirs.upper), target


@settings(max_examples=200, deadline=None)
@given(alliances(max_firms=10, max_cohorts=3))
def test_no_attacker_learns_what_the_shared_audit_lets_through(alliance: Alliance) -> None:
    """Exactly (rational span, outsider and every single insider) for every sensitive vector, and by
    linear programming for failing cells and atoms."""
    outcome = run(alliance.cells, alliance.firms, alliance.amounts, today=LATER, policy=alliance.policy)
    world = World(alliance.firms, alliance.amounts, alliance.cells)
    rows = published_rows(world, outcome, K)
    vectors = sensitive_vectors(world, alliance.policy)
    assert disclosed_exactly(world, rows, vectors) == []
    touched = {key for row in rows for key in row}
    protection = float(alliance.policy.protection_interval)
    values = values_of(world)
    for label, target in vectors:
        if touched.isdisjoint(target) or not label.startswith(("cell", "atom")):
            continue
        low, high = narrowest_margins(world, rows, target, values)
        assert low >= protection - 1e-6 and high >= protection - 1e-6, label


def _two_months() -> Alliance:
    """Two months audited apart (no cell spans both): in each, a cohort nested in all firms whose
    difference is one firm's; the default policy."""
    members = [f"f{i}" for i in range(12)]
    cohort = members[:7]
    values = dict.fromkeys(cohort, 300.0) | {"f7": 400.0} | dict.fromkeys(members[8:], 10.0)
    cells, found = [], []
    for month, scale in (("2026-01", 1.0), ("2026-02", 1.5)):
        found += amounts("quantity_t", {firm: value * scale for firm, value in values.items()}, month)
        cells += [
            sum_cell(f"all|{month}", members, slices=(month,)),
            sum_cell(f"cohort|{month}", cohort, slices=(month,)),
        ]
    return Alliance(firms(12), found, cells, DEFAULT_POLICY)


def test_a_suppression_reaudits_only_the_components_it_touches() -> None:
    """The months are two components; a withdrawal in one leaves the other's answer as it was, and
    the plain audit, which audits both on every call, decides the same."""
    shared, plain, audit, _ = _suppressions(_two_months())
    assert shared.steps and shared.published == plain.published
    assert [s.figure for s in shared.steps] == [s.figure for s in plain.steps]
    with_rows = [c for c in audit._components if c.row_ids]
    assert len(with_rows) == 2
    assert audit.counts.components < audit.counts.calls * len(with_rows)
