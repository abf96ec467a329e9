"""Partners' machine clients: creating and revoking them (the partner's admins, audited). A client is
an OAuth2 application of the client credentials grant; its secret is shown once and kept hashed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import get_access_token_model, get_application_model

from apps.audit.services import record_event
from apps.exchange.models import MachineClient
from apps.organizations.models import Organization
from apps.organizations.permissions import can_manage_tokens


def create_machine_client(
    *,
    actor: Any,
    organization: Organization,
    name: str,
    days: int | None = None,
    request: Any = None,
    client_id: str = "",
    secret: str = "",
) -> tuple[MachineClient, str]:
    """Create a machine client for `organization` (an active partner); return it with its secret,
    shown once. `client_id` and `secret` are chosen for the demo alliance only."""
    if not can_manage_tokens(actor, organization):
        raise PermissionDenied
    if organization.kind != Organization.Kind.PARTNER or not organization.is_active:
        raise ValidationError(_("Only an active partner organization can have machine clients."))
    days = settings.HUB_CLIENT_DEFAULT_DAYS if days is None else days
    if not 1 <= days <= settings.HUB_CLIENT_MAX_DAYS:
        raise ValidationError(
            _("A machine client is valid for 1 to %(max)d days.") % {"max": settings.HUB_CLIENT_MAX_DAYS}
        )
    name = name.strip()
    if not name:
        raise ValidationError(_("Give the machine client a name."))
    Application = get_application_model()
    if client_id and Application.objects.filter(client_id=client_id).exists():
        raise ValidationError(_("This client id is taken."))
    secret = secret or generate_client_secret()
    with transaction.atomic():
        application = Application(
            name=f"{organization.slug}: {name}"[:255],
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
            client_secret=secret,
            hash_client_secret=True,
            skip_authorization=True,
        )
        if client_id:
            application.client_id = client_id
        application.save()
        client = MachineClient.objects.create(
            organization=organization,
            application=application,
            name=name[:100],
            created_by=actor if getattr(actor, "pk", None) else None,
            expires_at=timezone.now() + timedelta(days=days),
        )
        record_event(
            actor=actor,
            action="client.create",
            organization=organization,
            target=client,
            request=request,
            data={
                "name": client.name,
                "client_id": application.client_id,
                "expires_at": client.expires_at.isoformat(),
            },
        )
    return client, secret


def revoke_machine_client(*, actor: Any, client: MachineClient, request: Any = None) -> MachineClient:
    """Revoke a client: its access tokens end at once and it obtains no new ones. Twice changes nothing."""
    if not can_manage_tokens(actor, client.organization):
        raise PermissionDenied
    with transaction.atomic():
        client = MachineClient.objects.select_for_update().select_related("application").get(pk=client.pk)
        if client.revoked_at is not None:
            return client
        client.revoked_at = timezone.now()
        client.revoked_by = actor if getattr(actor, "pk", None) else None
        client.save(update_fields=["revoked_at", "revoked_by"])
        get_access_token_model().objects.filter(application=client.application).delete()
        record_event(
            actor=actor,
            action="client.revoke",
            organization=client.organization,
            target=client,
            request=request,
            data={"name": client.name, "client_id": client.client_id},
        )
    return client
