"""Checking a table against a standard version, row by row, with the standard's own interpreter.

Headers are matched by the fields' names, titles and aliases in any of the six languages, ignoring
case, spaces and punctuation; a trailing unit in brackets ("Количество (кг)") is read and used for
conversion. Every cell goes through apps.standards.values (defined once, next to the standard); a
column's repeated values (countries, products, periods) are interpreted once and remembered.
"""

from __future__ import annotations

import array
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from decimal import Decimal
from hashlib import blake2b
from typing import Any

from django.db.models import QuerySet

from apps.standards.models import ExchangeRate, Field, StandardVersion
from apps.standards.reference import fold
from apps.standards.units import LOCAL_SYMBOLS, SYMBOLS
from apps.standards.values import Interpreter, Result, interpreter_for, parse_number

CACHE_LIMIT = 20000
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
    words.update({fold("%"): "percent", "tonnes": "t", "tons": "t", "tonne": "t", "кг": "kg", "тонн": "t"})
    words.pop("", None)
    return words


UNIT_WORDS = _unit_words()


@dataclass
class Column:
    index: int
    header: str
    field: Field
    unit: str | None
    interpreter: Interpreter
    cache: dict[Any, Result] = dataclass_field(default_factory=dict)


@dataclass
class Plan:
    columns: list[Column]
    unknown: list[str]
    missing: list[Field]
    duplicates: list[tuple[str, Field]]


@dataclass
class Problem:
    severity: str
    row: int | None
    column: str
    value: str
    code: str
    params: dict[str, Any] = dataclass_field(default_factory=dict)


def header_index(fields: list[Field]) -> dict[str, Field]:
    index: dict[str, Field] = {}
    for f in fields:
        names = [f.name, *f.titles.values()]
        for aliases in f.aliases.values():
            names += aliases
        for name in names:
            index.setdefault(fold(name), f)
    return index


def split_unit(header: str) -> tuple[str, str | None]:
    match = UNIT_IN_BRACKETS.match(header)
    if not match:
        return header, None
    return match[1], UNIT_WORDS.get(fold(match[2]), match[2].strip())


def match_header(header: str, index: dict[str, Field]) -> tuple[Field | None, str | None]:
    if not header:
        return None, None
    found = index.get(fold(header))
    if found is not None:
        return found, None
    label, unit = split_unit(header)
    return index.get(fold(label)), unit


def header_scorer(fields: list[Field]) -> Any:
    index = header_index(fields)

    def score(cells: list[Any]) -> int:
        return sum(
            1 for cell in cells if cell is not None and match_header(str(cell).strip(), index)[0] is not None
        )

    return score


def make_plan(version: StandardVersion, fields: list[Field], headers: list[str]) -> Plan:
    index = header_index(fields)
    columns: list[Column] = []
    unknown: list[str] = []
    duplicates: list[tuple[str, Field]] = []
    taken: dict[str, Column] = {}
    for position, header in enumerate(headers):
        found, unit = match_header(header, index)
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


def guess_decimal_comma(rows: list[list[Any]], columns: list[Column]) -> bool | None:
    """Whether the file writes decimals with a comma, judged from its number columns."""
    numeric = [c for c in columns if c.field.type in (Field.Type.DECIMAL, Field.Type.INTEGER)]
    comma = dot = 0
    for cells in rows:
        for column in numeric:
            if column.index >= len(cells) or not isinstance(cells[column.index], str):
                continue
            text = cells[column.index].replace(" ", "").replace("\u00a0", "")
            if re.fullmatch(r"-?\d+,\d{1,2}|-?\d{1,3}(\.\d{3})+,\d+", text):
                comma += 1
            elif re.fullmatch(r"-?\d+\.\d{1,2}|-?\d{1,3}(,\d{3})+\.\d+", text):
                dot += 1
    if comma > dot:
        return True
    if dot > comma:
        return False
    return None


