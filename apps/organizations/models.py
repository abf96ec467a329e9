"""Organizations of the alliance and the sectors they work in, the people in them with their roles,
invitations to join, and the API tokens of their own systems."""

from __future__ import annotations

import hashlib
from typing import TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliance.i18n import pick


def secret_digest(raw: str) -> str:
    """What is stored of a secret (an invitation's key, an API token): its SHA-256, never the secret."""
    return hashlib.sha256(raw.encode()).hexdigest()


def validate_country(value: str) -> None:
    import pycountry

    if pycountry.countries.get(alpha_2=value.upper()) is None:
        raise ValidationError(_("%(value)s is not an ISO 3166 country code."), params={"value": value})


class EnterpriseGroup(models.Model):
    """Firms under one owner: they count as one contributor to every benchmark."""

    name = models.CharField(_("name"), max_length=200, unique=True)

    class Meta:
        verbose_name = _("enterprise group")
        verbose_name_plural = _("enterprise groups")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Sector(models.Model):
    code = models.SlugField(_("code"), max_length=60, unique=True)
    names = models.JSONField(_("names"), default=dict, help_text=_("Name per language code."))

    class Meta:
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return pick(self.names, default=self.code)


class Organization(models.Model):
    class Kind(models.TextChoices):
        MEMBER = "member", _("Member firm")
        PARTNER = "partner", _("Partner")
        SECRETARIAT = "secretariat", _("Secretariat")

    class SizeClass(models.TextChoices):
        MICRO = "micro", _("Micro")
        SMALL = "small", _("Small")
        MEDIUM = "medium", _("Medium")
        LARGE = "large", _("Large")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")

    slug = models.SlugField(_("short code"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.MEMBER)
    legal_name = models.CharField(_("legal name"), max_length=255)
    short_names = models.JSONField(
        _("short names"),
        default=dict,
        blank=True,
        help_text=_('Short name per language code, e.g. {"ru": "..."}.'),
    )
    country = models.CharField(_("country"), max_length=2, validators=[validate_country])
    region = models.CharField(_("region"), max_length=100, blank=True)
    sectors = models.ManyToManyField(
        Sector, blank=True, related_name="organizations", verbose_name=_("sectors")
    )
    size_class = models.CharField(_("size class"), max_length=10, choices=SizeClass.choices, blank=True)
    enterprise_group = models.ForeignKey(
        EnterpriseGroup,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="organizations",
        verbose_name=_("enterprise group"),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["legal_name"]
        permissions = [
            ("admit_organization", _("Can admit, suspend and edit organizations (steward)")),
            ("view_data", _("Can see the organization's own data")),
            ("submit_data", _("Can submit data for the organization")),
            ("manage_members", _("Can manage the organization's members")),
            ("manage_tokens", _("Can manage the organization's API tokens")),
            ("view_audit", _("Can see the organization's audit events")),
        ]
        indexes = [models.Index(fields=["status", "kind"])]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return pick(self.short_names, default=self.legal_name)

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin")
    CONTRIBUTOR = "contributor", _("Contributor")
    VIEWER = "viewer", _("Viewer")


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("organization")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="one_membership_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization.slug} ({self.role})"


class Invitation(models.Model):
    """An invitation for someone without an account; accepting it creates the account and the membership."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    key_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("invited"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.organization.slug}"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.cancelled_at is None and self.expires_at > timezone.now()


# django-guardian object permissions with direct foreign keys: fast lookups, and deleting an
# organization deletes its permission rows with it (no orphans).
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase  # noqa: E402


class OrganizationUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Organization, on_delete=models.CASCADE)


class OrganizationGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Organization, on_delete=models.CASCADE)


_Credential = TypeVar("_Credential", bound="Credential")


class CredentialQuerySet(models.QuerySet[_Credential]):
    def usable(self) -> CredentialQuerySet[_Credential]:
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class Credential(models.Model):
    """What every credential of an organization's systems records (an API token here, a partner's
    machine client in apps.exchange): its name, who made it and when, until when it holds, whether
    and by whom it was revoked, and when it was last used."""

    name = models.CharField(_("name"), max_length=100)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class ApiToken(Credential):
    """An organization's credential for its own systems. Only a SHA-256 hash of the secret is kept."""

    class Role(models.TextChoices):
        VIEWER = "viewer", _("Viewer")
        CONTRIBUTOR = "contributor", _("Contributor")

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("organization"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.VIEWER)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    key_hash = models.CharField(max_length=64)

    objects = CredentialQuerySet["ApiToken"].as_manager()

    class Meta(Credential.Meta):
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"
