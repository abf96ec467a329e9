"""The red-team suite of reference §6.8: each attack scripted, each blocked, with what a steward
would check: the statuses and reasons, the rule and evidence, and that the best attacker, rebuilt
apart from the engine, neither finds the protected quantity nor bounds it within 10%."""

from __future__ import annotations

import math
from collections.abc import Iterable

from apps.benchmarks.codes import PublicReason, Rule, Statistic, Status
from apps.benchmarks.disclosure import RunOutcome
from apps.benchmarks.exact import ExactRowSpace
from apps.benchmarks.inputs import Amount, Cell, Firm
from apps.benchmarks.policy import DEFAULT_POLICY
from tests.benchmarks.attacker import World, disclosed_exactly, narrowest_margins, published_rows, values_of
from tests.benchmarks.builders import MONTH, amounts, firms, ratio_cell, run, sum_cell

S = Statistic
PROTECTION = float(DEFAULT_POLICY.protection_interval)


def _names(indices: Iterable[int]) -> list[str]:
    return [f"f{i}" for i in indices]


def _close(indices: Iterable[int]) -> dict[str, float]:
    """Amounts close to each other: no cell of five or more is dominated."""
    return {f"f{i}": 100.0 + 7 * i for i in indices}


def _hidden(world: World, outcome: RunOutcome, target: dict[tuple[str, ...], float]) -> tuple[float, float]:
    """Asserts no attacker finds `target` exactly; returns the narrowest margins any attacker gets."""
    rows = published_rows(world, outcome, DEFAULT_POLICY.quantile_window)
    assert disclosed_exactly(world, rows, [("target", target)]) == []
    return narrowest_margins(world, rows, target, values_of(world))


def test_two_cohorts_differing_by_one_firm_do_not_give_that_firm_away() -> None:
    values = _close(range(11))
    cells = [sum_cell("A", _names(range(10))), sum_cell("B", _names(range(11)))]
    outcome = run(cells, firms(11), amounts("quantity_t", values))
    means = [outcome.decision(key, S.MEAN) for key in ("A", "B")]
    assert [m.status for m in means].count(Status.PUBLISHED) == 1
    withdrawn = next(m for m in means if m.status is Status.SUPPRESSED)
    assert withdrawn.cell == "A"  # fewer contributors: the cheaper figure
    assert (
        withdrawn.reason is PublicReason.CONFIDENTIAL and withdrawn.evidence.rule is Rule.AUDIT_EXTRA_PRIMARY
    )
    assert (
        withdrawn.evidence.protects == ("atom in B (quantity_t)",)
        and withdrawn.evidence.attacker == "outsider"
    )
    world = World(firms(11), amounts("quantity_t", values), cells)
    low, high = _hidden(world, outcome, world.total("quantity_t", ["f10"], [MONTH]))
    assert low >= PROTECTION and high >= PROTECTION


def test_a_total_minus_its_published_parts_does_not_give_the_unpublished_part_away() -> None:
    """Sector (18) = hot break (9) + cold break (8) + ketchup (1): ketchup is a single firm."""
    values = _close(range(18))
    hot, cold, ketchup = _names(range(9)), _names(range(9, 17)), ["f17"]
    cells = [
        sum_cell("sector", hot + cold + ketchup),
        sum_cell("hot", hot),
        sum_cell("cold", cold),
        sum_cell("ketchup", ketchup),
    ]
    outcome = run(cells, firms(18), amounts("quantity_t", values))
    assert outcome.decision("ketchup", S.MEAN).reason is PublicReason.TOO_FEW_FIRMS
    assert outcome.decision("sector", S.MEAN).status is Status.PUBLISHED
    cold_mean = outcome.decision("cold", S.MEAN)
    assert cold_mean.reason is PublicReason.CONFIDENTIAL and cold_mean.evidence.rule is Rule.COMPLEMENTARY
    assert cold_mean.evidence.protects == ("ketchup (quantity_t)",)
    margins = outcome.decision("ketchup", S.MEAN).evidence.attacker_margins
    assert margins is not None and all(m is None or m >= PROTECTION for m in margins)
    world = World(firms(18), amounts("quantity_t", values), cells)
    low, high = _hidden(world, outcome, world.total("quantity_t", ketchup, [MONTH]))
    assert low >= PROTECTION and high >= PROTECTION


def test_an_insider_cannot_subtract_itself_from_a_two_firm_remainder() -> None:
    """A cohort of 12 and one of 10 inside it: the remainder is f10 and f11; f10 would learn f11."""
    values = _close(range(12))
    cells = [sum_cell("all", _names(range(12))), sum_cell("most", _names(range(10)))]
    outcome = run(cells, firms(12), amounts("quantity_t", values))
    statuses = {key: outcome.decision(key, S.MEAN).status for key in ("all", "most")}
    assert Status.SUPPRESSED in statuses.values()
    world = World(firms(12), amounts("quantity_t", values), cells)
    low, high = _hidden(world, outcome, world.total("quantity_t", ["f11"], [MONTH]))
    assert low >= PROTECTION and high >= PROTECTION


