"""Every problem code a submission report can hold: what it says in the reader's language, the
parameters its message needs, and which of them are numbers. The interpreter's cell codes
(apps.standards.values) are here too, so this is the one list.

    params = {"value": "2000", "other": "Fresh tomatoes processed", "limit": "1000"}
    check_problem("rule_lte", params)  # ProblemError unless these are exactly the code's parameters
    message("rule_lte", params)        # 2000 must not be greater than Fresh tomatoes processed (1,000).

A problem is checked when it is made, and rendered when it is shown, possibly years later:

- **Made: strict.** `ReportProblem` and `FileProblem` call `check_problem()`, which
  raises ProblemError for a code that is not listed or for parameters that are not exactly the ones
  its message takes (missing or extra). A wrong call is a bug in the hub, the same on every file, so
  it fails where it is written and the tests catch it (tests/submissions/test_messages.py makes
  every code from real files).
- **Shown: never breaks a page.** Issue rows already stored were made by older code and may lack a
  parameter (rule_lte and rule_lt were stored without `value` until the checker passed it) or carry
  one no longer used. `message()` logs an error once per process for each code and missing set, and
  writes the message with MISSING ("[…]") in the gap, so the reader sees a sentence with a visible
  hole and the team sees the log. Extra parameters are ignored; an unknown code is shown as itself.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import translation
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Code:
    """A problem code's message, the parameters the message takes, and those of them that are numbers
    the hub computed or the standard set (never a cell as the file wrote it): they are written the
    reader's way, 3,045 and 118 900 in Russian, 3.045 and 118,900 in English."""

    message: Promise
    params: tuple[str, ...] = ()
    numbers: tuple[str, ...] = ()


