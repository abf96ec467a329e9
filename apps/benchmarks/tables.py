"""What the member's benchmarks page shows: the choice of standard, measure, cohort, breakdown and
firm (from the query string, falling back to the first of each), and one cell's figures for its
newest periods as rows of a table, a CSV file and the chart's periods.

Figures are shown as members see them today (selectors.shown); the own figure is the chosen firm's,
and only a firm of the reader's own is ever chosen (permissions.position_organization).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpResponse, QueryDict
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from alliance.i18n import pick
from apps.benchmarks import labels
from apps.benchmarks.charts import ChartPeriod
from apps.benchmarks.codes import Statistic, Status
from apps.benchmarks.measures import Measure, benchmark_measures
from apps.benchmarks.models import DEFAULT_COHORT
from apps.benchmarks.permissions import position_organization, position_organizations
from apps.benchmarks.positions import band, own_figures
from apps.benchmarks.selectors import (
    Filters,
    Shown,
    breakdown_cells,
    cohorts_of,
    recent_figures,
    reliability,
    shown,
    standards_to_benchmark,
)
from apps.organizations.models import Organization
from apps.standards.models import Field, Standard
from apps.standards.reference import country_name
from apps.standards.selectors import current_version, fields_of
from apps.standards.templates_files import safe_cell
from apps.standards.units import symbol

PERIODS = 24
"""The page shows a cell's newest 24 periods."""
COLUMNS = (Statistic.P10, Statistic.P25, Statistic.MEDIAN, Statistic.P75, Statistic.P90, Statistic.MEAN)


@dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclass
class Choice:
    """The reader's choice, each with the options it was made from."""

    standards: list[Option] = field(default_factory=list)
    standard: Standard | None = None
    measures: list[Option] = field(default_factory=list)
    measure: Measure | None = None
    cohorts: list[Option] = field(default_factory=list)
    cohort: str = DEFAULT_COHORT
    breakdowns: list[Option] = field(default_factory=list)
    breakdown: str = ""
    organizations: list[Option] = field(default_factory=list)
    organization: Organization | None = None
    unit: str = ""

    @property
    def query(self) -> dict[str, str]:
        """The choice as query parameters (for the download links)."""
        found = {
            "standard": self.standard.code if self.standard else "",
            "measure": self.measure.name if self.measure else "",
            "cohort": self.cohort,
            "breakdown": self.breakdown,
            "organization": str(self.organization.pk) if self.organization else "",
        }
        return {key: value for key, value in found.items() if value}


def _chosen(options: list[Option], wanted: str | None, default: str = "") -> str:
    values = [option.value for option in options]
    if wanted in values:
        return wanted or ""
    return default if default in values else (values[0] if values else "")


def breakdown_label(fields: dict[str, Field], name: str, value: str, language: str) -> str:
    """ "Destination country: Kazakhstan": a breakdown's field title and value in `language`."""
    found = fields.get(name)
    title = pick(found.titles, name, language) if found else name
    if found is not None and found.type == Field.Type.COUNTRY:
        shown_value = country_name(value, language)
    elif found is not None:
        shown_value = pick(found.enum_labels.get(value, {}), value, language)
    else:
        shown_value = value
    return f"{title}: {shown_value}"


def _standard_for(
    standards: list[Standard], wanted: str | None, organization: Organization | None
) -> Standard | None:
    """The standard asked for, else the first of the firm's sectors, else the first."""
    by_code = {standard.code: standard for standard in standards}
    if wanted in by_code:
        return by_code[wanted]  # type: ignore[index]
    if organization is not None:
        sectors = {sector.pk for sector in organization.sectors.all()}
        preferred = next((s for s in standards if s.sector_id in sectors), None)
        if preferred is not None:
            return preferred
    return standards[0] if standards else None


