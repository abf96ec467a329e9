"""A partner admin's webhook pages: the endpoints with the form for a new one (its secret shown once),
and one endpoint with its delivery log and the buttons that send a test event, make a new secret,
replay a delivery and remove the endpoint."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alliance.errors import HubError, error_text
from apps.organizations.models import Organization
from apps.webhooks import services
from apps.webhooks.forms import EndpointForm
from apps.webhooks.selectors import (
    access_delivery_by_id,
    access_endpoint_by_id,
    deliveries_of,
    endpoints_for,
    managed_organizations,
)


def _organization(request: HttpRequest) -> Organization:
    found = managed_organizations(request.user)
    if not found:
        raise PermissionDenied
    return found[0]


@login_required
def endpoints(request: HttpRequest) -> HttpResponse:
    organization = _organization(request)
    form = EndpointForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            _endpoint, secret = services.register_endpoint(
                actor=request.user,
                organization=organization,
                url=form.cleaned_data["url"],
                events=form.cleaned_data["events"],
                request=request,
            )
        except (HubError, ValidationError) as error:
            form.add_error(None, error_text(error))
        else:
            form = EndpointForm()
    context = {
        "organization": organization,
        "endpoints": endpoints_for(request.user),
        "form": form,
        "secret": secret,
    }
    return render(request, "webhooks/endpoints.html", context)


@login_required
def endpoint(request: HttpRequest, pk: str) -> HttpResponse:
    found = access_endpoint_by_id(request.user, pk, request=request)
    context = {"endpoint": found, "deliveries": deliveries_of(found)[:100], "secret": None}
    return render(request, "webhooks/endpoint.html", context)


@login_required
@require_POST
def endpoint_test(request: HttpRequest, pk: str) -> HttpResponse:
    found = access_endpoint_by_id(request.user, pk, request=request)
    services.send_test(actor=request.user, endpoint=found, request=request)
    messages.success(request, _("Test event sent: its delivery is in the log below."))
    return redirect("webhooks:endpoint", pk=found.pk)


@login_required
@require_POST
def endpoint_rotate(request: HttpRequest, pk: str) -> HttpResponse:
    found = access_endpoint_by_id(request.user, pk, request=request)
    secret = services.rotate_secret(actor=request.user, endpoint=found, request=request)
    found = access_endpoint_by_id(request.user, pk, request=request)
    context = {"endpoint": found, "deliveries": deliveries_of(found)[:100], "secret": secret}
    return render(request, "webhooks/endpoint.html", context)


@login_required
@require_POST
def endpoint_delete(request: HttpRequest, pk: str) -> HttpResponse:
    found = access_endpoint_by_id(request.user, pk, request=request)
    services.delete_endpoint(actor=request.user, endpoint=found, request=request)
    messages.success(request, _("Endpoint removed: nothing more is sent to it."))
    return redirect("webhooks:endpoints")


@login_required
@require_POST
def delivery_replay(request: HttpRequest, pk: str) -> HttpResponse:
    delivery = access_delivery_by_id(request.user, pk, request=request)
    services.replay_delivery(actor=request.user, delivery=delivery, request=request)
    messages.success(request, _("Delivery sent again, with the same webhook-id."))
    return redirect("webhooks:endpoint", pk=delivery.endpoint_id)
