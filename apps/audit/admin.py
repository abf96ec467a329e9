from django.contrib import admin

from alliance.admin import ReadOnlyAdmin
from apps.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "action", "actor_label", "organization_id", "object_type", "object_id", "address")
    # Events of no organization (an empty organization id) are the stewards' security log.
    list_filter = ("action", ("organization_id", admin.EmptyFieldListFilter))
    search_fields = ("actor_label", "action", "object_id")
    date_hierarchy = "at"
