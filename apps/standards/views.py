"""Standards pages: the catalog and each version's fields for everyone signed in, with templates to
download; drafting, diffing, publishing and deprecating for stewards."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alliance.errors import error_text
from apps.standards import services
from apps.standards.api import field_body
from apps.standards.definition import field_definition
from apps.standards.forms import FieldForm
from apps.standards.models import StandardVersion
from apps.standards.permissions import (
    access_field_by_name,
    access_standard_by_code,
    access_version,
    access_version_by_code,
    can_edit_standards,
)
from apps.standards.selectors import (
    current_version,
    draft_of,
    fields_of,
    language_of,
    newest_version,
    released_versions,
    standards_for,
)
from apps.standards.templates_files import template_download


@login_required
def catalog(request: HttpRequest) -> HttpResponse:
    standards = list(standards_for(request.user))
    rows = [(standard, current_version(standard)) for standard in standards]
    return render(
        request, "standards/catalog.html", {"rows": rows, "can_edit": can_edit_standards(request.user)}
    )


@login_required
def standard_detail(request: HttpRequest, code: str) -> HttpResponse:
    standard = access_standard_by_code(request.user, code)
    current = current_version(standard)
    if current is None:
        return redirect("standards:version", code=code, version="draft")
    return redirect("standards:version", code=code, version=current.version)


@login_required
def version_detail(request: HttpRequest, code: str, version: str) -> HttpResponse:
    standard = access_standard_by_code(request.user, code)
    found = access_version(request.user, standard, version)
    language = request.LANGUAGE_CODE
    context: dict[str, Any] = {
        "standard": standard,
        "version": found,
        "fields": [field_body(field, language) for field in fields_of(found)],
        "versions": released_versions(standard),
        "draft": draft_of(standard) if can_edit_standards(request.user) else None,
        "can_edit": can_edit_standards(request.user),
        "is_latest": newest_version(standard) == found,
    }
    if found.is_draft:
        changes, bump, number = services.draft_changes(found)
        context.update({"changes": changes, "bump": bump, "next_number": number})
    return render(request, "standards/version.html", context)


@login_required
def download_template(request: HttpRequest, code: str, version: str, kind: str) -> HttpResponse:
    if kind not in ("csv", "xlsx"):
        raise Http404
    found = access_version_by_code(request.user, code, version)
    return template_download(found, language_of(request), kind)


def _require_editor(request: HttpRequest) -> None:
    if not can_edit_standards(request.user):
        raise PermissionDenied


@login_required
@require_POST
def new_draft(request: HttpRequest, code: str, version: str) -> HttpResponse:
    _require_editor(request)
    base = access_version_by_code(request.user, code, version)
    try:
        services.create_draft(actor=request.user, base=base, request=request)
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect("standards:version", code=code, version=version)
    messages.success(request, _("Draft created. Change its fields, then publish it."))
    return redirect("standards:version", code=code, version="draft")


def _draft(request: HttpRequest, code: str) -> StandardVersion:
    _require_editor(request)
    return access_version_by_code(request.user, code, "draft")


@login_required
def edit_field(request: HttpRequest, code: str, name: str | None = None) -> HttpResponse:
    draft = _draft(request, code)
    field = access_field_by_name(request.user, draft, name) if name else None
    initial = FieldForm.initial_from(field_definition(field)) if field else None
    form = FieldForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_field(
                actor=request.user,
                draft=draft,
                field=field,
                request=request,
                data=form.definition(derived=field.derived if field else None),
            )
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, _("Field %(name)s saved.") % {"name": form.cleaned_data["name"]})
            return redirect("standards:version", code=code, version="draft")
    return render(request, "standards/field_form.html", {"form": form, "draft": draft, "field": field})


@login_required
@require_POST
def remove_field(request: HttpRequest, code: str, name: str) -> HttpResponse:
    draft = _draft(request, code)
    field = access_field_by_name(request.user, draft, name)
    try:
        services.remove_field(actor=request.user, field=field, request=request)
        messages.success(request, _("Field %(name)s removed.") % {"name": name})
    except ValidationError as error:
        messages.error(request, error_text(error))
    return redirect("standards:version", code=code, version="draft")


@login_required
@require_POST
def publish(request: HttpRequest, code: str) -> HttpResponse:
    draft = _draft(request, code)
    try:
        published = services.publish_draft(actor=request.user, draft=draft, request=request)
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect("standards:version", code=code, version="draft")
    messages.success(request, _("Version %(version)s published.") % {"version": published.version})
    return redirect("standards:version", code=code, version=published.version)


@login_required
@require_POST
def discard(request: HttpRequest, code: str) -> HttpResponse:
    draft = _draft(request, code)
    services.discard_draft(actor=request.user, draft=draft, request=request)
    messages.success(request, _("Draft discarded."))
    return redirect("standards:standard", code=code)


@login_required
@require_POST
def deprecate(request: HttpRequest, code: str, version: str) -> HttpResponse:
    _require_editor(request)
    found = access_version_by_code(request.user, code, version)
    try:
        services.deprecate_version(actor=request.user, version=found, request=request)
        messages.success(request, _("Version %(version)s deprecated.") % {"version": version})
    except ValidationError as error:
        messages.error(request, error_text(error))
    return redirect("standards:version", code=code, version=version)
