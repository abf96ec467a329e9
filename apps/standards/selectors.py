"""Reads about standards shared by the pages and the API."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from apps.standards.models import Standard, StandardVersion
from apps.standards.permissions import can_edit_standards


def standards_for(actor: Any) -> QuerySet[Standard]:
    """Every standard with its versions; drafts are included only for stewards who edit standards."""
    versions = StandardVersion.objects.order_by("-major", "-minor", "-patch")
    if not can_edit_standards(actor):
        versions = versions.exclude(status=StandardVersion.Status.DRAFT)
    return (
        Standard.objects.select_related("sector")
        .prefetch_related(Prefetch("versions", queryset=versions, to_attr="visible_versions"))
        .order_by("code")
    )


def newest_published(standard: Standard) -> StandardVersion | None:
    versions = getattr(standard, "visible_versions", None)
    if versions is None:
        versions = list(standard.versions.order_by("-major", "-minor", "-patch"))
    return next((v for v in versions if v.status == StandardVersion.Status.PUBLISHED), None) or next(
        (v for v in versions if v.status != StandardVersion.Status.DRAFT), None
    )


def language_of(request: Any) -> str:
    """The language a download or export is made in: ?lang= when it is one of ours, else the request's."""
    from django.conf import settings

    requested = (request.GET.get("lang") or "").lower()
    codes = {code for code, _name in settings.LANGUAGES}
    if requested in codes:
        return requested
    if requested.replace("_", "-") in codes:
        return requested.replace("_", "-")
    return request.LANGUAGE_CODE if getattr(request, "LANGUAGE_CODE", None) in codes else "en"
