"""`Authorization: Bearer <token>` for the API, with failed attempts limited per client address.

A bearer token that is not one of the hub's API tokens (`ah_...`) is left to the next class, which
reads partners' OAuth2 access tokens (apps.exchange.authentication)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from apps.accounts import limits
from apps.organizations.principals import TokenClient
from apps.organizations.tokens import TOKEN_MARK, find_usable_token, note_token_used


class TooManyFailures(exceptions.Throttled):
    default_detail = _("Too many failed authentication attempts. Try again later.")


class BearerTokenAuthentication(BaseAuthentication):
    keyword = b"bearer"

    def authenticate(self, request: Request) -> tuple[TokenClient, Any] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("The Authorization header must be 'Bearer <token>'."))
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raw = ""
        if raw and not raw.startswith(f"{TOKEN_MARK}_"):
            return None  # not one of the hub's API tokens: an OAuth2 access token, read after this class
        token = find_usable_token(raw)
        if token is not None:
            note_token_used(token)
            return TokenClient(token), token
        pieces = raw.split("_", 2)
        prefix = pieces[1][:16] if len(pieces) == 3 else "malformed"
        keys = limits.failure_keys(request._request, f"token:{prefix}")
        if limits.is_blocked(keys):
            raise TooManyFailures(wait=settings.HUB_AUTH_FAILURE_WINDOW)
        limits.note_failure(keys)
        raise exceptions.AuthenticationFailed(_("The token is invalid, expired or revoked."))

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'
