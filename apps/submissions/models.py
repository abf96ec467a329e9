"""Submissions of member data: the original file (always kept), the processing state with its lease,
the report of problems, and the observations an accepted submission contributes."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.standards.models import Field
from apps.standards.slots import DIMENSION_SLOTS, MEASURE_SLOTS


def original_path(submission: Submission, filename: str) -> str:
    """Server-made storage path: never built from the uploaded name."""
    return f"submissions/{submission.organization_id}/{submission.pk}"


class Submission(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        PROCESSING = "processing", _("Processing")
        ACCEPTED = "accepted", _("Accepted")
        ACCEPTED_WITH_WARNINGS = "accepted_with_warnings", _("Accepted with warnings")
        REJECTED = "rejected", _("Rejected")

    class Source(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"
        JSON = "json", "JSON"
        NONE = "none", _("Nothing to report")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="submissions",
        verbose_name=_("organization"),
    )
    version = models.ForeignKey(
        "standards.StandardVersion",
        on_delete=models.PROTECT,
        related_name="submissions",
        verbose_name=_("version"),
    )
    standard = models.ForeignKey("standards.Standard", on_delete=models.PROTECT, related_name="submissions")
    period = models.CharField(_("period"), max_length=10)
    source = models.CharField(_("source"), max_length=5, choices=Source.choices)
    original = models.FileField(_("original file"), upload_to=original_path, max_length=200)
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    sha256 = models.CharField(max_length=64, db_index=True)
    idempotency_key = models.CharField(max_length=128, null=True, blank=True)
    fingerprint = models.CharField(max_length=64, blank=True)
    status = models.CharField(_("status"), max_length=24, choices=Status.choices, default=Status.RECEIVED)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_by = models.CharField(max_length=100, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)  # when a task for it was last sent
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    warning_count = models.PositiveIntegerField(_("warnings"), default=0)
    summary = models.JSONField(default=dict, blank=True)
    is_current = models.BooleanField(_("in force"), default=False)
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_by_token = models.ForeignKey(
        "organizations.ApiToken", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("submitted"), auto_now_add=True, db_index=True)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="one_submission_per_idempotency_key",
            ),
            models.UniqueConstraint(
                fields=["organization", "standard", "period"],
                condition=Q(is_current=True),
                name="one_current_submission_per_period",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "claimed_until"]),
            models.Index(fields=["organization", "standard", "period"]),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.standard_id} {self.period} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.ACCEPTED, self.Status.ACCEPTED_WITH_WARNINGS, self.Status.REJECTED)


class Issue(models.Model):
    """One problem of a submission: where (row, column), the value as written, what is wrong."""

    class Severity(models.TextChoices):
        ERROR = "error", _("Error")
        WARNING = "warning", _("Warning")

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="issues")
    severity = models.CharField(max_length=8, choices=Severity.choices)
    row = models.PositiveIntegerField(null=True, blank=True)
    column = models.CharField(max_length=255, blank=True)
    value = models.CharField(max_length=255, blank=True)
    code = models.CharField(max_length=40)
    params = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["submission", "row", "id"]
        indexes = [models.Index(fields=["submission", "severity", "row"])]

    def __str__(self) -> str:
        return f"{self.severity} row {self.row} {self.column}: {self.code}"


class Observation(models.Model):
    """One accepted data row, typed: dimensions in text columns d1..d24 and measures (canonical units,
    money in USD) in number columns m1..m24. Which field is in which column is the field's slot, the
    same for every version of a standard (apps.standards.slots). The period is the submission's."""

    pk = models.CompositePrimaryKey("submission_id", "row")
    # No database constraint: PostgreSQL would check it row by row at commit (2.6 s a million rows).
    # Rows are written only by services._finish, in the transaction that holds the submission locked,
    # and Django's collector still deletes them with their submission.
    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="observations", db_constraint=False
    )
    row = models.PositiveIntegerField()

    class Meta:
        ordering = ["submission", "row"]

    def __str__(self) -> str:
        return f"{self.submission_id} row {self.row}"

    def _named(self, kind: str) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, slot in _slots(self.submission.version_id, kind):
            value = getattr(self, f"{kind}{slot}")
            if value is not None:
                values[name] = value
        return values

    @property
    def dimensions(self) -> dict[str, Any]:
        """The row's dimensions and attributes by field name, with the period."""
        return {"period": self.submission.period, **self._named("d")}

    @property
    def measures(self) -> dict[str, float]:
        return self._named("m")


def _slots(version_id: int, kind: str) -> list[tuple[str, int]]:
    query = Field.objects.filter(version_id=version_id, slot__isnull=False, derived__isnull=True)
    query = query.filter(role="measure") if kind == "m" else query.exclude(role="measure")
    return [(name, slot) for name, slot in query.values_list("name", "slot") if slot is not None]


for _slot in range(1, DIMENSION_SLOTS + 1):
    Observation.add_to_class(f"d{_slot}", models.TextField(null=True, blank=True))
for _slot in range(1, MEASURE_SLOTS + 1):
    Observation.add_to_class(f"m{_slot}", models.FloatField(null=True, blank=True))