def test_an_insider_in_one_of_two_cohorts_that_swap_one_firm_learns_nothing() -> None:
    """A + f10 and A + f11: the outsider sees only f10 - f11, but f10 would know f11 exactly."""
    values = _close(range(12))
    cells = [
        sum_cell("with-10", [*_names(range(10)), "f10"]),
        sum_cell("with-11", [*_names(range(10)), "f11"]),
    ]
    outcome = run(cells, firms(12), amounts("quantity_t", values))
    means = [outcome.decision(key, S.MEAN) for key in ("with-10", "with-11")]
    assert [m.status for m in means].count(Status.PUBLISHED) == 1
    withdrawn = next(m for m in means if m.status is Status.SUPPRESSED)
    assert withdrawn.evidence.attacker == "insider" and withdrawn.reason is PublicReason.CONFIDENTIAL
    world = World(firms(12), amounts("quantity_t", values), cells)
    _hidden(world, outcome, world.total("quantity_t", ["f11"], [MONTH]))


FIVE_PRICES = {"f0": 800.0, "f1": 850.0, "f2": 900.0, "f3": 950.0, "f4": 1200.0}


def _priced(prices: dict[str, float]) -> list[Amount]:
    """Equal quantities, so the volume-weighted mean is the plain mean of the prices."""
    return amounts("quantity_t", dict.fromkeys(prices, 10.0)) + amounts(
        "value_usd", {f: 10 * p for f, p in prices.items()}
    )


def test_the_mean_with_quartiles_of_five_prices_is_not_published() -> None:
    """Reference §3.1: with mean 940 and the quartiles, the firm at 800 would compute 1200."""
    cell = ratio_cell("price", FIVE_PRICES)
    outcome = run([cell], firms(5), _priced(FIVE_PRICES))
    for statistic in (S.MEAN, S.P25, S.P75):
        withheld = outcome.decision("price", statistic)
        assert withheld.reason is PublicReason.STATISTIC_NEEDS_MORE_FIRMS and withheld.value is None
    median = outcome.decision("price", S.MEDIAN)
    assert median.status is Status.PUBLISHED and median.value == 875.0
    # Why: window-4 rows over the sorted prices; mean, p25 (0..3), p75 (1..4) and the firm at 800.
    rows = [dict.fromkeys(range(5), 1), dict.fromkeys(range(4), 1), dict.fromkeys(range(1, 5), 1), {0: 1}]
    assert ExactRowSpace(rows).contains({4: 1})
    assert not ExactRowSpace([dict.fromkeys(range(4), 1), {0: 1}]).contains({4: 1})


def test_a_neighbour_of_an_even_n_median_cannot_undo_it() -> None:
    """Six prices: an interpolated median (x2 + x3) / 2 would give x3 to the firm at x2."""
    prices = {f"f{i}": p for i, p in enumerate([800.0, 850.0, 900.0, 960.0, 1000.0, 1100.0])}
    outcome = run([ratio_cell("price", prices)], firms(6), _priced(prices))
    median = outcome.decision("price", S.MEDIAN)
    assert median.status is Status.PUBLISHED and median.value == (850 + 900 + 960 + 1000) / 4
    assert 2 * median.value - 900.0 != 960.0
    assert not ExactRowSpace([dict.fromkeys(range(1, 5), 1), {2: 1}]).contains({3: 1})


def test_a_late_submission_does_not_give_itself_away_through_the_revised_mean() -> None:
    values = _close(range(10))
    first_cells = [sum_cell("cohort", _names(range(9)))]
    first = run(first_cells, firms(10), amounts("quantity_t", {f: v for f, v in values.items() if f != "f9"}))
    assert first.decision("cohort", S.MEAN).status is Status.PUBLISHED
    late = [sum_cell("cohort", _names(range(10)))]
    alone = run(late, firms(10), amounts("quantity_t", values))
    assert alone.decision("cohort", S.MEAN).status is Status.PUBLISHED  # without history it would go out
    revised = run(late, firms(10), amounts("quantity_t", values), earlier=first.published_facts)
    mean = revised.decision("cohort", S.MEAN)
    assert mean.reason is PublicReason.CONFIDENTIAL and mean.evidence.rule is Rule.REVISION_HISTORY
    world = World(firms(10), amounts("quantity_t", values), late)
    rows = [*published_rows(world, revised, 4), world.total("quantity_t", _names(range(9)), [MONTH])]
    assert disclosed_exactly(world, rows, [("late firm", world.total("quantity_t", ["f9"], [MONTH]))]) == []


