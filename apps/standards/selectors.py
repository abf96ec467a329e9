"""Reads about standards shared by the pages and the API."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.http import Http404

from apps.standards.models import Field, Standard, StandardVersion
from apps.standards.permissions import can_edit_standards


def standards_for(actor: Any) -> QuerySet[Standard]:
    """Every standard with its versions, newest first (`visible_versions`); drafts are included only
    for stewards who edit standards."""
    versions = StandardVersion.objects.newest_first()
    if not can_edit_standards(actor):
        versions = versions.released()
    return (
        Standard.objects.select_related("sector")
        .prefetch_related(Prefetch("versions", queryset=versions, to_attr="visible_versions"))
        .order_by("code")
    )


def standard_for(actor: Any, code: str) -> Standard:
    """One standard of `standards_for`, by code; 404 when there is none."""
    standard = standards_for(actor).filter(code=code).first()
    if standard is None:
        raise Http404
    return standard


def released_versions(standard: Standard) -> list[StandardVersion]:
    """The standard's published and deprecated versions, newest first."""
    versions = getattr(standard, "visible_versions", None)
    if versions is not None:
        return [version for version in versions if not version.is_draft]
    return list(standard.versions.released().newest_first())


def newest_version(standard: Standard) -> StandardVersion | None:
    """The newest released version (published or deprecated): the one a new draft starts from, and
    whose title the standard carries."""
    return next(iter(released_versions(standard)), None)


def current_version(standard: Standard) -> StandardVersion | None:
    """The version firms are pointed to: the newest published one, else (all deprecated) the newest
    released one."""
    versions = released_versions(standard)
    return next((v for v in versions if v.status == StandardVersion.Status.PUBLISHED), None) or next(
        iter(versions), None
    )


def draft_of(standard: Standard) -> StandardVersion | None:
    """The standard's draft, if it has one (at most one: a constraint)."""
    return standard.versions.filter(status=StandardVersion.Status.DRAFT).first()


def with_released_versions(standards: QuerySet[Standard]) -> QuerySet[Standard]:
    """`standards` with their released versions (`visible_versions`, newest first) and each version's
    fields in order (`ordered_fields`) read in three queries, for code that reads many of them."""
    fields = Prefetch("fields", queryset=Field.objects.order_by("position"), to_attr="ordered_fields")
    versions = StandardVersion.objects.released().newest_first().prefetch_related(fields)
    return standards.prefetch_related(Prefetch("versions", queryset=versions, to_attr="visible_versions"))


def fields_of(version: StandardVersion) -> list[Field]:
    """A version's fields in their order."""
    ordered = getattr(version, "ordered_fields", None)
    if ordered is not None:
        return list(ordered)
    return list(version.fields.order_by("position"))


def language_of(request: Any) -> str:
    """The language a download or export is made in: ?lang= when it is one of ours, else the request's."""
    requested = (request.GET.get("lang") or "").lower()
    codes = {code for code, _name in settings.LANGUAGES}
    if requested in codes:
        return requested
    if requested.replace("_", "-") in codes:
        return requested.replace("_", "-")
    return request.LANGUAGE_CODE if getattr(request, "LANGUAGE_CODE", None) in codes else "en"
