"""The hub's domain error: a rule refused what was asked. Services raise its subclasses; the API's
exception handler (alliance.api) answers every one with the error envelope, its HTTP status and code
and its message in the request's language, and pages show the message.

Django's ValidationError stays the error of invalid input (a form field, a model's full_clean);
PermissionDenied and Http404 stay what they are.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy


class HubError(Exception):
    """Subclasses set `status`, `code` and `message` (translatable); an instance may carry its own
    message, made in the language of the request that raised it."""

    status = 400
    code = "invalid"
    message: Any = gettext_lazy("The request is not valid.")

    def __init__(self, message: Any = None) -> None:
        if message is not None:
            self.message = message
        super().__init__(str(self.message))

    @property
    def messages(self) -> list[str]:
        """As Django's ValidationError has them, so that a page shows either the same way."""
        return [str(self.message)]


def error_text(error: HubError | ValidationError) -> str:
    """A refusal as one line for a page: a HubError's message, or a ValidationError's messages."""
    return " ".join(error.messages)
