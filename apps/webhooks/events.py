"""What each event says, and what of it may still be delivered.

`benchmark.published` names, for one partner, only the cells of a run (standard, measure, cohort,
period, breakdown) that its agreements grant and that hold a figure already published to it (past
the policy's embargo and the agreement's lag); it carries no value, only where to pull it. Whether the
partner may read them is decided by apps.exchange.access, the one access function, when the event is
made and again when each delivery is sent: a suspended or expired agreement stops it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings

from apps.benchmarks.codes import Status
from apps.benchmarks.models import Run
from apps.benchmarks.selectors import shown
from apps.exchange.access import Scope, scope_of_partner
from apps.exchange.models import Agreement
from apps.organizations.models import Organization
from apps.webhooks.models import Event, EventType

MAX_CELLS = 500


def _url(path: str) -> str:
    return settings.HUB_PUBLIC_URL.rstrip("/") + path


def agreement_payload(agreement: Agreement, change: str) -> dict[str, Any]:
    return {
        "agreement": agreement.pk,
        "change": change,
        "title": agreement.title,
        "status": agreement.status,
        "revision": agreement.revision,
        "valid_from": agreement.valid_from.isoformat(),
        "valid_until": agreement.valid_until.isoformat() if agreement.valid_until else None,
        "lag_months": agreement.lag_months,
        "allowed": _url("/api/v1/exchange/allowed/"),
    }


def submission_payload(submission: Any) -> dict[str, Any]:
    """The submitting organization's own submission: its state and counts, nothing of anyone else."""
    return {
        "submission": str(submission.pk),
        "status": submission.status,
        "standard": submission.version.standard.code,
        "version": submission.version.version,
        "period": submission.period,
        "rows": submission.row_count,
        "errors": submission.error_count,
        "warnings": submission.warning_count,
        "in_force": submission.is_current,
        "report": _url(f"/api/v1/submissions/{submission.pk}/report/"),
    }


def _cell(standard: str, measure: str, cohort: str, period: str, field: str, value: str) -> dict[str, Any]:
    return {
        "standard": standard,
        "measure": measure,
        "cohort": cohort,
        "period": period,
        "breakdown": {field: value} if field else {},
    }


def readable_cells(scope: Scope, run: Run) -> list[dict[str, Any]]:
    """The cells of `run` that hold a figure published to this partner on the scope's day."""
    figures = scope.readable(run.figures.filter(status=Status.PUBLISHED)).select_related("standard")
    cells: dict[tuple[str, ...], dict[str, Any]] = {}
    for figure in figures.order_by("measure", "cohort", "breakdown_field", "breakdown_value", "id"):
        key = (figure.standard.code, figure.measure, figure.cohort, figure.period)
        identity = (*key, figure.breakdown_field, figure.breakdown_value)
        if identity in cells:
            continue
        release = scope.release(standard=key[0], measure=key[1], cohort=key[2], period=key[3])
        if release is None or shown(figure, scope.today, not_before=release).status != Status.PUBLISHED:
            continue
        cells[identity] = _cell(*identity)
    return list(cells.values())


def run_payload(run: Run, cells: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "run": run.pk,
        "standard": run.standard.code,
        "period": run.period,
        "cells": cells[:MAX_CELLS],
        "truncated": len(cells) > MAX_CELLS,
        "pull": _url(f"/api/v1/benchmarks/?standard={run.standard.code}&period={run.period}"),
    }


def _still_readable(scope: Scope, cell: dict[str, Any]) -> bool:
    asked = {"standard": cell["standard"], "measure": cell["measure"], "cohort": cell["cohort"]}
    release = scope.release(**asked, period=cell["period"])
    return release is not None and release <= scope.today


def as_delivered(event: Event, today: date) -> dict[str, Any] | None:
    """The event's data as it may be sent on `today`, or None when nothing of it may be any more (a
    `benchmark.published` whose cells the partner's agreements in force no longer grant)."""
    if event.type != EventType.BENCHMARK_PUBLISHED:
        return event.payload
    partner = Organization.objects.get(pk=event.organization_id)
    if partner.kind != Organization.Kind.PARTNER or partner.status != Organization.Status.ACTIVE:
        return None
    scope = scope_of_partner(partner, today)
    cells = [cell for cell in event.payload.get("cells", []) if _still_readable(scope, cell)]
    if not cells:
        return None
    return {**event.payload, "cells": cells}
