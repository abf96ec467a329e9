"""The stewards' pages for data-sharing agreements: the list with the form for a new one, and one
agreement with its terms and the button that suspends or resumes it. A partner's admins' page for
its machine clients."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alliance.errors import error_text
from apps.benchmarks.selectors import standards_to_benchmark
from apps.exchange import clients, services
from apps.exchange.forms import AgreementForm, MachineClientForm
from apps.exchange.oauth import scopes_allowed
from apps.exchange.selectors import agreement_by_id, agreements_listed, client_of_organization, clients_of
from apps.organizations.models import Organization
from apps.organizations.permissions import access_organization_by_slug, can_manage_tokens


def _add_errors(form: AgreementForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)


@login_required
def steward_agreements(request: HttpRequest) -> HttpResponse:
    services.check_can_manage(request.user)
    form = AgreementForm(request.POST or None, standards=standards_to_benchmark())
    if request.method == "POST" and form.is_valid():
        try:
            agreement = services.create_agreement(
                actor=request.user, request=request, **form.service_arguments()
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Agreement recorded: it holds from its first day."))
            return redirect("exchange:steward_agreement", pk=agreement.pk)
    return render(
        request, "exchange/steward_agreements.html", {"form": form, "agreements": agreements_listed()}
    )


@login_required
def steward_agreement(request: HttpRequest, pk: str) -> HttpResponse:
    services.check_can_manage(request.user)
    return render(request, "exchange/steward_agreement.html", {"agreement": agreement_by_id(pk)})


@login_required
@require_POST
def steward_agreement_status(request: HttpRequest, pk: str) -> HttpResponse:
    services.check_can_manage(request.user)
    agreement = agreement_by_id(pk)
    try:
        services.set_agreement_status(
            actor=request.user, agreement=agreement, status=request.POST.get("status", ""), request=request
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Agreement changed: it holds from the partner's next request."))
    return redirect("exchange:steward_agreement", pk=agreement.pk)


# --- A partner's machine clients (its admins) ---------------------------------------------------------


def _partner(request: HttpRequest, slug: str) -> Organization:
    """The partner organization of the URL whose clients the caller manages (404 foreign, 403 not admin)."""
    organization = access_organization_by_slug(request.user, slug, request=request)
    if not can_manage_tokens(request.user, organization):
        raise PermissionDenied
    if organization.kind != Organization.Kind.PARTNER:
        raise Http404
    return organization


@login_required
def machine_clients(request: HttpRequest, slug: str) -> HttpResponse:
    organization = _partner(request, slug)
    form = MachineClientForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            client, secret = clients.create_machine_client(
                actor=request.user,
                organization=organization,
                name=form.cleaned_data["name"],
                days=form.cleaned_data["days"],
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            created = {"client_id": client.client_id, "secret": secret}
            form = MachineClientForm()
    response = render(
        request,
        "exchange/machine_clients.html",
        {
            "organization": organization,
            "clients": clients_of(organization),
            "form": form,
            "created": created,
            "scopes": scopes_allowed(organization),
            "token_url": request.build_absolute_uri(reverse("exchange:oauth_token")),
        },
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def revoke_machine_client(request: HttpRequest, slug: str, client_id: str) -> HttpResponse:
    organization = _partner(request, slug)
    client = client_of_organization(organization, client_id)
    clients.revoke_machine_client(actor=request.user, client=client, request=request)
    messages.success(request, _("Machine client revoked: its access tokens no longer work."))
    return redirect("exchange:machine_clients", slug=organization.slug)
