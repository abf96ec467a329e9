"""Requests the hub refuses before any view runs, and answers that are never a 500.

- `MalformedRequestMiddleware`: a NUL character in the path, the query or a header, or a Content-Length
  that is not a number, is a 400 (the API's error envelope, or a plain page), in the request's language.
  PostgreSQL cannot store or compare a NUL, and every view would otherwise have to guard against it.
- `DatabaseUnavailableMiddleware`: 503 (never 500) while the database cannot be reached.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _

from alliance.api import error_response


class MalformedRequestMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        problem = self.problem(request)
        if problem is None:
            return self.get_response(request)
        with translation.override(translation.get_language_from_request(request)):
            message = str(problem())
            if request.path_info.startswith("/api/"):
                return error_response(400, "malformed_request", message)
            return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")

    @staticmethod
    def problem(request: HttpRequest) -> Callable[[], str] | None:
        """What is wrong with the request (a message to translate), or None."""
        length = request.META.get("CONTENT_LENGTH") or ""
        if length and not length.isdigit():
            return lambda: _("The Content-Length header is not a number.")
        if "\x00" in request.path_info:
            return lambda: _("The address holds a NUL character, which is not allowed.")
        if any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
        ):
            return lambda: _("A query parameter holds a NUL character, which is not allowed.")
        if any("\x00" in str(value) for key, value in request.META.items() if key.startswith("HTTP_")):
            return lambda: _("A header holds a NUL character, which is not allowed.")
        return None


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        message = _("The service is temporarily unavailable. Try again shortly.")
        if request.path.startswith("/api/"):
            response: HttpResponse = error_response(503, "service_unavailable", message)
        else:
            response = HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = "10"
        return response
