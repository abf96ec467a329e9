"""The API's error envelope and the exception handler that produces it.

Errors always have the shape {"error": {"code": ..., "message": ..., "details": [...]}}, with the
message in the request's language, and are always JSON, also on the views that send CSV or XLSX.
A database that cannot be reached answers 503, never 500. alliance.schema documents the envelope.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from alliance.errors import HubError
from alliance.rest import BinaryRenderer


class DomainError(exceptions.APIException):
    """A HubError as DRF knows errors: its status, code and message."""

    def __init__(self, error: HubError) -> None:
        self.status_code = error.status
        super().__init__(str(error.message), error.code)


class RequestTooLarge(exceptions.APIException):
    status_code = 413
    default_code = "too_large"
    default_detail = gettext_lazy("The request is larger than the hub accepts.")


def error_body(code: str, message: str, details: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": str(message), "details": details or []}}


def error_response(
    status: int, code: str, message: str, details: list[dict[str, Any]] | None = None
) -> JsonResponse:
    return JsonResponse(error_body(code, message, details), status=status)


def _flatten(detail: Any, field: str | None = None) -> list[dict[str, Any]]:
    """Turn DRF's nested validation detail into a flat list of {field, code, message}."""
    items: list[dict[str, Any]] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = key if field is None or key == "non_field_errors" else f"{field}.{key}"
            items.extend(_flatten(value, None if key == "non_field_errors" else name))
    elif isinstance(detail, list):
        for index, value in enumerate(detail):
            if (
                isinstance(value, dict | list)
                and field is not None
                and not isinstance(value, exceptions.ErrorDetail)
            ):
                items.extend(_flatten(value, f"{field}[{index}]"))
            else:
                items.extend(_flatten(value, field))
    else:
        code = getattr(detail, "code", "invalid")
        items.append({"field": field, "code": code, "message": str(detail)})
    return items


def _answer_in_json(context: dict[str, Any]) -> None:
    """Errors of a download view (or of a request whose Accept matched nothing) are rendered as JSON."""
    request = context.get("request")
    if request is None:
        return
    renderer = getattr(request, "accepted_renderer", None)
    if renderer is None or isinstance(renderer, BinaryRenderer):
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = JSONRenderer.media_type


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    _answer_in_json(context)
    if isinstance(exc, HubError):
        exc = DomainError(exc)
    elif isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    elif isinstance(exc, SuspiciousOperation):
        exc = exceptions.ParseError()
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    if isinstance(exc, OperationalError | InterfaceError):
        return Response(
            error_body(
                "service_unavailable", _("The service is temporarily unavailable. Try again shortly.")
            ),
            status=503,
            headers={"Retry-After": "10"},
        )
    if isinstance(exc, DatabaseError):
        return None
    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    if isinstance(exc, exceptions.ValidationError):
        body = error_body("invalid", _("The request is not valid."), _flatten(exc.detail))
    else:
        detail = exc.detail
        code = getattr(detail, "code", None) or exc.default_code
        body = error_body(
            str(code), str(detail) if not isinstance(detail, dict | list) else str(exc.default_detail)
        )
    response.data = body
    return response
