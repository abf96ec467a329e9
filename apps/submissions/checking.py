"""Checking an uploaded table against a standard version, reading only: the header first, then every
row, block by block (`check_table`). The worker stores what it finds (apps.submissions.services), and
bench/ingest.py measures this stage alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
from django.conf import settings

from apps.standards.models import Field, StandardVersion
from apps.standards.slots import ensure_slots
from apps.submissions import parsing
from apps.submissions.headers import Column, Plan, header_problems, header_scorer, make_plan
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
    plan = make_plan(version, fields, table.headers)
    summary: dict[str, Any] = {
        "kind": table.kind,
        "encoding": table.encoding,
        "delimiter": table.delimiter,
        "sheet": table.sheet,
        "header_row": table.header_row,
        "columns": {column.header: column.field.name for column in plan.columns},
    }
    problems = header_problems(plan, row=table.header_row or None)
    if any(p.severity == "error" for p in problems):
        return [*problems, *_no_data_rows(table)], summary
    history = History(organization_id=organization_id, version=version, period=period)
    result, unreadable = _check_rows(
        version, plan, table, period, history, size, summary, accepted=accepted, progress=progress
    )
    if unreadable is not None:
        problems.append(ReportProblem.from_file_problem(unreadable))
    problems += result.problems
    # Whatever else is wrong: no rows never replace a period's data.
    if result.rows == 0 and unreadable is None:
        problems.append(ReportProblem.error("no_rows"))
    summary["rows"] = result.rows
    summary["implausible_values"] = history.warned
    summary["errors_total"] = max(result.errors, sum(1 for p in problems if p.severity == "error"))
    return problems, summary


def open_table(path: Path, *, kind: str, fields: list[Field], version: StandardVersion) -> parsing.Table:
    """A stored original (`kind`: csv, xlsx or json) opened as a table, its header found by `fields`; a
    workbook's sheet is the one named after the standard, else the first. Raises FileProblem."""
    score = header_scorer(fields)
    if kind == "json":
        return parsing.read_json(path)
    if kind == "xlsx":
        names = [version.standard.code, *version.titles.values()]
        return parsing.read_xlsx(path, score, names)
    return parsing.read_csv(path, score)


def _no_data_rows(table: parsing.Table) -> list[ReportProblem]:
    """For a file its header already rejects: that it has no data rows either, or cannot be read."""
    try:
        if not parsing.has_data_rows(table):
            return [ReportProblem.error("no_rows")]
    except parsing.FileProblem as problem:
        return [ReportProblem.from_file_problem(problem)]
    return []


def _check_rows(
    version: StandardVersion,
    plan: Plan,
    table: parsing.Table,
    period: str,
    history: History,
    size: int,
    summary: dict[str, Any],
    *,
    accepted: Callable[[pl.DataFrame], None] | None,
    progress: Callable[[int], None] | None,
) -> tuple[RowCheckResult, parsing.FileProblem | None]:
    """Every block of `table` through a RowChecker set up from the first block (the decimal mark, the
    estimated number of rows); what it found, and the problem that stopped the reading, if one did."""
    checker: RowChecker | None = None
    unreadable: parsing.FileProblem | None = None
    try:
        try:
            for frame in parsing.batches(table):
                if checker is None:
                    decimal_comma = _decimal_comma(frame, plan.columns, table)
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
                    estimated_rows = _estimated_rows(frame, size)
                out = checker.check_batch(frame)
                if out is not None and accepted is not None:
                    accepted(out)
                if progress is not None:
                    progress(int(95 * checker.rows / max(estimated_rows, checker.rows + 1)))
        except parsing.FileProblem as problem:
            unreadable = problem
        result = checker.finish() if checker is not None else RowCheckResult(rows=0, errors=0, problems=[])
    finally:
        if checker is not None:
            checker.close()
    return result, unreadable


def _estimated_rows(frame: pl.DataFrame, size: int) -> int:
    """The file's number of rows, estimated from its size and the bytes of its first rows (for progress)."""
    sample = frame.head(200)
    written = sum(
        sample.select(pl.col(name).str.len_bytes().fill_null(0) + 1).to_series().sum()
        for name in sample.columns
        if name.startswith("c")
    )
    return max(1, int(size * sample.height / max(1, written)))


def _decimal_comma(frame: pl.DataFrame, columns: list[Column], table: parsing.Table) -> bool | None:
    """Whether the file writes decimals with a comma, judged from the number columns of its first rows;
    when they do not tell, a file delimited by semicolons does (None: not known)."""
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
    return True if table.delimiter == ";" else None
