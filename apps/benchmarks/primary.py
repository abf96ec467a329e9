"""The primary rules: the threshold on contributors, the dominance cap and the p% rule
(reference/disclosure-control.md §2.1). They are decided in exact rational arithmetic on the
contributors' amounts, so a share of exactly 25% passes a 25% cap and 25.1% fails it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from apps.benchmarks.codes import Aggregation, Rule
from apps.benchmarks.inputs import Cell, Contributor
from apps.benchmarks.policy import ClassRules


@dataclass(frozen=True)
class SummedCheck:
    """One summed quantity against the dominance cap or the p% rule. `top_share` is the largest
    contributor's share; `p_margin` is (T - x1 - x2) / x1, how far the runner-up stays from the largest."""

    passes: bool
    rule: Rule | None
    top_share: Fraction | None
    p_margin: Fraction | None


@dataclass(frozen=True)
class CellCheck:
    """The primary rules on one cell: the first rule that fails (None: all pass), the cell's summed
    quantities that fail (all of them under the threshold rule), and the evidence over its quantities."""

    n: int
    rule: Rule | None
    failing: tuple[str, ...]
    top_share: Fraction | None
    p_margin: Fraction | None


def check_summed(parts: Sequence[float], rules: ClassRules) -> SummedCheck:
    """The dominance cap and the p% rule on the contributors' parts of one summed quantity (absolute
    values, so a negative part counts by its size). A zero total fails: it tells everyone every part."""
    values = sorted((abs(Fraction(part)) for part in parts), reverse=True)
    total = sum(values, Fraction(0))
    failing_rule = Rule.DOMINANCE if rules.max_weight_share is not None else Rule.P_PERCENT
    if not values or total == 0:
        return SummedCheck(False, failing_rule, None, None)
    share = values[0] / total
    second = values[1] if len(values) > 1 else Fraction(0)
    margin = (total - values[0] - second) / values[0]
    if rules.max_weight_share is not None and share > Fraction(rules.max_weight_share):
        return SummedCheck(False, Rule.DOMINANCE, share, margin)
    if rules.p_percent is not None and margin < Fraction(rules.p_percent, 100):
        return SummedCheck(False, Rule.P_PERCENT, share, margin)
    return SummedCheck(True, None, share, margin)


def passes_primary(parts: Sequence[float], rules: ClassRules) -> bool:
    """Whether an aggregate of these contributors' parts could be published under `rules`."""
    return len(parts) >= rules.min_contributors and check_summed(parts, rules).passes


def passes_all(parts: Sequence[float], all_rules: Iterable[ClassRules]) -> bool:
    return all(passes_primary(parts, rules) for rules in all_rules)


def summed_parts(cell: Cell, found: Sequence[Contributor]) -> dict[str, list[float]]:
    """The contributors' parts of each summed quantity of the cell: the sum; or numerator and
    denominator (the weighted numerator and the weight) of a ratio or weighted mean."""
    parts = {cell.quantity: [c.numerator for c in found]}
    if cell.aggregation is not Aggregation.SUM and cell.per is not None:
        parts[cell.per] = [c.denominator or 0.0 for c in found]
    return parts


def check_cell(cell: Cell, found: Sequence[Contributor], rules: ClassRules) -> CellCheck:
    """The primary rules on a cell: the threshold on contributors first, then the dominance cap or the
    p% rule on every summed quantity of it (reference §6.4: a weighted mean caps its weights and its
    weighted numerator)."""
    parts = summed_parts(cell, found)
    checks = {quantity: check_summed(values, rules) for quantity, values in parts.items()}
    shares = [c.top_share for c in checks.values() if c.top_share is not None]
    margins = [c.p_margin for c in checks.values() if c.p_margin is not None]
    top_share = max(shares) if shares else None
    p_margin = min(margins) if margins else None
    if len(found) < rules.min_contributors:
        return CellCheck(len(found), Rule.THRESHOLD, tuple(parts), top_share, p_margin)
    failing = tuple(quantity for quantity, check in checks.items() if not check.passes)
    rule = next((checks[q].rule for q in failing), None)
    return CellCheck(len(found), rule, failing, top_share, p_margin)