class RateBook:
    """The stewards' exchange rates, looked up once per currency and month."""

    def __init__(self, rates: QuerySet[ExchangeRate] | None = None) -> None:
        self.cache: dict[tuple[str, str], Decimal | None] = {}
        self.rates = rates if rates is not None else ExchangeRate.objects.all()

    def usd_per_unit(self, currency: str, period: str) -> Decimal | None:
        if currency == "USD":
            return Decimal(1)
        month = period if len(period) == 7 and period[4] == "-" else None
        key = (currency, month or period)
        if key not in self.cache:
            query = self.rates.filter(currency=currency)
            if month:
                query = query.filter(period=month)
            else:  # a quarter, season or year: the mean of that year's (or quarter's) monthly rates
                year = period[:4]
                months = [f"{year}-{m:02d}" for m in _months_of(period)]
                query = query.filter(period__in=months)
            values = list(query.values_list("usd_per_unit", flat=True))
            self.cache[key] = (sum(values, Decimal(0)) / len(values)) if values else None
        return self.cache[key]


def _months_of(period: str) -> range:
    if "-Q" in period:
        quarter = int(period[-1])
        return range(3 * quarter - 2, 3 * quarter + 1)
    return range(1, 13)


@dataclass
class RowOutcome:
    row: int
    dimensions: dict[str, Any]
    measures: dict[str, float]
    key: bytes


class RowChecker:
    """Interprets and checks rows; collects problems; remembers dimension keys compactly (12 bytes a row)."""

    def __init__(
        self,
        version: StandardVersion,
        plan: Plan,
        period: str,
        decimal_comma: bool | None,
        rates: RateBook,
        width: int,
    ) -> None:
        self.width = width
        self.version = version
        self.plan = plan
        self.period = period
        self.decimal_comma = decimal_comma
        self.rates = rates
        self.key_fields = list(version.primary_key)
        self.rules = list(version.rules)
        self.money = [(c.field.name, c.field.currency_field) for c in plan.columns if c.field.currency_field]
        given = {c.field.name for c in plan.columns}
        self.default_values = [
            (f.name, interpreter_for(f, version.frequency)(None).value)
            for f in version.fields.all()
            if f.default and f.name not in given
        ]
        self.measure_names = frozenset(f.name for f in version.fields.all() if f.role == Field.Role.MEASURE)
        self.positions = {c.field.name: c.index for c in plan.columns}
        self.fast_columns = [
            (c.index, c.field.name, c.header, c.interpreter, c.cache, c.unit) for c in plan.columns
        ]
        self.key_digests = array.array("Q")
        self.key_rows = array.array("I")

    def check(self, number: int, cells: list[Any], problems: list[Problem]) -> RowOutcome | None:
        """Interpret one row; append its problems; return its values when it has no error.

        This runs once per row of every file, so it is written for speed: columns are precomputed
        tuples, and a column's repeated values are interpreted once (the cache).
        """
        failed = False
        values: dict[str, Any] = {}
        count = len(cells)
        decimal_comma = self.decimal_comma
        for index, name, header, interpreter, cache, unit in self.fast_columns:
            raw = cells[index] if index < count else None
            if raw.__class__ is str:
                raw = raw.strip()
            result = cache.get(raw)
            if result is None:
                result = interpreter(raw, unit=unit, decimal_comma=decimal_comma)
                if len(cache) < CACHE_LIMIT:
                    cache[raw] = result
            if result.problem is not None:
                failed = True
                problems.append(
                    Problem("error", number, header, _shown(raw), result.problem.code, result.problem.params)
                )
            elif result.value is not None:
                values[name] = result.value
        for name, value in self.default_values:
            values.setdefault(name, value)
        if count > self.width:
            extra = [cell for cell in cells[self.width :] if cell not in (None, "")]
            if extra:
                failed = True
                problems.append(
                    Problem("error", number, "", _shown(extra[0]), "extra_cells", {"count": len(extra)})
                )
        period = values.get("period", self.period)
        if period != self.period:
            failed = True
            problems.append(
                Problem(
                    "error",
                    number,
                    self._header("period"),
                    str(period),
                    "period_mismatch",
                    {"period": self.period},
                )
            )
        for rule in self.rules:
            a, b = (values.get(name) for name in rule["fields"])
            if a is not None and b is not None and (a > b if rule["check"] == "lte" else a >= b):
                failed = True
                problems.append(
                    Problem(
                        "error",
                        number,
                        self._header(rule["fields"][0]),
                        self._written(cells, rule["fields"][0], a),
                        f"rule_{rule['check']}",
                        {"other": self._header(rule["fields"][1]), "limit": str(b)},
                    )
                )
        for measure, currency_field in self.money:
            amount, currency = values.get(measure), values.get(currency_field)
            if amount is None or currency is None:
                continue
            rate = self.rates.usd_per_unit(currency, self.period)
            if rate is None:
                failed = True
                problems.append(
                    Problem(
                        "error",
                        number,
                        self._header(measure),
                        self._written(cells, measure, amount),
                        "no_rate",
                        {"currency": currency, "period": self.period},
                    )
                )
            elif rate != 1:
                values[measure] = amount * rate
        if failed:
            return None
        key_text = "\x1f".join([str(values.get(name, "")) for name in self.key_fields])
        digest = blake2b(key_text.encode(), digest_size=8).digest()
        self.key_digests.append(int.from_bytes(digest, "little"))
        self.key_rows.append(number)
        measure_names = self.measure_names
        dimensions: dict[str, Any] = {}
        measures: dict[str, float] = {}
        for name, value in values.items():
            if name in measure_names:
                measures[name] = float(value)
            else:
                dimensions[name] = value if value.__class__ in (str, int) else str(value)
        if "period" not in dimensions:
            dimensions["period"] = self.period
        return RowOutcome(number, dimensions, measures, digest)

    def _written(self, cells: list[Any], name: str, fallback: Any) -> str:
        """The cell of field `name` as the file wrote it (the report shows what the person typed)."""
        index = self.positions.get(name)
        return _shown(cells[index] if index is not None and index < len(cells) else fallback)

    def _header(self, name: str) -> str:
        return next((c.header for c in self.plan.columns if c.field.name == name), name)

    def duplicate_keys(self) -> Iterator[tuple[int, int]]:
        """(row, first row with the same dimension key) for every repeated key."""
        order = sorted(
            range(len(self.key_digests)), key=self.key_digests.__getitem__
        )  # stable: rows in order
        first = None
        for previous, current in itertools.pairwise(order):
            if self.key_digests[previous] != self.key_digests[current]:
                first = None
                continue
            first = first if first is not None else self.key_rows[previous]
            yield self.key_rows[current], first


