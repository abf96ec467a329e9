"""From a run's cells to the audit's unknowns, rows and targets (reference §6.6 steps 2-5).

The unknowns are each firm's amount of each quantity in each slice, and for ratios and weighted means
each contributor's figure in a cell. A candidate figure is a row: the mean of a sum is its total (n is
published), the mean of a ratio is numerator - mean x denominator = 0, a quantile is the sum of its
window (of amounts for a sum, of figures otherwise). The targets are the vectors that must stay
hidden: the failing summed quantities of cells, atoms and differences of nested cells that fail the
primary rules, and every contributor's part of a cell and figure.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations

from apps.benchmarks.audit import Row, Target, TargetKind, Variable
from apps.benchmarks.codes import QUANTILE_LEVELS, STATISTICS, Aggregation, Rule, Statistic
from apps.benchmarks.inputs import AmountTable, Cell, Contributor, EarlierFigure, contributors
from apps.benchmarks.policy import ClassRules, Policy
from apps.benchmarks.primary import CellCheck, check_cell, passes_all
from apps.benchmarks.quantiles import window_quantile


@dataclass(frozen=True)
class CellState:
    """A cell before secondary suppression: its contributors (sorted by figure, then group), the
    primary rules' verdict, the statistics its size allows, and every statistic's value and window."""

    cell: Cell
    contributors: tuple[Contributor, ...]
    check: CellCheck
    allowed: frozenset[Statistic]
    values: dict[Statistic, float]
    windows: dict[Statistic, tuple[Contributor, ...]]
    rules: ClassRules


@dataclass(frozen=True)
class Candidate:
    """A figure the primary rules would publish; secondary suppression may still withdraw it."""

    id: int
    cell: str
    statistic: Statistic
    n: int


def assess_cell(cell: Cell, table: AmountTable, policy: Policy) -> CellState:
    """The contributors, the primary rules and the figures of one cell. Quantiles are window
    quantiles of the contributors' figures, sorted by figure and then by group, so equal figures are
    ordered the same way whatever the input order; the mean is the total over n for a sum, the ratio of
    the totals otherwise."""
    found = contributors(cell, table)
    ordered = tuple(sorted(found, key=lambda c: (c.figure, c.group)))
    rules = policy.rules_for(cell.measure_class)
    check = check_cell(cell, found, rules)
    values: dict[Statistic, float] = {}
    windows: dict[Statistic, tuple[Contributor, ...]] = {}
    if not found:
        return CellState(cell, ordered, check, frozenset(), values, windows, rules)
    numerator = math.fsum(c.numerator for c in found)
    if cell.aggregation is Aggregation.SUM:
        values[Statistic.MEAN] = numerator / len(found)
    else:
        denominator = math.fsum(c.denominator or 0.0 for c in found)
        values[Statistic.MEAN] = numerator / denominator
    if len(found) >= policy.quantile_window:
        figures = [c.figure for c in ordered]
        for statistic, level in QUANTILE_LEVELS.items():
            value, positions = window_quantile(figures, level, policy.quantile_window)
            values[statistic] = value
            windows[statistic] = tuple(ordered[i] for i in positions)
    return CellState(cell, ordered, check, policy.statistics_for(len(found)), values, windows, rules)


def candidates(states: Sequence[CellState]) -> list[Candidate]:
    """Every figure that passes the primary rules: none of an empty cell or one under the threshold,
    no mean of a cell whose summed quantities fail dominance or p%, no statistic its size does not allow."""
    found: list[Candidate] = []
    for state in states:
        if not state.contributors or state.check.rule is Rule.THRESHOLD:
            continue
        for statistic in STATISTICS:
            if statistic not in state.allowed:
                continue
            if statistic is Statistic.MEAN and state.check.rule is not None:
                continue
            found.append(Candidate(len(found), state.cell.key, statistic, state.check.n))
    return found


def _all_parts(cell: Cell) -> tuple[str, ...]:
    return (cell.quantity,) if cell.per is None else (cell.quantity, cell.per)


class _Unknowns:
    """The run's unknowns, created as rows and targets name them."""

    def __init__(self, table: AmountTable) -> None:
        self.table = table
        self.index: dict[str, int] = {}
        self.variables: list[Variable] = []
        self.figures: list[int] = []
        self.figure_labels: dict[int, str] = {}

    def _add(self, key: str, owner: str, value: float, nonnegative: bool) -> int:
        if key not in self.index:
            self.index[key] = len(self.variables)
            self.variables.append(Variable(key, owner, value, nonnegative))
        return self.index[key]

    def amounts(self, quantity: str, firms: Iterable[str], slices: frozenset[str]) -> list[int]:
        found = []
        for firm in sorted(firms):
            for slice_ in self.table.slices_of(quantity, firm, slices):
                value = self.table.values[(quantity, firm)][slice_]
                key = f"amount\x1f{quantity}\x1f{firm}\x1f{slice_}"
                found.append(self._add(key, self.table.groups[firm], value, self.table.nonnegative(quantity)))
        return found

    def figure(
        self, quantity: str, per: str, contributor: Contributor, slices: frozenset[str], where: str
    ) -> int:
        key = "\x1f".join(
            ["figure", quantity, per, contributor.group, *contributor.firms, "|", *sorted(slices)]
        )
        known = key in self.index
        nonnegative = self.table.nonnegative(quantity) and self.table.nonnegative(per)
        variable = self._add(key, contributor.group, contributor.figure, nonnegative)
        if not known:
            self.figures.append(variable)
            self.figure_labels[variable] = where
        return variable


