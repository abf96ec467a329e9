"""The one place where a cell becomes a value: parse by the field's type, convert units to the field's
canonical unit, check the constraints. Uploads, the API and the templates' examples all use it, so a
rule is defined once, next to the standard.

    interpreter = interpreter_for(field)          # compiled once per field
    result = interpreter("1 234,5", unit="kg")    # -> Result(value=Decimal("1.2345"), problem=None)

A problem carries a code and parameters. What each code says, in the reader's language, and which
parameters its message takes, is listed with every other problem code of a report, in
apps.submissions.messages.CODES; a report's problem is checked against it when it is made.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

import polars as pl
from babel.dates import get_month_names

from apps.standards import reference
from apps.standards.models import Field
from apps.standards.units import conversion_factor

PERIOD_EXAMPLES = {"month": "2026-09", "quarter": "2026-Q3", "season": "2026", "year": "2026"}
SPACES = re.compile(r"[\s\u00a0\u202f\u2009'’]")
NUMBER_WITH_UNIT = re.compile(r"^\s*([-+−]?[\d\s\u00a0\u202f.,'’]*\d)\s*([^\d\s].*)?$")


@dataclass(frozen=True)
class Problem:
    code: str
    params: dict[str, Any] = dataclass_field(default_factory=dict)


@dataclass(frozen=True)
class Result:
    value: Any
    problem: Problem | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def _fail(code: str, **params: Any) -> Result:
    return Result(None, Problem(code, {key: _shown(value) for key, value in params.items()}))


def _shown(value: Any) -> Any:
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "…"


# --- Numbers ------------------------------------------------------------------------------------------


def parse_number(text: str, *, decimal_comma: bool | None = None) -> Decimal | None:
    """A number written the way people in the region write them: 1234.5, 1 234,5, 1,234.5, 1.234,5.

    A lone comma or a lone dot followed by exactly three digits is ambiguous ("1,234"); the file's
    convention decides when known (`decimal_comma`), otherwise a comma is read as a decimal comma
    unless three digits follow it, and a dot as a decimal point.
    """
    cleaned = SPACES.sub("", text).replace("−", "-")
    if not cleaned or not re.fullmatch(r"[-+]?[\d.,]*\d[\d.,]*", cleaned):
        return None
    commas, dots = cleaned.count(","), cleaned.count(".")
    if commas and dots:
        decimal = "," if cleaned.rfind(",") > cleaned.rfind(".") else "."
        group = "." if decimal == "," else ","
        if cleaned.count(decimal) > 1:
            return None
        cleaned = cleaned.replace(group, "").replace(decimal, ".")
    elif commas:
        if commas > 1:
            cleaned = cleaned.replace(",", "")
        else:
            head, tail = cleaned.split(",")
            grouping = len(tail) == 3 and head.lstrip("+-") not in ("", "0") and decimal_comma is not True
            cleaned = head + tail if grouping else f"{head}.{tail}"
    elif dots > 1:
        cleaned = cleaned.replace(".", "")
    elif dots == 1 and decimal_comma is True:
        head, tail = cleaned.split(".")
        if len(tail) == 3:
            cleaned = head + tail
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        return None


# --- Dates and periods --------------------------------------------------------------------------------


EXCEL_EPOCH = dt.date(1899, 12, 30)
SERIAL = re.compile(r"\d{5}(?:\.0+)?")


def parse_date(text: Any) -> dt.date | None:
    if isinstance(text, dt.datetime):
        return text.date()
    if isinstance(text, dt.date):
        return text
    if isinstance(text, int | float) and not isinstance(text, bool) and 20000 <= text <= 80000:
        return EXCEL_EPOCH + dt.timedelta(days=int(text))  # an Excel date serial
    value = str(text).strip()
    if SERIAL.fullmatch(value) and 20000 <= float(value) <= 80000:
        return EXCEL_EPOCH + dt.timedelta(days=int(float(value)))  # a serial that a CSV export wrote out
    for pattern, order in (
        (r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?", "ymd"),
        (r"(\d{4})/(\d{1,2})/(\d{1,2})", "ymd"),
        (r"(\d{1,2})\.(\d{1,2})\.(\d{4})", "dmy"),
        (r"(\d{1,2})/(\d{1,2})/(\d{4})", "dmy"),
        (r"(\d{4})年(\d{1,2})月(\d{1,2})日", "ymd"),
    ):
        match = re.fullmatch(pattern, value)
        if match:
            a, b, c = (int(part) for part in match.groups())
            year, month, day = (a, b, c) if order == "ymd" else (c, b, a)
            try:
                return dt.date(year, month, day)
            except ValueError:
                return None
    return None


@lru_cache(maxsize=1)
def _month_names() -> dict[str, int]:
    names: dict[str, int] = {}
    for language in reference.BABEL_LOCALES.values():
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for number, name in get_month_names(width, context, locale=language).items():
                    names.setdefault(reference.fold(name).rstrip("."), int(number))
    return names


def parse_period(text: Any, frequency: str) -> str | None:
    """A period of the standard's frequency, in its canonical form: 2026-09, 2026-Q3 or 2026."""
    if isinstance(text, int | float) and not isinstance(text, bool) and 20000 <= text <= 80000:
        text = parse_date(text)
    if isinstance(text, dt.date | dt.datetime):
        text = text.isoformat()[:10]
    value = str(text).strip()
    if SERIAL.fullmatch(value):
        date = parse_date(value)
        value = date.isoformat() if date else value
    if frequency in ("season", "year"):
        match = re.fullmatch(r"(\d{4})(?:年|\s*г\.?|\s*ж\.?|\s*yil)?", value)
        return match[1] if match else None
    if frequency == "quarter":
        for pattern, year_first in (
            (r"(\d{4})\s*[-/ ]?\s*[QqКк](\d)", True),
            (r"[QqКк](\d)\s*[-/ ]?\s*(\d{4})", False),
            (r"(\d{4})年第?([1-4])季度?", True),
        ):
            match = re.fullmatch(pattern, value)
            if match:
                year, quarter = (match[1], match[2]) if year_first else (match[2], match[1])
                return f"{year}-Q{quarter}" if quarter in "1234" else None
        return None
    year = month = None
    for pattern, year_first in (
        (r"(\d{4})[-/.](\d{1,2})(?:[-/.]\d{1,2})?", True),
        (r"(\d{1,2})[-/.](\d{4})", False),
        (r"(\d{4})年(\d{1,2})月(?:\d{1,2}日)?", True),
        (r"(\d{4})(\d{2})", True),
    ):
        match = re.fullmatch(pattern, value)
        if match:
            year, month = (int(match[1]), int(match[2])) if year_first else (int(match[2]), int(match[1]))
            break
    else:
        match = re.fullmatch(r"([^\d\s]+)\.?\s*,?\s*(\d{4})(?:\s*(?:г\.?|ж\.?|y\.?))?", value)
        if match:
            month, year = _month_names().get(reference.fold(match[1]).rstrip(".")), int(match[2])
        else:
            date = parse_date(value)
            if date:
                year, month = date.year, date.month
    if year is None or month is None or not 1 <= month <= 12 or not 1900 <= year <= 2200:
        return None
    return f"{year:04d}-{month:02d}"


