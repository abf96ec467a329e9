"""The OpenAPI schema's share of the v1 contract: every operation documents every error status it can
answer, each with the one `Error` component (the envelope of alliance.api), and reads document ETag,
If-None-Match and 304.

`AutoSchema` is the project's DEFAULT_SCHEMA_CLASS, so an endpoint added later gets its errors from
what it is (methods, parameters, body, authentication, throttles) without repeating them; a view
names only the statuses that come from its own rules (404 for an unknown standard on a POST, 422).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular import openapi
from rest_framework import permissions, serializers


class ErrorDetailSerializer(serializers.Serializer):
    field = serializers.CharField(
        allow_null=True,
        help_text="The request field the problem is about (`period`, `rows[2].quantity`), or null.",
    )
    code = serializers.CharField(help_text="Machine-readable, e.g. `required`, `invalid`, `invalid_choice`.")
    message = serializers.CharField(help_text="In the request's language.")


class ErrorInfoSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text=(
            "Machine-readable: `invalid`, `parse_error`, `malformed_request`, `not_authenticated`, "
            "`authentication_failed`, `permission_denied`, `not_found`, `not_acceptable`, `too_large`, "
            "`unsupported_media_type`, `idempotency_key_reused`, `throttled`, `service_unavailable`, ... "
            "New codes may be added."
        )
    )
    message = serializers.CharField(help_text="For people, in the request's language (Accept-Language).")
    details = ErrorDetailSerializer(many=True, help_text="One entry per problem; empty when there is one.")


class ErrorSerializer(serializers.Serializer):
    """The body of every error answer of the API."""

    error = ErrorInfoSerializer()


ERRORS = {
    "400": "The request is not valid (a parameter, a filter, the cursor, the body: `details` lists "
    "each problem with its field), or malformed (a NUL character in the address, the query or a header).",
    "401": "No credentials, or a token that is invalid, expired or revoked.",
    "403": "The caller may see this but not do it (its role), or a session's CSRF token is missing.",
    "404": "No such object, or one of another organization: both get exactly the same answer.",
    "406": "The Accept header names no media type this operation sends.",
    "409": "The request conflicts with the object's current state.",
    "413": "The request body is larger than the hub accepts.",
    "415": "The Content-Type of the body is not one this operation reads.",
    "422": "The request is well formed but cannot be carried out.",
    "429": "Too many requests for this token, person or address (HUB_API_RATE), or too many failed "
    "authentications from this address; `Retry-After` says when to try again.",
    "503": "The database is out of reach for a moment; `Retry-After` says when to try again.",
}
RETRY_AFTER = {
    "Retry-After": {
        "schema": {"type": "integer", "minimum": 0},
        "description": "Seconds to wait before trying again.",
        "required": True,
    }
}
NOT_MODIFIED = "Not modified: the ETag sent in If-None-Match is still the current one (no body)."
IF_NONE_MATCH = {
    "in": "header",
    "name": "If-None-Match",
    "required": False,
    "schema": {"type": "string"},
    "description": "The ETag of an earlier answer; 304 with no body while it is still current.",
}
ETAG = {"ETag": {"schema": {"type": "string"}, "description": "Send it back in If-None-Match."}}


class AutoSchema(openapi.AutoSchema):
    def get_operation_id(self) -> str:
        # `template.csv` would make an operation id with a dot, which generators turn into odd names.
        return super().get_operation_id().replace(".", "_")

    def _get_format_parameters(self) -> list[dict[str, Any]]:
        # DRF's ?format= override is no part of the contract: clients say what they want with Accept.
        return []

    def _get_filter_parameters(self) -> list[dict[str, Any]]:
        # django-filter reads an empty value as no filter (`?status=&kind=member`); any other value
        # outside a filter's choices is a 400.
        parameters = super()._get_filter_parameters()
        for parameter in parameters:
            parameter["allowEmptyValue"] = True
        return parameters

    def get_operation(self, *args: Any, **kwargs: Any) -> Any:
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        responses = operation["responses"]
        if self.method == "GET":
            self._add_conditional_get(operation, responses)
        error = {"application/json": {"schema": self.resolve_serializer(ErrorSerializer, "response").ref}}
        for status in self.error_statuses(operation):
            response = responses.setdefault(status, {})
            if not response.get("description"):
                response["description"] = ERRORS.get(status, "")
            if not response.get("content"):
                response["content"] = error
            if status in ("429", "503"):
                response.setdefault("headers", {}).update(RETRY_AFTER)
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def error_statuses(self, operation: dict[str, Any]) -> set[str]:
        """The error statuses this operation can answer, from what the view is and what it declared."""
        view = self.view
        statuses = {code for code in operation["responses"] if code.isdigit() and int(code) >= 400}
        # Every request can be malformed (alliance.middleware), every view negotiates its media type and
        # reads the database.
        statuses |= {"400", "406", "503"}
        if view.get_authenticators():
            statuses |= {"401", "429"}  # a bad token is refused, and failed attempts are limited
        if view.get_throttles():
            statuses.add("429")
        if any(not isinstance(p, permissions.AllowAny) for p in view.get_permissions()):
            statuses.add("401")
        locations = {parameter["in"] for parameter in operation.get("parameters", [])}
        if "path" in locations:
            statuses.add("404")
        if self.method not in permissions.SAFE_METHODS:
            statuses.add("403")
            if "requestBody" in operation:
                statuses |= {"413", "415"}
        return statuses

    def _add_conditional_get(self, operation: dict[str, Any], responses: dict[str, Any]) -> None:
        parameters = operation.setdefault("parameters", [])
        if not any(p["name"].lower() == "if-none-match" for p in parameters):
            parameters.append(IF_NONE_MATCH)
        if "200" in responses:
            responses["200"].setdefault("headers", {}).update(ETAG)
        responses.setdefault("304", {"description": NOT_MODIFIED})
