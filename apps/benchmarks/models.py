"""Benchmarks as stored: the policy's versions, the stewards' cohorts, immutable runs and their figures,
and the (standard, period) pairs waiting to be recomputed.

A run covers one standard and one period: every cohort, measure and breakdown of it is decided together,
so the whole-run audit sees every figure that could be combined. Its figures are written once; the
figures of the newest run of each (standard, period) are `is_current`, which is what reads look up.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.benchmarks.codes import STATISTICS, PublicReason, Status

DEFAULT_COHORT = "all"


class PolicyVersion(models.Model):
    """One version of the disclosure policy (apps.benchmarks.policy), as its canonical document. The
    newest row is in force; the first is the shipped default (migration 0002). A version departing
    from a legal default carries a sign-off note."""

    version = models.CharField(_("version"), max_length=40, unique=True)
    document = models.JSONField(_("policy document"))
    sha256 = models.CharField(max_length=64, unique=True)
    sign_off = models.TextField(_("sign-off note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("disclosure policy version")
        verbose_name_plural = _("disclosure policy versions")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"policy {self.version} ({self.sha256[:12]})"


class Cohort(models.Model):
    """A steward-defined set of firms: a standard plus fixed filters over organization attributes.
    Every standard also has the default cohort `all`, which is not stored. Only active cohorts are
    computed; a draft is previewed first (what activating it would cost in suppressions)."""

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("cohort state", "draft")
        ACTIVE = "active", pgettext_lazy("cohort state", "active")
        RETIRED = "retired", pgettext_lazy("cohort state", "retired")

    standard = models.ForeignKey("standards.Standard", on_delete=models.CASCADE, related_name="cohorts")
    code = models.SlugField(_("code"), max_length=60)
    names = models.JSONField(_("names"), default=dict, help_text=_("Name per language code."))
    regions = models.JSONField(_("regions"), default=list, blank=True)
    size_classes = models.JSONField(_("size classes"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    activated_at = models.DateTimeField(_("activated"), null=True, blank=True)

    class Meta:
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        ordering = ["standard__code", "code"]
        constraints = [
            models.UniqueConstraint(fields=["standard", "code"], name="cohort_code_unique_per_standard"),
            models.CheckConstraint(condition=~Q(code=DEFAULT_COHORT), name="cohort_code_not_default"),
        ]

    def __str__(self) -> str:
        return f"{self.standard_id}/{self.code}"


class Run(models.Model):
    """One benchmark run of one standard and period: the policy it applied, the hashes of its input and
    the engine's record; `submissions` is its input (the submissions in force it read), `summary` counts
    its figures by status and reason. Immutable once written. `facts` is what the run published in
    terms of firms (the linear facts later runs of the same period must take as known); it never
    leaves the hub."""

    class Trigger(models.TextChoices):
        SUBMISSION = "submission", _("accepted submission")
        COMMAND = "command", _("command")
        COHORT = "cohort", _("cohort or policy change")

    id = models.BigAutoField(primary_key=True)
    standard = models.ForeignKey(
        "standards.Standard", on_delete=models.PROTECT, related_name="benchmark_runs"
    )
    period = models.CharField(_("period"), max_length=10)
    policy = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="runs")
    policy_sha256 = models.CharField(max_length=64)
    input_sha256 = models.CharField(max_length=64)
    trigger = models.CharField(max_length=12, choices=Trigger.choices)
    n_firms = models.PositiveIntegerField(_("firms"), default=0)
    n_cells = models.PositiveIntegerField(_("cells"), default=0)
    submissions = models.JSONField(default=list, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    unresolved = models.JSONField(default=list, blank=True)
    facts = models.JSONField(default=list, blank=True)
    timings = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("computed"), auto_now_add=True)

    class Meta:
        verbose_name = _("benchmark run")
        verbose_name_plural = _("benchmark runs")
        ordering = ["-id"]
        indexes = [models.Index(fields=["standard", "period", "-id"])]

    def __str__(self) -> str:
        return f"run {self.pk} {self.standard_id} {self.period}"


STATUS_CHOICES = [(status.value, status.value) for status in Status]
REASON_CHOICES = [(reason.value, reason.value) for reason in PublicReason]
STATISTIC_CHOICES = [(statistic.value, statistic.value) for statistic in STATISTICS]


class Figure(models.Model):
    """One statistic of one cell as a run decided it, once its lag has passed: `status`, `value`,
    `reason` are the released decision; `available_from` is when it may be shown (reads show it as
    embargoed before that day). `evidence` is for stewards only: the rule and the numbers behind it,
    in shares, never a firm or an amount."""

    id = models.BigAutoField(primary_key=True)
    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="figures")
    standard = models.ForeignKey("standards.Standard", on_delete=models.PROTECT, related_name="+")
    period = models.CharField(max_length=10)
    cohort = models.CharField(max_length=60)
    measure = models.CharField(max_length=60)
    unit = models.CharField(max_length=30, blank=True)
    breakdown_field = models.CharField(max_length=60, blank=True)
    breakdown_value = models.CharField(max_length=100, blank=True)
    statistic = models.CharField(max_length=8, choices=STATISTIC_CHOICES)
    status = models.CharField(max_length=12, choices=STATUS_CHOICES)
    value = models.FloatField(null=True, blank=True)
    reason = models.CharField(max_length=30, choices=REASON_CHOICES, blank=True)
    n_firms = models.PositiveIntegerField(null=True, blank=True)
    available_from = models.DateField(null=True, blank=True)
    evidence = models.JSONField(default=dict, blank=True)
    is_current = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("benchmark figure")
        verbose_name_plural = _("benchmark figures")
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=[
                    "standard",
                    "measure",
                    "cohort",
                    "breakdown_field",
                    "breakdown_value",
                    "period",
                    "id",
                ],
                condition=Q(is_current=True),
                name="figure_current_lookup",
            ),
            models.Index(
                fields=["standard", "period"], condition=Q(is_current=True), name="figure_current_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cohort} {self.measure} {self.period} {self.statistic}: {self.status}"


class Pending(models.Model):
    """A (standard, period) whose benchmarks are stale: written in the transaction that accepts a
    submission, so a lost message cannot leave them stale. `due_at` debounces a burst of submissions;
    the sweeper recomputes what is due and deletes the row if nothing changed meanwhile."""

    standard = models.ForeignKey("standards.Standard", on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=10)
    changed_at = models.DateTimeField()
    due_at = models.DateTimeField(db_index=True)
    trigger = models.CharField(max_length=12, choices=Run.Trigger.choices, default=Run.Trigger.SUBMISSION)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["standard", "period"], name="one_pending_per_period")]

    def __str__(self) -> str:
        return f"{self.standard_id} {self.period} due {self.due_at}"
