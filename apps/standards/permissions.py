"""Who may do what with standards: everyone signed in reads published versions; stewards edit drafts.

Standards are shared by the whole alliance, so reading is not scoped to an organization. Drafts are
seen by stewards only: a draft may still change, and firms must not build against it.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from apps.organizations.permissions import is_steward
from apps.standards.models import Field, Standard, StandardVersion


def can_edit_standards(actor: Any) -> bool:
    return is_steward(actor) and actor.has_perm("standards.change_standardversion")


def can_view_version(actor: Any, version: StandardVersion) -> bool:
    return not version.is_draft or can_edit_standards(actor)


def access_standard_by_code(actor: Any, code: str) -> Standard:
    standard = Standard.objects.filter(code=code).select_related("sector").first()
    if standard is None:
        raise Http404
    return standard


def access_version(actor: Any, standard: Standard, number: str) -> StandardVersion:
    """A version by its number, or 'draft' for the standard's draft (stewards only); else 404."""
    versions = standard.versions.select_related("standard", "based_on")
    if number == "draft":
        version = versions.filter(status=StandardVersion.Status.DRAFT).first()
    else:
        version = versions.filter(version=number).first()
    if version is None or not can_view_version(actor, version):
        raise Http404
    return version


def access_version_by_code(actor: Any, code: str, number: str) -> StandardVersion:
    """A version by its standard's code and its number (or 'draft'); 404 like `access_version`."""
    return access_version(actor, access_standard_by_code(actor, code), number)


def access_field_by_name(actor: Any, version: StandardVersion, name: str) -> Field:
    field = version.fields.filter(name=name).first()
    if field is None or not can_view_version(actor, version):
        raise Http404
    return field
