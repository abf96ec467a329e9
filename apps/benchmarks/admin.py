"""Benchmarks in the admin: read-only. Runs show their hashes and counts but not their published
facts (which name firms); cohorts and the policy are changed on the stewards' pages, through the
services, so every change is audited and recomputed."""

from django.contrib import admin

from alliance.admin import ReadOnlyAdmin
from apps.benchmarks.models import Cohort, PolicyVersion, Run


@admin.register(PolicyVersion)
class PolicyVersionAdmin(ReadOnlyAdmin):
    list_display = ["version", "sha256", "created_at", "created_by"]
    fields = ["version", "sha256", "document", "sign_off", "created_at", "created_by"]


@admin.register(Cohort)
class CohortAdmin(ReadOnlyAdmin):
    list_display = ["standard", "code", "status", "regions", "size_classes", "activated_at"]
    list_filter = ["status", "standard"]


@admin.register(Run)
class RunAdmin(ReadOnlyAdmin):
    list_display = ["id", "standard", "period", "trigger", "n_firms", "n_cells", "created_at"]
    list_filter = ["standard", "trigger"]
    fields = [
        "standard",
        "period",
        "policy",
        "policy_sha256",
        "input_sha256",
        "trigger",
        "n_firms",
        "n_cells",
        "summary",
        "unresolved",
        "timings",
        "created_at",
    ]