Terms = tuple[tuple[int, float], ...]


def _ones(variables: Iterable[int]) -> Terms:
    return tuple((v, 1.0) for v in variables)


def _firms(found: Iterable[Contributor]) -> list[str]:
    return [firm for c in found for firm in c.firms]


def figure_row(unknowns: _Unknowns, state: CellState, statistic: Statistic) -> Terms:
    """The linear fact a published figure gives away."""
    cell = state.cell
    if statistic is Statistic.MEAN:
        numerator = unknowns.amounts(cell.quantity, _firms(state.contributors), cell.slices)
        if cell.per is None:
            return _ones(numerator)
        ratio = state.values[Statistic.MEAN]
        denominator = unknowns.amounts(cell.per, _firms(state.contributors), cell.slices)
        return _ones(numerator) + tuple((v, -ratio) for v in denominator)
    window = state.windows[statistic]
    if cell.per is None:
        return _ones(unknowns.amounts(cell.quantity, _firms(window), cell.slices))
    return _ones(unknowns.figure(cell.quantity, cell.per, c, cell.slices, cell.key) for c in window)


def _earlier_rows(unknowns: _Unknowns, figure: EarlierFigure) -> list[tuple[str, Terms]]:
    """The rows of an earlier figure, each with the quantity it sums ("" for a row of figures)."""
    if figure.statistic is Statistic.MEAN or figure.per is None:
        parts = [figure.quantity]
        if figure.statistic is Statistic.MEAN and figure.per is not None:
            parts.append(figure.per)
        return [(part, _ones(unknowns.amounts(part, figure.firms, figure.slices))) for part in parts]
    by_group: dict[str, list[str]] = defaultdict(list)
    for firm in sorted(figure.firms):
        by_group[unknowns.table.groups[firm]].append(firm)
    terms = []
    for group, firms in sorted(by_group.items()):
        numerator = unknowns.table.total(figure.quantity, firms, figure.slices)
        denominator = unknowns.table.total(figure.per, firms, figure.slices)
        if denominator > 0:
            contributor = Contributor(group, tuple(firms), numerator, denominator)
            terms.append(
                unknowns.figure(figure.quantity, figure.per, contributor, figure.slices, figure.label)
            )
    return [("", _ones(terms))]


@dataclass(frozen=True)
class System:
    """The audit's input, and for each cell the targets of its failing summed quantities."""

    variables: list[Variable]
    rows: list[Row]
    targets: list[Target]
    cell_targets: dict[str, tuple[int, ...]]


NamedSets = dict[str, list[tuple[str, frozenset[int]]]]


def build_system(
    states: Sequence[CellState],
    found: Sequence[Candidate],
    earlier: Sequence[EarlierFigure],
    table: AmountTable,
) -> System:
    """The unknowns, the rows of every candidate and earlier figure, and the targets of a run."""
    unknowns = _Unknowns(table)
    by_key = {state.cell.key: state for state in states}
    rows = [
        Row(figure_row(unknowns, by_key[c.cell], c.statistic), c.id, f"{c.cell} {c.statistic}") for c in found
    ]
    sets: NamedSets = defaultdict(list)
    classes: dict[str, list[ClassRules]] = defaultdict(list)
    for state in states:
        for part in _all_parts(state.cell):
            rules = state.rules
            if rules not in classes[part]:
                classes[part].append(rules)
            members = frozenset(unknowns.amounts(part, _firms(state.contributors), state.cell.slices))
            sets[part].append((state.cell.key, members))
    for figure in earlier:
        for part, terms in _earlier_rows(unknowns, figure):
            rows.append(Row(terms, None, figure.label))
            if part and figure.statistic is Statistic.MEAN:
                sets[part].append((figure.label, frozenset(v for v, _ in terms)))
    targets, cell_targets = _all_targets(unknowns, states, sets, classes)
    return System(unknowns.variables, rows, targets, cell_targets)


