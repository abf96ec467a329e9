"""The submissions API: send a file or JSON rows (202 with the status URL), follow its processing, read
its report in your language (JSON or CSV)."""

from __future__ import annotations

import csv
import io
from typing import Any

import django_filters
from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from alliance.rest import BoundedJSONParser, CsvRenderer, CursorPagination
from apps.audit.services import record_read
from apps.organizations.models import Organization
from apps.organizations.permissions import access_organization_by_id
from apps.standards.models import StandardVersion
from apps.standards.permissions import access_standard_by_code, access_version
from apps.standards.templates_files import safe_cell
from apps.submissions import services
from apps.submissions.messages import message
from apps.submissions.models import Submission
from apps.submissions.permissions import access_submission_by_id, can_submit, version_to_send
from apps.submissions.selectors import data_organizations_for, issues_of, submissions_for


class SubmitSerializer(serializers.Serializer):
    """What every submission names; the file and the rows forms below add their data."""

    standard = serializers.CharField(help_text="Standard code, e.g. tomato-paste.exports.")
    version = serializers.CharField(
        required=False, help_text="Version number; the newest published when omitted."
    )
    period = serializers.CharField(
        help_text="Period of the data: 2026-09, 2026-Q3 or 2026 by the standard's frequency."
    )
    organization = serializers.IntegerField(
        required=False, help_text="The organization the data belongs to; needed only by people in several."
    )
    other_kind: str | None = None  # the data field of the other form: a body with both is refused

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.other_kind is not None and self.other_kind in self.initial_data:
            raise serializers.ValidationError(_("Send either a file or rows, not both and not neither."))
        return attrs


class SubmitFileSerializer(SubmitSerializer):
    """A CSV or XLSX file (multipart/form-data)."""

    file = serializers.FileField(help_text="CSV or XLSX.")
    other_kind = "rows"


class SubmitRowsSerializer(SubmitSerializer):
    """Rows as JSON (application/json)."""

    rows = serializers.ListField(child=serializers.DictField(), help_text="JSON rows keyed by field name.")
    other_kind = "file"


class SubmissionSerializer(serializers.ModelSerializer):
    standard = serializers.CharField(source="version.standard.code")
    version = serializers.CharField(source="version.version")
    organization = serializers.IntegerField(source="organization_id")
    url = serializers.SerializerMethodField()
    report_url = serializers.SerializerMethodField()

    class Meta:
        model = Submission
        fields = [
            "id",
            "organization",
            "standard",
            "version",
            "period",
            "source",
            "filename",
            "size",
            "sha256",
            "status",
            "progress",
            "row_count",
            "error_count",
            "warning_count",
            "is_current",
            "created_at",
            "processed_at",
            "url",
            "report_url",
        ]
        read_only_fields = fields

    def get_url(self, submission: Submission) -> str:
        return self.context["request"].build_absolute_uri(f"/api/v1/submissions/{submission.pk}/")

    def get_report_url(self, submission: Submission) -> str:
        return self.context["request"].build_absolute_uri(f"/api/v1/submissions/{submission.pk}/report/")


class IssueSerializer(serializers.Serializer):
    severity = serializers.CharField()
    row = serializers.IntegerField(allow_null=True)
    column = serializers.CharField()
    value = serializers.CharField()
    code = serializers.CharField()
    message = serializers.CharField()


class ReportSerializer(serializers.Serializer):
    submission = SubmissionSerializer()
    summary = serializers.DictField()
    issues = IssueSerializer(many=True)


def _organization_for(request: Request, organization_id: int | None) -> Organization:
    actor = request.user
    if organization_id is not None:
        return access_organization_by_id(actor, organization_id, request=request)
    visible = data_organizations_for(actor)
    candidates = [org for org in visible if can_submit(actor, org)]
    if visible and not candidates:
        raise exceptions.PermissionDenied(_("Your role does not allow sending data for this organization."))
    if len(candidates) != 1:
        raise exceptions.ValidationError({"organization": [_("Say which organization the data belongs to.")]})
    return candidates[0]


