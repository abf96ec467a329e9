"""The steward's field form. It speaks the file format: cleaned data becomes one field definition, and
the services check it with the same rules as the shipped files."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.standards.definition import encode_aggregation, parse_aggregation
from apps.standards.models import Field


def _words(text: str, separator: str = ",") -> list[str]:
    return [part.strip() for part in (text or "").split(separator) if part.strip()]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class FieldForm(forms.Form):
    name = forms.SlugField(
        label=pgettext_lazy("field of a standard", "Name"),
        max_length=60,
        help_text=_("Machine name: lower case letters, digits and _."),
    )
    type = forms.ChoiceField(label=_("Type"), choices=Field.Type.choices)
    role = forms.ChoiceField(label=_("Role"), choices=Field.Role.choices, initial=Field.Role.ATTRIBUTE)
    required = forms.BooleanField(label=_("Required"), required=False)
    unit = forms.CharField(
        label=_("Unit"), required=False, max_length=30, help_text=_("For measures, e.g. t, USD/t, percent.")
    )
    accepted_units = forms.CharField(
        label=_("Accepted units"), required=False, help_text=_("Separated by commas, e.g. kg.")
    )
    aggregation = forms.ChoiceField(
        label=_("Combined per firm by"), required=False, choices=[("", "—"), *Field.Aggregation.choices]
    )
    aggregation_fields = forms.CharField(
        label=_("Combined with fields"),
        required=False,
        help_text=_("Ratio: numerator, denominator. Weighted mean: the weight."),
    )
    disclosure_class = forms.ChoiceField(
        label=_("Disclosure class"), required=False, choices=[("", "—"), *Field.DisclosureClass.choices]
    )
    precision = forms.IntegerField(label=_("Published precision"), required=False, min_value=0, max_value=6)
    currency_field = forms.CharField(label=_("Currency given in field"), required=False, max_length=60)
    minimum = forms.DecimalField(label=_("Minimum"), required=False)
    maximum = forms.DecimalField(label=_("Maximum"), required=False)
    pattern = forms.CharField(label=_("Pattern"), required=False, max_length=200)
    enum = forms.CharField(
        label=_("Allowed values"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One code per line."),
    )
    default = forms.CharField(label=_("Value when empty"), required=False, max_length=100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, language in settings.LANGUAGES:
            self.fields[f"title_{code}"] = forms.CharField(
                label=_("Title (%(language)s)") % {"language": language},
                max_length=200,
                required=code == "en",
            )
            self.fields[f"description_{code}"] = forms.CharField(
                label=_("Description (%(language)s)") % {"language": language},
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[f"aliases_{code}"] = forms.CharField(
                label=_("Header aliases (%(language)s)") % {"language": language},
                required=False,
                help_text=_("Separated by commas."),
            )
            self.fields[f"labels_{code}"] = forms.CharField(
                label=_("Labels of the allowed values (%(language)s)") % {"language": language},
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text=_("One per line, in the order of the values."),
            )

    def text_fields(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The per-language inputs, grouped by language, for the template."""
        return [
            (
                str(language),
                [self[f"{kind}_{code}"] for kind in ("title", "description", "aliases", "labels")],
            )
            for code, language in settings.LANGUAGES
        ]

    @classmethod
    def initial_from(cls, item: dict[str, Any]) -> dict[str, Any]:
        """Form values for an existing field definition (the file format)."""
        constraints = item.get("constraints") or {}
        kind, names = parse_aggregation(item.get("aggregation"))
        initial: dict[str, Any] = {
            "name": item["name"],
            "type": item["type"],
            "role": item.get("role", "attribute"),
            "required": item.get("required", False),
            "unit": item.get("unit", ""),
            "accepted_units": ", ".join(item.get("acceptedUnits") or []),
            "aggregation": kind,
            "aggregation_fields": ", ".join(names),
            "disclosure_class": item.get("disclosureClass", ""),
            "precision": item.get("precision"),
            "currency_field": item.get("currencyField", ""),
            "minimum": constraints.get("minimum"),
            "maximum": constraints.get("maximum"),
            "pattern": constraints.get("pattern", ""),
            "enum": "\n".join(constraints.get("enum") or []),
            "default": item.get("default", ""),
        }
        enum = constraints.get("enum") or []
        for code, _language in settings.LANGUAGES:
            initial[f"title_{code}"] = (item.get("title") or {}).get(code, "")
            initial[f"description_{code}"] = (item.get("description") or {}).get(code, "")
            initial[f"aliases_{code}"] = ", ".join((item.get("aliases") or {}).get(code, []))
            initial[f"labels_{code}"] = "\n".join(
                (item.get("enumLabels") or {}).get(value, {}).get(code, "") for value in enum
            )
        return initial

    def definition(self, derived: Any = None) -> dict[str, Any]:
        """The cleaned form as one field of the file format."""
        data = self.cleaned_data
        item: dict[str, Any] = {"name": data["name"], "type": data["type"], "role": data["role"]}
        if data["required"]:
            item["required"] = True
        languages = [code for code, _language in settings.LANGUAGES]
        item["title"] = {
            code: data[f"title_{code}"].strip() for code in languages if data[f"title_{code}"].strip()
        }
        descriptions = {
            code: data[f"description_{code}"].strip()
            for code in languages
            if data[f"description_{code}"].strip()
        }
        if descriptions:
            item["description"] = descriptions
        aliases = {
            code: _words(data[f"aliases_{code}"]) for code in languages if _words(data[f"aliases_{code}"])
        }
        if aliases:
            item["aliases"] = aliases
        constraints: dict[str, Any] = {}
        for key in ("minimum", "maximum"):
            if data[key] is not None:
                value = data[key]
                constraints[key] = int(value) if value == value.to_integral_value() else float(value)
        if data["pattern"]:
            constraints["pattern"] = data["pattern"]
        enum = _lines(data["enum"])
        if enum:
            constraints["enum"] = enum
            labels: dict[str, dict[str, str]] = {value: {} for value in enum}
            for code in languages:
                for value, label in zip(enum, _lines(data[f"labels_{code}"]), strict=False):
                    labels[value][code] = label
            item["enumLabels"] = {value: texts for value, texts in labels.items() if texts}
        if constraints:
            item["constraints"] = constraints
        for key, source in (
            ("unit", "unit"),
            ("currencyField", "currency_field"),
            ("disclosureClass", "disclosure_class"),
            ("default", "default"),
        ):
            if data[source]:
                item[key] = data[source]
        if _words(data["accepted_units"]):
            item["acceptedUnits"] = _words(data["accepted_units"])
        if data["precision"] is not None:
            item["precision"] = data["precision"]
        aggregation = encode_aggregation(data["aggregation"], _words(data["aggregation_fields"]))
        if aggregation is not None:
            item["aggregation"] = aggregation
        if derived is not None:
            item["derived"] = derived
        return item
