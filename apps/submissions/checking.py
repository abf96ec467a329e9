"""Checking an uploaded table against a standard version, reading only: the header first, then every
row, block by block (`check_table`). The worker stores what it finds (apps.submissions.services), and
bench/ingest.py measures this stage alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import polars as pl
from django.conf import settings

from apps.standards.models import Field, StandardVersion
from apps.standards.slots import ensure_slots
from apps.submissions import parsing
from apps.submissions.headers import Column, Plan, make_plan
from apps.submissions.history import History
from apps.submissions.messages import ReportProblem
from apps.submissions.rates import RateBook
from apps.submissions.rows import RowChecker, RowCheckResult


def check_table(
    *,
    version: StandardVersion,
    fields: list[Field],
    table: parsing.Table,
    period: str,
    organization_id: int,
    size: int,
    accepted: Callable[[pl.DataFrame], None] | None = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[list[ReportProblem], dict[str, Any]]:
    """The validation stage: check every row of `table` against `version`; return problems and a summary.

    `accepted` receives each checked batch (a frame in the observation table's columns) while the file
    has no error yet, to spool it for COPY; `progress` receives an estimated percentage after each
    batch. Nothing is written here, which is also what bench/ingest.py measures.
    """
    ensure_slots(version)
    problems: list[ReportProblem] = []
    plan = make_plan(version, fields, table.headers)
    summary: dict[str, Any] = {
        "kind": table.kind,
        "encoding": table.encoding,
        "delimiter": table.delimiter,
        "sheet": table.sheet,
        "header_row": table.header_row,
        "columns": {column.header: column.field.name for column in plan.columns},
    }
    for header in plan.unknown:
        problems.append(
            ReportProblem.warning(
                "unknown_column", row=table.header_row or None, column=header, params={"column": header}
            )
        )
    for header, duplicate in plan.duplicates:
        problems.append(
            ReportProblem.error(
                "duplicate_column",
                row=table.header_row or None,
                column=header,
                params={"column": header, "field": duplicate.title},
            )
        )
    if plan.missing:
        names = ", ".join(f.title for f in plan.missing)
        problems.append(
            ReportProblem.error("missing_columns", row=table.header_row or None, params={"columns": names})
        )
    for column in plan.columns:  # a unit in a header that the field cannot take: once, not in every row
        numeric = column.field.type in (Field.Type.DECIMAL, Field.Type.INTEGER)
        if column.unit and numeric and column.interpreter.factor(column.unit) is None:
            allowed = ", ".join(sorted(column.interpreter.allowed_units))
            problems.append(
                ReportProblem.error(
                    "wrong_unit",
                    row=table.header_row or None,
                    column=column.header,
                    value=column.unit,
                    params={"unit": column.unit, "allowed": allowed},
                )
            )
    if any(p.severity == "error" for p in problems):
        try:
            if not parsing.has_data_rows(table):
                problems.append(ReportProblem.error("no_rows"))
        except parsing.FileProblem as problem:
            problems.append(ReportProblem.from_file_problem(problem))
        return problems, summary
    history = History(organization_id=organization_id, version=version, period=period)
    checker: RowChecker | None = None
    unreadable: parsing.FileProblem | None = None
    result = RowCheckResult(rows=0, errors=0, problems=[])
    try:
        try:
            for frame in parsing.batches(table):
                if checker is None:
                    checker, estimated_rows = _start_checking(
                        version, plan, table, frame, period, history, size, summary
                    )
                out = checker.check_batch(frame)
                if out is not None and accepted is not None:
                    accepted(out)
                if progress is not None:
                    progress(int(95 * checker.rows / max(estimated_rows, checker.rows + 1)))
        except parsing.FileProblem as problem:
            unreadable = problem
            problems.append(ReportProblem.from_file_problem(problem))
        if checker is not None:
            result = checker.finish()
            problems += result.problems
    finally:
        if checker is not None:
            checker.close()
    # Whatever else is wrong: no rows never replace a period's data.
    if result.rows == 0 and unreadable is None:
        problems.append(ReportProblem.error("no_rows"))
    summary["rows"] = result.rows
    summary["implausible_values"] = history.warned
    summary["errors_total"] = max(result.errors, sum(1 for p in problems if p.severity == "error"))
    return problems, summary


def _start_checking(
    version: StandardVersion,
    plan: Plan,
    table: parsing.Table,
    frame: pl.DataFrame,
    period: str,
    history: History,
    size: int,
    summary: dict[str, Any],
) -> tuple[RowChecker, int]:
    """A checker for the file, set up from its first batch (the decimal mark), and the file's estimated
    number of rows (for progress)."""
    decimal_comma = guess_decimal_comma(frame, plan.columns)
    if decimal_comma is None and table.delimiter == ";":
        decimal_comma = True
    summary["decimal_comma"] = decimal_comma
    checker = RowChecker(
        version=version,
        plan=plan,
        period=period,
        decimal_comma=decimal_comma,
        rates=RateBook(),
        history=history,
        limit=settings.HUB_REPORT_MAX_ISSUES,
    )
    sample = frame.head(200)
    written = sum(
        sample.select(pl.col(name).str.len_bytes().fill_null(0) + 1).to_series().sum()
        for name in sample.columns
        if name.startswith("c")
    )
    return checker, max(1, int(size * sample.height / max(1, written)))


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
