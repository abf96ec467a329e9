"""Window-4 quantiles and the static order-statistics audit of reference §3.1."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from apps.benchmarks.codes import Statistic
from apps.benchmarks.quantiles import minimum_firms, window_positions, window_quantile

S = Statistic
MEDIAN = Fraction(1, 2)


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (5, range(0, 4)),
        (6, range(1, 5)),
        (7, range(1, 5)),
        (10, range(3, 7)),
        (11, range(3, 7)),
        (12, range(4, 8)),
    ],
)
def test_median_window_is_the_four_sorted_values_nearest_the_middle(n: int, expected: range) -> None:
    assert window_positions(n, MEDIAN, 4) == expected


def test_even_n_median_window_is_symmetric_and_odd_n_ties_go_to_the_lower_window() -> None:
    # n = 6: h = 2.5, the positions 1..4 lie 1.5, 0.5, 0.5, 1.5 away.
    assert list(window_positions(6, MEDIAN, 4)) == [1, 2, 3, 4]
    # n = 7: h = 3; 1..4 and 2..5 are equally near; the lower one is taken.
    assert list(window_positions(7, MEDIAN, 4)) == [1, 2, 3, 4]


def test_extreme_quantiles_are_clamped_to_the_sample() -> None:
    assert window_positions(20, Fraction(1, 10), 4) == range(0, 4)
    assert window_positions(20, Fraction(9, 10), 4) == range(16, 20)


def test_a_window_needs_as_many_contributors_as_it_averages() -> None:
    with pytest.raises(ValueError):
        window_positions(3, MEDIAN, 4)


def test_the_median_of_five_prices_is_the_mean_of_the_four_nearest_not_one_firms_price() -> None:
    value, positions = window_quantile([800.0, 850.0, 900.0, 950.0, 1200.0], MEDIAN, 4)
    assert value == 875.0 and list(positions) == [0, 1, 2, 3]
    assert value not in (800.0, 850.0, 900.0, 950.0, 1200.0)
    assert value == float(np.mean(np.sort([1200.0, 800.0, 950.0, 850.0, 900.0])[:4]))


QUARTILES = frozenset({S.P25, S.MEDIAN, S.P75})
ALL = frozenset(S)


@pytest.mark.parametrize(
    ("statistics", "outsider", "one_insider", "two_insiders"),
    [
        (frozenset({S.MEDIAN}), 4, 4, 4),
        (frozenset({S.MEAN, S.MEDIAN}), 6, 7, 8),
        (QUARTILES, 4, 8, 8),
        (QUARTILES | {S.MEAN}, 10, 11, 12),
        (frozenset({S.P10, S.MEDIAN, S.P90}), 4, 8, 8),
        (ALL - {S.MEAN}, 4, 14, 14),
        (ALL, 14, 19, 20),
    ],
)
def test_the_static_audit_reproduces_the_reference_table_for_window_4(
    statistics: frozenset[Statistic], outsider: int, one_insider: int, two_insiders: int
) -> None:
    """Reference §3.1, window-4 column (n = 3 is below the window here, so the smallest n is 4)."""
    assert [minimum_firms(statistics, 4, k) for k in (0, 1, 2)] == [outsider, one_insider, two_insiders]
