"""The standards catalog over the API: standards, versions with their fields, plain Table Schemas and
templates, in the language of ?lang= or Accept-Language. Every read sends an ETag."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.utils import translation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from alliance.i18n import pick
from alliance.rest import CsvRenderer, OctetStreamRenderer, XlsxRenderer
from apps.standards.definition import field_definition, table_schema
from apps.standards.models import Field, Standard, StandardVersion
from apps.standards.permissions import access_version_by_code
from apps.standards.selectors import (
    current_version,
    fields_of,
    language_of,
    released_versions,
    standard_for,
    standards_for,
)
from apps.standards.templates_files import template_download
from apps.standards.units import symbol

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


class LanguageField(serializers.ChoiceField):
    def to_internal_value(self, data: Any) -> Any:
        return super().to_internal_value(str(data).lower().replace("_", "-"))


class LanguageQuerySerializer(serializers.Serializer):
    lang = LanguageField(choices=LANGUAGE_CODES, required=False)


LANG = OpenApiParameter(
    "lang",
    str,
    enum=LANGUAGE_CODES,
    description="Language of texts; when omitted, that of Accept-Language. Another value is 400.",
)
CODE = OpenApiParameter(
    "code",
    str,
    OpenApiParameter.PATH,
    description="A standard's code.",
    examples=[OpenApiExample("A standard", value="tomato-paste.exports")],
)
VERSION = OpenApiParameter(
    "version",
    str,
    OpenApiParameter.PATH,
    description="A version number, or `draft` (stewards only).",
    examples=[OpenApiExample("A version", value="1.0.0")],
)


def api_language(request: Request) -> str:
    """The language of ?lang= or Accept-Language; an unknown ?lang= is a 400, not silently English."""
    if "lang" in request.query_params:  # a plain dict, so that an empty ?lang= is refused too
        LanguageQuerySerializer(data={"lang": request.query_params["lang"]}).is_valid(raise_exception=True)
    return language_of(request)


class VersionRefSerializer(serializers.Serializer):
    version = serializers.CharField(allow_null=True)
    status = serializers.CharField()
    published_at = serializers.DateTimeField(allow_null=True)


class StandardSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    titles = serializers.DictField(child=serializers.CharField())
    sector = serializers.CharField(allow_null=True)
    audience = serializers.CharField()
    latest_version = serializers.CharField(allow_null=True)
    versions = VersionRefSerializer(many=True)


def standard_body(standard: Standard, language: str) -> dict[str, Any]:
    newest = current_version(standard)
    versions = getattr(standard, "visible_versions", None) or released_versions(standard)
    return {
        "code": standard.code,
        "title": pick(standard.titles, standard.code, language),
        "titles": standard.titles,
        "sector": standard.sector.code if standard.sector else None,
        "audience": standard.audience,
        "latest_version": newest.version if newest else None,
        "versions": [
            {"version": v.version, "status": v.status, "published_at": v.published_at} for v in versions
        ],
    }


class FieldSerializer(serializers.Serializer):
    name = serializers.CharField()
    type = serializers.CharField()
    type_label = serializers.CharField(help_text="The type's name in the requested language.")
    role = serializers.CharField()
    required = serializers.BooleanField()  # type: ignore[assignment]  # DRF pops declared fields
    title = serializers.CharField(help_text="In the requested language.")
    description = serializers.CharField()
    unit = serializers.CharField(allow_blank=True)
    unit_symbol = serializers.CharField(allow_blank=True)
    allowed_values = serializers.ListField(
        child=serializers.DictField(), help_text="Enum codes with their labels."
    )
    definition = serializers.DictField(help_text="The field as in the standard's file, all languages.")


class VersionSerializer(serializers.Serializer):
    code = serializers.CharField()
    version = serializers.CharField(allow_null=True)
    status = serializers.CharField()
    frequency = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    primary_key = serializers.ListField(child=serializers.CharField())
    breakdowns = serializers.ListField(
        child=serializers.CharField(), help_text="Dimensions by which benchmarks are broken down."
    )
    published_at = serializers.DateTimeField(allow_null=True)
    fields = FieldSerializer(many=True)  # type: ignore[assignment]  # DRF pops declared fields
    links = serializers.DictField(child=serializers.CharField())


def _in_language(text: Any, language: str) -> str:
    with translation.override(language):
        return str(text)


def field_body(field: Field, language: str) -> dict[str, Any]:
    return {
        "name": field.name,
        "type": field.type,
        "type_label": _in_language(Field.Type(field.type).label, language),
        "role": field.role,
        "required": field.required,
        "title": pick(field.titles, field.name, language),
        "description": pick(field.descriptions, "", language),
        "unit": field.unit,
        "unit_symbol": symbol(field.unit, language) if field.unit else "",
        "allowed_values": [
            {"code": code, "label": pick(field.enum_labels.get(code, {}), code, language)}
            for code in field.constraints.get("enum", [])
        ],
        "definition": field_definition(field),
    }


def version_body(request: Request, version: StandardVersion, language: str) -> dict[str, Any]:
    base = request.build_absolute_uri(
        f"/api/v1/standards/{version.standard.code}/versions/{version.version or 'draft'}/"
    )
    return {
        "code": version.standard.code,
        "version": version.version,
        "status": version.status,
        "frequency": version.frequency,
        "title": pick(version.titles, version.standard.code, language),
        "description": pick(version.descriptions, "", language),
        "primary_key": version.primary_key,
        "breakdowns": version.breakdowns,
        "published_at": version.published_at,
        "fields": [field_body(f, language) for f in fields_of(version)],
        "links": {
            "schema": base + "schema.json",
            "template_csv": base + "template.csv",
            "template_xlsx": base + "template.xlsx",
        },
    }


class StandardList(APIView):
    @extend_schema(parameters=[LANG], responses=StandardSerializer(many=True), summary="All standards")
    def get(self, request: Request) -> Response:
        language = api_language(request)
        return Response([standard_body(s, language) for s in standards_for(request.user)])


class StandardDetail(APIView):
    @extend_schema(
        parameters=[CODE, LANG],
        responses={200: StandardSerializer, 404: OpenApiResponse(description="No such standard")},
    )
    def get(self, request: Request, code: str) -> Response:
        return Response(standard_body(standard_for(request.user, code), api_language(request)))


class VersionDetail(APIView):
    @extend_schema(
        parameters=[CODE, VERSION, LANG],
        responses={200: VersionSerializer, 404: OpenApiResponse(description="No such version")},
        summary="A version with all its fields",
    )
    def get(self, request: Request, code: str, version: str) -> Response:
        found = access_version_by_code(request.user, code, version)
        return Response(version_body(request, found, api_language(request)))


class VersionSchema(APIView):
    @extend_schema(
        parameters=[CODE, VERSION, LANG],
        responses={
            (200, "application/json"): OpenApiTypes.OBJECT,
            404: OpenApiResponse(description="No such standard or version"),
        },
        summary="The version as a plain Frictionless Table Schema",
    )
    def get(self, request: Request, code: str, version: str) -> Response:
        found = access_version_by_code(request.user, code, version)
        return Response(table_schema(found, api_language(request)))


class VersionTemplateCsv(APIView):
    renderer_classes = [CsvRenderer, JSONRenderer]  # JSON, the errors' type: see alliance.rest

    @extend_schema(
        parameters=[CODE, VERSION, LANG],
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="An attachment"),
            404: OpenApiResponse(description="No such standard or version"),
        },
        summary="CSV template (UTF-8 with BOM)",
    )
    def get(self, request: Request, code: str, version: str) -> HttpResponse:
        found = access_version_by_code(request.user, code, version)
        return template_download(found, api_language(request), "csv")


class VersionTemplateXlsx(APIView):
    renderer_classes = [XlsxRenderer, OctetStreamRenderer, JSONRenderer]

    @extend_schema(
        parameters=[CODE, VERSION, LANG],
        responses={
            (200, XlsxRenderer.media_type, OctetStreamRenderer.media_type): OpenApiResponse(
                OpenApiTypes.BINARY, description="An attachment (the XLSX type, or octet-stream if asked)"
            ),
            404: OpenApiResponse(description="No such standard or version"),
        },
        summary="XLSX template with units, drop-down lists and an explanation sheet",
    )
    def get(self, request: Request, code: str, version: str) -> HttpResponse:
        found = access_version_by_code(request.user, code, version)
        response = template_download(found, api_language(request), "xlsx")
        if isinstance(request.accepted_renderer, OctetStreamRenderer):
            response["Content-Type"] = OctetStreamRenderer.media_type
        return response
