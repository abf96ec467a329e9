"""The whole-run audit (reference/disclosure-control.md §5.2, §6.6 steps 4-6).

Everything a run publishes is a linear row over unknowns: the amounts of each firm in each slice
(a total, the window of a quantile of sums, the equation numerator - mean x denominator = 0 of a
ratio's mean) and the contributors' figures of ratios and weighted means (the windows of their
quantiles). Figures published earlier are more rows, fixed. Some vectors over the same unknowns are
sensitive (targets): a failing cell's total, an atom of firms that lie in exactly the same cells, the
difference of two nested cells, one contributor's part of a cell, one contributor's figure.

An attacker is an outsider or one contributor (enterprise group), who knows its own unknowns. A run
is safe when, for every target and attacker,
- the target's unknown part is not in the span of the published rows (span test, numpy with a
  relative tolerance; `apps.benchmarks.exact` decides the same exactly), and
- the attacker's bounds on it from the published rows and non-negativity (the amounts of a quantity
  that is never negative) stay at least the protection interval away on both sides. A feasible move
  along the affine-scaling direction proves most bounds wide enough without solving anything; only
  the sides it cannot prove are decided by a linear programme (scipy HiGHS).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property

import numpy as np
import numpy.typing as npt
from scipy.optimize import linprog

from apps.benchmarks.projection import IndexArray, Projection, row_basis

SPAN_TOLERANCE = 1e-8
"""A target counts as determined when what the published rows leave of it is below this share of it."""

FloatArray = npt.NDArray[np.float64]


class AuditError(RuntimeError):
    """The linear programme failed in a way a true, feasible input cannot explain."""


class TargetKind(StrEnum):
    CELL = "cell"
    ATOM = "atom"
    DIFFERENCE = "difference"
    CONTRIBUTOR = "contributor"
    FIGURE = "figure"


@dataclass(frozen=True)
class Variable:
    key: str
    owner: str
    value: float
    nonnegative: bool


@dataclass(frozen=True)
class Row:
    """A published linear fact; `figure` is the candidate figure that publishes it, None for a figure
    published by an earlier run (it cannot be withdrawn)."""

    terms: tuple[tuple[int, float], ...]
    figure: int | None
    label: str


@dataclass(frozen=True)
class Target:
    terms: tuple[tuple[int, float], ...]
    kind: TargetKind
    label: str


@dataclass(frozen=True)
class Margins:
    """How far an attacker's bounds lie below and above a target's unknown part, as a share of it;
    None when unbounded on that side. Lower bounds on the true margins where no programme was needed."""

    lower: float | None
    upper: float | None

    def merged(self, other: Margins) -> Margins:
        def low(a: float | None, b: float | None) -> float | None:
            return b if a is None else a if b is None else min(a, b)

        return Margins(low(self.lower, other.lower), low(self.upper, other.upper))

    def hold(self, protection: float) -> bool:
        return all(side is None or side >= protection - 1e-9 for side in (self.lower, self.upper))


@dataclass(frozen=True)
class Violation:
    """The first unsafe (target, attacker) found: the test it failed and the rows its attack uses."""

    target: int
    attacker: str | None
    test: str
    rows: tuple[int, ...]
    margins: Margins


@dataclass
class _Component:
    """A connected part of the unknowns, audited on its own: rows and targets touch nothing outside."""

    owners: list[str]
    owner_of: npt.NDArray[np.intp]
    values: FloatArray
    nonnegative: npt.NDArray[np.bool_]
    row_ids: list[int]
    matrix: FloatArray
    row_figures: npt.NDArray[np.intp]
    target_ids: list[int]
    targets: FloatArray
    attackers: list[int] = field(default_factory=list)
    index: int = -1

    def __post_init__(self) -> None:
        self.nonzeros = (self.targets != 0).sum(axis=1)


def _components(count: int, groups: Iterable[Iterable[int]]) -> list[list[int]]:
    parent = list(range(count))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for members in groups:
        first = None
        for i in members:
            if first is None:
                first = root(i)
            else:
                parent[root(i)] = first
    found: dict[int, list[int]] = {}
    for i in range(count):
        found.setdefault(root(i), []).append(i)
    return sorted(found.values())


def _dense(terms: Sequence[tuple[tuple[int, float], ...]], local: dict[int, int], width: int) -> FloatArray:
    matrix = np.zeros((len(terms), width))
    for r, row in enumerate(terms):
        for variable, coefficient in row:
            matrix[r, local[variable]] += coefficient
    return matrix


def _build_component(
    members: list[int],
    variables: Sequence[Variable],
    rows: Sequence[Row],
    targets: Sequence[Target],
    audited: Sequence[int],
) -> _Component:
    local = {v: i for i, v in enumerate(members)}
    row_ids = [r for r, row in enumerate(rows) if row.terms and row.terms[0][0] in local]
    target_ids = [t for t in audited if targets[t].terms and targets[t].terms[0][0] in local]
    owners = sorted({variables[v].owner for v in members})
    owner_index = {owner: i for i, owner in enumerate(owners)}
    values = np.array([variables[v].value for v in members])
    scale = float(np.abs(values).max()) or 1.0
    return _Component(
        owners=owners,
        owner_of=np.array([owner_index[variables[v].owner] for v in members], dtype=np.intp),
        values=values / scale,
        nonnegative=np.array([variables[v].nonnegative for v in members], dtype=np.bool_),
        row_ids=row_ids,
        matrix=_dense([rows[r].terms for r in row_ids], local, len(members)),
        row_figures=np.array(
            [-1 if rows[r].figure is None else rows[r].figure for r in row_ids], dtype=np.intp
        ),
        target_ids=target_ids,
        targets=_dense([targets[t].terms for t in target_ids], local, len(members)),
        attackers=[-1, *range(len(owners))],
    )


_IntervalResult = tuple[Violation | None, dict[int, Margins]]
_SafeKey = tuple[str, int, int, float]
"""A test ("span" or "interval"), a component, an attacker (-1 the outsider) and the protection."""


class _Round:
    """One component under one choice of published figures: the projections every attacker shares,
    of the targets off the published rows (span test) and of the scaled targets off the scaled rows
    (the affine-scaling directions of `_Bounds.certified`), each made when first asked for."""

    def __init__(self, component: _Component, active: IndexArray) -> None:
        self.component = component
        self.active = active

    @cached_property
    def span(self) -> Projection:
        return Projection(self.component.matrix[self.active], self.component.targets, residuals=False)

    @cached_property
    def scaled(self) -> Projection:
        component = self.component
        weights = np.where(component.nonnegative, component.values, 1.0)
        return Projection(
            component.matrix[self.active] * weights, component.targets * weights, residuals=True
        )

    @cached_property
    def _limited(self) -> FloatArray:
        assert self.scaled.residual is not None
        return np.where(self.component.nonnegative, self.scaled.residual, 0.0)

    @cached_property
    def shrinking(self) -> FloatArray:
        return (-self._limited).max(axis=1, initial=0.0)

    @cached_property
    def growing(self) -> FloatArray:
        return self._limited.max(axis=1, initial=0.0)


@dataclass
class AuditCounts:
    """What an audit did, for the bench: calls of `find_violation`, components audited (not found in
    the cache), attackers decided by the per-attacker fallback, linear programmes solved."""

    calls: int = 0
    components: int = 0
    fallbacks: int = 0
    programmes: int = 0


SPAN_SCREEN = 1e-5
"""The shared projection proves a target undetermined when its residual exceeds this share of it;
nearer than that the attacker is decided by its own basis, with SPAN_TOLERANCE, as before."""

GRAM_ERROR = 1e-9
"""What a difference of squared norms (apps.benchmarks.projection.residual_norms) may be off by, as
a share of the squares."""


class Audit:
    """The audit of one run's rows and targets, split into independent components once; each call of
    `find_violation` audits one choice of published figures.

    Within a component the outsider and every insider share one basis of the published rows (see
    apps.benchmarks.projection); an insider the shared basis cannot decide reliably, or whose target
    comes near the span, is decided by its own basis, exactly as without the sharing. A component's
    answer depends only on its published rows and the targets skipped in it, so it is kept and
    reused while a suppression elsewhere changes nothing in it.

    `proven` holds targets already proven safe at the protection `proven_at` whatever is published
    (apps.benchmarks.pools), with lower bounds of their margins: they are not audited, and their
    margins are those bounds."""

    def __init__(
        self,
        variables: Sequence[Variable],
        rows: Sequence[Row],
        targets: Sequence[Target],
        *,
        proven: Mapping[int, Margins] | None = None,
        proven_at: float = 0.0,
    ) -> None:
        self.variables = variables
        self.rows = rows
        self.targets = targets
        self.proven = dict(proven or {})
        self.proven_at = proven_at
        audited = [t for t in range(len(targets)) if t not in self.proven]
        # Components are formed with every target, so they and the order in which violations are
        # found do not depend on which targets were proven beforehand.
        groups = [[v for v, _ in row.terms] for row in rows] + [[v for v, _ in t.terms] for t in targets]
        self._components = [
            _build_component(members, variables, rows, targets, audited)
            for members in _components(len(variables), groups)
        ]
        for index, component in enumerate(self._components):
            component.index = index
        self._rounds: dict[int, tuple[bytes, _Round]] = {}
        self._spans: dict[tuple[int, bytes, tuple[int, ...]], Violation | None] = {}
        self._intervals: dict[
            tuple[int, bytes, tuple[int, ...], float, tuple[int, ...]], _IntervalResult
        ] = {}
        self._figures = max((row.figure for row in rows if row.figure is not None), default=-1) + 1
        self._first: dict[tuple[int, bytes, tuple[int, ...], float], Violation | None] = {}
        self._safe: dict[_SafeKey, list[tuple[npt.NDArray[np.bool_], frozenset[int]]]] = {}
        self._safe_targets: dict[tuple[int, int, float, int], npt.NDArray[np.bool_]] = {}
        self._extremes: dict[tuple[int, int, float, int, bool], tuple[npt.NDArray[np.bool_], FloatArray]] = {}
        self._first_mode = False
        self.counts = AuditCounts()

    def find_violation(
        self,
        published: frozenset[int],
        skip: frozenset[int],
        protection: float,
        *,
        margins: frozenset[int] = frozenset(),
        first_only: bool = False,
    ) -> tuple[Violation | None, dict[int, Margins]]:
        """The first violation, deterministically: span tests before intervals, components, attackers
        (the outsider, then groups by name) and targets in order. With none, every target's margins
        over all attackers (targets in `skip` are left out): the certified ones (as without the
        shared projection) for the targets in `margins`, for the others lower bounds of them, proven
        wide enough more cheaply. The violation found is the same either way. Targets proven
        beforehand must not be in `margins`, nor the protection above the one they were proven at.

        `first_only` asks for the violation alone (the margins come back empty). Then an attacker
        found safe in a component before, with at least these rows published and at most these
        targets skipped, is not audited again, nor a target whose linear programmes bounded it widely
        enough for this attacker with at least these rows published: fewer published rows leave the
        attacker a smaller row space and a wider feasible set, so it learns no more. The violation
        found is the same."""
        if self.proven and (protection > self.proven_at or not margins.isdisjoint(self.proven)):
            raise ValueError("a target proven beforehand cannot be audited at this protection")
        self.counts.calls += 1
        actives = self._actives(published)
        for index, component in enumerate(self._components):
            key = (index, actives[index].tobytes(), _skipped(component, skip))
            if key not in self._spans:
                self._spans[key] = self._component_span(index, actives[index], skip)
            if self._spans[key] is not None:
                return self._spans[key], {}
        if first_only:
            return self._first_violation(actives, skip, protection), {}
        narrowest = {t: found for t, found in self.proven.items() if t not in skip}
        for index, component in enumerate(self._components):
            key4 = (
                index,
                actives[index].tobytes(),
                _skipped(component, skip),
                protection,
                _skipped(component, margins),
            )
            if key4 not in self._intervals:
                self._intervals[key4] = self._component_interval(
                    index, actives[index], skip, protection, margins
                )
            violation, found = self._intervals[key4]
            if violation is not None:
                return violation, narrowest
            narrowest.update(found)
        return None, narrowest

    def _first_violation(
        self, actives: list[IndexArray], skip: frozenset[int], protection: float
    ) -> Violation | None:
        """The interval tests' first violation, with what earlier calls found safe (`first_only`)."""
        self._first_mode = True
        try:
            for index, component in enumerate(self._components):
                key = (index, actives[index].tobytes(), _skipped(component, skip), protection)
                if key not in self._first:
                    self._first[key] = self._component_interval(
                        index, actives[index], skip, protection, frozenset(), first_only=True
                    )[0]
                if self._first[key] is not None:
                    return self._first[key]
        finally:
            self._first_mode = False
        return None

    def _actives(self, published: frozenset[int]) -> list[IndexArray]:
        """Each component's published rows."""
        mask = np.zeros(self._figures + 1, dtype=np.bool_)
        mask[[f for f in published if f < self._figures]] = True
        mask[-1] = True  # row_figures -1: a figure published earlier, always there
        return [np.flatnonzero(mask[component.row_figures]) for component in self._components]

    def recurs(
        self, published: frozenset[int], skip: frozenset[int], protection: float, violation: Violation
    ) -> bool:
        """Whether the attacker of `violation` wins again, on any target of its component, with
        these figures published: a cheap way to learn that some violation exists (each test as the
        attacker's own basis decides it, as in `find_violation`); False says nothing."""
        component = next((c for c in self._components if violation.target in c.target_ids), None)
        if component is None:
            return False
        active = self._actives(published)[component.index]
        attacker = -1 if violation.attacker is None else component.owners.index(violation.attacker)
        if self._span_violation(component, active, attacker, skip) is not None:
            return True
        count = len(component.target_ids)
        found = (np.full(count, np.inf), np.full(count, np.inf), np.zeros(count, dtype=np.bool_))
        self._first_mode = True
        try:
            return self._interval_violation(component, active, attacker, skip, protection, found) is not None
        finally:
            self._first_mode = False

    def _round(self, index: int, active: IndexArray) -> _Round:
        """The shared projections of a component under these published rows (the last one is kept)."""
        key = active.tobytes()
        kept = self._rounds.get(index)
        if kept is not None and kept[0] == key:
            return kept[1]
        self.counts.components += 1
        found = _Round(self._components[index], active)
        self._rounds[index] = (key, found)
        return found

    def _component_span(self, index: int, active: IndexArray, skip: frozenset[int]) -> Violation | None:
        """The first attacker of a component whose span test fails, by the shared projection where it
        decides clearly, else by the attacker's own basis."""
        component = self._components[index]
        if not active.size:
            return None
        for attacker in component.attackers:
            if self._known_safe(("span", index, attacker, 0.0), active, skip):
                continue
            known = np.flatnonzero(component.owner_of == attacker)
            chosen = _chosen(component, known, skip)
            if not chosen.size:
                continue
            norms = self._round(index, active).span.residual_norms(known, chosen)
            if norms is not None:
                left, taken = norms
                part = component.targets[chosen]
                whole = (part * part).sum(axis=1)
                size = whole - (part[:, known] ** 2).sum(axis=1)
                if (left > SPAN_SCREEN**2 * size + GRAM_ERROR * (whole + taken)).all():
                    self._remember_safe(("span", index, attacker, 0.0), active, skip)
                    continue
            self.counts.fallbacks += 1
            violation = self._span_violation(component, active, attacker, skip)
            if violation is not None:
                return violation
            self._remember_safe(("span", index, attacker, 0.0), active, skip)
        return None

    def _still_extreme(
        self,
        component: _Component,
        attacker: int,
        published: npt.NDArray[np.bool_],
        stored: tuple[npt.NDArray[np.bool_], FloatArray] | None,
    ) -> bool:
        """Whether an optimal point of this side's programme, found with fewer rows published
        (`stored`: those rows and the point, over the attacker's unknowns), meets the rows published
        since: then it is optimal now too (the feasible set shrank and still holds it), and the
        bound, wide enough then, is the same."""
        if stored is None:
            return False
        then, point = stored
        if (then & ~published).any():
            return False
        added = published & ~then
        if not added.any():
            return True
        free = component.owner_of != attacker
        rows = component.matrix[added][:, free]
        values = component.values[free]
        scale = np.abs(rows) @ (np.abs(point) + np.abs(values))
        return bool((np.abs(rows @ (point - values)) <= EXTREME_TOLERANCE * scale + 1e-12).all())

    def _known_safe(self, key: _SafeKey, active: IndexArray, skip: frozenset[int]) -> bool:
        """Whether this attacker of this component passed this test (at this protection) when it was
        audited with these rows published or more, and these targets skipped or fewer."""
        records = self._safe.get(key)
        if not records:
            return False
        rows = np.zeros(self._components[key[1]].matrix.shape[0], dtype=np.bool_)
        rows[active] = True
        skipped = frozenset(_skipped(self._components[key[1]], skip))
        return any(not (rows & ~then).any() and skipped_then <= skipped for then, skipped_then in records)

    def _remember_safe(self, key: _SafeKey, active: IndexArray, skip: frozenset[int]) -> None:
        rows = np.zeros(self._components[key[1]].matrix.shape[0], dtype=np.bool_)
        rows[active] = True
        skipped = frozenset(_skipped(self._components[key[1]], skip))
        records = [
            (then, skipped_then)
            for then, skipped_then in self._safe.get(key, [])
            if (then & ~rows).any() or not skipped <= skipped_then
        ]
        records.append((rows, skipped))
        self._safe[key] = records

    def _component_interval(
        self,
        index: int,
        active: IndexArray,
        skip: frozenset[int],
        protection: float,
        margins: frozenset[int],
        *,
        first_only: bool = False,
    ) -> _IntervalResult:
        """The first attacker of a component that bounds a target too closely, or every target's
        narrowest margins over all attackers; with `first_only`, the violation alone, leaving out
        the attackers known safe."""
        component = self._components[index]
        lower = np.full(len(component.target_ids), np.inf)
        upper = np.full(len(component.target_ids), np.inf)
        checked = np.zeros(len(component.target_ids), dtype=np.bool_)
        for attacker in component.attackers:
            key = ("interval", index, attacker, protection)
            if first_only and self._known_safe(key, active, skip):
                continue
            violation = self._shared_interval(
                component,
                self._round(index, active),
                attacker,
                skip,
                (protection, margins),
                (lower, upper, checked),
            )
            if violation is not None:
                return violation, {}
            self._remember_safe(key, active, skip)
        if first_only:
            return None, {}
        found = {
            component.target_ids[k]: Margins(_finite(lower[k]), _finite(upper[k]))
            for k in np.flatnonzero(checked)
        }
        return None, found

    def _shared_interval(
        self,
        component: _Component,
        shared: _Round,
        attacker: int,
        skip: frozenset[int],
        settings: tuple[float, frozenset[int]],
        found: tuple[FloatArray, FloatArray, npt.NDArray[np.bool_]],
    ) -> Violation | None:
        """`_interval_violation`, with the certified margins taken from the shared projection
        (`settings`: the protection, and the targets whose margins must be the certified ones; the
        others' may be lower bounds of them that suffice)."""
        protection, margins = settings
        active = shared.active
        known = np.flatnonzero(component.owner_of == attacker)
        chosen = _chosen(component, known, skip)
        if not chosen.size:
            return None
        part = component.targets[chosen]
        part[:, known] = 0.0
        truth = np.abs(part @ component.values)
        bounds = _bounded_margins(shared, known, chosen, truth, protection)
        if bounds is None:
            directions = shared.scaled.residual_without(known, chosen)
            if directions is None:
                self.counts.fallbacks += 1
                return self._interval_violation(component, active, attacker, skip, protection, found)
            lower, upper = _direction_margins(directions, component.nonnegative, truth)
        else:
            lower, upper, short = bounds
            if margins:
                ids = np.array(component.target_ids, dtype=np.intp)[chosen]
                wanted = np.isin(ids, np.fromiter(margins, dtype=np.intp, count=len(margins)))
                short = np.union1d(short, np.flatnonzero(wanted))
            if short.size:
                directions = shared.scaled.residual_without(known, chosen[short])
                assert directions is not None
                lower[short], upper[short] = _direction_margins(
                    directions, component.nonnegative, truth[short]
                )
        free = component.owner_of != attacker

        def problem() -> tuple[_Bounds, FloatArray]:
            rows = component.matrix[active][:, free]
            return _Bounds(rows, component.values[free], component.nonnegative[free]), part[:, free]

        return self._settle(component, active, attacker, chosen, problem, (lower, upper), protection, found)

    def _span_violation(
        self, component: _Component, active: npt.NDArray[np.intp], attacker: int, skip: frozenset[int]
    ) -> Violation | None:
        free = component.owner_of != attacker
        chosen, matrix = _targets(component, free, skip)
        rows = component.matrix[active][:, free]
        if not chosen.size or rows.shape[0] == 0:
            return None
        basis = row_basis(rows)
        residual = matrix - (matrix @ basis.T) @ basis
        determined = np.linalg.norm(residual, axis=1) <= SPAN_TOLERANCE * np.linalg.norm(matrix, axis=1)
        if not determined.any():
            return None
        k = int(np.argmax(determined))
        norms = np.linalg.norm(rows, axis=1)
        scaled = rows / np.where(norms > 0, norms, 1.0)[:, np.newaxis]
        weights = np.linalg.lstsq(scaled.T, matrix[k], rcond=None)[0]
        used = np.abs(weights) > 1e-9 * max(float(np.abs(weights).max()), 1e-300)
        return Violation(
            target=component.target_ids[int(chosen[k])],
            attacker=None if attacker < 0 else component.owners[attacker],
            test="span",
            rows=tuple(component.row_ids[int(i)] for i in active[used]),
            margins=Margins(0.0, 0.0),
        )

    def _interval_violation(
        self,
        component: _Component,
        active: npt.NDArray[np.intp],
        attacker: int,
        skip: frozenset[int],
        protection: float,
        found: tuple[FloatArray, FloatArray, npt.NDArray[np.bool_]],
    ) -> Violation | None:
        """The first target this attacker bounds too closely; the narrowest margins go into `found`
        (lower, upper, checked, by the component's targets)."""
        free = component.owner_of != attacker
        chosen, matrix = _targets(component, free, skip)
        if not chosen.size:
            return None
        problem = _Bounds(
            component.matrix[active][:, free], component.values[free], component.nonnegative[free]
        )
        certified = problem.certified(matrix)
        return self._settle(
            component, active, attacker, chosen, lambda: (problem, matrix), certified, protection, found
        )

    def _settle(
        self,
        component: _Component,
        active: IndexArray,
        attacker: int,
        chosen: IndexArray,
        problem: Callable[[], tuple[_Bounds, FloatArray]],
        certified: tuple[FloatArray, FloatArray],
        protection: float,
        found: tuple[FloatArray, FloatArray, npt.NDArray[np.bool_]],
    ) -> Violation | None:
        """The chosen targets' certified margins, settled by linear programmes where they fall short
        of the protection: the first target bounded too closely, or None and the narrowest margins
        into `found`. `problem` gives the attacker's view and the targets over its unknowns."""
        lower, upper = certified
        view: tuple[_Bounds, FloatArray] | None = None
        published = np.zeros(component.matrix.shape[0], dtype=np.bool_)
        published[active] = True
        try:
            for k in np.flatnonzero((lower < protection) | (upper < protection)):
                key = (component.index, attacker, protection, component.target_ids[int(chosen[k])])
                # Sides known to hold without a programme: None (in `first_mode` only).
                known = {False: _finite(lower[k]), True: _finite(upper[k])}
                if self._first_mode:
                    if key in self._safe_targets and not (published & ~self._safe_targets[key]).any():
                        continue  # bounded widely enough with these rows published or more
                    for side in (False, True):
                        if self._still_extreme(
                            component, attacker, published, self._extremes.get((*key, side))
                        ):
                            known[side] = None
                    if all(side is None or side >= protection for side in known.values()):
                        continue
                view = view or problem()
                exact, used = view[0].margins(view[1][k], Margins(known[False], known[True]), protection)
                lower[k] = np.inf if exact.lower is None else exact.lower
                upper[k] = np.inf if exact.upper is None else exact.upper
                if exact.hold(protection):
                    before = self._safe_targets.get(key)
                    if before is None or not (before & ~published).any():
                        self._safe_targets[key] = published
                    for side, extreme in view[0].extremes.items():
                        if (exact.upper if side else exact.lower) is not None:
                            self._extremes[(*key, side)] = (published, extreme)
                else:
                    return Violation(
                        target=component.target_ids[int(chosen[k])],
                        attacker=None if attacker < 0 else component.owners[attacker],
                        test="interval",
                        rows=tuple(component.row_ids[int(active[i])] for i in used),
                        margins=exact,
                    )
        finally:
            self.counts.programmes += 0 if view is None else view[0].programmes
        low, high, checked = found
        low[chosen] = np.minimum(low[chosen], lower)
        high[chosen] = np.minimum(high[chosen], upper)
        checked[chosen] = True
        return None


