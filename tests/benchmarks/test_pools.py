"""Targets proven safe before the audit (apps/benchmarks/pools.py): what the pool moves prove holds
against a linear programme of every attacker with every candidate figure published, a proven target
is never one the audit would have stopped at, and the classic attacks are not proven away."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal
from unittest.mock import patch

import numpy as np
from hypothesis import given, settings
from scipy.optimize import linprog

from apps.benchmarks.audit import Row, Target, TargetKind, Variable
from apps.benchmarks.disclosure import MARGIN_SHOWN_UP_TO, RunOutcome, protect_run
from apps.benchmarks.inputs import AmountTable
from apps.benchmarks.policy import DEFAULT_POLICY
from apps.benchmarks.pools import pool_margins, proven_safe
from apps.benchmarks.system import System, assess_cell, build_system, candidates
from tests.benchmarks.alliances import Alliance, alliances
from tests.benchmarks.builders import LATER, amounts, firms, sum_cell


def _system(alliance: Alliance) -> System:
    table = AmountTable(alliance.firms, alliance.amounts)
    states = [
        assess_cell(cell, table, alliance.policy) for cell in sorted(alliance.cells, key=lambda c: c.key)
    ]
    return build_system(states, candidates(states), [], table)


def _lp_margins(
    variables: Sequence[Variable], rows: Sequence[Row], target: Target, attacker: str | None
) -> tuple[float, float]:
    """How far this attacker's bounds on the target lie below and above it, as a share of it, with
    every row published: scipy's HiGHS over the unknowns the attacker does not own."""
    free = [v for v, variable in enumerate(variables) if variable.owner != attacker]
    index = {v: i for i, v in enumerate(free)}
    matrix = np.zeros((len(rows), len(free)))
    for r, row in enumerate(rows):
        for v, coefficient in row.terms:
            if v in index:
                matrix[r, index[v]] += coefficient
    x = np.array([variables[v].value for v in free])
    objective = np.zeros(len(free))
    for v, coefficient in target.terms:
        objective[index[v]] += coefficient
    truth = float(objective @ x)
    bounds = [(0.0, None) if variables[v].nonnegative else (None, None) for v in free]
    found = []
    for sign in (1.0, -1.0):
        result = linprog(sign * objective, A_eq=matrix, b_eq=matrix @ x, bounds=bounds, method="highs")
        if result.status == 3:
            found.append(math.inf)
            continue
        assert result.status == 0, result.message
        found.append((truth - result.fun) / truth if sign > 0 else (-result.fun - truth) / truth)
    return found[0], found[1]


@settings(max_examples=80, deadline=None)
@given(alliances(max_firms=14, max_cohorts=3))
def test_what_the_pools_prove_every_attacker_allows(alliance: Alliance) -> None:
    """For each target the pools bound, the outsider's and every other owner's linear programme with
    all candidate figures published leaves at least the pools' margins; a proven target is at least
    the protection interval away from every attacker."""
    system = _system(alliance)
    protection = float(alliance.policy.protection_interval)
    bounded = pool_margins(system.variables, system.rows, system.targets)
    proven = proven_safe(system.variables, system.rows, system.targets, protection)
    assert proven.keys() <= bounded.keys()
    owners = sorted({variable.owner for variable in system.variables})
    for t, margins in bounded.items():
        target = system.targets[t]
        own = system.variables[target.terms[0][0]].owner
        for attacker in [None, *owners]:
            if attacker == own:
                continue
            low, high = _lp_margins(system.variables, system.rows, target, attacker)
            assert low >= margins.lower - 1e-7 and high >= margins.upper - 1e-7, (target.label, attacker)
            if t in proven:
                assert low >= protection and high >= protection, (target.label, attacker)


@settings(max_examples=150, deadline=None)
@given(alliances(max_firms=14, max_cohorts=3))
def test_setting_proven_targets_aside_decides_every_figure_the_same(alliance: Alliance) -> None:
    """The run with the pools' proofs and the run that audits every target publish, withdraw and
    explain every figure alike (the attackers' margins as shown, up to float noise)."""
    arguments = {
        "cells": alliance.cells,
        "firms": alliance.firms,
        "amounts": alliance.amounts,
        "today": LATER,
        "policy": alliance.policy,
    }
    with_pools = protect_run(**arguments)
    with patch("apps.benchmarks.disclosure.proven_safe", return_value={}):
        audited = protect_run(**arguments)
    assert _without_margins(with_pools) == _without_margins(audited)
    for ours, theirs in zip(with_pools.decisions, audited.decisions, strict=True):
        assert _margins_close(ours.evidence.attacker_margins, theirs.evidence.attacker_margins), ours


