"""Who sees and sends submissions. A member firm's raw figures are seen by its own organization only:
stewards see no submissions, and a foreign or missing submission answers the same 404.

Which version may receive data is one rule, `open_versions`, asked by the upload page, the API and the
service alike: published versions only (a draft may still change, a deprecated one is closed), member
standards for member firms, for a partner organization the partner standards its data-sharing
agreements in force today let it push (apps.submissions.pushes), nothing for the secretariat."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.organizations.models import Organization
from apps.organizations.permissions import can_submit_data, can_view_data
from apps.standards.models import Standard, StandardVersion, StandardVersionQuerySet
from apps.submissions.models import Submission
from apps.submissions.pushes import partner_standards

# The standards an organization of each kind contributes to (a partner: those its agreements name).
AUDIENCE_OF_KIND: dict[str, str] = {
    Organization.Kind.MEMBER: Standard.Audience.MEMBER,
    Organization.Kind.PARTNER: Standard.Audience.PARTNER,
}


def can_submit(actor: Any, organization: Organization) -> bool:
    return can_submit_data(actor, organization)


def open_versions(organizations: list[Organization]) -> StandardVersionQuerySet:
    """The versions that may receive data for any of `organizations`: the one rule (module docstring)."""
    today = timezone.localdate()
    allowed = Q(pk__in=[])
    if any(org.kind == Organization.Kind.MEMBER for org in organizations):
        allowed |= Q(standard__audience=Standard.Audience.MEMBER)
    pushed = frozenset[str]().union(
        *(partner_standards(org, today) for org in organizations if org.kind == Organization.Kind.PARTNER)
    )
    if pushed:
        allowed |= Q(standard__audience=Standard.Audience.PARTNER, standard__code__in=sorted(pushed))
    return StandardVersion.objects.published().filter(allowed).select_related("standard")


def newest_open_version(organization: Organization, standard: Standard) -> StandardVersion | None:
    """The newest version of `standard` that receives `organization`'s data, if any."""
    versions = open_versions([organization]).filter(standard=standard)
    return versions.newest_first().first()


def check_can_send(actor: Any, organization: Organization, version: StandardVersion) -> None:
    """Raise PermissionDenied or ValidationError (on `version`, saying why and what to use instead)
    unless `actor` may send data for `organization` to `version`."""
    _check_sender(actor, organization, version.standard)
    if open_versions([organization]).filter(pk=version.pk).exists():
        return
    newest = newest_open_version(organization, version.standard)
    if newest is None:
        message = _("This standard has no published version that receives data.")
    elif version.status == StandardVersion.Status.DRAFT:
        message = _("Drafts cannot receive data; use a published version.")
    else:
        message = _("Version %(old)s is deprecated and receives no data; use version %(version)s.") % {
            "old": version.version,
            "version": newest.version,
        }
    raise ValidationError({"version": [message]})


def version_to_send(actor: Any, organization: Organization, standard: Standard) -> StandardVersion:
    """The version that receives `organization`'s data for `standard` when the sender names none: the
    newest open one. Raises as check_can_send."""
    _check_sender(actor, organization, standard)
    newest = newest_open_version(organization, standard)
    if newest is None:
        raise ValidationError({"version": [_("This standard has no published version that receives data.")]})
    return newest


def _check_sender(actor: Any, organization: Organization, standard: Standard) -> None:
    if not can_submit(actor, organization):
        raise PermissionDenied(_("Your role does not allow sending data for this organization."))
    refused = standard.audience != AUDIENCE_OF_KIND.get(organization.kind)
    if organization.kind == Organization.Kind.PARTNER and not refused:
        refused = standard.code not in partner_standards(organization, timezone.localdate())
    if refused:
        raise PermissionDenied(_("Your organization does not send data to this standard."))


def can_view_submission(actor: Any, submission: Submission) -> bool:
    return can_view_data(actor, submission.organization)


def access_submission_by_id(actor: Any, submission_id: Any) -> Submission:
    try:
        key = uuid.UUID(str(submission_id))
    except ValueError:
        raise Http404 from None
    submission = Submission.objects.select_related("organization", "version__standard").filter(pk=key).first()
    if submission is None or not can_view_submission(actor, submission):
        raise Http404
    return submission