EXTREME_TOLERANCE = 1e-7
"""How closely an optimal point of an earlier linear programme must meet the rows published since,
as a share of their terms (the solver's own feasibility tolerance)."""


def _skipped(component: _Component, skip: frozenset[int]) -> tuple[int, ...]:
    return tuple(t for t in component.target_ids if t in skip) if skip else ()


def _chosen(component: _Component, known: IndexArray, skip: frozenset[int]) -> IndexArray:
    """`_targets`' choice, by counting: the targets with a nonzero outside the attacker's unknowns."""
    outside = component.nonzeros - (component.targets[:, known] != 0).sum(axis=1)
    wanted = outside > 0
    if skip:
        ids = np.array(component.target_ids, dtype=np.intp)
        wanted &= ~np.isin(ids, np.fromiter(skip, dtype=np.intp, count=len(skip)))
    return np.flatnonzero(wanted)


def _finite(value: float) -> float | None:
    return None if not np.isfinite(value) else float(value)


def _targets(
    component: _Component, free: npt.NDArray[np.bool_], skip: frozenset[int]
) -> tuple[npt.NDArray[np.intp], FloatArray]:
    """The targets an attacker could learn something about (a part outside its own), restricted to
    the unknowns it does not know."""
    matrix = component.targets[:, free]
    wanted = np.abs(matrix).sum(axis=1) > 0
    if skip:
        ids = np.array(component.target_ids, dtype=np.intp)
        wanted &= ~np.isin(ids, np.fromiter(skip, dtype=np.intp, count=len(skip)))
    chosen = np.flatnonzero(wanted)
    return chosen, matrix[chosen]


