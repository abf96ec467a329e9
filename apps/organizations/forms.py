from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from babel import Locale
from django import forms
from django.conf import settings
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from apps.organizations.models import ApiToken, Organization, Role, Sector


def country_choices() -> list[tuple[str, str]]:
    """ISO 3166 countries with their names in the active language (CLDR, through Babel)."""
    import pycountry

    language = (get_language() or "en").replace("-", "_")
    names: Mapping[str, str]
    try:
        names = Locale.parse("zh_Hans" if language == "zh_hans" else language).territories
    except Exception:
        names = {}
    choices = [(c.alpha_2, names.get(c.alpha_2, c.name)) for c in pycountry.countries]
    return sorted(choices, key=lambda choice: choice[1])


class AddMemberForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.VIEWER)


class ChangeRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class TokenForm(forms.Form):
    name = forms.CharField(
        label=pgettext_lazy("token", "Name"),
        max_length=100,
        help_text=_("What uses the token, e.g. 'ERP export'."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=ApiToken.Role.choices, initial=ApiToken.Role.VIEWER)
    days = forms.IntegerField(
        label=_("Valid for (days)"),
        min_value=1,
        max_value=settings.HUB_TOKEN_MAX_DAYS,
        initial=settings.HUB_TOKEN_DEFAULT_DAYS,
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Organization.Status.choices)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class OrganizationForm(forms.ModelForm):
    """A steward's form for an organization; short names get one field per language."""

    country = forms.ChoiceField(label=_("Country"))
    sectors = forms.ModelMultipleChoiceField(
        label=_("Sectors"), queryset=Sector.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Organization
        fields = [
            "slug",
            "kind",
            "legal_name",
            "country",
            "region",
            "sectors",
            "size_class",
            "enterprise_group",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        country = self.fields["country"]
        assert isinstance(country, forms.ChoiceField)
        country.choices = country_choices()
        if self.instance.pk:
            self.fields["slug"].disabled = True
        for code, name in settings.LANGUAGES:
            self.fields[f"short_name_{code}"] = forms.CharField(
                label=_("Short name (%(language)s)") % {"language": name},
                max_length=120,
                required=False,
                initial=(self.instance.short_names or {}).get(code, ""),
            )

    def short_names(self) -> dict[str, str]:
        return {
            code: self.cleaned_data[f"short_name_{code}"].strip()
            for code, _name in settings.LANGUAGES
            if self.cleaned_data.get(f"short_name_{code}", "").strip()
        }
