"""Checking a table against a standard version, a block of rows at a time, column by column, with
the standard's own interpreter.

Every cell goes through apps.standards.values (defined once, next to the standard): each distinct cell
of a column once (`interpret_column`), remembered across the blocks of a file.
"""

from __future__ import annotations

import os
import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import polars as pl

from apps.standards.models import Field, StandardVersion
from apps.standards.slots import column_of, kind_of
from apps.standards.values import interpret_column, interpreter_for, stored_value
from apps.submissions import parsing
from apps.submissions.headers import Column, Plan
from apps.submissions.history import History
from apps.submissions.ledger import KeyLedger
from apps.submissions.messages import ReportProblem, shown_cell
from apps.submissions.rates import RateBook

# Columns checked at once: the machine's cores, at most four (more gains nothing on 15 columns).
CHECK_THREADS = max(1, min(4, os.cpu_count() or 1))


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


class BatchChecker:
    """Checks a file batch by batch (frames from parsing.batches), column by column.

    Each column goes through the standard's interpreter (apps.standards.values.interpret_column); then
    the row rules run on whole columns: extra cells, the period, the standard's cross-field rules, and
    conversion of money to USD. Problems are kept up to `limit` and counted beyond it. Rows without an
    error come out typed, in the observation table's columns, while the file has no error at all (a
    rejected file stores nothing). Dimension keys go to a KeyLedger on disk, which finds repeated keys
    at the end. Columns are interpreted in parallel threads; `close()` ends them and removes the keys.
    """

    def __init__(
        self,
        version: StandardVersion,
        plan: Plan,
        period: str,
        decimal_comma: bool | None,
        rates: RateBook,
        history: History,
        limit: int,
    ) -> None:
        self.plan = plan
        self.period = period
        self.decimal_comma = decimal_comma
        self.rates = rates
        self.history = history
        self.limit = limit
        self.problems: list[ReportProblem] = []
        self.errors = 0  # every error, also those beyond the report's limit
        self.kept = 0  # errors in the report
        self.room = limit
        self.rows = 0
        fields = list(version.fields.order_by("position"))
        given = {c.field.name for c in plan.columns}
        self.defaults: dict[str, Any] = {}
        for f in fields:
            if f.default and f.name not in given and not f.derived:
                value = interpreter_for(f, version.frequency)(None).value
                self.defaults[f.name] = stored_value(value, f.role == Field.Role.MEASURE)
        self.stored = {f.name: column_of(f) for f in fields if kind_of(f) is not None}
        self.key_fields = list(version.primary_key)
        self.rules = list(version.rules)
        self.money = [(f.name, f.currency_field) for f in fields if f.currency_field and f.name in given]
        # A field by its header in the file, or by its title where the file left it out (its default).
        self.headers = {f.name: f.title for f in fields} | {c.field.name: c.header for c in plan.columns}
        self.keys = KeyLedger()
        self.pool = ThreadPoolExecutor(max_workers=CHECK_THREADS, thread_name_prefix="hub-check")

    # --- one batch ------------------------------------------------------------------------------------

    def check(self, frame: pl.DataFrame) -> pl.DataFrame | None:
        """Check one batch and keep its problems; return its rows as stored, or None once the file has an
        error."""
        frame = parsing.data_rows(frame)
        if frame.height == 0:
            return None
        self.rows += frame.height
        self.room = max(0, self.limit - self.kept)
        rows = frame.get_column("row")
        found: list[ReportProblem] = []
        failed = pl.Series("failed", [False] * frame.height)
        values: dict[str, pl.Series] = {}

        def interpret(column: Column) -> tuple[pl.Series, pl.Series]:
            return interpret_column(
                column.interpreter,
                frame.get_column(f"c{column.index}"),
                unit=column.unit,
                decimal_comma=self.decimal_comma,
                memo=column.cache,
            )

        # Columns in parallel: polars releases the GIL, and each column has its own memo.
        interpreted = list(self.pool.map(interpret, self.plan.columns))
        for column, (value, bad) in zip(self.plan.columns, interpreted, strict=True):
            raw = frame.get_column(f"c{column.index}")
            values[column.field.name] = value
            if bad.any():
                failed = failed | bad
                for row, cell in self._report(rows, bad, raw):
                    result = column.cache.get(cell) or column.interpreter(
                        cell, unit=column.unit, decimal_comma=self.decimal_comma
                    )
                    cell_problem = result.problem
                    assert cell_problem is not None
                    found.append(
                        ReportProblem.error(
                            cell_problem.code,
                            row=row,
                            column=column.header,
                            value=shown_cell(cell),
                            params=cell_problem.params,
                        )
                    )
        for name, value in self.defaults.items():
            values.setdefault(name, pl.Series(name, [value] * frame.height))
        failed = self._extra_cells(frame, rows, failed, found)
        failed = self._period(frame, rows, values, failed, found)
        failed = self._rules(frame, rows, values, failed, found)
        failed = self._money(frame, rows, values, failed, found)
        ok = ~failed
        self._remember_keys(rows, values, ok)
        written = {c.field.name: frame.get_column(f"c{c.index}") for c in self.plan.columns}
        found += self.history.warnings(rows=rows, values=values, ok=ok, written=written, header=self.header)
        found.sort(key=lambda problem: problem.row or 0)
        for problem in found:
            if problem.severity == "error":
                if self.kept >= self.limit:
                    continue
                self.kept += 1
            self.problems.append(problem)
        if self.errors:
            return None
        out: dict[str, pl.Series] = {"row": rows}
        for name, stored in self.stored.items():
            if name in values:
                out[stored] = values[name].rename(stored)
        return pl.DataFrame(out)

    def _report(self, rows: pl.Series, mask: pl.Series, *cells: pl.Series) -> list[tuple[Any, ...]]:
        """(row, cell, ...) where `mask` holds, as many as the report can still take; all are counted."""
        self.errors += int(mask.sum())
        columns = [series.filter(mask).head(self.room).to_list() for series in (rows, *cells)]
        return list(zip(*columns, strict=True))

    def _written(self, frame: pl.DataFrame, name: str) -> pl.Series | None:
        """The cells of field `name` as the file wrote them (the report shows what the person typed)."""
        column = next((c for c in self.plan.columns if c.field.name == name), None)
        return frame.get_column(f"c{column.index}") if column is not None else None

    def header(self, name: str) -> str:
        return self.headers.get(name, name)

    def _extra_cells(
        self, frame: pl.DataFrame, rows: pl.Series, failed: pl.Series, found: list[ReportProblem]
    ) -> pl.Series:
        extras = [name for name in frame.columns if name.startswith("x")]
        if not extras:
            return failed
        counts = frame.select(
            pl.sum_horizontal([(pl.col(n) != "").cast(pl.UInt32) for n in extras])
        ).to_series()
        bad = counts > 0
        if not bad.any():
            return failed
        first = frame.select(
            pl.coalesce([pl.when(pl.col(n) != "").then(pl.col(n)) for n in extras])
        ).to_series()
        for row, cell, count in self._report(rows, bad, first, counts):
            found.append(
                ReportProblem.error("extra_cells", row=row, value=shown_cell(cell), params={"count": count})
            )
        return failed | bad

    def _period(
        self,
        frame: pl.DataFrame,
        rows: pl.Series,
        values: dict[str, pl.Series],
        failed: pl.Series,
        found: list[ReportProblem],
    ) -> pl.Series:
        name = next((c.field.name for c in self.plan.columns if c.field.type == Field.Type.PERIOD), None)
        if name is None:
            return failed
        bad = (values[name] != self.period).fill_null(False)
        if bad.any():
            written = self._written(frame, name)
            shown = written if written is not None else values[name]
            for row, cell in self._report(rows, bad, shown):
                found.append(
                    ReportProblem.error(
                        "period_mismatch",
                        row=row,
                        column=self.header(name),
                        value=shown_cell(cell),
                        params={"period": self.period},
                    )
                )
        return failed | bad

    def _rules(
        self,
        frame: pl.DataFrame,
        rows: pl.Series,
        values: dict[str, pl.Series],
        failed: pl.Series,
        found: list[ReportProblem],
    ) -> pl.Series:
        for rule in self.rules:
            first, second = rule["fields"]
            if first not in values or second not in values:
                continue
            a, b = values[first], values[second]
            broken = (a > b) if rule["check"] == "lte" else (a >= b)
            bad = broken.fill_null(False)
            if not bad.any():
                continue
            written = self._written(frame, first)
            shown = written if written is not None else a.cast(pl.String)
            for row, cell, limit in self._report(rows, bad, shown, b):
                found.append(
                    ReportProblem.error(
                        f"rule_{rule['check']}",
                        row=row,
                        column=self.header(first),
                        value=shown_cell(cell),
                        params={
                            "value": shown_cell(cell),
                            "other": self.header(second),
                            "limit": _number_text(limit),
                        },
                    )
                )
            failed = failed | bad
        return failed

    def _money(
        self,
        frame: pl.DataFrame,
        rows: pl.Series,
        values: dict[str, pl.Series],
        failed: pl.Series,
        found: list[ReportProblem],
    ) -> pl.Series:
        for measure, currency_field in self.money:
            amount, currency = values.get(measure), values.get(currency_field)
            if amount is None or currency is None:
                continue
            codes = currency.filter(amount.is_not_null()).drop_nulls().unique().to_list()
            rates = {code: self.rates.usd_per_unit(code, self.period) for code in codes}
            rate = currency.replace_strict(
                list(rates),
                [None if r is None else float(r) for r in rates.values()],
                default=None,
                return_dtype=pl.Float64,
            )
            bad = (amount.is_not_null() & currency.is_not_null() & rate.is_null()).fill_null(False)
            if bad.any():
                written = self._written(frame, measure)
                shown = written if written is not None else amount.cast(pl.String)
                for row, cell, code in self._report(rows, bad, shown, currency):
                    found.append(
                        ReportProblem.error(
                            "no_rate",
                            row=row,
                            column=self.header(measure),
                            value=shown_cell(cell),
                            params={"currency": code, "period": self.period},
                        )
                    )
                failed = failed | bad
            values[measure] = (amount * rate.fill_null(1.0)).rename(measure)
        return failed

    def _remember_keys(self, rows: pl.Series, values: dict[str, pl.Series], ok: pl.Series) -> None:
        if not self.key_fields:
            return
        parts = []
        for name in self.key_fields:
            if name == "period" and name not in values:
                parts.append(pl.lit(self.period))
            elif name in values:
                parts.append(pl.lit(values[name]).cast(pl.String).fill_null(""))
            else:
                parts.append(pl.lit(""))
        keys = pl.select(pl.concat_str(parts, separator="\x1f").hash(seed=0)).to_series().filter(ok)
        self.keys.add(keys.to_numpy(), rows.filter(ok).to_numpy())

    # --- the whole file -------------------------------------------------------------------------------

    def duplicate_keys(self, limit: int) -> tuple[int, list[tuple[int, int]]]:
        """How many rows repeat an earlier row's dimension key, and the first `limit` of them in row
        order as (row, first row with that key)."""
        return self.keys.repeated(limit)

    def close(self) -> None:
        self.pool.shutdown()
        self.keys.close()


def _number_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
