"""An attacker written apart from the engine: from the raw input and the run's public figures it
rebuilds what the published figures give away, lists what must stay hidden, and tries to find it,
exactly (rational span) and by linear programming (bounds). It shares no code with the engine but the
exact row space and the input types."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from scipy.optimize import linprog

from apps.benchmarks.codes import MeasureClass, Statistic, Status
from apps.benchmarks.disclosure import RunOutcome
from apps.benchmarks.exact import ExactRowSpace
from apps.benchmarks.inputs import Amount, Cell, EarlierFigure, Firm
from apps.benchmarks.policy import Policy

LEVELS = {
    Statistic.P10: Fraction(1, 10),
    Statistic.P25: Fraction(1, 4),
    Statistic.MEDIAN: Fraction(1, 2),
    Statistic.P75: Fraction(3, 4),
    Statistic.P90: Fraction(9, 10),
}
Vector = dict[tuple[str, ...], float]


@dataclass
class Member:
    group: str
    firms: list[str]
    numerator: float
    denominator: float | None

    @property
    def figure(self) -> float:
        return self.numerator if self.denominator is None else self.numerator / self.denominator


class World:
    """The raw input of a run, as the attacker's judge sees it (the hub's own knowledge)."""

    def __init__(self, firms: Iterable[Firm], amounts: Iterable[Amount], cells: Iterable[Cell]) -> None:
        self.group = {firm.id: firm.group for firm in firms}
        self.value = {(a.quantity, a.firm, a.slice): a.value for a in amounts}
        self.cells = {cell.key: cell for cell in cells}
        self.nonnegative = {q for q in {k[0] for k in self.value}} - {
            k[0] for k, v in self.value.items() if v < 0
        }

    def keys(self, quantity: str, firms: Iterable[str], slices: Iterable[str]) -> list[tuple[str, ...]]:
        return sorted(
            ("a", quantity, firm, s) for firm in firms for s in slices if (quantity, firm, s) in self.value
        )

    def members(self, cell: Cell, within: Iterable[str] | None = None) -> list[Member]:
        """The cell's contributors, enterprise groups, sorted by figure then group."""
        chosen = cell.firms if within is None else set(within)
        by_group: dict[str, list[str]] = defaultdict(list)
        for firm in sorted(chosen):
            parts = [cell.quantity] if cell.per is None else [cell.quantity, cell.per]
            if any(self.keys(part, [firm], cell.slices) for part in parts):
                by_group[self.group[firm]].append(firm)
        found = []
        for group, firms in by_group.items():
            numerator = math.fsum(self.value[k[1:]] for k in self.keys(cell.quantity, firms, cell.slices))
            denominator = None
            if cell.per is not None:
                denominator = math.fsum(self.value[k[1:]] for k in self.keys(cell.per, firms, cell.slices))
                if denominator <= 0:
                    continue
            found.append(Member(group, firms, numerator, denominator))
        return sorted(found, key=lambda m: (m.figure, m.group))

    def window(self, cell: Cell, statistic: Statistic, k: int) -> list[Member]:
        members = self.members(cell)
        n = len(members)
        start = min(max(math.ceil((n - 1) * LEVELS[statistic] - Fraction(k, 2)), 0), n - k)
        return members[start : start + k]

    def total(self, quantity: str, firms: Iterable[str], slices: Iterable[str]) -> Vector:
        return dict.fromkeys(self.keys(quantity, firms, slices), 1.0)

    def figures(self, cell: Cell, members: Iterable[Member]) -> Vector:
        assert cell.per is not None
        return {
            ("z", cell.quantity, cell.per, m.group, *sorted(m.firms), "|", *sorted(cell.slices)): 1.0
            for m in members
        }

    def figure_values(self, cell: Cell) -> dict[tuple[str, ...], float]:
        return {next(iter(self.figures(cell, [m]))): m.figure for m in self.members(cell)}


