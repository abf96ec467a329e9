"""Submission pages: upload, the list of earlier submissions, and each submission's progress and report."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from apps.organizations.permissions import access_organization_by_id
from apps.submissions import services
from apps.submissions.api import issue_rows, read_report, record_report_read, report_csv
from apps.submissions.forms import DeclarationForm, UploadForm
from apps.submissions.models import Submission
from apps.submissions.permissions import access_submission_by_id, can_submit
from apps.submissions.selectors import data_organizations_for, submissions_listed


@login_required
def submissions(request: HttpRequest) -> HttpResponse:
    """The organization's submissions, with the forms to send a file or declare nothing to report."""
    senders = [org for org in data_organizations_for(request.user) if can_submit(request.user, org)]
    declaring = request.method == "POST" and "declare" in request.POST
    sending = request.method == "POST" and not declaring
    form = declaration = None
    if senders:
        form = UploadForm(
            request.POST if sending else None, request.FILES if sending else None, organizations=senders
        )
        declaration = DeclarationForm(
            request.POST if declaring else None, organizations=senders, prefix="none"
        )
    chosen = declaration if declaring else form
    if chosen is not None and request.method == "POST" and chosen.is_valid():
        sent = _send(request, chosen, declaring=declaring)
        if sent is not None:
            return sent
    standard, status = request.GET.get("standard", ""), request.GET.get("status", "")
    queryset, standards = submissions_listed(request.user, standard=standard, status=status)
    filters = urlencode({key: value for key, value in (("standard", standard), ("status", status)) if value})
    return render(
        request,
        "submissions/list.html",
        {
            "form": form,
            "declaration": declaration,
            "page": Paginator(queryset, 50).get_page(request.GET.get("page")),
            "standards": standards,
            "statuses": Submission.Status.choices,
            "standard": standard,
            "status": status,
            "filters": filters,
        },
    )


def _send(request: HttpRequest, chosen: DeclarationForm, *, declaring: bool) -> HttpResponse | None:
    """Receive the file or the declaration of a valid form: the submission's page, or None with the
    refusal added to the form."""
    organization = access_organization_by_id(
        request.user, chosen.cleaned_data["organization"], request=request
    )
    common = {
        "actor": request.user,
        "organization": organization,
        "version": chosen.cleaned_data["version"],
        "period": chosen.cleaned_data["period"],
        "request": request,
    }
    try:
        if declaring:
            submission, created = services.declare_nothing_to_report(**common)
        else:
            upload = chosen.cleaned_data["file"]
            submission, created = services.receive_submission(**common, upload=upload, filename=upload.name)
    except services.TooLarge as error:
        chosen.add_error("file", str(error.message))
        return None
    except PermissionDenied as error:
        chosen.add_error(
            None,
            str(error) if error.args else _("Your role does not allow sending data for this organization."),
        )
        return None
    except ValidationError as error:
        for field, errors in (
            error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
        ).items():
            chosen.add_error(field if field in chosen.fields else None, errors)
        return None
    if not created:
        messages.info(
            request,
            _("Nothing to report was declared for this period before; here is that declaration.")
            if declaring
            else _("This file was sent before; here is that submission."),
        )
    return redirect("submissions:detail", pk=submission.pk)


@login_required
def detail(request: HttpRequest, pk: str) -> HttpResponse:
    submission = access_submission_by_id(request.user, pk)
    issues = []
    if submission.is_finished:
        record_report_read(request, submission, "report")
        issues = issue_rows(submission)
    return render(
        request,
        "submissions/detail.html",
        {"submission": submission, "issues": issues[:2000], "more": max(0, len(issues) - 2000)},
    )


@login_required
def report(request: HttpRequest, pk: str) -> HttpResponse:
    return report_csv(read_report(request, pk, "report.csv"))
