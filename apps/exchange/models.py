"""Data-sharing agreements: what a partner organization may read (aggregated benchmark figures of
named standards, measures and cohorts, never a firm's raw data) and push (partner standards), from
when to when, with what publication lag. apps.exchange.access reads them on every request. And the
partners' machine clients."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from oauth2_provider.settings import oauth2_settings

from apps.organizations.models import Credential, CredentialQuerySet


class Agreement(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", pgettext_lazy("agreement state", "active")
        SUSPENDED = "suspended", pgettext_lazy("agreement state", "suspended")

    partner = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="agreements",
        verbose_name=_("partner"),
    )
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True, help_text=_("Empty: open-ended."))
    lag_months = models.PositiveSmallIntegerField(
        _("publication lag (months)"),
        help_text=_("A figure reaches the partner this many months after its period ends, or later."),
    )
    push_standards = models.ManyToManyField(
        "standards.Standard", blank=True, related_name="push_agreements", verbose_name=_("may push")
    )
    revision = models.PositiveIntegerField(_("revision"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("data-sharing agreement")
        verbose_name_plural = _("data-sharing agreements")
        ordering = ["partner__slug", "valid_from", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="agreement_valid_until_after_from",
            )
        ]

    def __str__(self) -> str:
        return self.title


class ReadGrant(models.Model):
    """What an agreement lets its partner read of one member standard: these measures, in these
    cohorts, as published benchmark figures."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="reads")
    standard = models.ForeignKey(
        "standards.Standard", on_delete=models.PROTECT, related_name="+", verbose_name=_("data standard")
    )
    measures = ArrayField(models.CharField(max_length=100), verbose_name=_("measures"))
    cohorts = ArrayField(models.CharField(max_length=60), verbose_name=_("cohorts"))

    class Meta:
        verbose_name = _("read grant")
        verbose_name_plural = _("read grants")
        ordering = ["standard__code"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "standard"], name="read_grant_one_per_standard")
        ]

    def __str__(self) -> str:
        return f"{self.agreement_id}: {self.standard_id}"


class MachineClient(Credential):
    """A partner system's OAuth2 client (client credentials grant): the partner's admin creates it, the
    system trades its id and secret at /oauth/token/ for an hour's access token. The secret is kept
    hashed by the OAuth2 application it owns; the client acts for its organization under the
    agreements in force, with the scopes they allow."""

    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.CASCADE,
        related_name="machine_clients",
        verbose_name=_("organization"),
    )
    application = models.OneToOneField(
        oauth2_settings.APPLICATION_MODEL,
        on_delete=models.CASCADE,
        related_name="machine_client",
        verbose_name=_("OAuth2 application"),
    )

    objects = CredentialQuerySet["MachineClient"].as_manager()

    class Meta(Credential.Meta):
        verbose_name = _("machine client")
        verbose_name_plural = _("machine clients")

    def __str__(self) -> str:
        return f"{self.name} ({self.client_id})"

    @property
    def client_id(self) -> str:
        return self.application.client_id