def _version_for(
    request: Request, organization: Organization, code: str, number: str | None
) -> StandardVersion:
    """The version named (404 when it does not exist for the caller), or the newest that receives the
    organization's data; whether the named one may receive them is the service's rule (check_can_send)."""
    standard = access_standard_by_code(request.user, code)
    if number:
        return access_version(request.user, standard, number)
    try:
        return version_to_send(request.user, organization, standard)
    except DjangoPermissionDenied as error:
        raise _refused(error) from None


def _refused(error: DjangoPermissionDenied) -> exceptions.PermissionDenied:
    return exceptions.PermissionDenied(str(error) if error.args else None)


class SubmissionFilter(django_filters.FilterSet):
    standard = django_filters.CharFilter(field_name="standard__code", help_text="Standard code.")

    class Meta:
        model = Submission
        fields = ["status", "period", "standard"]


class SubmissionListCreate(generics.ListAPIView):
    serializer_class = SubmissionSerializer
    parser_classes = [MultiPartParser, BoundedJSONParser]
    filterset_class = SubmissionFilter

    class Pagination(CursorPagination):
        ordering = "-created_at"

    pagination_class = Pagination

    def get_queryset(self) -> Any:
        return submissions_for(self.request.user)

    @extend_schema(summary="Your organizations' submissions, newest first")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Send a file (multipart) or JSON rows; processing runs in the background",
        request={"multipart/form-data": SubmitFileSerializer, "application/json": SubmitRowsSerializer},
        examples=[
            OpenApiExample(
                "Export rows",
                media_type="application/json",
                request_only=True,
                value={
                    "standard": "tomato-paste.exports",
                    "period": "2026-09",
                    "rows": [
                        {
                            "period": "2026-09",
                            "product": "hot-break-28-30",
                            "destination_country": "KZ",
                            "incoterm": "DAP",
                            "border_crossing": "khorgos",
                            "transport_mode": "road",
                            "packaging": "aseptic-drum",
                            "quantity": 25,
                            "value": 21500,
                            "currency": "USD",
                        }
                    ],
                },
            )
        ],
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                description="Retrying with the same key returns the first submission.",
            ),
            OpenApiParameter(
                "Location",
                OpenApiTypes.URI,
                OpenApiParameter.HEADER,
                required=True,
                response=[202],
                description="The submission's status URL (as `url` in the body).",
            ),
        ],
        responses={
            202: SubmissionSerializer,
            400: OpenApiResponse(description="Invalid request: a field, the period, the file"),
            403: OpenApiResponse(description="The caller's role may not send data for the organization"),
            404: OpenApiResponse(description="Unknown organization, standard or version"),
            413: OpenApiResponse(description="File too large"),
            422: OpenApiResponse(description="Idempotency-Key reused for another request"),
        },
    )
    def post(self, request: Request) -> Response:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        if length > settings.HUB_UPLOAD_MAX_BYTES + 1024 * 1024:
            raise services.TooLarge
        multipart = (request.content_type or "").startswith("multipart/")
        form = (SubmitFileSerializer if multipart else SubmitRowsSerializer)(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        organization = _organization_for(request, data.get("organization"))
        version = _version_for(request, organization, data["standard"], data.get("version"))
        key = request.headers.get("Idempotency-Key")
        try:
            if "file" in data:
                upload = data["file"]
                submission, _created = services.receive_submission(
                    actor=request.user,
                    organization=organization,
                    version=version,
                    period=data["period"],
                    upload=upload,
                    filename=upload.name,
                    idempotency_key=key,
                    request=request,
                )
            else:
                submission, _created = services.receive_rows(
                    actor=request.user,
                    organization=organization,
                    version=version,
                    period=data["period"],
                    rows=data["rows"],
                    idempotency_key=key,
                    request=request,
                )
        except DjangoPermissionDenied as error:
            raise _refused(error) from None
        body = SubmissionSerializer(submission, context={"request": request}).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})


class NothingToReportSerializer(SubmitSerializer):
    """The standard, version and period with nothing to report (application/json)."""