class _Bounds:
    """An attacker's view: published rows A over the unknowns it does not know, their true values x
    (scaled) and which of them are known to be non-negative."""

    def __init__(self, rows: FloatArray, values: FloatArray, nonnegative: npt.NDArray[np.bool_]) -> None:
        norms = np.linalg.norm(rows, axis=1)
        self.rows = rows[norms > 0] / norms[norms > 0, np.newaxis]
        self.row_index = np.flatnonzero(norms > 0)
        self.values = values
        self.nonnegative = nonnegative
        self.right = self.rows @ values
        self.programmes = 0
        self.extremes: dict[bool, FloatArray] = {}
        """The optimal points of the last `margins` call's programmes, by side (True: upper)."""

    def certified(self, targets: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Margins proven by moving along d = W v, v the part of W t outside the row space of A W
        (W = diag(x) on non-negative unknowns): A d = 0, t . d = |v|^2, and x + s d stays
        non-negative for s up to 1 / max(-v_i), so the target reaches t . x + s |v|^2. Returns the
        lower and upper margins (inf: unbounded; 0 where nothing is proven)."""
        weights = np.where(self.nonnegative, self.values, max(float(np.abs(self.values).max()), 1.0))
        basis = row_basis(self.rows * weights)
        scaled = targets * weights
        v = scaled - (scaled @ basis.T) @ basis
        return _direction_margins(v, self.nonnegative, np.abs(targets @ self.values))

    def margins(self, target: FloatArray, certified: Margins, protection: float) -> tuple[Margins, list[int]]:
        """The target's margins: the certified ones where they suffice, else a linear programme for
        the side that needs it; and the rows the narrowest programme leaned on."""
        truth = float(target @ self.values)
        size = abs(truth)
        lower, upper = certified.lower, certified.upper
        used: list[int] = []
        self.extremes = {}
        if size <= 1e-12:
            low, _ = self._bound(target, maximize=False)
            high, _ = self._bound(target, maximize=True)
            pinned = low is not None and high is not None and high - low <= 1e-9
            return (Margins(0.0, 0.0) if pinned else Margins(None, None)), []
        if lower is not None and lower < protection:
            bound, used = self._bound(target, maximize=False)
            lower = None if bound is None else max(truth - bound, 0.0) / size
            if bound is not None:
                self.extremes[False] = self._point
        if upper is not None and upper < protection:
            bound, duals = self._bound(target, maximize=True)
            upper = None if bound is None else max(bound - truth, 0.0) / size
            if bound is not None:
                self.extremes[True] = self._point
            if upper is not None and (lower is None or upper < lower):
                used = duals
        return Margins(lower, upper), used

    def _bound(self, target: FloatArray, *, maximize: bool) -> tuple[float | None, list[int]]:
        """min or max of target . y over y >= 0 (where known) with A y = A x; None when unbounded."""
        self.programmes += 1
        bounds = [(0.0, None) if nonnegative else (None, None) for nonnegative in self.nonnegative]
        has_rows = self.rows.shape[0] > 0
        result = linprog(
            -target if maximize else target,
            A_eq=self.rows if has_rows else None,
            b_eq=self.right if has_rows else None,
            bounds=bounds,
            method="highs",
        )
        if result.status == 3:
            return None, []
        if result.status != 0:
            raise AuditError(f"linear programme failed: {result.message}")
        self._point = np.asarray(result.x)
        duals = np.asarray(result.eqlin.marginals) if has_rows else np.zeros(0)
        largest = float(np.abs(duals).max()) if duals.size else 0.0
        used = (
            [int(self.row_index[i]) for i in np.flatnonzero(np.abs(duals) > 1e-7 * largest)]
            if largest
            else []
        )
        return (-result.fun if maximize else result.fun), used


def _bounded_margins(
    shared: _Round, known: IndexArray, chosen: IndexArray, truth: FloatArray, protection: float
) -> tuple[FloatArray, FloatArray, IndexArray] | None:
    """Lower bounds of the certified margins, without forming a direction: the insider's direction
    v is the outsider's r less a vector of norm sqrt(taken) (projection.residual_norms), so
    |v|^2 = |r|^2 - taken exactly and no entry of v moves by more than sqrt(taken). Also the
    positions where the bounds fall short of the protection (there the caller forms v). None when
    the update is ill-conditioned."""
    norms = shared.scaled.residual_norms(known, chosen)
    if norms is None:
        return None
    left, taken = norms
    whole = shared.scaled.left[chosen]
    gain = np.where(left > GRAM_ERROR * (whole + taken), left, 0.0)
    move = np.sqrt(taken)
    shrinking = shared.shrinking[chosen] + move
    growing = shared.growing[chosen] + move
    size = np.where(truth > 1e-12, truth, 1.0)
    upper = np.where(shrinking > 0, gain / np.where(shrinking > 0, shrinking, 1.0), np.inf) / size
    lower = np.where(growing > 0, gain / np.where(growing > 0, growing, 1.0), np.inf) / size
    clear = (
        (truth > 1e-12) & (gain > 0) & (lower >= protection * (1 + 1e-9)) & (upper >= protection * (1 + 1e-9))
    )
    return lower, upper, np.flatnonzero(~clear)


def _direction_margins(
    v: FloatArray, nonnegative: npt.NDArray[np.bool_], known: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """The margins `_Bounds.certified` proves from the directions v (one a row) and the targets'
    true values |t . x|."""
    gain = (v * v).sum(axis=1)
    limited = np.where(nonnegative, v, 0.0)
    shrinking = (-limited).max(axis=1, initial=0.0)
    growing = limited.max(axis=1, initial=0.0)
    up = np.where(shrinking > 0, gain / np.where(shrinking > 0, shrinking, 1.0), np.inf)
    down = np.where(growing > 0, gain / np.where(growing > 0, growing, 1.0), np.inf)
    degenerate = (known <= 1e-12) | (gain <= 1e-24)
    size = np.where(degenerate, 1.0, known)
    lower = np.where(degenerate, 0.0, down / size)
    upper = np.where(degenerate, 0.0, up / size)
    return lower, upper
