"""Who sees and sends submissions. A member firm's raw figures are seen by its own organization only:
stewards see no submissions, and a foreign or missing submission answers the same 404."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import Http404

from apps.organizations.models import Organization
from apps.organizations.permissions import can_submit_data, can_view_data
from apps.submissions.models import Submission


def can_submit(actor: Any, organization: Organization) -> bool:
    return can_submit_data(actor, organization)


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