# --- The interpreter -------------------------------------------------------------------------------------


@dataclass
class Interpreter:
    """A field compiled for fast, repeated interpretation of its cells."""

    field: Field
    frequency: str = "month"
    parse: Callable[[Any, str | None, bool | None], Result] = dataclass_field(init=False)

    def __post_init__(self) -> None:
        f = self.field
        self.minimum = f.constraints.get("minimum")
        self.maximum = f.constraints.get("maximum")
        self.pattern = re.compile(f.constraints["pattern"]) if f.constraints.get("pattern") else None
        self.enum_index: dict[str, str] = {}
        for code in f.constraints.get("enum") or []:
            self.enum_index.setdefault(reference.fold(code), code)
            for label in (f.enum_labels.get(code) or {}).values():
                self.enum_index.setdefault(reference.fold(label), code)
        self.allowed_units = {f.unit, *f.accepted_units} if f.unit else set()
        self.parse = {
            Field.Type.INTEGER: self._number,
            Field.Type.DECIMAL: self._number,
            Field.Type.STRING: self._string,
            Field.Type.DATE: self._date,
            Field.Type.PERIOD: self._period,
            Field.Type.ENUM: self._enum,
            Field.Type.COUNTRY: self._country,
            Field.Type.HS_CODE: self._hs_code,
            Field.Type.CURRENCY: self._currency,
        }[Field.Type(f.type)]

    def __call__(self, raw: Any, *, unit: str | None = None, decimal_comma: bool | None = None) -> Result:
        if self.field.derived:
            return Result(None) if _empty(raw) else _fail("derived")
        if _empty(raw):
            if self.field.default:
                raw = self.field.default
            elif self.field.required:
                return _fail("required")
            else:
                return Result(None)
        return self.parse(raw, unit, decimal_comma)

    def _number(self, raw: Any, unit: str | None, decimal_comma: bool | None) -> Result:
        stated_unit = unit
        if isinstance(raw, int | float | Decimal) and not isinstance(raw, bool):
            number: Decimal | None = Decimal(str(raw))
        else:
            text = str(raw).strip()
            percent = text.endswith("%")
            match = NUMBER_WITH_UNIT.match(text[:-1] if percent else text)
            if match is None:
                return _fail("not_a_number", value=raw)
            number = parse_number(match[1], decimal_comma=decimal_comma)
            if percent:
                stated_unit = "percent"
            elif match[2]:
                stated_unit = match[2].strip()
        if number is None:
            return _fail("not_a_number", value=raw)
        factor = self.factor(stated_unit)
        if factor is None:
            return _fail("wrong_unit", unit=stated_unit, allowed=", ".join(sorted(self.allowed_units)))
        if factor != 1:
            number *= factor
        if self.field.type == Field.Type.INTEGER:
            if number != number.to_integral_value():
                return _fail("not_an_integer", value=raw)
            number = Decimal(int(number))
        if self.minimum is not None and number < Decimal(str(self.minimum)):
            return _fail("below_minimum", value=_plain(number), limit=self.minimum)
        if self.maximum is not None and number > Decimal(str(self.maximum)):
            return _fail("above_maximum", value=_plain(number), limit=self.maximum)
        return Result(int(number) if self.field.type == Field.Type.INTEGER else number)

    def factor(self, unit: str | None) -> Decimal | None:
        """What a number written in `unit` is multiplied by to be in the field's unit; None if not allowed."""
        if not unit or not self.field.unit or unit == self.field.unit:
            return Decimal(1)
        if unit not in self.allowed_units and not (unit == "percent" and self.field.unit in ("percent", "1")):
            return None
        try:
            return Decimal(str(conversion_factor(unit, self.field.unit)))
        except ValueError:
            return None

    def _string(self, raw: Any, unit: str | None, decimal_comma: bool | None) -> Result:
        text = str(raw).strip()
        constraints = self.field.constraints
        if self.pattern is not None and not self.pattern.fullmatch(text):
            return _fail("pattern", value=text)
        if "minLength" in constraints and len(text) < constraints["minLength"]:
            return _fail("too_short", value=text, limit=constraints["minLength"])
        if "maxLength" in constraints and len(text) > constraints["maxLength"]:
            return _fail("too_long", value=text, limit=constraints["maxLength"])
        return Result(text)

    def _date(self, raw: Any, unit: str | None, decimal_comma: bool | None) -> Result:
        date = parse_date(raw)
        return Result(date) if date else _fail("not_a_date", value=raw)

    def _period(self, raw: Any, unit: str | None, decimal_comma: bool | None) -> Result:
        period = parse_period(raw, self.frequency)
        if period is None:
            return _fail("not_a_period", value=raw, example=PERIOD_EXAMPLES[self.frequency])
        return Result(period)

    def _enum(self, raw: Any, unit: str | None, decimal_comma: bool | None) -> Result:
        code = self.enum_index.get(reference.fold(str(raw)))
        if code is None:
            return _fail(
                "not_allowed", value=raw, allowed=", ".join(self.field.constraints.get("enum") or [])
            )
        return Result(code)

    def _country(self, raw: Any, unit: str | None, decimal_comma: bool | None) -> Result:
        code = reference.find_country(str(raw))
        return Result(code) if code else _fail("unknown_country", value=raw)

    def _currency(self, raw: Any, unit: str | None, decimal_comma: bool | None) -> Result:
        code = reference.find_currency(str(raw))
        return Result(code) if code else _fail("unknown_currency", value=raw)

    def _hs_code(self, raw: Any, unit: str | None, decimal_comma: bool | None) -> Result:
        code = reference.find_hs_code(str(raw))
        if code is None:
            return _fail("unknown_hs_code", value=raw)
        if self.pattern is not None and not self.pattern.fullmatch(code):
            return _fail("pattern", value=raw)
        return Result(code)


