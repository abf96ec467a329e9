"""Webhooks in the admin: read-only, and never the secrets. Endpoints are registered on the partner's
pages and through the API, by the services, so every change is audited."""

from django.contrib import admin

from alliance.admin import ReadOnlyAdmin
from apps.webhooks.models import Delivery, Endpoint, Event


@admin.register(Endpoint)
class EndpointAdmin(ReadOnlyAdmin):
    list_display = ["url", "organization", "is_active", "created_at"]
    list_filter = ["is_active"]
    exclude = ["secret", "previous_secret"]


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["id", "type", "organization", "created_at"]
    list_filter = ["type"]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["event", "endpoint", "status", "attempts", "last_status_code", "next_attempt_at"]
    list_filter = ["status"]