class History:
    """The firm's own usual figures: per measure, the median of its accepted rows in its last twelve
    other periods of the standard. A value ten times above or below it is probably a unit or a typo
    (kg for t, a digit too many); it warns, never rejects. Only the firm's own data is used."""

    FACTOR = 10.0
    MIN_ROWS = 5
    MAX_WARNINGS = 1000

    def __init__(self, *, organization_id: int, standard_id: int, period: str) -> None:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                """
                WITH recent AS (
                    SELECT DISTINCT s.period FROM submissions_submission s
                    WHERE s.organization_id = %s AND s.standard_id = %s AND s.is_current AND s.period <> %s
                    ORDER BY s.period DESC LIMIT 12
                )
                SELECT m.key, percentile_cont(0.5) WITHIN GROUP (ORDER BY m.value::float), count(*)
                FROM submissions_observation o
                JOIN submissions_submission s ON s.id = o.submission_id
                CROSS JOIN LATERAL jsonb_each_text(o.measures) AS m(key, value)
                WHERE s.organization_id = %s AND s.standard_id = %s AND s.is_current
                  AND s.period IN (SELECT period FROM recent)
                GROUP BY m.key
                """,
                [organization_id, standard_id, period, organization_id, standard_id],
            )
            self.medians = {
                key: median for key, median, rows in cursor.fetchall() if rows >= self.MIN_ROWS and median
            }
        self.warned = 0

    def check(
        self, outcome: RowOutcome, checker: RowChecker, cells: list[Any], problems: list[Problem]
    ) -> None:
        if not self.medians:
            return
        for name, value in outcome.measures.items():
            median = self.medians.get(name)
            if median is None or value == 0 or median / self.FACTOR <= abs(value) <= median * self.FACTOR:
                continue
            self.warned += 1
            if self.warned <= self.MAX_WARNINGS:
                problems.append(
                    Problem(
                        "warning",
                        outcome.row,
                        checker._header(name),
                        checker._written(cells, name, value),
                        "implausible",
                        {"typical": f"{median:,.4g}".replace(",", " ")},
                    )
                )


def _shown(value: Any) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= 200 else text[:199] + "…"


def is_blank(cells: list[Any]) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


__all__ = [
    "Plan",
    "Problem",
    "RateBook",
    "RowChecker",
    "guess_decimal_comma",
    "header_scorer",
    "is_blank",
    "make_plan",
    "parse_number",
]
