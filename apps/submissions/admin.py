from django.contrib import admin

from alliance.admin import ReadOnlyAdmin
from apps.submissions.models import Submission


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdmin):
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
