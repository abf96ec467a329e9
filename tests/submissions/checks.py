"""What the tests check of a processed submission."""

from __future__ import annotations

from apps.submissions.models import Observation, Submission


def rejected_with(submission: Submission, code: str) -> None:
    assert submission.status == "rejected"
    assert code in set(submission.issues.values_list("code", flat=True)), list(
        submission.issues.values("code", "params")
    )
    assert not Observation.objects.filter(submission=submission).exists()
    with submission.original.open("rb") as original:  # the original is kept, even when rejected
        assert original.read() and submission.sha256
