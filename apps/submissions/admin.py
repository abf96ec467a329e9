from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from apps.submissions.models import Submission


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    """Stewards watch processing and quality here; raw figures and reports stay with the organization,
    and nobody (not even a superuser) adds, changes or deletes a submission here."""

    list_display = (
        "created_at",
        "organization",
        "standard",
        "period",
        "status",
        "row_count",
        "error_count",
        "attempts",
        "is_current",
    )
    list_filter = ("status", "standard", "is_current")
    fields = (
        "organization",
        "standard",
        "version",
        "period",
        "source",
        "size",
        "status",
        "progress",
        "attempts",
        "row_count",
        "error_count",
        "warning_count",
        "is_current",
        "created_at",
        "processed_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a firm's data and its history are never deleted from here, by anyone
