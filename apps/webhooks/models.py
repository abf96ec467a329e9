"""Signed webhooks to partner systems: the endpoints a partner registered, the events the hub emitted
for them, and one delivery of each event to each endpoint, with its state and lease. The database, not
the broker, owns pending deliveries (apps.webhooks.services)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class EventType(models.TextChoices):
    BENCHMARK_PUBLISHED = "benchmark.published", "benchmark.published"
    SUBMISSION_PROCESSED = "submission.processed", "submission.processed"
    AGREEMENT_CHANGED = "agreement.changed", "agreement.changed"
    TEST = "webhook.test", "webhook.test"


SUBSCRIBABLE = [
    EventType.BENCHMARK_PUBLISHED.value,
    EventType.SUBMISSION_PROCESSED.value,
    EventType.AGREEMENT_CHANGED.value,
]


def new_event_id() -> str:
    return f"msg_{secrets.token_urlsafe(18)}"


class Endpoint(models.Model):
    """A partner's URL that receives the events it subscribed to, signed with its secret (and, during
    a rotation, also with the previous one until `previous_until`). The secrets are kept because the
    hub signs with them; they are shown once, when made."""

    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.CASCADE,
        related_name="webhook_endpoints",
        verbose_name=_("organization"),
    )
    url = models.URLField(_("URL"), max_length=500)
    events = ArrayField(models.CharField(max_length=40), verbose_name=_("events"))
    secret = models.CharField(max_length=100)
    previous_secret = models.CharField(max_length=100, blank=True)
    previous_until = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["organization_id", "id"]

    def __str__(self) -> str:
        return self.url


class Event(models.Model):
    """What happened, once, as its receivers get it: `id` is the `webhook-id` header."""

    id = models.CharField(primary_key=True, max_length=40, default=new_event_id, editable=False)
    type = models.CharField(_("type"), max_length=40, choices=EventType.choices)
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("organization"),
    )
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.id} {self.type}"


class Delivery(models.Model):
    """One event to one endpoint: pending until a worker claims it (a lease), then delivered, or failed
    and due again at `next_attempt_at`, or given up after HUB_WEBHOOKS_MAX_ATTEMPTS."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        DELIVERED = "delivered", _("delivered")
        FAILED = "failed", _("failed, to be retried")
        GAVE_UP = "gave_up", _("given up")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last answer"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    claimed_by = models.CharField(max_length=100, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "endpoint"], name="webhook_delivery_once_per_endpoint")
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=["pending", "failed"]),
                name="webhook_delivery_due",
            ),
            models.Index(fields=["endpoint", "-created_at"], name="webhook_delivery_log"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} -> {self.endpoint_id} ({self.status})"
