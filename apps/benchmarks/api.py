"""The benchmarks API: cohorts, figures (one statistic of one cell per row, like an SDMX observation;
JSON with cursor pagination, or every matching row as CSV, SDMX-CSV 2.0 or SDMX-JSON 2.0 by the
Accept header: apps.benchmarks.sdmx) and the caller's own position.

Figures are shown as members see them today (apps.benchmarks.selectors.shown): a withheld figure has a
null value and a reason that leaks nothing; an embargoed one says when it becomes available.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from alliance.i18n import pick
from alliance.rest import CsvRenderer, CursorPagination
from apps.benchmarks import labels
from apps.benchmarks.audiences import ReaderScope, scope_for
from apps.benchmarks.codes import STATISTICS, PublicReason, Status
from apps.benchmarks.filters import WHOLE_COHORT, FigureFilter
from apps.benchmarks.models import DEFAULT_COHORT
from apps.benchmarks.permissions import check_can_read, position_organization, position_organizations
from apps.benchmarks.positions import measure_of, position_of
from apps.benchmarks.sdmx import (
    CSV_MEDIA_TYPE,
    JSON_MEDIA_TYPE,
    SdmxCsvRenderer,
    SdmxJsonRenderer,
    SdmxNegotiation,
    data_digest,
    sdmx_csv,
    sdmx_json,
)
from apps.benchmarks.selectors import (
    Filters,
    Shown,
    cohorts_of,
    current_figures,
    shown,
    standard_to_benchmark,
    standards_to_benchmark,
)
from apps.standards.templates_files import safe_cell

STATUSES = [status.value for status in Status]
REFUSED = OpenApiResponse(
    description="Signed in, but neither a member of an active member firm nor a steward."
)
REASONS = [reason.value for reason in PublicReason]


def _check_reader(request: Request) -> None:
    try:
        check_can_read(request.user)
    except DjangoPermissionDenied:
        raise exceptions.PermissionDenied(_("Benchmarks are for member firms and stewards.")) from None


class CohortSerializer(serializers.Serializer):
    standard = serializers.CharField()
    code = serializers.CharField(help_text="`all` is every standard's default: every active member firm.")
    name = serializers.CharField(help_text="In the request's language.")
    regions = serializers.ListField(child=serializers.CharField(), help_text="Empty: any region.")
    size_classes = serializers.ListField(child=serializers.CharField(), help_text="Empty: any size class.")
    is_default = serializers.BooleanField()


class CohortQuery(serializers.Serializer):
    standard = serializers.CharField(
        required=False, allow_blank=True, help_text="Only this standard's cohorts."
    )


class CohortList(APIView):
    @extend_schema(
        summary="The cohorts benchmarks are published for",
        parameters=[CohortQuery],
        responses={200: CohortSerializer(many=True), 403: REFUSED},
    )
    def get(self, request: Request) -> Response:
        _check_reader(request)
        query = CohortQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        scope = scope_for(request.user, timezone.localdate())
        standards = standards_to_benchmark()
        if query.validated_data.get("standard"):
            standards = [s for s in standards if s.code == query.validated_data["standard"]]
        return Response(
            [
                {
                    "standard": view.standard,
                    "code": view.code,
                    "name": pick(view.names, view.code),
                    "regions": list(view.regions),
                    "size_classes": list(view.size_classes),
                    "is_default": view.is_default,
                }
                for view in cohorts_of(standards)
                if scope is None or scope.may_read(standard=view.standard, cohort=view.code)
            ]
        )


class FigureSerializer(serializers.Serializer):
    standard = serializers.CharField()
    measure = serializers.CharField()
    unit = serializers.CharField()
    period = serializers.CharField()
    cohort = serializers.CharField()
    breakdown = serializers.DictField(
        child=serializers.CharField(), help_text='`{}` or `{"destination_country": "KZ"}`.'
    )
    statistic = serializers.ChoiceField(choices=[s.value for s in STATISTICS])
    value = serializers.FloatField(allow_null=True, help_text="Null unless published.")
    status = serializers.ChoiceField(choices=STATUSES)
    reason = serializers.ChoiceField(choices=REASONS, allow_null=True, help_text="Null when published.")
    n_firms = serializers.IntegerField(
        allow_null=True, help_text="Null below the threshold or while embargoed."
    )
    reliability = serializers.ChoiceField(choices=["low", "medium", "high"], allow_null=True)
    available_from = serializers.DateField(
        allow_null=True, help_text="The first day the figure may be shown."
    )
    run = serializers.IntegerField(help_text="The benchmark run that decided the figure.")
    policy = serializers.CharField(help_text="The disclosure policy version it was decided under.")


def figure_row(item: Shown) -> dict[str, Any]:
    figure = item.figure
    return {
        "standard": figure.standard.code,
        "measure": figure.measure,
        "unit": figure.unit,
        "period": figure.period,
        "cohort": figure.cohort,
        "breakdown": item.breakdown,
        "statistic": figure.statistic,
        "value": item.value,
        "status": item.status,
        "reason": item.reason,
        "n_firms": item.n_firms,
        "reliability": item.reliability,
        "available_from": item.available_from.isoformat() if item.available_from else None,
        "run": figure.run_id,
        "policy": figure.run.policy.version,
    }


CSV_COLUMNS = list(FigureSerializer().fields)


def figures_csv(rows: list[dict[str, Any]]) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        cells = dict(row, breakdown=";".join(f"{k}={v}" for k, v in row["breakdown"].items()))
        writer.writerow([safe_cell("" if cells[c] is None else str(cells[c])) for c in CSV_COLUMNS])
    response = HttpResponse(("\ufeff" + buffer.getvalue()).encode(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="benchmarks.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def figures_sdmx(rows: list[dict[str, Any]], media: str) -> HttpResponse:
    if media == "sdmx-csv":
        response = HttpResponse(sdmx_csv(rows), content_type=f"{CSV_MEDIA_TYPE}; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="benchmarks.sdmx.csv"'
    else:
        message = sdmx_json(rows, prepared=timezone.now(), language=get_language() or "en")
        response = HttpResponse(json.dumps(message).encode(), content_type=JSON_MEDIA_TYPE)
        # The header says when the message was prepared; the ETag stands for its data only, so
        # If-None-Match still answers 304 while the figures are the same.
        response["ETag"] = f'"{data_digest(message["data"])[:32]}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


WHOLE_SET = ("csv", "sdmx-csv", "sdmx-json")  # downloads: every matching row, no pages


class BenchmarkList(generics.ListAPIView):
    renderer_classes = [JSONRenderer, CsvRenderer, SdmxCsvRenderer, SdmxJsonRenderer]
    content_negotiation_class = SdmxNegotiation
    pagination_class = CursorPagination
    serializer_class = FigureSerializer
    filterset_class = FigureFilter

    def get_queryset(self) -> Any:
        return current_figures(Filters())

    @extend_schema(
        summary="Benchmark figures: one statistic of one cell per row, as members see them today",
        description=(
            "JSON in cursor pages; every matching row as CSV (`Accept: text/csv`), SDMX-CSV 2.0 "
            "(`application/vnd.sdmx.data+csv; version=2.0.0`) or SDMX-JSON 2.0 "
            "(`application/vnd.sdmx.data+json; version=2.0.0`): dataflow ALLIANCE:BENCHMARKS(1.0.0). "
            "An SDMX type without `version` is 2.0.0; another version is 406."
        ),
        responses={
            (200, "application/json"): FigureSerializer(many=True),
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR, description="Every matching row (UTF-8 with BOM)"
            ),
            (200, CSV_MEDIA_TYPE): OpenApiResponse(
                OpenApiTypes.STR,
                description=(
                    "SDMX-CSV 2.0: every matching row as an observation of dataflow "
                    "ALLIANCE:BENCHMARKS(1.0.0); also for the type without `version`"
                ),
            ),
            (200, JSON_MEDIA_TYPE): OpenApiResponse(
                OpenApiTypes.OBJECT,
                description=(
                    "SDMX-JSON 2.0 data message: every matching row as an observation of dataflow "
                    "ALLIANCE:BENCHMARKS(1.0.0); also for the type without `version`"
                ),
            ),
        },
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        _check_reader(request)
        today = timezone.localdate()
        queryset = self.filter_queryset(self.get_queryset())
        scope = scope_for(request.user, today)
        if scope is not None:
            _check_in_scope(request, scope)
            queryset = scope.readable(queryset)
        media = request.accepted_renderer.format
        if media in WHOLE_SET:
            rows = [figure_row(_shown(figure, today, scope)) for figure in queryset.iterator(chunk_size=2000)]
            _record_read(request, scope, rows)
            return figures_csv(rows) if media == "csv" else figures_sdmx(rows, media)
        page = self.paginate_queryset(queryset) or []
        rows = [figure_row(_shown(figure, today, scope)) for figure in page]
        _record_read(request, scope, rows)
        return self.get_paginated_response(rows)


def _record_read(request: Request, scope: ReaderScope | None, rows: list[dict[str, Any]]) -> None:
    if scope is not None:
        asked = {name: value for name, value in sorted(request.query_params.items()) if value}
        scope.record_read(request, asked=asked, rows=rows)


def _shown(figure: Any, today: Any, scope: ReaderScope | None) -> Shown:
    if scope is None:
        return shown(figure, today)
    release = scope.release(
        standard=figure.standard.code, measure=figure.measure, cohort=figure.cohort, period=figure.period
    )
    return shown(figure, today, not_before=release)


def _check_in_scope(request: Request, scope: ReaderScope) -> None:
    """A partner asking for a standard, measure or cohort outside its agreements is answered as if
    it did not exist (404), and the attempt is audited."""
    asked = {name: request.query_params.get(name, "") for name in ("standard", "measure", "cohort")}
    if any(asked[name] for name in asked) and not scope.asked_for(**asked):
        scope.refuse(request, asked=asked)


class PositionQuery(serializers.Serializer):
    standard = serializers.CharField(help_text="Standard code.")
    measure = serializers.CharField(help_text="Measure (field name).")
    period = serializers.CharField(help_text="Period, e.g. 2026-03.")
    cohort = serializers.CharField(required=False, default=DEFAULT_COHORT)
    breakdown = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Empty or `none`: the whole cohort; or field:value.",
    )
    organization = serializers.IntegerField(
        required=False, help_text="Your organization; needed only by people in several."
    )

    def validate_breakdown(self, value: str) -> str:
        if value == WHOLE_COHORT:
            return ""
        field, colon, code = value.partition(":")
        if value and not (field and colon and code):
            raise serializers.ValidationError(_("Write the breakdown as field:value, or leave it empty."))
        return value


class BandSerializer(serializers.Serializer):
    lower = serializers.ChoiceField(choices=["p10", "p25", "median", "p75", "p90"], allow_null=True)
    upper = serializers.ChoiceField(choices=["p10", "p25", "median", "p75", "p90"], allow_null=True)
    label = serializers.CharField(  # type: ignore[assignment]  # a field named label, not Field.label
        help_text="The band in words, in the request's language."
    )


class PositionSerializer(serializers.Serializer):
    organization = serializers.IntegerField()
    standard = serializers.CharField()
    measure = serializers.CharField()
    unit = serializers.CharField()
    period = serializers.CharField()
    cohort = serializers.CharField()
    breakdown = serializers.DictField(child=serializers.CharField())
    own_value = serializers.FloatField(
        allow_null=True, help_text="Your organization's own figure; null without data."
    )
    band = BandSerializer(allow_null=True, help_text="Null when no quantile of the cell is published.")
    figures = FigureSerializer(many=True, help_text="The cell's figures as shown today.")


class PositionDetail(APIView):
    @extend_schema(
        summary="Where your organization stands in one cell: its own figure and its band",
        parameters=[PositionQuery],
        responses={
            200: PositionSerializer,
            404: OpenApiResponse(description="No such standard, measure or organization"),
        },
    )
    def get(self, request: Request) -> Response:
        _check_reader(request)
        scope = scope_for(request.user, timezone.localdate())
        if scope is not None:  # a partner has no position; a question outside its grants is refused
            _check_in_scope(request, scope)
        query = PositionQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        organization = position_organization(request.user, data.get("organization"))
        if organization is None:
            if data.get("organization") is None and len(position_organizations(request.user)) > 1:
                raise exceptions.ValidationError(
                    {"organization": [_("Name your organization: you are in several.")]}
                )
            raise exceptions.NotFound(_("No position: no member firm of yours is named."))
        standard = standard_to_benchmark(data["standard"])
        measure = measure_of(standard, data["measure"]) if standard else None
        if standard is None or measure is None:
            raise exceptions.NotFound(_("No benchmarks for this standard and measure."))
        position = position_of(
            organization,
            standard,
            measure,
            cohort=data["cohort"],
            breakdown=data["breakdown"],
            period=data["period"],
            today=timezone.localdate(),
        )
        field, _colon, value = data["breakdown"].partition(":")
        band = None
        if position.band_known:
            band = {
                "lower": position.lower.value if position.lower else None,
                "upper": position.upper.value if position.upper else None,
                "label": labels.band_label(position.lower, position.upper),
            }
        return Response(
            {
                "organization": organization.pk,
                "standard": standard.code,
                "measure": measure.name,
                "unit": measure.unit,
                "period": data["period"],
                "cohort": data["cohort"],
                "breakdown": {field: value} if field else {},
                "own_value": position.own,
                "band": band,
                "figures": [figure_row(position.figures[s]) for s in STATISTICS if s in position.figures],
            }
        )
