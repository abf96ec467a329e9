"""Warnings for values far from the firm's own usual figures, probably a wrong unit or a typo: `History`
reads those figures once a file, from the firm's accepted submissions, and warns row by row.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

import polars as pl
from django.db import connection

from apps.standards.models import Field, StandardVersion
from apps.standards.slots import column_of
from apps.submissions.messages import ReportProblem, shown_cell


class History:
    """The firm's own usual figures: per measure and product, the median of its accepted rows in its
    last twelve other periods of the standard. A value ten times above or below it is probably a unit
    or a typo (kg for t, a digit too many); it warns, never rejects. Products are compared only with
    themselves: a firm that ships seed oil by the half tonne and berries by the truck has no single
    usual quantity. Only the firm's own data is used."""

    FACTOR = 10.0
    MIN_ROWS = 3
    MAX_WARNINGS = 1000
    GROUP_FIELDS = ("product", "hs_code")  # the first of these the standard has says what a row is

    def __init__(self, *, organization_id: int, version: StandardVersion, period: str) -> None:
        fields = list(version.fields.filter(derived__isnull=True, slot__isnull=False))
        measures = [(f.name, column_of(f)) for f in fields if f.role == Field.Role.MEASURE]
        by_name = {f.name: f for f in fields}
        self.group = next((name for name in self.GROUP_FIELDS if name in by_name), None)
        self.medians: dict[str, dict[str, float]] = {}
        self.warned = 0
        if not measures:
            return
        group = f"coalesce(o.{column_of(by_name[self.group])}, '')" if self.group else "''"
        selected = ", ".join(
            f"percentile_cont(0.5) WITHIN GROUP (ORDER BY o.{column}), count(o.{column})"
            for _name, column in measures
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                WITH recent AS (
                    SELECT id FROM submissions_submission
                    WHERE organization_id = %s AND standard_id = %s AND is_current AND period <> %s
                    ORDER BY period DESC LIMIT 12
                )
                SELECT {group}, {selected} FROM submissions_observation o
                WHERE o.submission_id IN (SELECT id FROM recent)
                GROUP BY 1
                """,  # noqa: S608 - column names come from slots, never from input
                [organization_id, version.standard_id, period],
            )
            found = cursor.fetchall()
        for key, *figures in found:
            for index, (name, _column) in enumerate(measures):
                median, rows = figures[2 * index], figures[2 * index + 1]
                if median and rows >= self.MIN_ROWS:
                    self.medians.setdefault(name, {})[key] = float(median)

    def warnings(
        self,
        *,
        rows: pl.Series,
        values: dict[str, pl.Series],
        ok: pl.Series,
        written: Mapping[str, pl.Series],
        header: Callable[[str], str],
    ) -> list[ReportProblem]:
        """The `implausible` warnings of a block's rows without an error (`ok`): `values` are the block's
        checked columns by field name, `written` its cells as the file wrote them, `header` a field's
        header in the report. At most MAX_WARNINGS in a file; `warned` counts them all."""
        found: list[ReportProblem] = []
        if self.group is not None and self.group in values:
            groups = values[self.group].cast(pl.String).fill_null("")
        else:
            groups = pl.Series([""] * len(rows), dtype=pl.String)
        for name, medians in self.medians.items():
            value = values.get(name)
            if value is None or self.warned >= self.MAX_WARNINGS:
                continue
            median = groups.replace_strict(
                list(medians), list(medians.values()), default=None, return_dtype=pl.Float64
            )
            size = value.abs()
            far = ok & (value != 0) & ((size < median / self.FACTOR) | (size > median * self.FACTOR))
            far = far.fill_null(False)
            if not far.any():
                continue
            as_written = written.get(name)
            shown = (as_written if as_written is not None else value.cast(pl.String)).filter(far)
            far_rows = rows.filter(far)
            room = self.MAX_WARNINGS - self.warned
            self.warned += int(far.sum())
            typical = median.filter(far).head(room).to_list()
            for row, cell, usual in zip(
                far_rows.head(room).to_list(), shown.head(room).to_list(), typical, strict=True
            ):
                found.append(
                    ReportProblem.warning(
                        "implausible",
                        row=row,
                        column=header(name),
                        value=shown_cell(cell),
                        params={"typical": _typical(usual)},
                    )
                )
        return found


def _typical(value: float) -> str:
    """A usual figure to four significant digits as plain digits (118900, 3.045, 0.29); the message
    writes it the reader's way."""
    if value == 0:
        return "0"
    decimals = 3 - math.floor(math.log10(abs(value)))
    rounded = round(value, decimals)
    if decimals <= 0:
        return str(int(rounded))
    return f"{rounded:.{decimals}f}".rstrip("0").rstrip(".")
