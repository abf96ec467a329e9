"""Sign in, sign out, and accepting an invitation."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from apps.accounts.forms import AcceptInvitationForm, SignInForm
from apps.accounts.models import User
from apps.organizations.models import Invitation
from apps.organizations.services import (
    accept_invitation,
    accept_invitation_signed_in,
    invitation_account,
    open_invitation,
)


def _remember_language(response: HttpResponse, language: str) -> HttpResponse:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "accounts/sign_in.html"
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        return _remember_language(response, form.get_user().preferred_language)


class SignOutView(auth_views.LogoutView):
    pass


def accept_invitation_view(request: HttpRequest, key: str) -> HttpResponse:
    """An invitation's page. For a new address: choose a password and join. For an existing account:
    its owner, signed in, joins with one button; anyone else signed in is told so and nothing changes;
    someone not signed in is asked to sign in and comes back here."""
    invitation = open_invitation(key)
    if invitation is None:
        return render(request, "accounts/invitation_invalid.html", status=404)
    account = invitation_account(invitation)
    if account is not None:
        return _accept_as_account(request, key, invitation, account)
    form = AcceptInvitationForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            user = accept_invitation(
                raw=key,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            login(request, user, backend="apps.accounts.backends.SignInBackend")
            return _welcome(request, invitation)
    return render(
        request, "accounts/accept_invitation.html", {"form": form, "invitation": invitation, "step": "new"}
    )


def _accept_as_account(request: HttpRequest, key: str, invitation: Invitation, account: User) -> HttpResponse:
    context = {"invitation": invitation}
    if not request.user.is_authenticated:
        return render(request, "accounts/accept_invitation.html", {**context, "step": "sign_in"})
    if request.user.pk != account.pk:
        status = 403 if request.method == "POST" else 200
        return render(request, "accounts/accept_invitation.html", {**context, "step": "other"}, status=status)
    if request.method == "POST":
        assert isinstance(request.user, User)
        try:
            accept_invitation_signed_in(raw=key, user=request.user, request=request)
        except PermissionDenied:
            return render(
                request, "accounts/accept_invitation.html", {**context, "step": "other"}, status=403
            )
        except ValidationError:
            return render(request, "accounts/invitation_invalid.html", status=404)
        return _welcome(request, invitation)
    return render(request, "accounts/accept_invitation.html", {**context, "step": "join"})


def _welcome(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    messages.success(
        request, _("Welcome to %(organization)s.") % {"organization": invitation.organization.name}
    )
    return _remember_language(redirect("portal:dashboard"), request.LANGUAGE_CODE)