WIDEST = Decimal(str(MARGIN_SHOWN_UP_TO))
SHOWN_STEP = Decimal("0.01")


def _without_margins(outcome: RunOutcome) -> RunOutcome:
    """The outcome without the attackers' margins, which are compared apart (`_margins_close`)."""
    decisions = tuple(
        replace(decision, evidence=replace(decision.evidence, attacker_margins=None))
        for decision in outcome.decisions
    )
    return replace(outcome, decisions=decisions)


def _margins_close(
    ours: tuple[Decimal | None, Decimal | None] | None, theirs: tuple[Decimal | None, Decimal | None] | None
) -> bool:
    """Equal as shown up to float noise: one step of the shown value (a margin of 0.7 computed as
    0.69999 is floored to 0.69), and an unbounded side (None) the same as the widest shown, since a
    direction entry of about 1e-17 can make an unbounded side come out as 1e16 (see
    test_audit_sharing.UNBOUNDED); both read "at least 1000%"."""
    if ours is None or theirs is None:
        return ours is None and theirs is None
    return all(
        abs((WIDEST if a is None else a) - (WIDEST if b is None else b)) <= SHOWN_STEP
        for a, b in zip(ours, theirs, strict=True)
    )


def _one_total(values: dict[str, float]) -> tuple[list[Variable], list[Row], list[Target]]:
    """One published total over one firm each of the given groups, and each firm's part as a target."""
    variables = [Variable(f"amount {g}", g, value, True) for g, value in values.items()]
    rows = [Row(tuple((v, 1.0) for v in range(len(variables))), 0, "total")]
    targets = [Target(((v, 1.0),), TargetKind.CONTRIBUTOR, f"part of {g}") for v, g in enumerate(values)]
    return variables, rows, targets


def test_a_firm_among_equals_is_proven_and_a_firm_beside_one_small_neighbour_is_not() -> None:
    """Three equal firms under one total: each can be moved to nothing or to the whole total less the
    largest neighbour's part, whoever attacks. Two firms, one tiny: the tiny one, subtracting itself
    from the total, learns the large one's part, so that part is not proven and goes to the audit."""
    equals = proven_safe(*_one_total({"a": 10.0, "b": 10.0, "c": 10.0}), 0.1)
    assert set(equals) == {0, 1, 2}
    assert equals[0].lower == 1.0 and equals[0].upper == 1.0
    lopsided = pool_margins(*_one_total({"a": 10.0, "b": 0.5}))
    assert lopsided[0].upper == 0.0
    assert 0 not in proven_safe(*_one_total({"a": 10.0, "b": 0.5}), 0.1)


def test_a_firm_is_pooled_only_with_firms_in_the_same_quantile_windows() -> None:
    """A sum's window quantiles name their windows' firms. With 22 firms of about one size (every
    quantile published, f4 alone in the windows of p10 and p25), a firm's part is proven when another
    firm lies in exactly the same windows (the two can trade amounts unseen), and left to the audit
    when no other firm does."""
    members = [f"f{i}" for i in range(22)]
    values = {firm: 100.0 + i for i, firm in enumerate(members)}
    alliance = Alliance(firms(22), amounts("quantity_t", values), [sum_cell("all", members)], DEFAULT_POLICY)
    system = _system(alliance)
    proven = proven_safe(system.variables, system.rows, system.targets, 0.1)
    windows = {
        v: frozenset(r for r, row in enumerate(system.rows) if any(u == v for u, _ in row.terms))
        for v in range(len(system.variables))
    }
    decided = {}
    for t, target in enumerate(system.targets):
        if target.kind is TargetKind.CONTRIBUTOR:
            (v, _), *_ = target.terms
            shared = any(windows[u] == windows[v] for u in windows if u != v)
            assert (t in proven) == shared, target.label
            decided[system.variables[v].owner] = t in proven
    assert decided["group-f4"] is False and decided["group-f0"] is True
