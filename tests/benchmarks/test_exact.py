"""The exact rational row space the property tests use as their independent judge."""

from __future__ import annotations

from apps.benchmarks.exact import ExactRowSpace, in_row_space


def test_a_difference_of_two_cohorts_is_in_their_span_and_one_member_is_not() -> None:
    cohorts = [{"a": 1, "b": 1, "c": 1}, {"a": 1, "b": 1}]
    assert in_row_space(cohorts, {"c": 1})
    assert not in_row_space(cohorts, {"a": 1})
    assert in_row_space([*cohorts, {"b": 1}], {"a": 1})


def test_there_is_no_tolerance_a_float_ratio_is_taken_exactly() -> None:
    space = ExactRowSpace([{"n": 1, "d": -0.1}])  # numerator - 0.1 x denominator = 0
    assert space.contains({"n": 2, "d": -0.2})  # doubling a float is exact
    assert not space.contains({"n": 10, "d": -1})  # 0.1 is not one tenth in binary
    assert not space.contains({"n": 1})


def test_adding_a_row_already_in_the_span_keeps_the_rank() -> None:
    space = ExactRowSpace([{"x": 1, "y": 2}])
    assert not space.add({"x": 3, "y": 6})
    assert space.rank == 1