def choose(actor: Any, query: QueryDict, language: str) -> Choice:
    """The reader's choice from the query string: an unknown standard, measure, cohort or breakdown
    falls back to the first; a firm that is not the reader's own is 404, like a missing one."""
    choice = Choice()
    own = position_organizations(actor)
    choice.organizations = [Option(str(o.pk), o.name) for o in own]
    wanted_organization = query.get("organization") or None
    choice.organization = position_organization(actor, wanted_organization)
    if wanted_organization is not None and choice.organization is None:
        raise Http404(_("No member firm of yours is named."))
    standards = standards_to_benchmark()
    choice.standards = [Option(s.code, s.code) for s in standards]
    choice.standard = _standard_for(standards, query.get("standard"), choice.organization)
    if choice.standard is None:
        return choice
    version = current_version(choice.standard)
    fields = fields_of(version) if version else []
    measures = benchmark_measures(fields)[0]
    choice.measures = [Option(m.name, pick(m.field.titles, m.name, language)) for m in measures]
    measure_name = _chosen(choice.measures, query.get("measure"))
    choice.measure = next((m for m in measures if m.name == measure_name), None)
    choice.cohorts = [
        Option(view.code, pick(view.names, view.code, language)) for view in cohorts_of([choice.standard])
    ]
    choice.cohort = _chosen(choice.cohorts, query.get("cohort"), DEFAULT_COHORT)
    if choice.measure is None:
        return choice
    choice.unit = symbol(choice.measure.unit, language) if choice.measure.unit else ""
    by_name = {f.name: f for f in fields}
    choice.breakdowns = [Option("", _("Whole cohort"))] + [
        Option(f"{name}:{value}", breakdown_label(by_name, name, value, language))
        for name, value in breakdown_cells(
            standard=choice.standard.code, measure=choice.measure.name, cohort=choice.cohort
        )
    ]
    choice.breakdown = _chosen(choice.breakdowns, query.get("breakdown"), "")
    return choice


@dataclass(frozen=True)
class CellView:
    """One figure as the table shows it: a number, or why there is none (with its explanation)."""

    kind: str
    """"value", "embargoed", "withheld", "no_data" or "missing" (the run has no such figure)."""
    text: str = ""
    help: str = ""
    until: date | None = None


def _shown_cell(item: Shown | None, decimals: int) -> CellView:
    if item is None:
        return CellView("missing")
    if item.status == Status.PUBLISHED and item.value is not None:
        return CellView("value", _number(item.value, decimals))
    if item.status == Status.EMBARGOED:
        return CellView(
            "embargoed", help=str(labels.REASON_HELP[item.reason or "embargoed"]), until=item.available_from
        )
    if item.status == Status.NOT_COMPUTED:
        return CellView(
            "withheld", str(labels.STATUS_LABELS[Status.NOT_COMPUTED]), str(labels.NOT_COMPUTED_HELP)
        )
    if item.reason:
        return CellView(
            "withheld", str(labels.REASON_LABELS[item.reason]), str(labels.REASON_HELP[item.reason])
        )
    return CellView("no_data", str(labels.STATUS_LABELS[Status.NO_DATA]))


@dataclass
class Row:
    """One period of the cell: its figures as shown today, by column, and the firm's own figure."""

    period: str
    figures: list[Shown | None]
    n_firms: int | None
    reliability: str | None
    own: float | None = None
    band: str = ""
    cells: list[CellView] = field(default_factory=list)

    @property
    def embargoed_until(self) -> date | None:
        """The day the whole row may be shown, when all of it is embargoed (one cell on the page)."""
        days = {cell.until for cell in self.cells if cell.kind == "embargoed"}
        everything = all(cell.kind == "embargoed" for cell in self.cells)
        return days.pop() if everything and len(days) == 1 else None

    own_text: str = ""


def _decimals(measure: Measure) -> int:
    rounding = measure.rounding
    if rounding is None:
        return 2
    exponent = rounding.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 2


def _number(value: float, decimals: int) -> str:
    return number_format(Decimal(str(round(value, decimals))), decimal_pos=decimals, force_grouping=True)


