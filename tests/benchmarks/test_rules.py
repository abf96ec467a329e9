"""Every primary rule at its boundary, as a steward reads the run: statuses, reasons, evidence."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import numpy as np
import pytest

from apps.benchmarks.codes import Aggregation, MeasureClass, PublicReason, Rule, Statistic, Status
from apps.benchmarks.inputs import Amount, Firm, InputError
from apps.benchmarks.marking import public_figure, steward_figure
from tests.benchmarks.builders import MONTH, amounts, firms, ratio_cell, run, statuses, sum_cell

S = Statistic


def _spread(n: int) -> dict[str, float]:
    """n firms with close, distinct amounts (no one near 25%)."""
    return {f"f{i}": 100.0 + 7 * i for i in range(n)}


def test_four_contributors_are_too_few_and_five_are_enough() -> None:
    four = run([sum_cell("c", _spread(4))], firms(4), amounts("quantity_t", _spread(4)))
    assert set(statuses(four, "c").values()) == {Status.SUPPRESSED}
    median = four.decision("c", S.MEDIAN)
    assert median.reason is PublicReason.TOO_FEW_FIRMS and median.n_firms == "<5" and median.value is None
    assert median.evidence.rule is Rule.THRESHOLD and median.evidence.n_contributors == 4

    five = run([sum_cell("c", _spread(5))], firms(5), amounts("quantity_t", _spread(5)))
    median = five.decision("c", S.MEDIAN)
    assert median.status is Status.PUBLISHED and median.n_firms == 5
    assert median.value == float(np.mean(sorted(_spread(5).values())[:4]))


def test_firms_of_one_enterprise_group_count_as_one_contributor() -> None:
    """Five firms, two under one owner: four contributors, too few."""
    owned = firms(5, groups={"f3": "holding", "f4": "holding"})
    outcome = run([sum_cell("c", _spread(5))], owned, amounts("quantity_t", _spread(5)))
    assert outcome.decision("c", S.MEDIAN).reason is PublicReason.TOO_FEW_FIRMS
    assert outcome.decision("c", S.MEDIAN).evidence.n_contributors == 4


def test_an_enterprise_groups_firms_are_added_before_the_dominance_cap() -> None:
    """Nine firms at 10 and two at 14 (12% each); one owner of the two holds 24%... and 28% once a
    third 14 joins it; its amounts are summed, so the cap sees 28% and the mean is confidential."""
    values = {f"f{i}": 10.0 for i in range(8)} | {"f8": 14.0, "f9": 14.0}
    separate = run([sum_cell("c", values)], firms(10), amounts("quantity_t", values))
    assert separate.decision("c", S.MEAN).status is Status.PUBLISHED
    owned = firms(10, groups={"f8": "holding", "f9": "holding"})
    merged = run([sum_cell("c", values)], owned, amounts("quantity_t", values))
    mean = merged.decision("c", S.MEAN)
    assert mean.reason is PublicReason.CONFIDENTIAL and mean.evidence.rule is Rule.DOMINANCE
    assert mean.evidence.n_contributors == 9 and mean.evidence.top_share == Decimal("0.30")


def _with_top(top: float) -> dict[str, float]:
    """Eight contributors totalling 100, the largest at `top`."""
    rest = 100.0 - top
    return {
        "f0": top,
        "f1": 15.0,
        "f2": 12.0,
        "f3": 12.0,
        "f4": 12.0,
        "f5": 12.0,
        "f6": 6.0,
        "f7": rest - 69.0,
    }


def test_a_top_share_of_exactly_25_percent_passes_the_cap() -> None:
    outcome = run([sum_cell("c", _with_top(25.0))], firms(8), amounts("quantity_t", _with_top(25.0)))
    mean = outcome.decision("c", S.MEAN)
    assert mean.status is Status.PUBLISHED and mean.value == 12.5
    assert mean.evidence.top_share == Decimal("0.25")


def test_a_top_share_of_25_1_percent_makes_the_mean_confidential_but_not_the_median() -> None:
    values = _with_top(25.1)
    assert sum(values.values()) == pytest.approx(100.0)
    outcome = run([sum_cell("c", values)], firms(8), amounts("quantity_t", values))
    mean = outcome.decision("c", S.MEAN)
    assert mean.status is Status.SUPPRESSED and mean.reason is PublicReason.CONFIDENTIAL
    assert mean.evidence.rule is Rule.DOMINANCE and mean.evidence.top_share == Decimal("0.3")
    # The median is an unweighted window of four: no firm weighs more than 25% of it.
    assert outcome.decision("c", S.MEDIAN).status is Status.PUBLISHED


def _brix(rest: float) -> list[Amount]:
    """Brix weighted by quantity, eight contributors: weights 100, 50 and six sharing `rest`."""
    weights = {"f0": 100.0, "f1": 50.0} | {f"f{i}": rest / 6 for i in range(2, 8)}
    brix = {"f0": 28.0, "f1": 30.0} | {f"f{i}": 29.0 + i for i in range(2, 8)}
    return amounts("quantity_t", weights) + amounts("brix_x_t", {f: weights[f] * brix[f] for f in weights})


BRIX = ratio_cell(
    "brix",
    [f"f{i}" for i in range(8)],
    quantity="brix_x_t",
    per="quantity_t",
    aggregation=Aggregation.WEIGHTED_MEAN,
    measure_class=MeasureClass.QUALITY,
)


def test_the_p_percent_rule_passes_at_the_bound_and_fails_below_it() -> None:
    """p = 15 on the weights: the runner-up must stay 15% of the largest away, T - x1 - x2 >= 0.15 x1."""
    mean = run([BRIX], firms(8), _brix(15.0)).decision("brix", S.MEAN)
    assert mean.status is Status.PUBLISHED and mean.evidence.p_margin == Decimal("0.15")
    mean = run([BRIX], firms(8), _brix(14.9)).decision("brix", S.MEAN)
    assert mean.status is Status.SUPPRESSED and mean.reason is PublicReason.CONFIDENTIAL
    assert mean.evidence.rule is Rule.P_PERCENT and mean.evidence.p_margin == Decimal("0.1")


def test_a_median_can_use_up_the_p_percent_margin_of_a_sum() -> None:
    """A sum at the p% bound with its median: the median's window gives four small contributors away,
    so the runner-up would bound the largest within 5%; the audit withholds the mean."""
    values = {"f0": 100.0, "f1": 50.0} | {f"f{i}": 2.5 for i in range(2, 8)}
    cell = sum_cell("q", values, quantity="defects", measure_class=MeasureClass.QUALITY)
    outcome = run([cell], firms(8), amounts("defects", values))
    mean = outcome.decision("q", S.MEAN)
    assert mean.reason is PublicReason.CONFIDENTIAL and mean.evidence.rule is Rule.AUDIT_EXTRA_PRIMARY
    assert mean.evidence.attacker == "insider" and mean.evidence.attack == "interval"
    assert outcome.decision("q", S.MEDIAN).status is Status.PUBLISHED


def test_the_quality_class_has_no_dominance_cap() -> None:
    """A quality figure with a 40% contributor passes when the runner-up stays far enough away."""
    values = {"f0": 40.0} | {f"f{i}": 60.0 / 7 for i in range(1, 8)}
    outcome = run(
        [sum_cell("q", values, quantity="defects", measure_class=MeasureClass.QUALITY)],
        firms(8),
        amounts("defects", values),
    )
    assert outcome.decision("q", S.MEAN).status is Status.PUBLISHED


@pytest.mark.parametrize(
    ("statistic", "needs"),
    [(S.MEDIAN, 5), (S.MEAN, 8), (S.P25, 12), (S.P75, 12), (S.P10, 20), (S.P90, 20)],
)
def test_each_statistic_is_published_from_its_minimum_and_not_one_firm_before(
    statistic: Statistic, needs: int
) -> None:
    short = run(
        [sum_cell("c", _spread(needs - 1))], firms(needs - 1), amounts("quantity_t", _spread(needs - 1))
    )
    withheld = short.decision("c", statistic)
    if needs - 1 >= 5:
        assert withheld.reason is PublicReason.STATISTIC_NEEDS_MORE_FIRMS
        assert withheld.evidence.rule is Rule.STATISTIC_MIN_N and withheld.evidence.minimum_firms == needs
    else:
        assert withheld.reason is PublicReason.TOO_FEW_FIRMS
    enough = run([sum_cell("c", _spread(needs))], firms(needs), amounts("quantity_t", _spread(needs)))
    assert enough.decision("c", statistic).status is Status.PUBLISHED


def test_a_cell_without_contributors_has_no_data() -> None:
    outcome = run([sum_cell("empty", ["f0", "f1"])], firms(2), [])
    assert set(statuses(outcome, "empty").values()) == {Status.NO_DATA}
    assert outcome.decision("empty", S.MEDIAN).n_firms == 0
    assert outcome.decision("empty", S.MEDIAN).reason is None


def test_a_zero_total_is_confidential_since_it_gives_every_amount_away() -> None:
    values = {f"f{i}": 0.0 for i in range(8)}
    outcome = run([sum_cell("c", values)], firms(8), amounts("quantity_t", values))
    assert outcome.decision("c", S.MEAN).evidence.rule is Rule.DOMINANCE


MARCH = date(2026, 3, 31)


@pytest.mark.parametrize(
    ("today", "status"),
    [(date(2026, 6, 30), Status.EMBARGOED), (date(2026, 7, 1), Status.PUBLISHED)],
)
def test_a_price_is_embargoed_until_three_months_after_its_period(today: date, status: Status) -> None:
    values = _spread(8)
    cell = sum_cell("c", values, measure_class=MeasureClass.PRICE_COST, period_end=MARCH)
    decision = run([cell], firms(8), amounts("quantity_t", values), today=today).decision("c", S.MEDIAN)
    assert decision.status is status
    if status is Status.EMBARGOED:
        assert decision.value is None and decision.n_firms is None
        assert decision.reason is PublicReason.EMBARGOED and decision.available_from == date(2026, 7, 1)
        assert decision.evidence.rule is Rule.LAG and decision.evidence.after_embargo == (
            Status.PUBLISHED,
            None,
        )
    else:
        assert decision.value is not None and decision.available_from is None


def test_a_quality_figure_has_no_lag_but_waits_for_its_period_to_end() -> None:
    values = _spread(8)
    cell = sum_cell("q", values, quantity="defects", measure_class=MeasureClass.QUALITY, period_end=MARCH)
    data = amounts("defects", values)
    assert (
        run([cell], firms(8), data, today=date(2026, 3, 31)).decision("q", S.MEDIAN).status
        is Status.EMBARGOED
    )
    assert (
        run([cell], firms(8), data, today=date(2026, 4, 1)).decision("q", S.MEDIAN).status is Status.PUBLISHED
    )


def test_the_lag_keeps_the_day_within_the_month() -> None:
    """A period ending 30 January is free one day later, three months on: 31 April is 30 April."""
    values = _spread(8)
    cell = sum_cell("c", values, period_end=date(2026, 1, 30))
    outcome = run([cell], firms(8), amounts("quantity_t", values), today=date(2026, 4, 29))
    assert outcome.decision("c", S.MEDIAN).available_from == date(2026, 4, 30)


def test_a_figure_is_rounded_to_the_measures_precision() -> None:
    values = _spread(8)
    outcome = run([sum_cell("c", values, rounding=Decimal("5"))], firms(8), amounts("quantity_t", values))
    assert outcome.decision("c", S.MEAN).value == 125.0  # 124.5 to the nearest 5
    assert outcome.decision("c", S.MEDIAN).value == 125.0  # 124.5


def test_the_public_figure_shows_no_rule_and_no_evidence() -> None:
    values = _with_top(30.0)
    decision = run([sum_cell("c", values)], firms(8), amounts("quantity_t", values)).decision("c", S.MEAN)
    shown = public_figure(decision)
    assert shown == {
        "cell": "c",
        "statistic": "mean",
        "status": "suppressed",
        "value": None,
        "n_firms": 8,
        "reason": "confidential",
        "available_from": None,
        "sdmx": {"OBS_STATUS": "Q", "CONF_STATUS": "C"},
    }
    assert steward_figure(decision)["evidence"]["rule"] == "DOMINANCE"


def test_a_ratio_needs_its_denominator() -> None:
    with pytest.raises(InputError):
        run(
            [ratio_cell("p", ["f0"])],
            [Firm("f0", "g0")],
            [Amount("f0", "value_usd", MONTH, 10.0), Amount("f0", "quantity_t", MONTH, 0.0)],
        )
