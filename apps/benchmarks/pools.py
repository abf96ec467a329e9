"""Targets proven safe before the audit, by moving amounts between unknowns no row can tell apart
(reference/disclosure-control.md §6.6 step 6; docs/disclosure.md, "How the audit scales").

Two unknowns lie in the same pool when every row (every candidate figure and every figure published
earlier) gives them the same coefficient and both are non-negative. Moving an amount from one to the
other changes no row, whichever figures end up published: an attacker who knows neither cannot tell
the two situations apart. So a target of one contributor (its part of a cell, or its figure) whose
unknowns share pools with other contributors' unknowns can be made smaller by moving its amounts to
those others, and larger by moving theirs into it, and every attacker but the two owners must allow
for both. When the smallest of these moves, over every attacker who does not own the target, reaches
the protection interval on both sides, the target is safe in every round of secondary suppression:
its unknown part is off the span of any choice of published rows (a move changes it and no row), and
the attacker's bounds lie at least as far as the moves reach. The audit leaves such targets out.

In a large alliance most contributors sit in pools (they are in no quantile's window of the cells they
belong to), so most of the run's targets are proven here at the cost of a sum, and the audit's
matrices hold only the cells, atoms and differences that fail a primary rule and the contributors near
a window.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from apps.benchmarks.audit import Margins, Row, Target, TargetKind, Variable


def _pools(variables: Sequence[Variable], rows: Sequence[Row]) -> list[int]:
    """Each unknown's pool: unknowns with the same coefficient in every row, non-negative and not
    negative in value; -1 for the others, which no move may touch."""
    signatures: list[list[tuple[int, float]]] = [[] for _ in variables]
    for r, row in enumerate(rows):
        for v, coefficient in row.terms:
            signatures[v].append((r, coefficient))
    index: dict[tuple[tuple[int, float], ...], int] = {}
    pools = []
    for v, variable in enumerate(variables):
        if not variable.nonnegative or variable.value < 0:
            pools.append(-1)
            continue
        pools.append(index.setdefault(tuple(signatures[v]), len(index)))
    return pools


@dataclass
class _PoolSums:
    """Per pool, the sum of its unknowns' values, and their sums and numbers by owner."""

    pools: list[int]
    totals: dict[int, float]
    owner_totals: dict[int, dict[str, float]]
    count: dict[int, dict[str, int]]

    @classmethod
    def of(cls, variables: Sequence[Variable], rows: Sequence[Row]) -> _PoolSums:
        pools = _pools(variables, rows)
        values: dict[int, list[float]] = defaultdict(list)
        by_owner: dict[int, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
        count: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for v, variable in enumerate(variables):
            if pools[v] >= 0:
                values[pools[v]].append(variable.value)
                by_owner[pools[v]][variable.owner].append(variable.value)
                count[pools[v]][variable.owner] += 1
        return cls(
            pools,
            {pool: math.fsum(found) for pool, found in values.items()},
            {
                pool: {owner: math.fsum(found) for owner, found in owners.items()}
                for pool, owners in by_owner.items()
            },
            count,
        )

    def moves(self, owner: str, inside: dict[int, list[float]]) -> tuple[float, float]:
        """How far every attacker but `owner` must allow a target of `owner` to move down and up,
        `inside` giving the values of its unknowns by pool."""
        # Down: each of the target's unknowns moves its amount to a pool mate outside the target that
        # the attacker does not own. One attacker blocks it only when it owns every such mate.
        movable: list[float] = []
        blocked: dict[str, list[float]] = defaultdict(list)
        # Up: every pool mate outside the target that the attacker does not own moves its amount in.
        mates: list[float] = []
        held: dict[str, list[float]] = defaultdict(list)
        for pool, own in inside.items():
            others = {
                other: n - (len(own) if other == owner else 0)
                for other, n in self.count[pool].items()
                if n - (len(own) if other == owner else 0) > 0
            }
            if not others:
                continue
            amount = math.fsum(own)
            if len(others) == 1 and owner not in others:
                blocked[next(iter(others))].append(amount)
            movable.append(amount)
            mates.append(self.totals[pool] - amount)
            for other, total in self.owner_totals[pool].items():
                if other != owner:
                    held[other].append(total)
        down = math.fsum(movable) - max((math.fsum(v) for v in blocked.values()), default=0.0)
        up = math.fsum(mates) - max((math.fsum(v) for v in held.values()), default=0.0)
        return max(down, 0.0), max(up, 0.0)


def pool_margins(
    variables: Sequence[Variable], rows: Sequence[Row], targets: Sequence[Target]
) -> dict[int, Margins]:
    """Lower bounds, over every attacker (the outsider and each owner but the target's), of how far
    the attacker's bounds lie below and above each target of a single owner, as a share of it, from
    the moves within pools alone. Targets of several owners, with other coefficients than one, with
    an unknown outside every pool or of no positive size are not bounded here."""
    sums = _PoolSums.of(variables, rows)
    found: dict[int, Margins] = {}
    for t, target in enumerate(targets):
        members = [v for v, _ in target.terms]
        if not members or any(coefficient != 1.0 for _, coefficient in target.terms):
            continue
        owner = variables[members[0]].owner
        if any(variables[v].owner != owner or sums.pools[v] < 0 for v in members):
            continue
        truth = math.fsum(variables[v].value for v in members)
        if truth <= 0:
            continue
        inside: dict[int, list[float]] = defaultdict(list)
        for v in members:
            inside[sums.pools[v]].append(variables[v].value)
        down, up = sums.moves(owner, inside)
        found[t] = Margins(down / truth, up / truth)
    return found


PROVEN_SLACK = 1e-6
"""A pool margin counts as reaching the protection only this share past it, for the rounding of
the sums."""


def proven_safe(
    variables: Sequence[Variable], rows: Sequence[Row], targets: Sequence[Target], protection: float
) -> dict[int, Margins]:
    """The contributors' parts and figures whose pool margins reach the protection on both sides,
    with those margins. Failing cells, atoms and differences are always audited: the stewards are
    shown their margins as the audit finds them."""
    floor = protection * (1 + PROVEN_SLACK)
    return {
        t: margins
        for t, margins in pool_margins(variables, rows, targets).items()
        if targets[t].kind in (TargetKind.CONTRIBUTOR, TargetKind.FIGURE)
        and margins.lower is not None
        and margins.upper is not None
        and margins.lower >= floor
        and margins.upper >= floor
    }