def published_rows(world: World, outcome: RunOutcome, k: int) -> list[Vector]:
    """The linear facts of the run's published figures, rebuilt from the public decisions."""
    rows = []
    for decision in outcome.decisions:
        if decision.status is not Status.PUBLISHED:
            continue
        cell = world.cells[decision.cell]
        members = world.members(cell)
        firms = [f for m in members for f in m.firms]
        if decision.statistic is Statistic.MEAN:
            row = world.total(cell.quantity, firms, cell.slices)
            if cell.per is not None:
                ratio = math.fsum(m.numerator for m in members) / math.fsum(
                    m.denominator or 0 for m in members
                )
                row |= {key: -ratio for key in world.total(cell.per, firms, cell.slices)}
            rows.append(row)
            continue
        window = world.window(cell, decision.statistic, k)
        if cell.per is None:
            rows.append(world.total(cell.quantity, [f for m in window for f in m.firms], cell.slices))
        else:
            rows.append(world.figures(cell, window))
    return rows


def earlier_rows(world: World, earlier: Iterable[EarlierFigure]) -> list[Vector]:
    rows = []
    for figure in earlier:
        if figure.statistic is Statistic.MEAN:
            for part in [figure.quantity] + ([figure.per] if figure.per else []):
                rows.append(world.total(part, figure.firms, figure.slices))
        elif figure.per is None:
            rows.append(world.total(figure.quantity, figure.firms, figure.slices))
        else:
            probe = Cell(
                "probe",
                "",
                MeasureClass.QUALITY,
                None,
                figure.quantity,
                figure.per,
                figure.firms,
                figure.slices,
                None,
            )  # type: ignore[arg-type]
            rows.append(world.figures(probe, world.members(probe)))
    return rows


def _fails(parts: Sequence[float], rules_list: Iterable[tuple[int, Fraction | None, int | None]]) -> bool:
    values = sorted((abs(Fraction(p)) for p in parts), reverse=True)
    total = sum(values, Fraction(0))
    for threshold, cap, p in rules_list:
        if len(values) < threshold or total == 0:
            return True
        if cap is not None and values[0] / total > cap:
            return True
        second = values[1] if len(values) > 1 else 0
        if p is not None and total - values[0] - second < Fraction(p, 100) * values[0]:
            return True
    return False


def _rules(policy: Policy, measure_class: MeasureClass) -> tuple[int, Fraction | None, int | None]:
    rules = policy.rules_for(measure_class)
    cap = None if rules.max_weight_share is None else Fraction(rules.max_weight_share)
    return rules.min_contributors, cap, rules.p_percent


def _parts(world: World, keys: Iterable[tuple[str, ...]]) -> list[float]:
    by_group: dict[str, float] = defaultdict(float)
    for key in keys:
        by_group[world.group[key[2]]] += world.value[key[1:]]
    return list(by_group.values())


def sensitive_vectors(
    world: World, policy: Policy, earlier: Iterable[EarlierFigure] = ()
) -> list[tuple[str, Vector]]:
    """What must stay hidden: failing cells, failing atoms and differences of nested sets (over the
    cells and the earlier totals), every contributor's part of a cell, every contributor's figure."""
    found: list[tuple[str, Vector]] = []
    sets: dict[str, list[frozenset[tuple[str, ...]]]] = defaultdict(list)
    classes: dict[str, set[tuple[int, Fraction | None, int | None]]] = defaultdict(set)
    for cell in world.cells.values():
        members = world.members(cell)
        firms = [f for m in members for f in m.firms]
        for part in [cell.quantity] + ([cell.per] if cell.per else []):
            keys = frozenset(world.total(part, firms, cell.slices))
            rules = _rules(policy, cell.measure_class)
            classes[part].add(rules)
            sets[part].append(keys)
            if keys and _fails(_parts(world, keys), [rules]):
                found.append((f"cell {cell.key} {part}", dict.fromkeys(keys, 1.0)))
            for m in members:
                found.append((f"contributor of {cell.key}", world.total(part, m.firms, cell.slices)))
        if cell.per is not None:
            found.extend((f"figure in {cell.key}", {key: 1.0}) for key in world.figure_values(cell))
    for figure in earlier:
        if figure.statistic is Statistic.MEAN:
            for part in [figure.quantity] + ([figure.per] if figure.per else []):
                sets[part].append(frozenset(world.total(part, figure.firms, figure.slices)))
    for part, named in sets.items():
        named = [s for s in dict.fromkeys(named) if s]
        signature: dict[tuple[bool, ...], set[tuple[str, ...]]] = defaultdict(set)
        for key in set().union(*named):
            signature[tuple(key in s for s in named)].add(key)
        candidates = list(signature.values()) + [b - a for a in named for b in named if a < b]
        for keys in candidates:
            if _fails(_parts(world, keys), classes[part]):
                found.append((f"atom or difference in {part}", dict.fromkeys(keys, 1.0)))
    return found