CODES: dict[str, Code] = {
    # A cell, as the standard's interpreter finds it (apps.standards.values).
    "required": Code(_("A value is required.")),
    "not_a_number": Code(_("“%(value)s” is not a number. Write numbers like 1234.5 or 1 234,5."), ("value",)),
    "not_an_integer": Code(_("“%(value)s” is not a whole number."), ("value",)),
    "below_minimum": Code(
        _("%(value)s is below the smallest allowed value, %(limit)s."),
        ("value", "limit"),
        numbers=("value", "limit"),
    ),
    "above_maximum": Code(
        _("%(value)s is above the largest allowed value, %(limit)s."),
        ("value", "limit"),
        numbers=("value", "limit"),
    ),
    "not_a_date": Code(
        _("“%(value)s” is not a date. Write dates like 2026-09-30 or 30.09.2026."), ("value",)
    ),
    "not_a_period": Code(
        _("“%(value)s” is not a period of this standard. Write it like %(example)s."), ("value", "example")
    ),
    "not_allowed": Code(
        _("“%(value)s” is not an allowed value. Allowed: %(allowed)s."), ("value", "allowed")
    ),
    "unknown_country": Code(
        _("“%(value)s” is not a country. Write its ISO code (for example KZ) or its name."), ("value",)
    ),
    "unknown_currency": Code(
        _("“%(value)s” is not a currency. Write its ISO code, for example USD, CNY or KZT."), ("value",)
    ),
    "unknown_hs_code": Code(_("“%(value)s” is not a six-digit HS 2022 code."), ("value",)),
    "pattern": Code(_("“%(value)s” does not have the required form."), ("value",)),
    "too_short": Code(_("“%(value)s” is shorter than %(limit)s characters."), ("value", "limit")),
    "too_long": Code(_("“%(value)s” is longer than %(limit)s characters."), ("value", "limit")),
    "wrong_unit": Code(_("The unit “%(unit)s” cannot be used here. Use %(allowed)s."), ("unit", "allowed")),
    "derived": Code(_("This value is computed by the hub; leave it empty.")),
    # The file as a whole (apps.submissions.parsing and services).
    "empty": Code(_("The file is empty.")),
    "binary": Code(_("This is not a table: the file holds binary data. Upload CSV or XLSX.")),
    "old_excel": Code(_("This is an old Excel file (.xls). Save it as XLSX or CSV and upload it again.")),
    "unknown_encoding": Code(
        _("The file's text encoding could not be recognized. Save it as CSV UTF-8 and upload it again.")
    ),
    "bad_bytes": Code(
        _("Row %(row)s has characters that are not valid %(encoding)s. Save the file as CSV UTF-8."),
        ("row", "encoding"),
    ),
    "bad_csv": Code(_("Row %(row)s cannot be read as CSV: %(reason)s."), ("row", "reason")),
    "open_quote": Code(
        _(
            'Row %(row)s has a cell that starts with a quote (") that is never closed, so the rest of the '
            "file would be one cell (the hub reads at most %(limit)s MB for a row). "
            "Close the quote or remove it."
        ),
        ("row", "limit"),
        numbers=("limit",),
    ),
    "row_too_long": Code(
        _("Row %(row)s is longer than the hub reads for a row (%(limit)s MB). A line break may be missing."),
        ("row", "limit"),
        numbers=("limit",),
    ),
    "nul_character": Code(
        _(
            "Row %(row)s holds a NUL character, which is not text: "
            "the file is damaged or is not a text export."
        ),
        ("row",),
    ),
    "not_stored": Code(
        _("The rows could not be stored: %(reason)s. Nothing was written; the team has been told."),
        ("reason",),
    ),
    "too_slow": Code(
        _(
            "Checking the file took longer than %(minutes)s minutes, the most the hub gives one file. "
            "Split it into smaller files (by month or by product) and send them again."
        ),
        ("minutes",),
        numbers=("minutes",),
    ),
    "bad_xlsx": Code(_("The file is not a readable XLSX workbook.")),
    "xlsx_bomb": Code(
        _("The workbook is compressed beyond any real spreadsheet (a 'zip bomb'); it was not opened.")
    ),
    "xlsx_too_many_parts": Code(
        _("The workbook has too many parts (%(count)s) to be a data file."), ("count",)
    ),
    "xlsx_too_large": Code(_("The workbook unpacks to more than the hub accepts.")),
    "xlsx_macros": Code(_("Workbooks with macros are not accepted. Save it as an ordinary XLSX workbook.")),
    "bad_json": Code(_("The JSON body is not valid: %(reason)s."), ("reason",)),
    "no_rows": Code(_("The file has a header but no data rows.")),
    "gave_up": Code(
        _("The file could not be processed after several attempts. The team has been told; try again later.")
    ),
    # The header (found by apps.submissions.parsing, matched by apps.submissions.headers).
    "no_header": Code(_("No header row was found: none of the first rows names a column of this standard.")),
    "missing_columns": Code(_("Required columns are missing: %(columns)s."), ("columns",)),
    "duplicate_column": Code(
        _("The column “%(column)s” appears twice (both mean %(field)s)."), ("column", "field")
    ),
    "unknown_column": Code(
        _("The column “%(column)s” is not part of this standard and was ignored."), ("column",)
    ),
    # A row (apps.submissions.rows and history).
    "extra_cells": Code(_("This row has %(count)s more cells than the header has columns."), ("count",)),
    "duplicate_key": Code(
        _("This row repeats row %(first)s: the same %(key)s. Combine them or correct one."), ("first", "key")
    ),
    "period_mismatch": Code(
        _("The row is for another period than the submission (%(period)s)."), ("period",)
    ),
    "no_rate": Code(
        _(
            "There is no exchange rate for %(currency)s in %(period)s yet. "
            "Stewards maintain the rates; ask them, or send the amounts in USD."
        ),
        ("currency", "period"),
    ),
    # value: the cell as written; other: the other column; limit: the other cell's value.
    "rule_lte": Code(
        _("%(value)s must not be greater than %(other)s (%(limit)s)."),
        ("value", "other", "limit"),
        numbers=("limit",),
    ),
    "rule_lt": Code(
        _("%(value)s must be less than %(other)s (%(limit)s)."),
        ("value", "other", "limit"),
        numbers=("limit",),
    ),
    "implausible": Code(
        _(
            "This value is far from your organization's usual figures in this column "
            "(typically about %(typical)s). Check the unit and the digits; the row was accepted."
        ),
        ("typical",),
        numbers=("typical",),
    ),
}
MISSING = "[…]"
PLACEHOLDER = re.compile(r"%\((\w+)\)")
PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_complained: set[tuple[str, str]] = set()


