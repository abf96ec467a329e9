"""An organization's API tokens: minting and revoking them (audited), and finding the token a request
presents. Only a SHA-256 hash of a secret is stored; the secret is shown once."""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.audit.services import record_event
from apps.organizations.models import ApiToken, Organization, secret_digest
from apps.organizations.permissions import can_manage_tokens

TOKEN_MARK = "ah"


def create_api_token(
    *,
    actor: Any,
    organization: Organization,
    name: str,
    role: str,
    days: int | None = None,
    request: Any = None,
) -> tuple[ApiToken, str]:
    """Create a token for `organization`; return it with its secret, which is shown once and never stored."""
    if not can_manage_tokens(actor, organization):
        raise PermissionDenied
    if not organization.is_active:
        raise ValidationError(_("Only an active organization can have API tokens."))
    if role not in ApiToken.Role.values:
        raise ValidationError(_("Choose a valid role."))
    days = settings.HUB_TOKEN_DEFAULT_DAYS if days is None else days
    if not 1 <= days <= settings.HUB_TOKEN_MAX_DAYS:
        raise ValidationError(
            _("A token is valid for 1 to %(max)d days.") % {"max": settings.HUB_TOKEN_MAX_DAYS}
        )
    name = name.strip()
    if not name:
        raise ValidationError(_("Give the token a name."))
    prefix = secrets.token_hex(4)
    raw = f"{TOKEN_MARK}_{prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        token = ApiToken.objects.create(
            organization=organization,
            name=name[:100],
            role=role,
            prefix=prefix,
            key_hash=secret_digest(raw),
            created_by=actor,
            expires_at=timezone.now() + timedelta(days=days),
        )
        record_event(
            actor=actor,
            action="token.create",
            organization=organization,
            target=token,
            request=request,
            data={
                "name": token.name,
                "role": role,
                "prefix": prefix,
                "expires_at": token.expires_at.isoformat(),
            },
        )
    return token, raw


def revoke_api_token(*, actor: Any, token: ApiToken, request: Any = None) -> ApiToken:
    """Revoke a token; the next request that uses it is refused. Revoking twice changes nothing."""
    if not can_manage_tokens(actor, token.organization):
        raise PermissionDenied
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is not None:
            return token
        token.revoked_at = timezone.now()
        token.revoked_by = actor
        token.save(update_fields=["revoked_at", "revoked_by"])
        record_event(
            actor=actor,
            action="token.revoke",
            organization=token.organization,
            target=token,
            request=request,
            data={"name": token.name, "prefix": token.prefix},
        )
    return token


def find_usable_token(raw: str) -> ApiToken | None:
    """The token whose secret is `raw`, if it is unrevoked, unexpired and its organization active."""
    parts = raw.split("_", 2)  # the secret itself may contain "_"
    if len(parts) != 3 or parts[0] != TOKEN_MARK or not parts[1] or len(raw) > 200:
        return None
    token = ApiToken.objects.select_related("organization").filter(prefix=parts[1]).first()
    if token is None or not hmac.compare_digest(token.key_hash, secret_digest(raw)):
        return None
    if not token.is_usable or not token.organization.is_active:
        return None
    return token


def note_token_used(token: ApiToken) -> None:
    """Record when a token was last used, at most once a minute (no write on every request)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
