from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from apps.accounts import limits
from apps.accounts.models import User


class SignInRefusals:
    """The words for a refused sign-in, shared by the site's and the admin's sign-in forms.

    The limits themselves are applied by the authentication backend (apps/accounts/backends.py); the
    form asks the same question first only to say why an attempt is refused.
    """

    request: HttpRequest | None
    data: Any
    error_messages: dict[str, Any]

    refusal_messages = {
        limits.TOO_MANY: _("Too many failed sign-in attempts from your address. Try again in a few minutes."),
        limits.ACCOUNT_LOCKED: _(
            "Too many failed sign-in attempts for this account. Try again later, or from a network "
            "you have signed in from before."
        ),
    }

    def clean(self) -> dict[str, Any]:
        reason = limits.SignInAttempt.of(self.request, self.data.get("username") or "").refusal()
        if reason is not None:
            raise forms.ValidationError(self.refusal_messages[reason], code=reason)
        return super().clean()  # type: ignore[misc]


class SignInForm(SignInRefusals, AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mail address"), widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("The e-mail address or the password is not right."),
    }


class AdminSignInForm(SignInRefusals, AdminAuthenticationForm):
    pass


class AcceptInvitationForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    password1 = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label=_("Password again"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            try:
                password_validation.validate_password(
                    first, User(email=self.email, full_name=cleaned.get("full_name", ""))
                )
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned
