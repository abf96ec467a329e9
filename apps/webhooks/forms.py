"""The partner admin's form for a new webhook endpoint (the service checks the URL and the events)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.webhooks.models import SUBSCRIBABLE


class EndpointForm(forms.Form):
    url = forms.CharField(
        label=_("URL"), max_length=500, help_text=_("An https address of your system on the internet.")
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=[(name, name) for name in SUBSCRIBABLE],
        widget=forms.CheckboxSelectMultiple,
    )