def _group_parts(unknowns: _Unknowns, members: Iterable[int]) -> list[float]:
    parts: dict[str, list[float]] = defaultdict(list)
    for v in members:
        variable = unknowns.variables[v]
        parts[variable.owner].append(variable.value)
    return [math.fsum(values) for _, values in sorted(parts.items())]


def _distinct(named: list[tuple[str, frozenset[int]]]) -> list[tuple[str, frozenset[int]]]:
    seen: dict[frozenset[int], str] = {}
    for label, members in named:
        if members and members not in seen:
            seen[members] = label
    return [(label, members) for members, label in seen.items()]


def _atoms(named: list[tuple[str, frozenset[int]]]) -> list[tuple[str, frozenset[int]]]:
    """Unknowns grouped by the sets that hold them (the finest parts the sets can be split into)."""
    signatures: dict[tuple[int, ...], set[int]] = defaultdict(set)
    for v in sorted(set().union(*(members for _, members in named))):
        signatures[tuple(i for i, (_, members) in enumerate(named) if v in members)].add(v)
    return [
        ("atom in " + ", ".join(named[i][0] for i in signature), frozenset(members))
        for signature, members in sorted(signatures.items())
    ]


def _derived_targets(
    unknowns: _Unknowns, sets: NamedSets, classes: dict[str, list[ClassRules]]
) -> list[tuple[frozenset[int], TargetKind, str]]:
    """Atoms, and differences of nested sets, that fail the primary rules of every class that sums
    their quantity: a recoverable aggregate must itself be publishable (extra primaries, §5.2)."""
    found = []
    for part in sorted(sets):
        named = _distinct(sets[part])
        for label, members in _atoms(named):
            if not passes_all(_group_parts(unknowns, members), classes[part]):
                found.append((members, TargetKind.ATOM, f"{label} ({part})"))
        for (label_a, a), (label_b, b) in combinations(named, 2):
            small, big, small_label, big_label = (
                (a, b, label_a, label_b) if len(a) < len(b) else (b, a, label_b, label_a)
            )
            if small < big and not passes_all(_group_parts(unknowns, big - small), classes[part]):
                found.append(
                    (big - small, TargetKind.DIFFERENCE, f"{big_label} minus {small_label} ({part})")
                )
    return found


def _all_targets(
    unknowns: _Unknowns, states: Sequence[CellState], sets: NamedSets, classes: dict[str, list[ClassRules]]
) -> tuple[list[Target], dict[str, tuple[int, ...]]]:
    """The targets in the order they are audited: failing cells, atoms and differences, every
    contributor's part of every cell, every contributor's figure; a vector is kept once, first kind
    wins. Also, for each cell, the targets of its failing summed quantities."""
    found: list[Target] = []
    seen: dict[frozenset[int], int] = {}

    def add(members: Iterable[int], kind: TargetKind, label: str) -> int | None:
        key = frozenset(members)
        if key and key not in seen:
            seen[key] = len(found)
            found.append(Target(_ones(sorted(key)), kind, label))
        return seen.get(key)

    cell_targets: dict[str, tuple[int, ...]] = {}
    for state in states:
        cell, firms = state.cell, _firms(state.contributors)
        indices = [
            add(unknowns.amounts(part, firms, cell.slices), TargetKind.CELL, f"{cell.key} ({part})")
            for part in state.check.failing
        ]
        cell_targets[cell.key] = tuple(i for i in indices if i is not None)
    for members, kind, label in _derived_targets(unknowns, sets, classes):
        add(members, kind, label)
    for state in states:
        for contributor in state.contributors:
            for part in _all_parts(state.cell):
                own = unknowns.amounts(part, contributor.firms, state.cell.slices)
                add(own, TargetKind.CONTRIBUTOR, f"one contributor of {state.cell.key} ({part})")
    for v in list(unknowns.figures):
        add([v], TargetKind.FIGURE, f"one contributor's figure in {unknowns.figure_labels[v]}")
    return found, cell_targets