def _owner(world: World, key: tuple[str, ...]) -> str:
    return world.group[key[2]] if key[0] == "a" else key[3]


def disclosed_exactly(
    world: World, rows: Sequence[Vector], targets: Sequence[tuple[str, Vector]]
) -> list[str]:
    """The targets some attacker (outsider, or one group adding its own unknowns) finds exactly, as
    "#<number in targets> <label> found by <attacker>"."""
    found = []
    everyone = sorted(
        {_owner(world, key) for row in rows for key in row}
        | {_owner(world, key) for _, t in targets for key in t}
    )
    spaces = {None: ExactRowSpace(rows)}
    for group in everyone:
        own = {key for row in rows for key in row if _owner(world, key) == group}
        own |= {key for _, t in targets for key in t if _owner(world, key) == group}
        spaces[group] = ExactRowSpace([*rows, *({key: 1} for key in sorted(own))])
    for number, (label, target) in enumerate(targets):
        for group, space in spaces.items():
            if group is not None and all(_owner(world, key) == group for key in target):
                continue
            if space.contains(target):
                found.append(f"#{number} {label} found by {group or 'an outsider'}")
                break
    return found


def narrowest_margins(
    world: World, rows: Sequence[Vector], target: Vector, values: dict[tuple[str, ...], float]
) -> tuple[float, float]:
    """The closest any attacker's bounds come to the target's unknown part, below and above, as a
    share of it (inf: unbounded), by linear programming over non-negative unknowns."""
    keys = sorted({key for row in rows for key in row} | set(target))
    attackers: list[str | None] = [None, *sorted({_owner(world, key) for key in keys})]
    low, high = math.inf, math.inf
    for attacker in attackers:
        free = [key for key in keys if _owner(world, key) != attacker]
        if not any(key in target for key in free):
            continue
        index = {key: i for i, key in enumerate(free)}
        x = np.array([values[key] for key in free])
        matrix = np.zeros((len(rows), len(free)))
        for r, row in enumerate(rows):
            for key, coefficient in row.items():
                if key in index:
                    matrix[r, index[key]] = coefficient
        objective = np.array([target.get(key, 0.0) for key in free])
        truth = float(objective @ x)
        if truth <= 0:
            continue
        bounds = [(0.0 if (key[1] in world.nonnegative) else None, None) for key in free]
        for sign in (1.0, -1.0):
            result = linprog(sign * objective, A_eq=matrix, b_eq=matrix @ x, bounds=bounds, method="highs")
            if result.status == 3:
                continue
            assert result.status == 0, result.message
            bound = sign * result.fun
            if sign > 0:
                low = min(low, (truth - bound) / truth)
            else:
                high = min(high, (bound - truth) / truth)
    return low, high


def values_of(world: World) -> dict[tuple[str, ...], float]:
    found: dict[tuple[str, ...], float] = {("a", *key): value for key, value in world.value.items()}
    for cell in world.cells.values():
        if cell.per is not None:
            found |= world.figure_values(cell)
    return found
