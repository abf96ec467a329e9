"""What each problem code of a submission report says, in the reader's language."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from apps.standards.values import MESSAGES as VALUE_MESSAGES

MESSAGES = {
    **VALUE_MESSAGES,
    "empty": _("The file is empty."),
    "binary": _("This is not a table: the file holds binary data. Upload CSV or XLSX."),
    "old_excel": _("This is an old Excel file (.xls). Save it as XLSX or CSV and upload it again."),
    "unknown_encoding": _(
        "The file's text encoding could not be recognized. Save it as CSV UTF-8 and upload it again."
    ),
    "bad_bytes": _("Row %(row)s has characters that are not valid %(encoding)s. Save the file as CSV UTF-8."),
    "bad_csv": _("Row %(row)s cannot be read as CSV: %(reason)s."),
    "open_quote": _(
        'Row %(row)s has a cell that starts with a quote (") that is never closed, so the rest of the '
        "file would be one cell (the hub reads at most %(limit)s MB for a row). Close the quote or remove it."
    ),
    "row_too_long": _(
        "Row %(row)s is longer than the hub reads for a row (%(limit)s MB). A line break may be missing."
    ),
    "bad_xlsx": _("The file is not a readable XLSX workbook."),
    "xlsx_bomb": _(
        "The workbook is compressed beyond any real spreadsheet (a 'zip bomb'); it was not opened."
    ),
    "xlsx_too_many_parts": _("The workbook has too many parts (%(count)s) to be a data file."),
    "xlsx_too_large": _("The workbook unpacks to more than the hub accepts."),
    "xlsx_macros": _("Workbooks with macros are not accepted. Save it as an ordinary XLSX workbook."),
    "no_header": _("No header row was found: none of the first rows names a column of this standard."),
    "missing_columns": _("Required columns are missing: %(columns)s."),
    "duplicate_column": _("The column “%(column)s” appears twice (both mean %(field)s)."),
    "unknown_column": _("The column “%(column)s” is not part of this standard and was ignored."),
    "extra_cells": _("This row has %(count)s more cells than the header has columns."),
    "duplicate_key": _("This row repeats row %(first)s: the same %(key)s. Combine them or correct one."),
    "period_mismatch": _("The row is for another period than the submission (%(period)s)."),
    "no_rate": _(
        "There is no exchange rate for %(currency)s in %(period)s yet. "
        "Stewards maintain the rates; ask them, or send the amounts in USD."
    ),
    "rule_lte": _("%(value)s must not be greater than %(other)s (%(limit)s)."),
    "rule_lt": _("%(value)s must be less than %(other)s (%(limit)s)."),
    "no_rows": _("The file has a header but no data rows."),
    "implausible": _(
        "This value is far from your organization's usual figures in this column "
        "(typically about %(typical)s). Check the unit and the digits; the row was accepted."
    ),
    "gave_up": _(
        "The file could not be processed after several attempts. The team has been told; try again later."
    ),
    "bad_json": _("The JSON body is not valid: %(reason)s."),
}


# Parameters that are numbers the hub computed or the standard set (never a cell as the file wrote
# it): they are written the reader's way, 3,045 and 118 900 in Russian, 3.045 and 118,900 in English.
NUMBERS = {
    "implausible": ("typical",),
    "below_minimum": ("value", "limit"),
    "above_maximum": ("value", "limit"),
    "rule_lte": ("limit",),
    "rule_lt": ("limit",),
    "open_quote": ("limit",),
    "row_too_long": ("limit",),
}
PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def message(code: str, params: dict[str, Any]) -> str:
    """The problem's message in the active language, its numbers written as the reader writes them."""
    template = MESSAGES.get(code)
    if template is None:
        return code
    shown = dict(params)
    for key in NUMBERS.get(code, ()):
        value = str(shown.get(key, ""))
        if PLAIN_NUMBER.fullmatch(value):
            shown[key] = number_format(Decimal(value), use_l10n=True, force_grouping=True)
    try:
        return str(template) % shown
    except (KeyError, TypeError, ValueError):
        return str(template)