class ProblemError(ValueError):
    """A problem made with a code that CODES does not list, or with parameters its message does not take."""


def check_problem(code: str, params: Mapping[str, Any]) -> None:
    """Raise ProblemError unless `code` is listed and `params` are exactly the parameters of its message."""
    entry = CODES.get(code)
    if entry is None:
        raise ProblemError(f"{code!r} is not a problem code (apps.submissions.messages.CODES)")
    missing = sorted(set(entry.params) - set(params))
    extra = sorted(set(params) - set(entry.params))
    if missing or extra:
        raise ProblemError(f"problem {code!r} takes {list(entry.params)}: missing {missing}, extra {extra}")


class FileProblem(Exception):
    """The file as a whole cannot be read; `code` and `params` make the report's message (they must fit
    CODES, or ProblemError is raised instead). Raised by the readers (parsing, csv_records)."""

    def __init__(self, code: str, **params: Any) -> None:
        check_problem(code, params)
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(kw_only=True)
class ReportProblem:
    """One problem of the report, stored as an Issue: where it is (`row`, `column` and the cell as
    written in `value`; none of them for the whole file) and what it is. Its code and params must fit
    CODES: a problem that does not is a bug, refused here (ProblemError) rather than shown with a gap.

        ReportProblem.error("duplicate_key", row=7, params={"first": 2, "key": "Period, Product"})
    """

    severity: str
    row: int | None = None
    column: str = ""
    value: str = ""
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_problem(self.code, self.params)

    @classmethod
    def error(cls, code: str, **where: Any) -> ReportProblem:
        """A problem that rejects the file; `where` is row, column, value and params (keywords)."""
        return cls._made("error", code, **where)

    @classmethod
    def warning(cls, code: str, **where: Any) -> ReportProblem:
        """A problem the reader should look at; the file is accepted."""
        return cls._made("warning", code, **where)

    @classmethod
    def _made(
        cls,
        severity: str,
        code: str,
        *,
        row: int | None = None,
        column: str = "",
        value: str = "",
        params: dict[str, Any] | None = None,
    ) -> ReportProblem:
        return cls(severity=severity, row=row, column=column, value=value, code=code, params=params or {})

    @classmethod
    def from_file_problem(cls, problem: FileProblem) -> ReportProblem:
        """The error of a file that cannot be read as a whole."""
        return cls.error(problem.code, params=problem.params)


def shown_cell(value: Any) -> str:
    """A cell as a report shows it: as the file wrote it, cut to 200 characters."""
    text = "" if value is None else str(value)
    return text if len(text) <= 200 else text[:199] + "…"


def message(code: str, params: Mapping[str, Any]) -> str:
    """The problem's message in the active language, its numbers written as the reader writes them.

    Never raises: a stored problem that does not fit its code is logged and shown with MISSING in its
    gaps, and an unknown code as itself (see the module's docstring)."""
    entry = CODES.get(code)
    if entry is None:
        _complain(code, "is not a problem code")
        return code
    missing = [key for key in entry.params if key not in params]
    if missing:
        _complain(code, f"lacks {', '.join(missing)}")
    shown = {key: params.get(key, MISSING) for key in entry.params}
    for key in entry.numbers:
        value = str(shown[key])
        if PLAIN_NUMBER.fullmatch(value):
            shown[key] = number_format(Decimal(value), use_l10n=True, force_grouping=True)
    template = str(entry.message)
    unknown = sorted(set(PLACEHOLDER.findall(template)) - set(shown))
    if unknown:  # a translation naming a parameter its message does not take
        _complain(code, f"has a translation that names {', '.join(unknown)}")
        shown.update(dict.fromkeys(unknown, MISSING))
    try:
        return template % shown
    except (TypeError, ValueError):  # a translation with a broken placeholder: the English message
        _complain(code, "has a translation that cannot be filled")
        with translation.override(None):
            return str(entry.message) % shown


def _complain(code: str, what: str) -> None:
    """Log a problem that does not fit its code, once per process (a report repeats it on every row)."""
    if (code, what) not in _complained:
        _complained.add((code, what))
        logger.error("problem %r %s: stored by older code, or a bug", code, what)