def rows_of(choice: Choice, *, today: date) -> list[Row]:
    """The cell's newest periods, newest first, with the own figure and its band when a firm is chosen."""
    if choice.standard is None or choice.measure is None:
        return []
    filters = Filters(
        standard=choice.standard.code,
        measure=choice.measure.name,
        cohort=choice.cohort,
        breakdown=choice.breakdown,
    )
    by_period: dict[str, dict[Statistic, Shown]] = {}
    for figure in recent_figures(filters, periods=PERIODS):
        by_period.setdefault(figure.period, {})[Statistic(figure.statistic)] = shown(figure, today)
    periods = sorted(by_period, reverse=True)
    own: dict[str, float | None] = {}
    if choice.organization is not None and periods:
        own = own_figures(
            choice.organization,
            choice.standard,
            choice.measure,
            cohort=choice.cohort,
            breakdown=choice.breakdown,
            periods=periods,
        )
    decimals = _decimals(choice.measure)
    rows = []
    for period in periods:
        figures = by_period[period]
        counts = [item.n_firms for item in figures.values() if item.n_firms is not None]
        n_firms = max(counts) if counts else None
        any_data = any(item.status != Status.NO_DATA for item in figures.values())
        row = Row(
            period, [figures.get(s) for s in COLUMNS], n_firms, reliability(n_firms) if any_data else None
        )
        row.cells = [_shown_cell(item, decimals) for item in row.figures]
        row.own = own.get(period)
        if row.own is not None:
            row.own_text = _number(row.own, decimals)
            row.band = labels.band_label(*band(row.own, figures))
        rows.append(row)
    return rows


def reasons_of(rows: list[Row]) -> list[tuple[str, str]]:
    """The reasons the rows' withheld figures give, with their explanations (the table's footnotes)."""
    found = {item.reason for row in rows for item in row.figures if item and item.reason}
    return [(str(labels.REASON_LABELS[r]), str(labels.REASON_HELP[r])) for r in sorted(found)]


def chart_periods(rows: list[Row]) -> list[ChartPeriod]:
    """The rows as the chart draws them, oldest first: published values only."""

    def value(item: Shown | None) -> float | None:
        return item.value if item is not None and item.status == Status.PUBLISHED else None

    return [
        ChartPeriod(
            row.period,
            p10=value(row.figures[0]),
            p25=value(row.figures[1]),
            median=value(row.figures[2]),
            p75=value(row.figures[3]),
            p90=value(row.figures[4]),
            own=row.own,
        )
        for row in reversed(rows)
    ]


def _cell_text(item: Shown | None, decimals: int) -> str:
    if item is None:
        return ""
    if item.status == Status.PUBLISHED and item.value is not None:
        return f"{round(item.value, decimals):.{decimals}f}"
    if item.status == Status.EMBARGOED:
        return _("embargoed until %(date)s") % {
            "date": item.available_from.isoformat() if item.available_from else ""
        }
    if item.reason:
        return str(labels.REASON_LABELS[item.reason])
    return str(labels.STATUS_LABELS[item.status])


def table_csv(choice: Choice, rows: list[Row]) -> HttpResponse:
    """The table as CSV (UTF-8 with BOM): numbers with a decimal point, and in each withheld or
    embargoed figure's place what the page says instead, in the reader's language."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    header = [_("period"), _("firms"), *(str(labels.STATISTIC_LABELS[s]) for s in COLUMNS), _("reliability")]
    with_own = choice.organization is not None
    if with_own:
        header += [_("your figure"), _("your position")]
    writer.writerow(header)
    decimals = _decimals(choice.measure) if choice.measure else 2
    for row in rows:
        cells = [row.period, "" if row.n_firms is None else str(row.n_firms)]
        cells += [_cell_text(item, decimals) for item in row.figures]
        cells.append(str(labels.RELIABILITY_LABELS[row.reliability]) if row.reliability else "")
        if with_own:
            cells += ["" if row.own is None else f"{round(row.own, decimals):.{decimals}f}", row.band]
        writer.writerow([safe_cell(cell) for cell in cells])
    response = HttpResponse(("\ufeff" + buffer.getvalue()).encode(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{download_name(choice)}.csv"'
    return response


def download_name(choice: Choice) -> str:
    parts = [
        choice.standard.code if choice.standard else "benchmarks",
        choice.measure.name if choice.measure else "",
        choice.cohort,
        choice.breakdown.replace(":", "-"),
    ]
    return "_".join(part for part in parts if part).replace('"', "")
