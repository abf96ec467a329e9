"""Benchmark pages: the members' page (one cell over its newest periods: table, chart, own figure,
downloads as CSV, SVG and PNG), the disclosure explanation, and the stewards' pages for cohorts, the
policy and the runs with each figure's evidence (never a firm or an amount)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alliance.errors import error_text
from alliance.i18n import pick
from apps.benchmarks import charts, labels, services, tables
from apps.benchmarks.forms import CohortForm, PolicyForm
from apps.benchmarks.models import Cohort, Figure, Run
from apps.benchmarks.permissions import (
    access_cohort_by_id,
    access_run_by_id,
    check_can_read,
    check_can_steward,
)
from apps.benchmarks.runs import active_policy
from apps.benchmarks.selectors import (
    cohorts_listed,
    run_decisions,
    run_measures,
    runs_listed,
    standards_to_benchmark,
)
from apps.standards.models import Field
from apps.standards.selectors import current_version, fields_of, language_of

DOWNLOADS = ("csv", "svg", "png")


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The cell the reader chose, for its newest periods; `?format=csv|svg|png` downloads it.

    The page is in the reader's language (the one the whole site is shown in); a download is in
    `?lang=` when it names one of ours, so a shared link gives the same file to everyone, and every word
    of one response is in one language."""
    check_can_read(request.user)
    kind = request.GET.get("format", "")
    if kind in DOWNLOADS:
        with translation.override(language_of(request)):
            return _download_of(request, kind)
    return _page(request)


def _page(request: HttpRequest) -> HttpResponse:
    language = translation.get_language() or settings.LANGUAGE_CODE
    choice = tables.choose(request.user, request.GET, language)
    rows = tables.rows_of(choice, today=timezone.localdate())
    geometry = charts.layout(tables.chart_periods(rows))
    title = _chart_title(choice)
    return render(
        request,
        "benchmarks/index.html",
        {
            "choice": choice,
            "rows": rows,
            "reasons": tables.reasons_of(rows),
            "chart": "" if geometry.empty else charts.svg(geometry, title=title, legend=_legend(choice)),
            "downloads": {
                kind: urlencode({**choice.query, "format": kind, "lang": language}) for kind in DOWNLOADS
            },
            "reliability_labels": labels.RELIABILITY_LABELS,
            "reason_labels": labels.REASON_LABELS,
            "reason_help": labels.REASON_HELP,
            "statistics": [labels.STATISTIC_LABELS[s] for s in tables.COLUMNS],
        },
    )


def _download_of(request: HttpRequest, kind: str) -> HttpResponse:
    choice = tables.choose(request.user, request.GET, translation.get_language() or settings.LANGUAGE_CODE)
    rows = tables.rows_of(choice, today=timezone.localdate())
    if kind == "csv":
        return tables.table_csv(choice, rows)
    geometry = charts.layout(tables.chart_periods(rows))
    if kind == "png":
        codes = charts.PNG_LEGEND if choice.organization is not None else charts.PNG_LEGEND[:3]
        return _download(charts.png(geometry, legend=codes), "image/png", choice, "png")
    svg = charts.svg(geometry, title=_chart_title(choice), legend=_legend(choice), standalone=True)
    return _download(svg.encode(), "image/svg+xml", choice, "svg")


def _legend(choice: tables.Choice) -> list[str]:
    legend = [_("p10 to p90"), _("p25 to p75"), str(labels.STATISTIC_LABELS["median"])]
    return legend + ([_("your figure")] if choice.organization is not None else [])


def _chart_title(choice: tables.Choice) -> str:
    measure = next(
        (o.label for o in choice.measures if choice.measure and o.value == choice.measure.name), ""
    )
    unit = f" ({choice.unit})" if choice.unit else ""
    return f"{measure}{unit}"


