"""The submission pages' forms: send a file, or declare that there is nothing to report for a period.
The versions offered are the ones the senders' organizations may send to (permissions.open_versions)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.standards.models import StandardVersion
from apps.submissions.permissions import open_versions


class DeclarationForm(forms.Form):
    """Organization, data standard and period: what a file is sent for, or what has nothing to report."""

    organization = forms.ChoiceField(label=_("Organization"))
    version = forms.ModelChoiceField(label=_("Data standard"), queryset=StandardVersion.objects.none())
    period = forms.CharField(
        label=_("Period"), max_length=20, help_text=_("Like 2026-09 (month), 2026-Q3 or 2026.")
    )

    def __init__(self, *args: Any, organizations: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organization = self.fields["organization"]
        version = self.fields["version"]
        assert isinstance(organization, forms.ChoiceField) and isinstance(version, forms.ModelChoiceField)
        organization.choices = [(str(org.pk), org.name) for org in organizations]
        version.queryset = open_versions(organizations)  # by standard, newest first (the model's order)
        version.label_from_instance = lambda v: f"{v.title} ({v.standard.code} {v.version})"  # type: ignore[method-assign,assignment]


class UploadForm(DeclarationForm):
    file = forms.FileField(
        label=_("File"), help_text=_("CSV or XLSX, as exported from Excel or your system.")
    )
