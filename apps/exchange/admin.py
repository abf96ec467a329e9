"""Agreements and machine clients in the admin: read-only. They are recorded and changed on the
stewards' and partners' pages, through the services, so every change is audited."""

from django.contrib import admin
from oauth2_provider.models import (
    get_access_token_model,
    get_application_model,
    get_grant_model,
    get_id_token_model,
    get_refresh_token_model,
)

from alliance.admin import ReadOnlyAdmin
from apps.exchange.models import Agreement, MachineClient


@admin.register(Agreement)
class AgreementAdmin(ReadOnlyAdmin):
    list_display = ["title", "partner", "status", "valid_from", "valid_until", "lag_months", "revision"]
    list_filter = ["status"]


@admin.register(MachineClient)
class MachineClientAdmin(ReadOnlyAdmin):
    list_display = [
        "name",
        "organization",
        "client_id",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
    ]
    list_filter = ["organization"]


# The OAuth2 applications and tokens are made and ended by apps.exchange.clients (audited), and a token's
# checksum is no business of the admin: the toolkit's own admin pages are not offered.
for model in (
    get_application_model(),
    get_access_token_model(),
    get_refresh_token_model(),
    get_grant_model(),
    get_id_token_model(),
):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
