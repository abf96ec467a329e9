"""The stewards' forms: a draft cohort, and a new version of the disclosure policy. The policy form
edits the parameters of the document in force (apps.benchmarks.policy) and gives back a whole
document; the service checks its ranges (forms decide no rule)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from apps.benchmarks.codes import STATISTICS, MeasureClass
from apps.benchmarks.labels import CLASS_LABELS, STATISTIC_LABELS
from apps.organizations.models import Organization
from apps.standards.models import Standard

LEVELS = 6
"""Rows of statistic levels on the policy form (an empty row is no level)."""


def _words(text: str) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


class CohortForm(forms.Form):
    standard = forms.ChoiceField(label=_("Data standard"))
    code = forms.SlugField(label=_("Code"), max_length=60, help_text=_("Lower case letters, digits and -."))
    regions = forms.CharField(
        label=_("Regions"), required=False, help_text=_("Separated by commas; empty: any region.")
    )
    size_classes = forms.MultipleChoiceField(
        label=_("Size classes"),
        required=False,
        choices=Organization.SizeClass.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: any size class."),
    )

    def __init__(self, *args: Any, standards: list[Standard], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.standards = {standard.code: standard for standard in standards}
        self.fields["standard"].choices = [(code, code) for code in self.standards]  # type: ignore[attr-defined]
        for code, name in settings.LANGUAGES:
            self.fields[f"name_{code}"] = forms.CharField(
                label=_("Name (%(language)s)") % {"language": name}, required=code == "en", max_length=120
            )

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "standard": self.standards[data["standard"]],
            "code": data["code"],
            "names": {code: data.get(f"name_{code}", "").strip() for code, _name in settings.LANGUAGES},
            "regions": _words(data.get("regions", "")),
            "size_classes": list(data.get("size_classes") or []),
        }


class PolicyForm(forms.Form):
    """The editable parameters of the policy; the others (name, quantile window, homogeneity warning)
    are kept from the document in force."""

    version = forms.CharField(label=_("Version"), max_length=40)
    protection_interval = forms.DecimalField(label=_("Protection interval"), max_digits=4, decimal_places=2)
    sign_off = forms.CharField(
        label=_("Sign-off note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed when a threshold, dominance cap or lag departs from the defaults."),
    )

    def __init__(self, *args: Any, document: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.document = document
        self.initial.setdefault("protection_interval", document["protection_interval"])
        for measure_class in MeasureClass:
            rules = document["classes"][measure_class.value]
            prefix = measure_class.value
            self.fields[f"{prefix}_min_contributors"] = forms.IntegerField(label=_("Minimum contributors"))
            self.fields[f"{prefix}_max_weight_share"] = forms.DecimalField(
                label=_("Largest contributor's share at most"), required=False, max_digits=4, decimal_places=2
            )
            self.fields[f"{prefix}_p_percent"] = forms.IntegerField(label=_("p%"), required=False)
            self.fields[f"{prefix}_lag_months"] = forms.IntegerField(label=_("Lag (months)"))
            for name in ("min_contributors", "max_weight_share", "p_percent", "lag_months"):
                self.initial.setdefault(f"{prefix}_{name}", rules[name])
        levels = document["statistic_levels"]
        for index in range(LEVELS):
            self.fields[f"level_{index}_min_firms"] = forms.IntegerField(
                label=_("From firms"), required=False
            )
            self.fields[f"level_{index}_statistics"] = forms.MultipleChoiceField(
                label=_("Statistics"),
                required=False,
                choices=[(s.value, STATISTIC_LABELS[s]) for s in STATISTICS],
                widget=forms.CheckboxSelectMultiple,
            )
            if index < len(levels):
                self.initial.setdefault(f"level_{index}_min_firms", levels[index]["min_firms"])
                self.initial.setdefault(f"level_{index}_statistics", levels[index]["statistics"])

    def classes(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The class rows of the form's table: a label and the class's four fields."""
        return [
            (
                str(CLASS_LABELS[c]),
                [
                    self[f"{c.value}_{n}"]
                    for n in ("min_contributors", "max_weight_share", "p_percent", "lag_months")
                ],
            )
            for c in MeasureClass
        ]

    def levels(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"level_{i}_min_firms"], self[f"level_{i}_statistics"]) for i in range(LEVELS)]

    def policy_document(self) -> dict[str, Any]:
        """The whole document: the form's parameters over the document in force."""
        data = self.cleaned_data

        def decimal(value: Any) -> str | None:
            return None if value is None else format(value.normalize(), "f")

        classes = {
            c.value: {
                "min_contributors": data[f"{c.value}_min_contributors"],
                "max_weight_share": decimal(data.get(f"{c.value}_max_weight_share")),
                "p_percent": data.get(f"{c.value}_p_percent"),
                "lag_months": data[f"{c.value}_lag_months"],
            }
            for c in MeasureClass
        }
        levels = [
            {"min_firms": data[f"level_{i}_min_firms"], "statistics": list(data[f"level_{i}_statistics"])}
            for i in range(LEVELS)
            if data.get(f"level_{i}_min_firms") is not None or data.get(f"level_{i}_statistics")
        ]
        return {
            **self.document,
            "version": data["version"].strip(),
            "classes": classes,
            "statistic_levels": levels,
            "protection_interval": decimal(data["protection_interval"]),
            "sign_off": data.get("sign_off", "").strip(),
        }
