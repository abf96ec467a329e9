"""Data standards, their versions and fields (docs/standards.md describes the file format).

A version is a draft while stewards edit it, then published (never changed again), then possibly
deprecated. Multilingual texts are JSON objects keyed by language code.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from alliance.i18n import pick
from apps.organizations.models import Sector


class Standard(models.Model):
    class Audience(models.TextChoices):
        MEMBER = "member", _("Member firms")
        PARTNER = "partner", _("Partners")

    code = models.CharField(_("code"), max_length=80, unique=True)
    sector = models.ForeignKey(
        Sector,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="standards",
        verbose_name=_("sector"),
    )
    audience = models.CharField(
        _("contributed by"), max_length=10, choices=Audience.choices, default=Audience.MEMBER
    )
    titles = models.JSONField(_("titles"), default=dict)

    class Meta:
        verbose_name = _("data standard")
        verbose_name_plural = _("data standards")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code

    @property
    def title(self) -> str:
        return pick(self.titles, default=self.code)


class StandardVersionQuerySet(models.QuerySet["StandardVersion"]):
    def released(self) -> StandardVersionQuerySet:
        """Published and deprecated versions: everything but the draft."""
        return self.exclude(status="draft")

    def published(self) -> StandardVersionQuerySet:
        return self.filter(status="published")

    def newest_first(self) -> StandardVersionQuerySet:
        return self.order_by("-major", "-minor", "-patch")


class StandardVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        DEPRECATED = "deprecated", _("Deprecated")

    class Frequency(models.TextChoices):
        MONTH = "month", _("Monthly")
        QUARTER = "quarter", _("Quarterly")
        SEASON = "season", _("Seasonal")
        YEAR = "year", _("Yearly")

    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="versions")
    # Drafts have no number: publishing gives them the one their changes require.
    version = models.CharField(_("version"), max_length=20, null=True, blank=True)
    major = models.PositiveIntegerField(default=0)
    minor = models.PositiveIntegerField(default=0)
    patch = models.PositiveIntegerField(default=0)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    frequency = models.CharField(_("reporting frequency"), max_length=10, choices=Frequency.choices)
    titles = models.JSONField(_("titles"), default=dict)
    descriptions = models.JSONField(_("descriptions"), default=dict, blank=True)
    primary_key = models.JSONField(_("dimension key"), default=list, blank=True)
    rules = models.JSONField(_("cross-field rules"), default=list, blank=True)
    breakdowns = models.JSONField(
        _("benchmark breakdowns"),
        default=list,
        blank=True,
        help_text=_(
            "Dimensions by which benchmarks of this version are broken down, e.g. destination_country."
        ),
    )
    based_on = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="drafts",
        verbose_name=_("based on"),
    )
    checksum = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    deprecated_at = models.DateTimeField(_("deprecated"), null=True, blank=True)

    objects = StandardVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("standard version")
        verbose_name_plural = _("standard versions")
        ordering = ["standard__code", "-major", "-minor", "-patch"]
        constraints = [
            models.UniqueConstraint(fields=["standard", "version"], name="one_number_per_version"),
            models.UniqueConstraint(
                fields=["standard"], condition=Q(status="draft"), name="one_draft_per_standard"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(version__isnull=False), name="published_versions_have_numbers"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.standard.code} {self.label}"

    @property
    def label(self) -> str:
        return self.version or "draft"

    @property
    def title(self) -> str:
        return pick(self.titles, default=self.standard.title)

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class Field(models.Model):
    class Type(models.TextChoices):
        INTEGER = "integer", _("Whole number")
        DECIMAL = "decimal", _("Number")
        STRING = "string", _("Text")
        DATE = "date", _("Date")
        PERIOD = "period", _("Period")
        ENUM = "enum", _("Choice from a list")
        COUNTRY = "country", _("Country")
        HS_CODE = "hs_code", _("HS code")
        CURRENCY = "currency", _("Currency")

    class Role(models.TextChoices):
        DIMENSION = "dimension", _("Dimension")
        MEASURE = "measure", _("Measure")
        ATTRIBUTE = "attribute", _("Attribute")

    class Aggregation(models.TextChoices):
        SUM = "sum", _("Sum")
        RATIO = "ratio", _("Ratio of two sums")
        WEIGHTED_MEAN = "weighted_mean", _("Weighted mean")

    class DisclosureClass(models.TextChoices):
        PRICE_COST = "price_cost", _("Price or cost")
        QUANTITY = "quantity", _("Quantity")
        QUALITY = "quality", _("Quality")

    version = models.ForeignKey(StandardVersion, on_delete=models.CASCADE, related_name="fields")
    position = models.PositiveIntegerField(default=0)
    name = models.SlugField(_("name"), max_length=60, allow_unicode=False)
    type = models.CharField(_("type"), max_length=12, choices=Type.choices)
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.ATTRIBUTE)
    required = models.BooleanField(_("required"), default=False)
    constraints = models.JSONField(_("constraints"), default=dict, blank=True)
    titles = models.JSONField(_("titles"), default=dict)
    descriptions = models.JSONField(_("descriptions"), default=dict, blank=True)
    aliases = models.JSONField(_("header aliases"), default=dict, blank=True)
    enum_labels = models.JSONField(_("labels of the allowed values"), default=dict, blank=True)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    accepted_units = models.JSONField(_("accepted units"), default=list, blank=True)
    currency_field = models.CharField(_("currency given in field"), max_length=60, blank=True)
    aggregation = models.CharField(
        _("combined per firm by"), max_length=14, choices=Aggregation.choices, blank=True
    )
    aggregation_fields = models.JSONField(default=list, blank=True)
    disclosure_class = models.CharField(
        _("disclosure class"), max_length=12, choices=DisclosureClass.choices, blank=True
    )
    precision = models.PositiveSmallIntegerField(_("published precision"), null=True, blank=True)
    derived = models.JSONField(_("derived from"), null=True, blank=True)
    default = models.CharField(_("value when empty"), max_length=100, blank=True)
    # The column of the observation table that holds this field (d<slot> or m<slot>), the same for
    # every version of the standard; set when the version is published (apps.standards.slots).
    slot = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("field")
        verbose_name_plural = _("fields")
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "name"], name="field_names_unique_in_version")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def title(self) -> str:
        return pick(self.titles, default=self.name)

    @property
    def description(self) -> str:
        return pick(self.descriptions)


class ExchangeRate(models.Model):
    """The stewards' monthly rate table: how many US dollars one unit of a currency was worth."""

    currency = models.CharField(_("currency"), max_length=3)
    period = models.CharField(_("month"), max_length=7, help_text=_("Like 2026-09."))
    usd_per_unit = models.DecimalField(_("US dollars per unit"), max_digits=20, decimal_places=10)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["-period", "currency"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "period"], name="one_rate_per_currency_and_month")
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.period}: {self.usd_per_unit}"
