"""The stewards' partner-access log: every partner pull (`exchange.read`, in the partner's log), every
refused question (`exchange.refused`, in the stewards' security log, naming the partner in its data)
and every change of an agreement (`agreement.*`), filtered by partner, action and days, as a page or
as CSV with the same filters.

The events hold questions, counts, cohort codes, run ids and agreement terms, never a figure's value
or a firm's data, so nothing here needs withholding; CSV cells are neutralized all the same.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from apps.audit.models import AuditEvent
from apps.exchange.readers import period_range
from apps.organizations.models import Organization
from apps.standards.templates_files import safe_cell

READ = "exchange.read"
REFUSED = "exchange.refused"
AGREEMENT = "agreement."
ACTIONS = (
    (READ, _("Partner read")),
    (REFUSED, _("Refused question")),
    ("agreement.create", _("Agreement recorded")),
    ("agreement.suspend", _("Agreement suspended")),
    ("agreement.resume", _("Agreement resumed")),
)
CSV_COLUMNS = (
    "event",
    "at",
    "action",
    "partner",
    "who",
    "address",
    "asked",
    "figures",
    "cells",
    "agreement",
)


class AccessFilter(forms.Form):
    """The log's filters; an empty one filters nothing, a wrong one is an error shown on the page."""

    partner = forms.ModelChoiceField(
        label=_("Partner"),
        required=False,
        queryset=Organization.objects.none(),
        to_field_name="slug",
        empty_label=_("Any partner"),
    )
    action = forms.ChoiceField(label=_("Action"), required=False, choices=[("", _("Any action")), *ACTIONS])
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = Organization.objects.filter(  # type: ignore[attr-defined]
            kind=Organization.Kind.PARTNER
        ).order_by("slug")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            raise forms.ValidationError(_("The last day comes before the first."))
        return data


def partner_events(
    *,
    partner: Organization | None = None,
    action: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[AuditEvent]:
    """The partner-access events, newest first, narrowed by the filters given."""
    events = AuditEvent.objects.filter(Q(action__in=(READ, REFUSED)) | Q(action__startswith=AGREEMENT))
    if partner is not None:
        events = events.filter(Q(organization_id=partner.pk) | Q(action=REFUSED, data__partner=partner.slug))
    if action:
        events = events.filter(action=action)
    if date_from is not None:
        events = events.filter(at__date__gte=date_from)
    if date_to is not None:
        events = events.filter(at__date__lte=date_to)
    return events.order_by("-id")


@dataclass(frozen=True)
class Access:
    """One event of the log as the page and the CSV show it."""

    event: AuditEvent
    partner: Organization | None

    @property
    def asked(self) -> dict[str, Any]:
        asked = self.event.data.get("asked")
        return asked if isinstance(asked, dict) else {}

    @property
    def figures(self) -> int | None:
        figures = self.event.data.get("figures")
        return figures if isinstance(figures, int) else None

    @property
    def cells(self) -> list[str]:
        """Each cell group read, as `standard/cohort measures first..last (figures)`."""
        found = []
        for cell in self.event.data.get("cells") or []:
            first, last = period_range(cell)
            found.append(
                f"{cell.get('standard')}/{cell.get('cohort')} {','.join(cell.get('measures', []))} "
                f"{first}..{last} ({cell.get('figures', 0)})"
            )
        return found

    @property
    def agreement(self) -> str:
        """For an agreement's change: its id, revision and status."""
        if not self.event.action.startswith(AGREEMENT):
            return ""
        data = self.event.data
        return f"#{self.event.object_id} r{data.get('revision', '')} {data.get('status', '')}".strip()


def accesses(events: Iterable[AuditEvent]) -> list[Access]:
    """`events` (a page of them) with their partners, read in one query."""
    events = list(events)
    ids = {event.organization_id for event in events if event.organization_id}
    slugs = {str(event.data.get("partner")) for event in events if event.action == REFUSED}
    found = Organization.objects.filter(Q(pk__in=ids) | Q(slug__in=slugs, kind=Organization.Kind.PARTNER))
    by_id = {organization.pk: organization for organization in found}
    by_slug = {organization.slug: organization for organization in found}
    return [
        Access(
            event,
            by_slug.get(str(event.data.get("partner")))
            if event.action == REFUSED
            else by_id.get(event.organization_id or 0),
        )
        for event in events
    ]


def csv_lines(events: QuerySet[AuditEvent], *, chunk: int = 500) -> Iterator[str]:
    """The events as CSV lines (UTF-8 with BOM first), read `chunk` at a time: a long log streams."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(CSV_COLUMNS)
    yield "\ufeff" + flush()
    batch: list[AuditEvent] = []
    for event in events.iterator(chunk_size=chunk):
        batch.append(event)
        if len(batch) == chunk:
            yield _rows(writer, batch, flush)
            batch = []
    if batch:
        yield _rows(writer, batch, flush)


def _rows(writer: Any, batch: list[AuditEvent], flush: Any) -> str:
    for item in accesses(batch):
        event = item.event
        cells = [
            str(event.pk),
            event.at.isoformat(),
            event.action,
            item.partner.slug if item.partner else "",
            event.actor_label,
            event.address or "",
            json.dumps(item.asked, sort_keys=True, ensure_ascii=False) if item.asked else "",
            "" if item.figures is None else str(item.figures),
            "; ".join(item.cells),
            item.agreement,
        ]
        writer.writerow([safe_cell(cell) for cell in cells])
    return str(flush())
