"""The one interpretation of a cell: numbers, dates, periods, codes by name in any language, units."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from apps.standards.models import StandardVersion
from apps.standards.values import interpreter_for, parse_number, parse_period
from apps.submissions.messages import check_problem, message


@pytest.fixture
def tomato(standards: Any) -> dict[str, Any]:
    version = StandardVersion.objects.get(standard__code="tomato-paste.exports", version="1.0.0")
    return {field.name: interpreter_for(field, version.frequency) for field in version.fields.all()}


@pytest.mark.parametrize(
    ("name", "raw", "value"),
    [
        ("quantity", "1 234,5", Decimal("1234.5")),
        ("quantity", "1\u00a0234,5", Decimal("1234.5")),
        ("quantity", "1,234.5", Decimal("1234.5")),
        ("quantity", "1.234,5", Decimal("1234.5")),
        ("quantity", "1500 kg", Decimal("1.5")),
        ("quantity", 42, Decimal("42")),
        ("period", "2026-09", "2026-09"),
        ("period", "09.2026", "2026-09"),
        ("period", "Sep 2026", "2026-09"),
        ("period", "сентябрь 2026", "2026-09"),
        ("period", "қыркүйек 2026", "2026-09"),
        ("period", "2026年9月", "2026-09"),
        ("period", dt.datetime(2026, 9, 1), "2026-09"),
        ("product", "hot-break-28-30", "hot-break-28-30"),
        ("product", "HOT BREAK 28–30 °Bx", "hot-break-28-30"),
        ("product", "冷破 36–38 °Bx", "cold-break-36-38"),
        ("product", "Холодное дробление 30–32 °Bx", "cold-break-30-32"),
        ("destination_country", "KZ", "KZ"),
        ("destination_country", "Kazakhstan", "KZ"),
        ("destination_country", "Казахстан", "KZ"),
        ("destination_country", "哈萨克斯坦", "KZ"),
        ("destination_country", "Qozogʻiston", "KZ"),
        ("destination_country", "Кыргызстан", "KG"),
        ("border_crossing", "Қорғас", "khorgos"),
        ("border_crossing", "霍尔果斯", "khorgos"),
        ("currency", "usd", "USD"),
        ("currency", "тенге", "KZT"),
        ("hs_code", "2002.90", "200290"),
        ("hs_code", "2002.90.31", "200290"),
        ("hs_code", "", "200290"),
        ("payment_terms", "30", 30),
    ],
)
def test_cells_people_write_are_understood(tomato: dict[str, Any], name: str, raw: Any, value: Any) -> None:
    result = tomato[name](raw)
    assert result.problem is None, result.problem
    assert result.value == value


@pytest.mark.parametrize(
    ("name", "raw", "code"),
    [
        ("quantity", "", "required"),
        ("quantity", "lots", "not_a_number"),
        ("quantity", "-1", "below_minimum"),
        ("quantity", "90000", "above_maximum"),
        ("quantity", "5 ha", "wrong_unit"),
        ("period", "2026-13", "not_a_period"),
        ("period", "Q3 2026", "not_a_period"),
        ("product", "ketchup", "not_allowed"),
        ("destination_country", "Atlantis", "unknown_country"),
        ("currency", "doubloons", "unknown_currency"),
        ("hs_code", "9999", "unknown_hs_code"),
        ("hs_code", "200291", "unknown_hs_code"),
        ("payment_terms", "30,5", "not_an_integer"),
        ("unit_price", "500", "derived"),
    ],
)
def test_problems_are_named_and_explained(tomato: dict[str, Any], name: str, raw: Any, code: str) -> None:
    result = tomato[name](raw)
    assert result.value is None
    assert result.problem is not None and result.problem.code == code
    check_problem(result.problem.code, result.problem.params)
    assert message(result.problem.code, result.problem.params)


def test_problems_read_in_the_readers_language(tomato: dict[str, Any]) -> None:
    problem = tomato["quantity"]("lots").problem
    with translation.override("en"):
        english = message(problem.code, problem.params)
    with translation.override("ru"):
        russian = message(problem.code, problem.params)
    assert "lots" in english and "lots" in russian and english != russian


def test_the_files_convention_settles_ambiguous_numbers(tomato: dict[str, Any]) -> None:
    assert tomato["quantity"]("1,234").value == Decimal("1234")
    assert tomato["quantity"]("1,234", decimal_comma=True).value == Decimal("1.234")
    assert tomato["quantity"]("1.234", decimal_comma=True).value == Decimal("1234")
    assert tomato["quantity"]("12,5").value == Decimal("12.5")


def test_a_stated_unit_is_converted(tomato: dict[str, Any]) -> None:
    assert tomato["quantity"]("2500", unit="kg").value == Decimal("2.5")


def _grouped(digits: str, separator: str) -> str:
    groups = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    return separator.join([digits, *groups])


@given(
    whole=st.integers(min_value=0, max_value=10**12),
    fraction=st.integers(min_value=0, max_value=99),
    style=st.sampled_from(["plain", "en", "ru", "de", "space-dot"]),
)
def test_numbers_round_trip_in_every_regional_style(whole: int, fraction: int, style: str) -> None:
    expected = Decimal(f"{whole}.{fraction:02d}")
    digits = str(whole)
    text = {
        "plain": f"{digits}.{fraction:02d}",
        "en": f"{_grouped(digits, ',')}.{fraction:02d}",
        "ru": f"{_grouped(digits, chr(0xA0))},{fraction:02d}",
        "de": f"{_grouped(digits, '.')},{fraction:02d}",
        "space-dot": f"{_grouped(digits, ' ')}.{fraction:02d}",
    }[style]
    assert parse_number(text) == expected


@given(year=st.integers(min_value=1990, max_value=2100), month=st.integers(min_value=1, max_value=12))
def test_periods_round_trip_in_every_written_form(year: int, month: int) -> None:
    expected = f"{year:04d}-{month:02d}"
    for text in (
        expected,
        f"{month:02d}.{year}",
        f"{month}.{year}",
        f"{year}/{month:02d}",
        f"{year}年{month}月",
    ):
        assert parse_period(text, "month") == expected
