"""Sectors of the alliance. Standards and their versions build on these (see docs/standards.md)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from alliance.i18n import pick


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
