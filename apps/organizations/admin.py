"""Django admin for stewards. Status changes and memberships go through the services (audited, with
permissions kept in step), so the admin shows them read-only and offers admit/suspend as actions.
Nothing here adds a member or reaches an organization's data, for a superuser either."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from alliance.admin import ReadOnlyAdmin
from apps.organizations import services
from apps.organizations.models import ApiToken, EnterpriseGroup, Invitation, Membership, Organization, Sector
from apps.organizations.services import EDITABLE_FIELDS


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

    def get_readonly_fields(self, request: HttpRequest, obj: Organization | None = None) -> Any:
        # the slug names the organization in URLs and audit events: it is chosen once
        return (*self.readonly_fields, "slug") if obj is not None else self.readonly_fields

    def save_model(self, request: HttpRequest, obj: Organization, form: Any, change: bool) -> None:
        """Saved through the services, like the steward pages: the same checks and audit events."""
        data = {field: form.cleaned_data[field] for field in EDITABLE_FIELDS if field in form.cleaned_data}
        sectors = form.cleaned_data.get("sectors", [])
        if change:
            saved = services.update_organization(
                actor=request.user, organization=obj, sectors=sectors, request=request, **data
            )
        else:
            saved = services.create_organization(
                actor=request.user, slug=obj.slug, sectors=sectors, request=request, **data
            )
        obj.pk = saved.pk

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # the service has set the sectors (no form.save_m2m()); the memberships inline is read-only
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

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
class InvitationAdmin(ReadOnlyAdmin):
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


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    """Which organization has which tokens, read-only: the public prefix (audit events name a token by
    it) but no secret and no hash, and no minting, changing or deleting (an organization's admins
    create and revoke its tokens, audited)."""

    list_display = (
        "name",
        "prefix",
        "organization",
        "role",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
    )
    list_filter = ("role",)
    search_fields = ("name", "prefix", "organization__slug")
    fields = list_display
    readonly_fields = fields


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    """The sectors come from standards/sectors.yaml (`manage.py load_standards`)."""

    list_display = ("code", "name")
    search_fields = ("code",)