def _download(content: bytes, content_type: str, choice: tables.Choice, extension: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{tables.download_name(choice)}.{extension}"'
    return response


@login_required
def disclosure(request: HttpRequest) -> HttpResponse:
    """docs/disclosure.md (in the reader's language where it is translated) as plain text."""
    check_can_read(request.user)
    docs = Path(settings.BASE_DIR) / "docs"
    language = language_of(request)
    for path in (docs / f"disclosure.{language}.md", docs / "disclosure.md"):
        if path.is_file():
            return HttpResponse(path.read_bytes(), content_type="text/plain; charset=utf-8")
    raise Http404


# --- Stewards ------------------------------------------------------------------------------------------


@login_required
def steward_cohorts(request: HttpRequest) -> HttpResponse:
    """Every cohort, and the form that drafts a new one."""
    check_can_steward(request.user)
    standards = standards_to_benchmark()
    form = CohortForm(request.POST or None, standards=standards)
    if request.method == "POST" and form.is_valid():
        try:
            cohort = services.create_cohort(actor=request.user, request=request, **form.service_arguments())
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Draft cohort created: check its preview, then activate it."))
            return redirect("benchmarks:steward_cohort", pk=cohort.pk)
    cohorts = [
        (cohort, pick(cohort.names, cohort.code), _size_classes(cohort)) for cohort in cohorts_listed()
    ]
    return render(request, "benchmarks/steward_cohorts.html", {"form": form, "cohorts": cohorts})


def _size_classes(cohort: Cohort) -> str:
    """A cohort's size classes in words, smallest first (the cohort keeps their codes sorted by name)."""
    order = list(labels.SIZE_CLASS_LABELS)
    codes = sorted(cohort.size_classes, key=lambda code: order.index(code) if code in order else len(order))
    return ", ".join(labels.code_label(labels.SIZE_CLASS_LABELS, code) for code in codes)


def _add_errors(form: CohortForm | PolicyForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, problems in error.message_dict.items():
            form.add_error(name if name in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)


@login_required
def steward_cohort(request: HttpRequest, pk: str) -> HttpResponse:
    """A cohort; a draft's page shows what activating it would do."""
    cohort = access_cohort_by_id(request.user, pk)
    preview = (
        services.preview_cohort(actor=request.user, cohort=cohort)
        if cohort.status == Cohort.Status.DRAFT
        else None
    )
    return render(
        request,
        "benchmarks/steward_cohort.html",
        {
            "cohort": cohort,
            "name": pick(cohort.names, cohort.code),
            "size_classes": _size_classes(cohort),
            "preview": preview,
            "statuses": labels.STATUS_LABELS,
        },
    )


def _cohort_step(request: HttpRequest, pk: str, step: Callable[..., Any], done: str) -> HttpResponse:
    """Activate or retire a cohort (a service), then back to the cohort with what happened."""
    cohort = access_cohort_by_id(request.user, pk)
    try:
        step(actor=request.user, cohort=cohort, request=request)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, done)
    return redirect("benchmarks:steward_cohort", pk=cohort.pk)


@login_required
@require_POST
def steward_activate(request: HttpRequest, pk: str) -> HttpResponse:
    return _cohort_step(
        request,
        pk,
        services.activate_cohort,
        _("Cohort activated: its benchmarks are computed with the next run."),
    )


@login_required
@require_POST
def steward_retire(request: HttpRequest, pk: str) -> HttpResponse:
    return _cohort_step(
        request, pk, services.retire_cohort, _("Cohort retired: no new benchmarks are computed for it.")
    )


@login_required
def steward_policy(request: HttpRequest) -> HttpResponse:
    """The policy in force, and the form that adopts a new version of it."""
    check_can_steward(request.user)
    policy = active_policy()
    form = PolicyForm(request.POST or None, document=policy.document)
    if request.method == "POST" and form.is_valid():
        try:
            adopted = services.adopt_policy(
                actor=request.user, document=form.policy_document(), request=request
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _("Policy %(version)s is in force; every benchmark is recomputed.")
                % {"version": adopted.version},
            )
            return redirect("benchmarks:steward_policy")
    document = policy.document
    return render(
        request,
        "benchmarks/steward_policy.html",
        {
            "policy": policy,
            "form": form,
            "classes": [
                (labels.code_label(labels.CLASS_LABELS, code), code, rules)
                for code, rules in document["classes"].items()
            ],
            "levels": [
                (
                    level["min_firms"],
                    ", ".join(labels.code_label(labels.STATISTIC_LABELS, s) for s in level["statistics"]),
                )
                for level in document["statistic_levels"]
            ],
        },
    )


@login_required
def steward_runs(request: HttpRequest) -> HttpResponse:
    """The runs, newest first, of one standard or all."""
    check_can_steward(request.user)
    standard = request.GET.get("standard", "")
    page = Paginator(runs_listed(standard), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "benchmarks/steward_runs.html",
        {
            "page": page,
            "runs": [(run, _summary(run)) for run in page],
            "standard": standard,
            "standards": [s.code for s in standards_to_benchmark()],
            "filters": urlencode({"standard": standard}) if standard else "",
        },
    )


def _summary(run: Run) -> list[tuple[str, str, int]]:
    """A run's figures by status and reason: (label, code, count)."""
    return [(labels.summary_label(key), key, count) for key, count in run.summary.items()]


@login_required
def steward_run(request: HttpRequest, pk: str) -> HttpResponse:
    """One run: each figure's decision with its rule and evidence (shares and counts, no amounts)."""
    run = access_run_by_id(request.user, pk)
    measure, status = request.GET.get("measure", ""), request.GET.get("status", "")
    decisions = run_decisions(run, measure=measure, status=status)
    filters = urlencode({key: value for key, value in (("measure", measure), ("status", status)) if value})
    page = Paginator(decisions, 200).get_page(request.GET.get("page"))
    fields = _fields_of(run)
    return render(
        request,
        "benchmarks/steward_run.html",
        {
            "run": run,
            "page": page,
            "rows": [_decision(figure, fields) for figure in page],
            "statuses": labels.STATUS_LABELS,
            "measures": [(code, _title(fields, code)) for code in run_measures(run)],
            "measure": measure,
            "status": status,
            "filters": filters,
        },
    )


def _fields_of(run: Run) -> dict[str, Field]:
    """The run's standard's fields by name (its current version's: titles for measures, breakdowns)."""
    version = current_version(run.standard)
    return {field.name: field for field in fields_of(version)} if version is not None else {}


def _title(fields: dict[str, Field], name: str) -> str:
    found = fields.get(name)
    return pick(found.titles, name) if found is not None else name


def _decision(figure: Figure, fields: dict[str, Field]) -> dict[str, Any]:
    """A figure's decision in words for the stewards' page; the rule's and warnings' codes stay beside
    their labels (`warnings` pairs each label with its code)."""
    evidence = figure.evidence or {}
    language = translation.get_language() or settings.LANGUAGE_CODE
    breakdown = (
        tables.breakdown_label(fields, figure.breakdown_field, figure.breakdown_value, language)
        if figure.breakdown_field
        else ""
    )
    return {
        "figure": figure,
        "e": evidence,
        "measure": _title(fields, figure.measure),
        "breakdown": breakdown,
        "statistic": labels.code_label(labels.STATISTIC_LABELS, figure.statistic),
        "status": labels.code_label(labels.STATUS_LABELS, figure.status),
        "reason": labels.code_label(labels.REASON_LABELS, figure.reason),
        "rule": labels.code_label(labels.RULE_LABELS, evidence.get("rule")),
        "warnings": [
            (labels.code_label(labels.WARNING_LABELS, code), code) for code in evidence.get("warnings") or ()
        ],
        "attacker": labels.code_label(labels.ATTACKER_LABELS, evidence.get("attacker")),
        "attack": labels.code_label(labels.ATTACK_LABELS, evidence.get("attack")),
        "protects": [labels.target_label(label) for label in evidence.get("protects") or ()],
    }