def _empty(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _plain(number: Decimal) -> str:
    return format(number.normalize(), "f")


def interpreter_for(field: Field, frequency: str | None = None) -> Interpreter:
    """Compile `field` (of a version with `frequency`, looked up when not given)."""
    return Interpreter(field=field, frequency=frequency or field.version.frequency)


def interpret(
    field: Field, raw: Any, *, unit: str | None = None, decimal_comma: bool | None = None
) -> Result:
    """Interpret one cell of `field`. For many cells, compile once with interpreter_for()."""
    return interpreter_for(field)(raw, unit=unit, decimal_comma=decimal_comma)


# --- Whole columns at once ----------------------------------------------------------------------------

# A plain number as most files write it: the only form the column path reads itself. Anything else
# (grouping spaces, a unit, a percent sign, a name) goes through the interpreter above.
PLAIN_POINT = r"^[+-]?[0-9]+(?:\.[0-9]+)?$"
PLAIN_COMMA = r"^[+-]?[0-9]+(?:,[0-9]+)?$"


def interpret_column(
    interpreter: Interpreter,
    cells: pl.Series,
    *,
    unit: str | None = None,
    decimal_comma: bool | None = None,
    memo: dict[str, Result] | None = None,
    memo_limit: int = 20000,
) -> tuple[pl.Series, pl.Series]:
    """Interpret a whole column of stripped text cells ("" when empty): (values, failed).

    The result is the interpreter's, cell for cell: numbers as Float64, everything else as its stored
    text (codes, ISO dates, canonical periods), null where the cell is empty or has a problem. Each
    distinct cell goes through the interpreter once (`memo` keeps them across batches of one file).
    Plain numbers ("1234.5", or "1234,5" in a decimal-comma file) are read by polars in one pass and
    checked against the same factor, integer rule and limits as `Interpreter._number`; a cell that fails
    there is handed to the interpreter too, which says why. tests/standards/test_columns.py holds the
    two paths to the same answers.
    """
    field = interpreter.field
    numeric = field.type in (Field.Type.INTEGER, Field.Type.DECIMAL) and not field.derived
    memo = {} if memo is None else memo
    fast: pl.Series | None = None
    number: pl.Series | None = None
    factor = interpreter.factor(unit) if numeric else None
    if factor is not None:
        text = cells.str.replace(",", ".", literal=True) if decimal_comma is True else cells
        matched = cells.str.contains(PLAIN_COMMA if decimal_comma is True else PLAIN_POINT)
        number = text.cast(pl.Float64, strict=False)
        if factor != 1:
            number = number * float(factor)
        good = matched.fill_null(False)
        if field.type == Field.Type.INTEGER:
            good = good & (number == number.round(0)).fill_null(False)
        if interpreter.minimum is not None:
            good = good & (number >= float(interpreter.minimum)).fill_null(False)
        if interpreter.maximum is not None:
            good = good & (number <= float(interpreter.maximum)).fill_null(False)
        fast = good
    rest = cells if fast is None else cells.filter(~fast)
    keys: list[str] = []
    stored: list[Any] = []
    failures: list[bool] = []
    for cell in rest.unique().to_list():
        result = memo.get(cell)
        if result is None:
            result = interpreter(cell, unit=unit, decimal_comma=decimal_comma)
            if len(memo) < memo_limit:
                memo[cell] = result
        keys.append(cell)
        stored.append(stored_value(result.value, numeric) if result.problem is None else None)
        failures.append(result.problem is not None)
    dtype = pl.Float64 if numeric else pl.String
    values = cells.replace_strict(keys, stored, default=None, return_dtype=dtype)
    failed = cells.replace_strict(keys, failures, default=False, return_dtype=pl.Boolean)
    if fast is not None and number is not None:
        values = number.zip_with(fast, values)
        failed = failed & ~fast
    return values.rename(cells.name), failed.rename(cells.name)


def stored_value(value: Any, numeric: bool) -> Any:
    if value is None:
        return None
    if numeric:
        return float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
