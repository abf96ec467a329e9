"""API defaults named in REST_FRAMEWORK settings: cursor pagination, the per-client throttle, the
bounded JSON parser, and the renderers of the downloads (CSV, XLSX) that content negotiation needs to
know.

Kept apart from alliance.api: DRF imports these while its views module loads.
"""

from __future__ import annotations

import io
import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import exceptions, pagination, parsers, renderers, serializers, throttling

DIGITS = re.compile(r"[0-9]{1,6}")
BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")  # what encode_cursor makes; b64decode would skip the rest


class CursorPagination(pagination.CursorPagination):
    """Cursor pagination whose bounds are part of the contract: a `page_size` that is not a whole
    number from 1 to `max_page_size`, or a cursor the hub did not issue, is a 400 with the error
    envelope (DRF would ignore the one silently and answer the other with 404)."""

    ordering = "id"
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request: Any) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return int(self.page_size or 0)
        field = serializers.IntegerField(min_value=1, max_value=self.max_page_size)
        if not DIGITS.fullmatch(raw):
            raise exceptions.ValidationError({self.page_size_query_param: [field.error_messages["invalid"]]})
        try:
            return int(field.run_validation(raw))
        except exceptions.ValidationError as error:
            raise exceptions.ValidationError({self.page_size_query_param: error.detail}) from None

    def _invalid_cursor(self) -> exceptions.ValidationError:
        return exceptions.ValidationError({self.cursor_query_param: [self.invalid_cursor_message]})

    def decode_cursor(self, request: Any) -> Any:
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is not None and not BASE64.fullmatch(encoded):
            raise self._invalid_cursor()
        try:
            return super().decode_cursor(request)
        except exceptions.NotFound:
            raise self._invalid_cursor() from None

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> Any:
        try:
            return super().paginate_queryset(queryset, request, view)
        except (ValueError, TypeError, DjangoValidationError):
            # A cursor that decodes but whose position does not fit the ordering field.
            raise self._invalid_cursor() from None

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": (
                    "Opaque: the `cursor` of a `next` or `previous` link of an earlier page. A cursor the "
                    "hub did not issue is 400."
                ),
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": (
                    f"Results per page, 1 to {self.max_page_size} (default {self.page_size}); "
                    "anything else is 400."
                ),
                "schema": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_page_size,
                    "default": self.page_size,
                },
            },
        ]


class ClientRateThrottle(throttling.SimpleRateThrottle):
    """One budget per API token or machine client, per signed-in user, or per client address for
    anonymous calls."""

    scope = "client"

    def get_cache_key(self, request: Any, view: Any) -> str:
        token = getattr(request.user, "token", None)
        if token is not None:
            ident = f"{type(token).__name__}:{token.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"addr:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def wait(self) -> float:
        # Always a number of at least a second, so that every 429 carries a Retry-After (DRF leaves it
        # out for None, which it answers when concurrent requests overshot the budget, and for 0).
        wait = super().wait()
        if wait is None:
            duration: float = getattr(self, "duration", 1.0)
            wait = duration - (self.now - self.history[-1]) if self.history else duration
        return max(float(wait), 1.0)


class BinaryRenderer(renderers.BaseRenderer):
    """A download the view has already made (bytes). Declared so that `Accept: text/csv` and the like
    are honoured instead of answered with 406; errors on such views are JSON (alliance.api).

    A download view lists JSONRenderer last: JSON is the type of its errors, so a client that names
    only that type (OpenAPI Generator's clients do, for every operation that lists JSON at all) gets
    the download rather than a 406, as RFC 9110 allows."""

    charset: str | None = None
    render_style = "binary"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> Any:
        return data


class CsvRenderer(BinaryRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"


class XlsxRenderer(BinaryRenderer):
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    format = "xlsx"


class OctetStreamRenderer(BinaryRenderer):
    """The same download for clients that ask for any binary (generated clients know this type)."""

    media_type = "application/octet-stream"
    format = "bin"


class JsonTooLarge(exceptions.APIException):
    status_code = 413
    default_code = "too_large"


class BoundedJSONParser(parsers.JSONParser):
    """JSON bodies of at most HUB_JSON_MAX_BYTES. A JSON document is parsed whole, and in memory it takes
    some forty times its size (a 9 MB body of rows took 400 MB of a web process), so more data than
    that is sent as a file, which is read a block at a time."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        limit = settings.HUB_JSON_MAX_BYTES
        data = stream.read(limit + 1) if stream is not None else b""
        if len(data) > limit:
            raise JsonTooLarge(
                _("A JSON body may hold at most %(limit)s MB; send more rows as a CSV or XLSX file.")
                % {"limit": round(limit / (1024 * 1024), 1)}
            )
        try:
            return super().parse(io.BytesIO(data), media_type, parser_context)
        except RecursionError:  # brackets nested thousands deep: DRF catches only ValueError
            raise exceptions.ParseError(_("The JSON body is nested too deeply to be read.")) from None
