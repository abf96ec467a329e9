"""Organization pages for members (people, tokens, audit), the steward's organization pages, and the
page where an invitation is accepted."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alliance.errors import error_text
from alliance.i18n import remember_language
from apps.accounts.forms import AcceptInvitationForm
from apps.accounts.models import User
from apps.audit.selectors import events_of_organization
from apps.organizations import permissions, selectors, services
from apps.organizations.forms import AddMemberForm, ChangeRoleForm, OrganizationForm, StatusForm, TokenForm
from apps.organizations.models import Invitation, Organization
from apps.organizations.tokens import create_api_token, revoke_api_token


def _organization(
    request: HttpRequest, slug: str, allowed: Callable[[Any, Organization], bool] | None = None
) -> Organization:
    """The organization of the URL (404 when missing or foreign), and 403 when `allowed` says no."""
    organization = permissions.access_organization_by_slug(request.user, slug, request=request)
    if allowed is not None and not allowed(request.user, organization):
        raise PermissionDenied
    return organization


@login_required
def organization_detail(request: HttpRequest, slug: str) -> HttpResponse:
    organization = _organization(request, slug)
    can_view_members = permissions.can_view_members(request.user, organization)
    return render(
        request,
        "organizations/detail.html",
        {
            "organization": organization,
            "role": permissions.role_of(request.user, organization),
            "members": selectors.members_of(organization) if can_view_members else [],
            "can_view_members": can_view_members,
            "can_manage_members": permissions.can_manage_members(request.user, organization),
            "can_manage_tokens": permissions.can_manage_tokens(request.user, organization),
            "can_view_audit": permissions.can_view_audit(request.user, organization),
            "can_admit": permissions.can_admit_organizations(request.user),
        },
    )


@login_required
def members(request: HttpRequest, slug: str) -> HttpResponse:
    organization = _organization(request, slug, permissions.can_manage_members)
    form = AddMemberForm(request.POST or None)
    invitation_link = None
    if request.method == "POST" and form.is_valid():
        try:
            invitation, invitation_link = services.invite_member(
                actor=request.user,
                organization=organization,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, _("Invitation created for %(email)s.") % {"email": invitation.email})
            form = AddMemberForm()
    return render(
        request,
        "organizations/members.html",
        {
            "organization": organization,
            "members": selectors.members_of(organization),
            "invitations": selectors.open_invitations_of(organization),
            "form": form,
            "role_form": ChangeRoleForm(),
            "invitation_link": invitation_link,
        },
    )


@login_required
@require_POST
def change_member_role(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    organization = _organization(request, slug)
    membership = permissions.access_membership_by_id(request.user, organization, membership_id)
    form = ChangeRoleForm(request.POST)
    if form.is_valid():
        try:
            services.change_role(
                actor=request.user, membership=membership, role=form.cleaned_data["role"], request=request
            )
            messages.success(request, _("Role changed."))
        except (ValidationError, services.LastAdmin) as error:
            messages.error(request, error_text(error))
    return redirect("organizations:members", slug=slug)


@login_required
@require_POST
def remove_member(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    organization = _organization(request, slug)
    membership = permissions.access_membership_by_id(request.user, organization, membership_id)
    try:
        services.revoke_membership(actor=request.user, membership=membership, request=request)
        messages.success(request, _("%(email)s was removed.") % {"email": membership.user.email})
    except (ValidationError, services.LastAdmin) as error:
        messages.error(request, error_text(error))
    if membership.user_id == request.user.pk:
        return redirect("portal:dashboard")
    return redirect("organizations:members", slug=slug)


@login_required
@require_POST
def cancel_invitation(request: HttpRequest, slug: str, invitation_id: int) -> HttpResponse:
    organization = _organization(request, slug)
    invitation = permissions.access_invitation_by_id(request.user, organization, invitation_id)
    services.cancel_invitation(actor=request.user, invitation=invitation, request=request)
    messages.success(request, _("Invitation cancelled."))
    return redirect("organizations:members", slug=slug)


@login_required
def tokens(request: HttpRequest, slug: str) -> HttpResponse:
    organization = _organization(request, slug, permissions.can_manage_tokens)
    form = TokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, secret = create_api_token(
                actor=request.user,
                organization=organization,
                name=form.cleaned_data["name"],
                role=form.cleaned_data["role"],
                days=form.cleaned_data["days"],
                request=request,
            )
            form = TokenForm()
        except ValidationError as error:
            form.add_error(None, error_text(error))
    response = render(
        request,
        "organizations/tokens.html",
        {
            "organization": organization,
            "tokens": selectors.api_tokens_of(organization),
            "form": form,
            "secret": secret,
        },
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def revoke_token(request: HttpRequest, slug: str, token_id: int) -> HttpResponse:
    organization = _organization(request, slug)
    token = permissions.access_api_token_by_id(request.user, organization, token_id)
    revoke_api_token(actor=request.user, token=token, request=request)
    messages.success(request, _("Token %(name)s revoked.") % {"name": token.name})
    return redirect("organizations:tokens", slug=slug)


@login_required
def audit(request: HttpRequest, slug: str) -> HttpResponse:
    organization = _organization(request, slug, permissions.can_view_audit)
    page = Paginator(events_of_organization(organization), 50).get_page(request.GET.get("page"))
    return render(request, "organizations/audit.html", {"organization": organization, "page": page})


# --- Steward pages -----------------------------------------------------------------------------------


def _require_steward(request: HttpRequest) -> None:
    if not permissions.can_admit_organizations(request.user):
        raise PermissionDenied


@login_required
def steward_organizations(request: HttpRequest) -> HttpResponse:
    _require_steward(request)
    status = request.GET.get("status", "")
    kind = request.GET.get("kind", "")
    queryset = selectors.organizations_to_steward(status=status, kind=kind)
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "organizations/steward_list.html",
        {
            "page": page,
            "status": status,
            "kind": kind,
            "statuses": Organization.Status.choices,
            "kinds": Organization.Kind.choices,
        },
    )


@login_required
def steward_organization_form(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    _require_steward(request)
    organization = permissions.access_organization_by_slug(request.user, slug) if slug else None
    form = OrganizationForm(request.POST or None, instance=organization)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {
            name: data[name]
            for name in ("kind", "legal_name", "country", "region", "size_class", "enterprise_group")
        }
        try:
            if organization is None:
                organization = services.create_organization(
                    actor=request.user,
                    slug=data["slug"],
                    short_names=form.short_names(),
                    sectors=data["sectors"],
                    request=request,
                    **fields,
                )
                messages.success(request, _("Organization created. Admit it when it is ready."))
            else:
                services.update_organization(
                    actor=request.user,
                    organization=organization,
                    short_names=form.short_names(),
                    sectors=list(data["sectors"]),
                    request=request,
                    **fields,
                )
                messages.success(request, _("Organization saved."))
            return redirect("organizations:detail", slug=organization.slug)
        except ValidationError as error:
            form.add_error(None, error_text(error))
    return render(request, "organizations/steward_form.html", {"form": form, "organization": organization})


@login_required
@require_POST
def steward_set_status(request: HttpRequest, slug: str) -> HttpResponse:
    _require_steward(request)
    organization = permissions.access_organization_by_slug(request.user, slug)
    form = StatusForm(request.POST)
    if form.is_valid():
        services.set_organization_status(
            actor=request.user,
            organization=organization,
            status=form.cleaned_data["status"],
            note=form.cleaned_data["note"],
            request=request,
        )
        messages.success(
            request,
            _("%(organization)s is now %(status)s.")
            % {
                "organization": organization.name,
                "status": Organization.Status(form.cleaned_data["status"]).label,
            },
        )
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("organizations:steward_list")


def accept_invitation_view(request: HttpRequest, key: str) -> HttpResponse:
    """An invitation's page. For a new address: choose a password and join. For an existing account:
    its owner, signed in, joins with one button; anyone else signed in is told so and nothing changes;
    someone not signed in is asked to sign in and comes back here."""
    invitation = services.open_invitation(key)
    if invitation is None:
        return render(request, "organizations/invitation_invalid.html", status=404)
    account = services.invitation_account(invitation)
    if account is not None:
        return _accept_as_account(request, key, invitation, account)
    form = AcceptInvitationForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.accept_invitation(
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
        request,
        "organizations/accept_invitation.html",
        {"form": form, "invitation": invitation, "step": "new"},
    )


def _accept_as_account(request: HttpRequest, key: str, invitation: Invitation, account: User) -> HttpResponse:
    context = {"invitation": invitation}
    if not request.user.is_authenticated:
        return render(request, "organizations/accept_invitation.html", {**context, "step": "sign_in"})
    if request.user.pk != account.pk:
        status = 403 if request.method == "POST" else 200
        return render(
            request, "organizations/accept_invitation.html", {**context, "step": "other"}, status=status
        )
    if request.method == "POST":
        assert isinstance(request.user, User)
        try:
            services.accept_invitation_signed_in(raw=key, user=request.user, request=request)
        except PermissionDenied:
            return render(
                request, "organizations/accept_invitation.html", {**context, "step": "other"}, status=403
            )
        except ValidationError:
            return render(request, "organizations/invitation_invalid.html", status=404)
        return _welcome(request, invitation)
    return render(request, "organizations/accept_invitation.html", {**context, "step": "join"})


def _welcome(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    messages.success(
        request, _("Welcome to %(organization)s.") % {"organization": invitation.organization.name}
    )
    return remember_language(redirect("portal:dashboard"), request.LANGUAGE_CODE)
