"""Django admin for stewards. Status changes and memberships go through the services (audited, with
permissions kept in step), so the admin shows them read-only and offers admit/suspend as actions.
Nothing here adds a member or reaches an organization's data, for a superuser either."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from apps.organizations import services
from apps.organizations.models import EnterpriseGroup, Invitation, Membership, Organization


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ("user", "role", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("legal_name", "slug", "kind", "country", "region", "size_class", "status")
    list_filter = ("status", "kind", "size_class", "country", "sectors")
    search_fields = ("legal_name", "slug", "region")
    readonly_fields = ("status", "created_at", "updated_at")
    filter_horizontal = ("sectors",)
    inlines = [MembershipInline]
    actions = ["admit", "suspend"]

    def save_model(self, request: HttpRequest, obj: Organization, form: Any, change: bool) -> None:
        from apps.audit.services import record_event

        super().save_model(request, obj, form, change)
        record_event(
            actor=request.user,
            action="organization.update" if change else "organization.create",
            organization=obj,
            target=obj,
            request=request,
            data={"changed": sorted(form.changed_data), "via": "admin"},
        )

    def _set_status(self, request: HttpRequest, queryset: QuerySet[Organization], status: str) -> None:
        for organization in queryset:
            services.set_organization_status(
                actor=request.user, organization=organization, status=status, request=request
            )
        self.message_user(
            request, _("%(count)d organizations updated.") % {"count": queryset.count()}, messages.SUCCESS
        )

    @admin.action(description=_("Admit (make active)"), permissions=["admit"])
    def admit(self, request: HttpRequest, queryset: QuerySet[Organization]) -> None:
        self._set_status(request, queryset, Organization.Status.ACTIVE)

    @admin.action(description=_("Suspend"), permissions=["admit"])
    def suspend(self, request: HttpRequest, queryset: QuerySet[Organization]) -> None:
        self._set_status(request, queryset, Organization.Status.SUSPENDED)

    def has_admit_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("organizations.admit_organization")


@admin.register(EnterpriseGroup)
class EnterpriseGroupAdmin(admin.ModelAdmin):
    search_fields = ("name",)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Invitations, read-only and without their secret: people are invited on the organization's
    members page and join by accepting."""

    list_display = (
        "email",
        "organization",
        "role",
        "created_at",
        "expires_at",
        "accepted_at",
        "cancelled_at",
    )
    readonly_fields = [f.name for f in Invitation._meta.fields if f.name not in ("id", "key_hash")]
    exclude = ("key_hash",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