class NothingToReport(APIView):
    parser_classes = [BoundedJSONParser]

    @extend_schema(
        summary="Declare that your organization has nothing to report for a period",
        description=(
            "Records an accepted submission without rows (source `none`) that is in force for the period "
            "at once, superseding data sent for it before. A file without data rows is rejected instead, "
            "so this is the only way a period ends with no rows. Declaring again while a declaration is "
            "in force, or retrying with the same Idempotency-Key, answers 200 with the first one."
        ),
        request=NothingToReportSerializer,
        examples=[
            OpenApiExample(
                "A month without exports",
                request_only=True,
                value={"standard": "tomato-paste.exports", "period": "2026-11"},
            )
        ],
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                description="Retrying with the same key returns the first declaration.",
            ),
            OpenApiParameter(
                "Location",
                OpenApiTypes.URI,
                OpenApiParameter.HEADER,
                required=True,
                response=[200, 201],
                description="The declaration's status URL (as `url` in the body).",
            ),
        ],
        responses={
            201: SubmissionSerializer,
            200: SubmissionSerializer,
            404: OpenApiResponse(description="Unknown organization, standard or version"),
            422: OpenApiResponse(description="Idempotency-Key reused for another request"),
        },
    )
    def post(self, request: Request) -> Response:
        form = NothingToReportSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        organization = _organization_for(request, data.get("organization"))
        version = _version_for(request, organization, data["standard"], data.get("version"))
        try:
            submission, created = services.declare_nothing_to_report(
                actor=request.user,
                organization=organization,
                version=version,
                period=data["period"],
                idempotency_key=request.headers.get("Idempotency-Key"),
                request=request,
            )
        except DjangoPermissionDenied as error:
            raise _refused(error) from None
        body = SubmissionSerializer(submission, context={"request": request}).data
        return Response(
            body,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
            headers={"Location": body["url"]},
        )


SUBMISSION_ID = OpenApiParameter(
    "id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The submission's id."
)


class SubmissionDetail(APIView):
    @extend_schema(
        summary="A submission's status and counts",
        parameters=[SUBMISSION_ID],
        responses={200: SubmissionSerializer, 404: OpenApiResponse(description="Missing or not yours")},
    )
    def get(self, request: Request, pk: str) -> Response:
        submission = access_submission_by_id(request.user, pk)
        return Response(SubmissionSerializer(submission, context={"request": request}).data)


def read_report(request: Any, pk: Any, what: str) -> Submission:
    """The submission whose report `request` reads (404 unless the reader's organization's), with the
    read recorded in that organization's audit log."""
    submission = access_submission_by_id(request.user, pk)
    record_report_read(request, submission, what)
    return submission


def record_report_read(request: Any, submission: Submission, what: str) -> None:
    record_read(
        actor=request.user,
        organization=submission.organization,
        target=submission,
        what=what,
        request=request,
    )


def issue_rows(submission: Submission) -> list[dict[str, Any]]:
    return [
        {
            "severity": issue.severity,
            "row": issue.row,
            "column": issue.column,
            "value": issue.value,
            "code": issue.code,
            "message": message(issue.code, issue.params),
        }
        for issue in issues_of(submission)
    ]


def report_csv(submission: Submission) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_("Severity"), _("Row"), _("Column"), _("Value as written"), _("Problem")])
    for item in issue_rows(submission):
        writer.writerow(
            [
                safe_cell(str(v)) if v is not None else ""
                for v in (item["severity"], item["row"], item["column"], item["value"], item["message"])
            ]
        )
    response = HttpResponse(("\ufeff" + buffer.getvalue()).encode(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="report-{submission.pk}.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


class SubmissionReport(APIView):
    @extend_schema(
        summary="The report: every problem with row, column, value as written and a message in your language",
        parameters=[SUBMISSION_ID],
        responses={200: ReportSerializer, 404: OpenApiResponse(description="Missing or not yours")},
    )
    def get(self, request: Request, pk: str) -> Any:
        submission = read_report(request, pk, "report")
        return Response(
            {
                "submission": SubmissionSerializer(submission, context={"request": request}).data,
                "summary": submission.summary,
                "issues": issue_rows(submission),
            }
        )


class SubmissionReportCsv(APIView):
    renderer_classes = [CsvRenderer, JSONRenderer]  # JSON, the errors' type: see alliance.rest

    @extend_schema(
        summary="The report as CSV (UTF-8 with BOM), messages in your language",
        parameters=[SUBMISSION_ID],
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="An attachment"),
            404: OpenApiResponse(description="Missing or not yours"),
        },
    )
    def get(self, request: Request, pk: str) -> HttpResponse:
        return report_csv(read_report(request, pk, "report.csv"))
