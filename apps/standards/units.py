"""The units the standards use, on one pint registry: trade units (t, kg, m, pieces), money (USD and
the currencies values arrive in, as their own dimension: converting between them needs a rate table,
never pint), and the sector's own measures (°Bx, Bostwick cm/30 s, yarn count Ne)."""

from __future__ import annotations

from functools import lru_cache

import pint

EXTRA_DEFINITIONS = [
    "USD = [currency]",
    "piece = [count] = pcs = pieces",
    "pair = 2 * piece",
    "m3 = meter ** 3",
    "brix = [sugar_content] = °Bx = Bx",
    "bostwick_cm = [consistency] = cm_per_30s",
    "Ne = [yarn_count]",
    "mg_per_100g = milligram / (100 * gram)",
]

# How a unit is written on pages and templates: international symbols, with the local ones where
# the language has its own (Russian, Kazakh and Kyrgyz "т", Chinese "吨").
SYMBOLS: dict[str, str] = {
    "Bx": "°Bx",
    "brix": "°Bx",
    "cm_per_30s": "cm/30 s",
    "mg_per_100g": "mg/100 g",
    "m3": "m³",
    "m3/t": "m³/t",
    "percent": "%",
    "pieces": "pcs",
    "day": "d",
    "USD/t": "USD/t",
    "kWh/t": "kWh/t",
    "kWh/kg": "kWh/kg",
}
LOCAL_SYMBOLS: dict[str, dict[str, str]] = {
    "ru": {
        "USD/kg": "USD/кг",
        "t": "т",
        "kg": "кг",
        "ha": "га",
        "t/ha": "т/га",
        "t/day": "т/сут",
        "USD/t": "USD/т",
        "day": "дн.",
        "pieces": "шт.",
        "m": "м",
        "kWh/t": "кВт·ч/т",
        "kWh/kg": "кВт·ч/кг",
        "m3/t": "м³/т",
        "hour": "ч",
    },
    "kk": {
        "USD/kg": "USD/кг",
        "t": "т",
        "kg": "кг",
        "ha": "га",
        "t/ha": "т/га",
        "t/day": "т/тәул",
        "USD/t": "USD/т",
        "day": "күн",
        "pieces": "дана",
        "m": "м",
        "kWh/t": "кВт·сағ/т",
        "kWh/kg": "кВт·сағ/кг",
        "m3/t": "м³/т",
        "hour": "сағ",
    },
    "ky": {
        "USD/kg": "USD/кг",
        "t": "т",
        "kg": "кг",
        "ha": "га",
        "t/ha": "т/га",
        "t/day": "т/сут",
        "USD/t": "USD/т",
        "day": "күн",
        "pieces": "даана",
        "m": "м",
        "kWh/t": "кВт·саат/т",
        "kWh/kg": "кВт·саат/кг",
        "m3/t": "м³/т",
        "hour": "саат",
    },
    "zh-hans": {
        "USD/kg": "美元/千克",
        "t": "吨",
        "kg": "千克",
        "ha": "公顷",
        "t/ha": "吨/公顷",
        "t/day": "吨/天",
        "USD/t": "美元/吨",
        "day": "天",
        "pieces": "件",
        "m": "米",
        "hour": "小时",
    },
    "uz": {"day": "kun", "pieces": "dona", "hour": "soat"},
}


def symbol(unit: str, language: str = "en") -> str:
    """The unit as a person reads it in `language`."""
    return LOCAL_SYMBOLS.get(language, {}).get(unit) or SYMBOLS.get(unit, unit)


@lru_cache(maxsize=1)
def registry() -> pint.UnitRegistry:
    units: pint.UnitRegistry = pint.UnitRegistry(
        autoconvert_offset_to_baseunit=True, on_redefinition="ignore"
    )
    for definition in EXTRA_DEFINITIONS:
        units.define(definition)
    return units


def parse_unit(text: str) -> pint.Unit:
    """A unit from a standard file; raises ValueError with the text when pint cannot read it."""
    try:
        return registry().parse_units(text.replace("%", "percent"))
    except (pint.errors.PintError, AttributeError, TypeError, ValueError, SyntaxError) as error:
        raise ValueError(f"unknown unit {text!r}") from error


def conversion_factor(source: str, target: str) -> float:
    """How many `target` units one `source` unit is; ValueError when they measure different things."""
    source_unit, target_unit = parse_unit(source), parse_unit(target)
    try:
        return float(registry().Quantity(1, source_unit).to(target_unit).magnitude)
    except pint.errors.DimensionalityError as error:
        raise ValueError(f"{source} cannot be converted to {target}") from error
