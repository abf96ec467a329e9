"""`Authorization: Bearer <access token>` from /oauth/token/ for a partner's machine client.

The hub's own API tokens (`ah_...`) are read by apps.organizations.authentication before this class;
anything else presented as a bearer token is looked up here by its checksum (the token itself is
never stored). Failed attempts are limited per client address like the API tokens'.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from oauth2_provider.models import get_access_token_model
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from apps.accounts import limits
from apps.exchange.models import MachineClient
from apps.exchange.oauth import PUSH, client_of
from apps.organizations.authentication import TooManyFailures
from apps.organizations.models import ApiToken, Organization
from apps.organizations.principals import TokenClient


@dataclass(frozen=True)
class ClientCredential:
    """What a machine client's request acts with, in the shape of an API token: its organization, a
    name, the client id as prefix, and the role its scopes give (pushing needs `push`)."""

    client: MachineClient
    role: str
    expires_at: datetime
    kind = "client"  # the audit log's actor label: client:<client id>

    @property
    def pk(self) -> int:
        return self.client.pk

    @property
    def organization(self) -> Organization:
        return self.client.organization

    @property
    def organization_id(self) -> int:
        return self.client.organization_id

    @property
    def name(self) -> str:
        return self.client.name

    @property
    def prefix(self) -> str:
        return self.client.client_id


class MachineClientAuthentication(BaseAuthentication):
    keyword = b"bearer"

    def authenticate(self, request: Request) -> tuple[TokenClient, Any] | None:
        parts = get_authorization_header(request).split()
        if len(parts) != 2 or parts[0].lower() != self.keyword:
            return None
        raw = parts[1].decode("ascii", errors="replace")[:255]
        checksum = hashlib.sha256(raw.encode()).hexdigest()
        token = (
            get_access_token_model()
            .objects.select_related("application__machine_client__organization")
            .filter(token_checksum=checksum)
            .first()
        )
        client = client_of(token.application) if token is not None and not token.is_expired() else None
        if token is None or client is None:
            keys = limits.failure_keys(request._request, "oauth")
            if limits.is_blocked(keys):
                raise TooManyFailures(wait=settings.HUB_AUTH_FAILURE_WINDOW)
            limits.note_failure(keys)
            raise exceptions.AuthenticationFailed(_("The token is invalid, expired or revoked."))
        scopes = frozenset(token.scope.split())
        role = ApiToken.Role.CONTRIBUTOR if PUSH in scopes else ApiToken.Role.VIEWER
        note_client_used(client)
        credential = ClientCredential(client=client, role=role, expires_at=token.expires)
        return TokenClient(credential, scopes=scopes), token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


def note_client_used(client: MachineClient) -> None:
    """Record when a client was last used, at most once a minute."""
    now = timezone.now()
    if client.last_used_at is None or now - client.last_used_at > timedelta(minutes=1):
        MachineClient.objects.filter(pk=client.pk).update(last_used_at=now)
        client.last_used_at = now
