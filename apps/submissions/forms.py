from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.standards.models import StandardVersion


class UploadForm(forms.Form):
    organization = forms.ChoiceField(label=_("Organization"))
    version = forms.ModelChoiceField(label=_("Data standard"), queryset=StandardVersion.objects.none())
    period = forms.CharField(
        label=_("Period"), max_length=20, help_text=_("Like 2026-09 (month), 2026-Q3 or 2026.")
    )
    file = forms.FileField(
        label=_("File"), help_text=_("CSV or XLSX, as exported from Excel or your system.")
    )

    def __init__(self, *args: Any, organizations: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organization = self.fields["organization"]
        version = self.fields["version"]
        assert isinstance(organization, forms.ChoiceField) and isinstance(version, forms.ModelChoiceField)
        organization.choices = [(str(org.pk), org.name) for org in organizations]
        version.queryset = (
            StandardVersion.objects.filter(
                status=StandardVersion.Status.PUBLISHED, standard__audience="member"
            )
            .select_related("standard")
            .order_by("standard__code", "-major", "-minor", "-patch")
        )
        version.label_from_instance = lambda v: f"{v.title} ({v.standard.code} {v.version})"  # type: ignore[method-assign,assignment]
