"""Checking a file's data rows against a standard version, a block of rows at a time, column by column,
with the standard's own interpreter (`RowChecker`); what it found comes back as a `RowCheckResult`.

Every cell goes through apps.standards.values (defined once, next to the standard): each distinct cell
of a column once (`interpret_column`), remembered across the blocks of a file.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
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

# Columns interpreted at once: the machine's cores, at most four (more gains nothing on 15 columns).
COLUMN_THREADS = max(1, min(4, os.cpu_count() or 1))


@dataclass
class RowCheckResult:
    """What checking a file's rows found: how many data rows it read, how many errors they have (also
    those beyond the report's limit), and the problems the report keeps, in the report's order."""

    rows: int
    errors: int
    problems: list[ReportProblem]


class RowChecker:
    """Checks a file block by block (frames from parsing.batches), column by column.

    Each column goes through the standard's interpreter (apps.standards.values.interpret_column); then
    the row rules run on whole columns: extra cells, the period, the standard's cross-field rules, and
    conversion of money to USD. Problems are kept up to `limit` and counted beyond it. Rows without an
    error come out typed, in the observation table's columns, while the file has no error at all (a
    rejected file stores nothing). Dimension keys go to a KeyLedger on disk, which finds repeated keys
    at the end (`finish`). Columns are interpreted in parallel threads; `close()` ends them and removes
    the keys. `rows` counts the data rows checked so far.
    """

    def __init__(
        self,
        *,
        version: StandardVersion,
        plan: Plan,
        period: str,
        decimal_comma: bool | None,
        rates: RateBook,
        history: History,
        limit: int,
    ) -> None:
        self.rows = 0
        self._plan = plan
        self._period = period
        self._decimal_comma = decimal_comma
        self._rates = rates
        self._history = history
        self._limit = limit
        self._problems: list[ReportProblem] = []
        self._errors = 0  # every error, also those beyond the report's limit
        self._kept = 0  # errors in the report
        self._room = limit
        fields = list(version.fields.order_by("position"))
        given = {c.field.name for c in plan.columns}
        self._defaults: dict[str, Any] = {}
        for f in fields:
            if f.default and f.name not in given and not f.derived:
                value = interpreter_for(f, version.frequency)(None).value
                self._defaults[f.name] = stored_value(value, f.role == Field.Role.MEASURE)
        self._stored = {f.name: column_of(f) for f in fields if kind_of(f) is not None}
        self._key_fields = list(version.primary_key)
        self._rules = list(version.rules)
        self._money = [(f.name, f.currency_field) for f in fields if f.currency_field and f.name in given]
        # A field by its header in the file, or by its title where the file left it out (its default).
        self._headers = {f.name: f.title for f in fields} | {c.field.name: c.header for c in plan.columns}
        self._keys = KeyLedger()
        self._pool = ThreadPoolExecutor(max_workers=COLUMN_THREADS, thread_name_prefix="hub-check")

    # --- one block ------------------------------------------------------------------------------------

    def check_batch(self, frame: pl.DataFrame) -> pl.DataFrame | None:
        """Check one block and keep its problems; return its rows as stored, or None once the file has an
        error."""
        frame = parsing.data_rows(frame)
        if frame.height == 0:
            return None
        self.rows += frame.height
        self._room = max(0, self._limit - self._kept)
        rows = frame.get_column("row")
        # The cells of each field as the file wrote them (the report shows what the person typed).
        written = {c.field.name: frame.get_column(f"c{c.index}") for c in self._plan.columns}
        found: list[ReportProblem] = []
        values, failed = self._interpret(frame, rows, found)
        for name, value in self._defaults.items():
            values.setdefault(name, pl.Series(name, [value] * frame.height))
        failed = self._extra_cells(frame, rows, failed, found)
        failed = self._wrong_period(rows, values, written, failed, found)
        failed = self._cross_field_rules(rows, values, written, failed, found)
        failed = self._to_usd(rows, values, written, failed, found)
        ok = ~failed
        self._remember_keys(rows, values, ok)
        found += self._history.warnings(rows=rows, values=values, ok=ok, written=written, header=self._header)
        self._keep(found)
        if self._errors:
            return None
        out: dict[str, pl.Series] = {"row": rows}
        for name, stored in self._stored.items():
            if name in values:
                out[stored] = values[name].rename(stored)
        return pl.DataFrame(out)

    def _interpret(
        self, frame: pl.DataFrame, rows: pl.Series, found: list[ReportProblem]
    ) -> tuple[dict[str, pl.Series], pl.Series]:
        """Each matched column's values by its field's name, and the rows with a cell its interpreter
        refused (those cells' problems go to `found`)."""
        failed = pl.Series("failed", [False] * frame.height)
        values: dict[str, pl.Series] = {}

        def interpret(column: Column) -> tuple[pl.Series, pl.Series]:
            return interpret_column(
                column.interpreter,
                frame.get_column(f"c{column.index}"),
                unit=column.unit,
                decimal_comma=self._decimal_comma,
                memo=column.cache,
            )

        # Columns in parallel: polars releases the GIL, and each column has its own memo.
        interpreted = list(self._pool.map(interpret, self._plan.columns))
        for column, (value, bad) in zip(self._plan.columns, interpreted, strict=True):
            raw = frame.get_column(f"c{column.index}")
            values[column.field.name] = value
            if bad.any():
                failed = failed | bad
                for row, cell in self._report(rows, bad, raw):
                    result = column.cache.get(cell) or column.interpreter(
                        cell, unit=column.unit, decimal_comma=self._decimal_comma
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
        return values, failed

    def _keep(self, found: list[ReportProblem]) -> None:
        """Keep a block's problems in row order, errors only while the report has room for them."""
        found.sort(key=lambda problem: problem.row or 0)
        for problem in found:
            if problem.severity == "error":
                if self._kept >= self._limit:
                    continue
                self._kept += 1
            self._problems.append(problem)

    def _report(self, rows: pl.Series, mask: pl.Series, *cells: pl.Series) -> list[tuple[Any, ...]]:
        """(row, cell, ...) where `mask` holds, as many as the report can still take; all are counted."""
        self._errors += int(mask.sum())
        columns = [series.filter(mask).head(self._room).to_list() for series in (rows, *cells)]
        return list(zip(*columns, strict=True))

    def _header(self, name: str) -> str:
        return self._headers.get(name, name)

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

    def _wrong_period(
        self,
        rows: pl.Series,
        values: dict[str, pl.Series],
        written: dict[str, pl.Series],
        failed: pl.Series,
        found: list[ReportProblem],
    ) -> pl.Series:
        name = next((c.field.name for c in self._plan.columns if c.field.type == Field.Type.PERIOD), None)
        if name is None:
            return failed
        bad = (values[name] != self._period).fill_null(False)
        if bad.any():
            as_written = written.get(name)
            shown = as_written if as_written is not None else values[name]
            for row, cell in self._report(rows, bad, shown):
                found.append(
                    ReportProblem.error(
                        "period_mismatch",
                        row=row,
                        column=self._header(name),
                        value=shown_cell(cell),
                        params={"period": self._period},
                    )
                )
        return failed | bad

    def _cross_field_rules(
        self,
        rows: pl.Series,
        values: dict[str, pl.Series],
        written: dict[str, pl.Series],
        failed: pl.Series,
        found: list[ReportProblem],
    ) -> pl.Series:
        for rule in self._rules:
            first, second = rule["fields"]
            if first not in values or second not in values:
                continue
            a, b = values[first], values[second]
            broken = (a > b) if rule["check"] == "lte" else (a >= b)
            bad = broken.fill_null(False)
            if not bad.any():
                continue
            as_written = written.get(first)
            shown = as_written if as_written is not None else a.cast(pl.String)
            for row, cell, limit in self._report(rows, bad, shown, b):
                found.append(
                    ReportProblem.error(
                        f"rule_{rule['check']}",
                        row=row,
                        column=self._header(first),
                        value=shown_cell(cell),
                        params={
                            "value": shown_cell(cell),
                            "other": self._header(second),
                            "limit": _number_text(limit),
                        },
                    )
                )
            failed = failed | bad
        return failed

    def _to_usd(
        self,
        rows: pl.Series,
        values: dict[str, pl.Series],
        written: dict[str, pl.Series],
        failed: pl.Series,
        found: list[ReportProblem],
    ) -> pl.Series:
        for measure, currency_field in self._money:
            amount, currency = values.get(measure), values.get(currency_field)
            if amount is None or currency is None:
                continue
            codes = currency.filter(amount.is_not_null()).drop_nulls().unique().to_list()
            rates = {code: self._rates.usd_per_unit(code, self._period) for code in codes}
            rate = currency.replace_strict(
                list(rates),
                [None if r is None else float(r) for r in rates.values()],
                default=None,
                return_dtype=pl.Float64,
            )
            bad = (amount.is_not_null() & currency.is_not_null() & rate.is_null()).fill_null(False)
            if bad.any():
                as_written = written.get(measure)
                shown = as_written if as_written is not None else amount.cast(pl.String)
                for row, cell, code in self._report(rows, bad, shown, currency):
                    found.append(
                        ReportProblem.error(
                            "no_rate",
                            row=row,
                            column=self._header(measure),
                            value=shown_cell(cell),
                            params={"currency": code, "period": self._period},
                        )
                    )
                failed = failed | bad
            values[measure] = (amount * rate.fill_null(1.0)).rename(measure)
        return failed

    def _remember_keys(self, rows: pl.Series, values: dict[str, pl.Series], ok: pl.Series) -> None:
        if not self._key_fields:
            return
        parts = []
        for name in self._key_fields:
            if name == "period" and name not in values:
                parts.append(pl.lit(self._period))
            elif name in values:
                parts.append(pl.lit(values[name]).cast(pl.String).fill_null(""))
            else:
                parts.append(pl.lit(""))
        keys = pl.select(pl.concat_str(parts, separator="\x1f").hash(seed=0)).to_series().filter(ok)
        self._keys.add(keys.to_numpy(), rows.filter(ok).to_numpy())

    # --- the whole file -------------------------------------------------------------------------------

    def finish(self) -> RowCheckResult:
        """What the file's rows hold, once its last block is checked: the problems kept so far, then the
        rows that repeat an earlier row's dimension key (as many as the report has room for, in row
        order; all of them counted)."""
        key_names = ", ".join(self._header(name) for name in self._key_fields)
        repeated, shown = self._keys.repeated(max(0, self._limit - self._kept))
        self._errors += repeated
        self._kept += len(shown)
        duplicates = [
            ReportProblem.error("duplicate_key", row=row, params={"first": first, "key": key_names})
            for row, first in shown
        ]
        return RowCheckResult(rows=self.rows, errors=self._errors, problems=[*self._problems, *duplicates])

    def close(self) -> None:
        self._pool.shutdown()
        self._keys.close()


def _number_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
