"""Agreements in the admin: read-only. They are recorded and changed on the stewards' pages, through
the services, so every change is audited."""

from django.contrib import admin

from alliance.admin import ReadOnlyAdmin
from apps.exchange.models import Agreement


@admin.register(Agreement)
class AgreementAdmin(ReadOnlyAdmin):
    list_display = ["title", "partner", "status", "valid_from", "valid_until", "lag_months", "revision"]
    list_filter = ["status"]
