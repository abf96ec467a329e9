"""The stewards' form for a new data-sharing agreement: the terms, and per member standard with
benchmarks the measures and cohorts it grants (the service checks every rule; forms decide none)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.exchange.services import Grant, policy_lag, readable_cohorts, readable_measures
from apps.organizations.models import Organization
from apps.standards.models import Standard


class AgreementForm(forms.Form):
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=Organization.objects.none())
    title = forms.CharField(label=_("Title"), max_length=200)
    valid_from = forms.DateField(label=_("Valid from"), widget=forms.DateInput(attrs={"type": "date"}))
    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Empty: open-ended."),
    )
    lag_months = forms.IntegerField(label=_("Publication lag (months)"), min_value=0, max_value=60)
    push_standards = forms.MultipleChoiceField(
        label=_("May push"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, standards: list[Standard], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = Organization.objects.filter(  # type: ignore[attr-defined]
            kind=Organization.Kind.PARTNER
        ).order_by("slug")
        self.initial.setdefault("lag_months", policy_lag())
        self.fields["lag_months"].help_text = _("At least the disclosure policy's %(months)d months.") % {
            "months": policy_lag()
        }
        partner_standards = Standard.objects.filter(audience=Standard.Audience.PARTNER).order_by("code")
        self.fields["push_standards"].choices = [(s.code, s.code) for s in partner_standards]  # type: ignore[attr-defined]
        self.standards = standards
        for standard in standards:
            self.fields[f"read_{standard.code}_measures"] = forms.MultipleChoiceField(
                label=_("%(standard)s: measures") % {"standard": standard.code},
                required=False,
                choices=[(m, m) for m in readable_measures(standard)],
                widget=forms.CheckboxSelectMultiple,
            )
            self.fields[f"read_{standard.code}_cohorts"] = forms.MultipleChoiceField(
                label=_("%(standard)s: cohorts") % {"standard": standard.code},
                required=False,
                choices=[(c, c) for c in readable_cohorts(standard)],
                widget=forms.CheckboxSelectMultiple,
            )

    def read_fields(self) -> list[tuple[Standard, Any, Any]]:
        return [
            (standard, self[f"read_{standard.code}_measures"], self[f"read_{standard.code}_cohorts"])
            for standard in self.standards
        ]

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        grants = []
        for standard in self.standards:
            measures = data.get(f"read_{standard.code}_measures") or []
            cohorts = data.get(f"read_{standard.code}_cohorts") or []
            if measures or cohorts:
                grants.append(Grant(standard.code, tuple(measures), tuple(cohorts)))
        return {
            "partner": data["partner"],
            "title": data["title"],
            "valid_from": data["valid_from"],
            "valid_until": data.get("valid_until"),
            "lag_months": data["lag_months"],
            "reads": grants,
            "push_standards": list(data.get("push_standards") or []),
        }


class MachineClientForm(forms.Form):
    name = forms.CharField(
        label=pgettext_lazy("token", "Name"),
        max_length=100,
        help_text=_("What uses the client, e.g. 'Border-crossing feed'."),
    )
    days = forms.IntegerField(
        label=_("Valid for (days)"),
        min_value=1,
        max_value=settings.HUB_CLIENT_MAX_DAYS,
        initial=settings.HUB_CLIENT_DEFAULT_DAYS,
    )
