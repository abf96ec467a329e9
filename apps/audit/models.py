"""The append-only audit log. Each event carries the hash of the one before it, so that an edited or
deleted row breaks the chain, and an HMAC of its hash under a key kept outside the database, so that
a chain rebuilt by someone without the key breaks too (`manage.py verify_audit_chain`). Database
triggers refuse UPDATE, DELETE and TRUNCATE; references to users and organizations are plain ids, so
deleting those never touches the log."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    at = models.DateTimeField(_("when"), db_index=True)
    action = models.CharField(_("action"), max_length=60, db_index=True)
    actor_user_id = models.BigIntegerField(_("user id"), null=True, blank=True)
    actor_token_id = models.BigIntegerField(_("token id"), null=True, blank=True)
    actor_label = models.CharField(_("who"), max_length=254, blank=True)
    organization_id = models.BigIntegerField(_("organization id"), null=True, blank=True, db_index=True)
    object_type = models.CharField(_("object type"), max_length=60, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    address = models.GenericIPAddressField(_("from address"), null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    mac = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.action} {self.actor_label}"
