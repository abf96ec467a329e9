"""Whole columns at once give the interpreter's answer for every cell (values.interpret_column).

The column path reads plain numbers itself, with the same unit factor, integer rule and limits as the
interpreter; these tests hold the two paths to the same answers on the forms people write.
"""

from __future__ import annotations

from typing import Any

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from apps.standards.models import Field
from apps.standards.values import interpret_column, interpreter_for, stored_value


def _field(**kwargs: Any) -> Field:
    base = {"name": "quantity", "type": "decimal", "role": "measure", "unit": "t", "accepted_units": ["kg"]}
    return Field(**(base | kwargs))


FIELDS = {
    "decimal": _field(constraints={"minimum": 0, "maximum": 1_000_000}),
    "integer": _field(type="integer", unit="day", accepted_units=[], constraints={"minimum": 0}),
    "required": _field(required=True, constraints={}),
    "defaulted": _field(default="7", constraints={"maximum": 100}),
    "enum": _field(
        name="mode",
        type="enum",
        role="dimension",
        unit="",
        accepted_units=[],
        constraints={"enum": ["road", "rail"]},
        enum_labels={"road": {"ru": "Автомобильный"}},
    ),
}

number = st.one_of(
    st.integers(min_value=-(10**9), max_value=10**12).map(str),
    st.decimals(min_value=-1000, max_value=10**9, places=3, allow_nan=False).map(str),
    st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False).map(lambda d: f"{d:,}"),
    st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False).map(
        lambda d: f"{d:,}".replace(",", " ").replace(".", ",")
    ),
    st.integers(min_value=0, max_value=10**6).map(lambda n: f"{n},{n % 1000:03d}"),
    st.integers(min_value=0, max_value=10**6).map(lambda n: f"{n}.{n % 1000:03d}"),
    st.integers(min_value=0, max_value=5000).map(lambda n: f"{n} kg"),
    st.integers(min_value=0, max_value=100).map(lambda n: f"{n}%"),
    st.sampled_from(["", "много", "1e5", "+5", "-0", "0,5", "1.5.5", "road", "Автомобильный", "Rail"]),
)


@settings(max_examples=300, deadline=None)
@given(
    cells=st.lists(number, min_size=1, max_size=30),
    kind=st.sampled_from(sorted(FIELDS)),
    unit=st.sampled_from([None, "t", "kg", "furlong"]),
    decimal_comma=st.sampled_from([None, True, False]),
)
def test_a_column_gets_the_interpreters_answer_for_every_cell(
    cells: list[str], kind: str, unit: str | None, decimal_comma: bool | None
) -> None:
    interpreter = interpreter_for(FIELDS[kind], "month")
    values, failed = interpret_column(
        interpreter, pl.Series("c0", cells, dtype=pl.String), unit=unit, decimal_comma=decimal_comma
    )
    numeric = FIELDS[kind].type in ("decimal", "integer")
    for cell, value, bad in zip(cells, values.to_list(), failed.to_list(), strict=True):
        expected = interpreter(cell, unit=unit, decimal_comma=decimal_comma)
        assert bad == (expected.problem is not None), (cell, expected)
        if bad:
            assert value is None
            continue
        wanted = stored_value(expected.value, numeric)
        if numeric and wanted is not None:
            assert value is not None and abs(value - wanted) <= 1e-9 * max(1.0, abs(wanted)), (cell, value)
        else:
            assert value == wanted, cell


def test_a_column_in_a_unit_the_field_does_not_accept_fails_cell_by_cell() -> None:
    interpreter = interpreter_for(FIELDS["decimal"], "month")
    _values, failed = interpret_column(interpreter, pl.Series("c0", ["12", "", "3,5"]), unit="furlong")
    assert failed.to_list() == [True, False, True]
    assert interpreter("12", unit="furlong").problem.code == "wrong_unit"  # type: ignore[union-attr]


def test_kilograms_in_a_tonnes_column_are_converted_on_the_fast_path() -> None:
    interpreter = interpreter_for(FIELDS["decimal"], "month")
    values, failed = interpret_column(interpreter, pl.Series("c0", ["1500", "250.5"]), unit="kg")
    assert values.to_list() == [1.5, 0.2505] and not failed.any()
