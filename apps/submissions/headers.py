"""Matching a file's header row to a standard version's fields (`make_plan`), what the report says about
it (`header_problems`), and scoring rows to find that header below any title rows (`header_scorer`).

Headers are matched by the fields' names, titles and aliases in any of the six languages, ignoring
case, spaces and punctuation; a trailing unit in brackets ("Количество (кг)") is read and used for
conversion.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from apps.standards.models import Field, StandardVersion
from apps.standards.reference import fold
from apps.standards.units import LOCAL_SYMBOLS, SYMBOLS
from apps.standards.values import Interpreter, Result, interpreter_for
from apps.submissions.messages import ReportProblem

UNIT_IN_BRACKETS = re.compile(r"^(.*?)[\s]*[\(\[（]\s*([^\)\]）]{1,20})\s*[\)\]）]\s*$")


def _unit_words() -> dict[str, str]:
    words = {
        fold(unit): unit
        for unit in ("t", "kg", "ha", "m", "day", "hour", "USD", "USD/t", "USD/kg", "percent")
    }
    for unit, text in SYMBOLS.items():
        words.setdefault(fold(text), unit)
    for symbols in LOCAL_SYMBOLS.values():
        for unit, text in symbols.items():
            words.setdefault(fold(text), unit)
    # How people write units in headers beyond the symbols the hub prints: spelled out, plural, or the
    # everyday word (公斤 for kg in Chinese business files, 公吨 for the metric tonne).
    spoken = {
        "t": ["tonnes", "tons", "tonne", "ton", "mt", "тонн", "тонна", "тонны", "тн", "tonna", "公吨"],
        "kg": ["кг", "kilogram", "kilograms", "килограмм", "килограммы", "kilogramm", "公斤"],
        "pieces": ["piece", "шт", "штук", "dona", "个"],
        "USD": ["usd", "долл. сша", "美元", "aqsh dollari"],
    }
    for unit, spellings in spoken.items():
        words.update({fold(spelling): unit for spelling in spellings})
    words[fold("%")] = "percent"
    words.pop("", None)
    return words


UNIT_WORDS = _unit_words()


@dataclass
class Column:
    """A column of the file matched to a field: its position, its header as written, the unit its header
    names, the field's interpreter, and what that interpreter made of each distinct cell so far."""

    index: int
    header: str
    field: Field
    unit: str | None
    interpreter: Interpreter
    cache: dict[Any, Result] = dataclass_field(default_factory=dict)


@dataclass
class Plan:
    """How a file's header maps onto the fields: the matched columns, the headers no field takes, the
    required fields no header names, and the headers that name a field already taken."""

    columns: list[Column]
    unknown: list[str]
    missing: list[Field]
    duplicates: list[tuple[str, Field]]


def _header_index(fields: list[Field]) -> dict[str, Field]:
    index: dict[str, Field] = {}
    for f in fields:
        names = [f.name, *f.titles.values()]
        for aliases in f.aliases.values():
            names += aliases
        for name in names:
            index.setdefault(fold(name), f)
    return index


def _split_unit(header: str) -> tuple[str, str | None]:
    match = UNIT_IN_BRACKETS.match(header)
    if not match:
        return header, None
    return match[1], UNIT_WORDS.get(fold(match[2]), match[2].strip())


def _match_header(header: str, index: dict[str, Field]) -> tuple[Field | None, str | None]:
    if not header:
        return None, None
    found = index.get(fold(header))
    if found is not None:
        return found, None
    label, unit = _split_unit(header)
    return index.get(fold(label)), unit


def header_scorer(fields: list[Field]) -> Callable[[list[Any]], int]:
    """A function that counts the cells of a row that name one of `fields` (the readers' header search)."""
    index = _header_index(fields)

    def score(cells: list[Any]) -> int:
        return sum(
            1 for cell in cells if cell is not None and _match_header(str(cell).strip(), index)[0] is not None
        )

    return score


def make_plan(version: StandardVersion, fields: list[Field], headers: list[str]) -> Plan:
    """Match each header to a field of `fields`; the first header naming a field takes it."""
    index = _header_index(fields)
    columns: list[Column] = []
    unknown: list[str] = []
    duplicates: list[tuple[str, Field]] = []
    taken: dict[str, Column] = {}
    for position, header in enumerate(headers):
        found, unit = _match_header(header, index)
        if found is None:
            if header:
                unknown.append(header)
            continue
        if found.name in taken:
            duplicates.append((header, found))
            continue
        column = Column(position, header, found, unit, interpreter_for(found, version.frequency))
        taken[found.name] = column
        columns.append(column)
    missing = [
        f
        for f in fields
        if f.required and not f.default and f.name not in taken and f.type != Field.Type.PERIOD
    ]
    return Plan(columns, unknown, missing, duplicates)


def header_problems(plan: Plan, *, row: int | None) -> list[ReportProblem]:
    """What the report says about the header (in `row`): a column no field takes (a warning), a field
    named twice, required fields no column names, and a unit a field cannot take (once, not in every
    row)."""
    problems: list[ReportProblem] = []
    for header in plan.unknown:
        problems.append(
            ReportProblem.warning("unknown_column", row=row, column=header, params={"column": header})
        )
    for header, duplicate in plan.duplicates:
        problems.append(
            ReportProblem.error(
                "duplicate_column",
                row=row,
                column=header,
                params={"column": header, "field": duplicate.title},
            )
        )
    if plan.missing:
        names = ", ".join(f.title for f in plan.missing)
        problems.append(ReportProblem.error("missing_columns", row=row, params={"columns": names}))
    for column in plan.columns:
        numeric = column.field.type in (Field.Type.DECIMAL, Field.Type.INTEGER)
        if column.unit and numeric and column.interpreter.factor(column.unit) is None:
            allowed = ", ".join(sorted(column.interpreter.allowed_units))
            problems.append(
                ReportProblem.error(
                    "wrong_unit",
                    row=row,
                    column=column.header,
                    value=column.unit,
                    params={"unit": column.unit, "allowed": allowed},
                )
            )
    return problems
