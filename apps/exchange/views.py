"""The stewards' pages for data-sharing agreements: the list with the form for a new one, and one
agreement with its terms and the button that suspends or resumes it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.benchmarks.selectors import standards_to_benchmark
from apps.exchange import services
from apps.exchange.forms import AgreementForm
from apps.exchange.selectors import agreement_by_id, agreements_listed


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
