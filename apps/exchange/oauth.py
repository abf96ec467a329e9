"""The OAuth2 side of partners' machine clients: which scopes a client may ask for (those its
organization's agreements in force allow), which clients may authenticate at all (unrevoked,
unexpired, of an active partner), and the token endpoint, which limits failed client authentication
per address and per client id and says its errors in the caller's language."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any
from urllib.parse import unquote_plus

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from oauth2_provider import views as oauth_views
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.scopes import SettingsScopes

from apps.accounts import limits
from apps.exchange.access import agreements_in_force
from apps.exchange.models import MachineClient
from apps.organizations.models import Organization

READ = "read"
PUSH = "push"


def client_of(application: Any) -> MachineClient | None:
    """The usable machine client an OAuth2 application belongs to, with its organization (read with
    the application when the caller selected `machine_client__organization` along)."""
    if application is None:
        return None
    try:
        client: MachineClient = application.machine_client
    except MachineClient.DoesNotExist:
        return None
    if not client.is_usable:
        return None
    organization = client.organization
    if organization.kind != Organization.Kind.PARTNER or organization.status != Organization.Status.ACTIVE:
        return None
    return client


def scopes_allowed(organization: Organization) -> list[str]:
    """`read` when an agreement in force grants some figures, `push` when one names a standard to push."""
    in_force = agreements_in_force(organization, timezone.localdate())
    scopes = []
    if in_force.filter(reads__isnull=False).exists():
        scopes.append(READ)
    if in_force.filter(push_standards__isnull=False).exists():
        scopes.append(PUSH)
    return scopes


class AgreementScopes(SettingsScopes):
    """A client may ask for the scopes its organization's agreements in force allow; by default it gets
    all of them. The agreements are read again on every request (apps.exchange.access): a scope only
    opens the door the agreements then decide on."""

    def get_available_scopes(self, application: Any = None, *args: Any, **kwargs: Any) -> Any:
        client = client_of(application)
        return scopes_allowed(client.organization) if client else []

    def get_default_scopes(self, application: Any = None, *args: Any, **kwargs: Any) -> Any:
        return self.get_available_scopes(application)


class MachineClientValidator(OAuth2Validator):
    """Only a usable machine client of an active partner authenticates; only by client credentials."""

    def authenticate_client(self, request: Any, *args: Any, **kwargs: Any) -> bool:
        if not super().authenticate_client(request, *args, **kwargs):
            return False
        return client_of(request.client) is not None

    def validate_grant_type(
        self, client_id: str, grant_type: str, client: Any, request: Any, *args: Any, **kwargs: Any
    ) -> bool:
        return grant_type == "client_credentials" and super().validate_grant_type(
            client_id, grant_type, client, request, *args, **kwargs
        )


def _error_descriptions() -> dict[str, str]:
    return {
        "invalid_client": _("The client id or secret is wrong, or the client is revoked or expired."),
        "invalid_scope": _("The agreements in force do not allow this scope."),
        "unsupported_grant_type": _("Only the client_credentials grant is offered."),
        "unauthorized_client": _("Only the client_credentials grant is offered."),
        "invalid_request": _("The token request is malformed: send grant_type=client_credentials."),
    }


def _client_id(request: HttpRequest) -> str:
    """The client id a token request names (Basic authentication or the form body), for the limits."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header[:6].lower() == "basic ":
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return "malformed"
        return unquote_plus(decoded.partition(":")[0])[:100]
    return str(request.POST.get("client_id", ""))[:100] or "none"


class TokenView(oauth_views.TokenView):
    """`POST /oauth/token/` with `grant_type=client_credentials`: after too many failed client
    authentications from an address, or for one client id, further attempts are answered 429 until
    the window has passed, whether or not the secret is right."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        keys = limits.failure_keys(request, f"client:{_client_id(request)}")
        if limits.is_blocked(keys):
            refused = JsonResponse(
                {
                    "error": "slow_down",
                    "error_description": _("Too many failed authentication attempts. Try again later."),
                },
                status=429,
            )
            refused["Retry-After"] = str(settings.HUB_AUTH_FAILURE_WINDOW)
            return refused
        response = super().post(request, *args, **kwargs)
        if response.status_code >= 400:
            if response.status_code == 401:
                limits.note_failure(keys)
            response = _translated(response)
        response["Cache-Control"] = "no-store"
        return response


def _translated(response: HttpResponse) -> HttpResponse:
    """The OAuth2 error as RFC 6749 has it (`error`), its description in the caller's language."""
    try:
        body = json.loads(response.content)
    except ValueError:
        return response
    description = _error_descriptions().get(str(body.get("error", "")))
    if description:
        body["error_description"] = description
        response.content = json.dumps(body).encode()
        response["Content-Length"] = str(len(response.content))
    return response
