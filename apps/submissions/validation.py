"""Checking a table against a standard version, a block of rows at a time, column by column, with
the standard's own interpreter.

Every cell goes through apps.standards.values (defined once, next to the standard): each distinct cell
of a column once (`interpret_column`), remembered across the blocks of a file.
"""

from __future__ import annotations

import re

import polars as pl

from apps.standards.models import Field
from apps.submissions.headers import Column


def guess_decimal_comma(frame: pl.DataFrame, columns: list[Column]) -> bool | None:
    """Whether the file writes decimals with a comma, judged from the number columns of its first rows."""
    numeric = [f"c{c.index}" for c in columns if c.field.type in (Field.Type.DECIMAL, Field.Type.INTEGER)]
    comma = dot = 0
    for name in numeric:
        for cell in frame.get_column(name).head(200).drop_nulls().to_list():
            text = cell.strip().replace(" ", "").replace("\u00a0", "")
            if re.fullmatch(r"-?\d+,\d{1,2}|-?\d{1,3}(\.\d{3})+,\d+", text):
                comma += 1
            elif re.fullmatch(r"-?\d+\.\d{1,2}|-?\d{1,3}(,\d{3})+\.\d+", text):
                dot += 1
    if comma > dot:
        return True
    if dot > comma:
        return False
    return None