def test_quarters_and_their_year_do_not_give_a_dominated_quarter_away() -> None:
    quarters = ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
    data = []
    for quarter in quarters:
        values = _close(range(9))
        if quarter == "2026-Q4":
            values["f8"] = 500.0  # 39% of the fourth quarter, 11% of the year
        data += amounts("quantity_t", values, quarter)
    cells = [sum_cell(f"Q{i + 1}", _names(range(9)), slices=[q]) for i, q in enumerate(quarters)]
    cells.append(sum_cell("year", _names(range(9)), slices=quarters))
    outcome = run(cells, firms(9), data)
    fourth = outcome.decision("Q4", S.MEAN)
    assert fourth.reason is PublicReason.CONFIDENTIAL and fourth.evidence.rule is Rule.DOMINANCE
    assert outcome.decision("year", S.MEAN).status is Status.PUBLISHED
    complementary = [d for d in outcome.decisions if d.evidence.rule is Rule.COMPLEMENTARY]
    assert complementary and all(d.evidence.protects == ("Q4 (quantity_t)",) for d in complementary)
    world = World(firms(9), data, cells)
    low, high = _hidden(world, outcome, world.total("quantity_t", _names(range(9)), ["2026-Q4"]))
    assert low >= PROTECTION and high >= PROTECTION


def test_value_and_quantity_published_elsewhere_do_not_give_a_dominated_price_away() -> None:
    """X's value is dominated by f0 (a high price on an ordinary quantity). Value totals of the parent
    and of Y, or their prices with their quantities, would give X's value, and with X's published
    quantity, X's price."""
    x, y = _names(range(9)), _names(range(9, 18))
    quantity = {f"f{i}": 100.0 + 3 * i for i in range(18)}
    price = {f: 10.0 + (0.1 * i) for i, f in enumerate(quantity)} | {"f0": 60.0}
    value = {f: quantity[f] * price[f] for f in quantity}
    data = amounts("quantity_t", quantity) + amounts("value_usd", value)
    cells = []
    for key, members in (("P", x + y), ("X", x), ("Y", y)):
        cells += [
            sum_cell(f"{key} quantity", members),
            sum_cell(f"{key} value", members, quantity="value_usd"),
            ratio_cell(f"{key} price", members),
        ]
    outcome = run(cells, firms(18), data)
    for key in ("X value", "X price"):
        mean = outcome.decision(key, S.MEAN)
        assert mean.reason is PublicReason.CONFIDENTIAL and mean.evidence.rule is Rule.DOMINANCE
    assert outcome.decision("X quantity", S.MEAN).status is Status.PUBLISHED
    world = World(firms(18), data, cells)
    low, high = _hidden(world, outcome, world.total("value_usd", x, [MONTH]))
    assert low >= PROTECTION and high >= PROTECTION


def _sector(ketchup_top: float) -> tuple[list[Cell], list[Firm], list[Amount]]:
    """Sector (15) = hot break (9) + cold break (4) + ketchup (2): cold and ketchup are too few, and
    what the sector and hot break together give away is cold + ketchup (6 firms)."""
    values = _close(range(15)) | {"f14": ketchup_top}
    hot, cold, ketchup = _names(range(9)), _names(range(9, 13)), _names(range(13, 15))
    cells = [
        sum_cell("sector", hot + cold + ketchup),
        sum_cell("hot", hot),
        sum_cell("cold", cold),
        sum_cell("ketchup", ketchup),
    ]
    return cells, firms(15), amounts("quantity_t", values)


def test_an_undominated_union_of_suppressed_siblings_may_be_given_away() -> None:
    outcome = run(*_sector(ketchup_top=198.0))
    assert outcome.decision("sector", S.MEAN).status is Status.PUBLISHED
    assert outcome.decision("hot", S.MEAN).status is Status.PUBLISHED


def test_a_dominated_union_of_suppressed_siblings_costs_the_cheaper_figure() -> None:
    cells, all_firms, data = _sector(ketchup_top=400.0)  # 31% of the union, 16% of the sector
    outcome = run(cells, all_firms, data)
    assert outcome.decision("sector", S.MEAN).status is Status.PUBLISHED
    hot = outcome.decision("hot", S.MEAN)
    assert hot.reason is PublicReason.CONFIDENTIAL and hot.evidence.rule is Rule.AUDIT_EXTRA_PRIMARY
    assert hot.evidence.protects == ("sector minus hot (quantity_t)",)
    world = World(all_firms, data, cells)
    union = world.total("quantity_t", _names(range(9, 15)), [MONTH])
    low, high = _hidden(world, outcome, union)
    assert low >= PROTECTION and high >= PROTECTION
    assert math.isinf(high) or high >= PROTECTION
