"""Who read a firm's report is in that firm's own audit log, whichever way it was read."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache

from apps.audit.models import AuditEvent
from tests.submissions.data import EN_HEADERS, ROW, csv_bytes


@pytest.mark.parametrize(
    ("actor", "path", "what"),
    [
        ("token_viewer", "/api/v1/submissions/{id}/report/", "report"),
        ("token_viewer", "/api/v1/submissions/{id}/report.csv", "report.csv"),
        ("a_viewer", "/submissions/{id}/", "report"),
        ("a_viewer", "/submissions/{id}/report.csv", "report.csv"),
    ],
)
def test_reading_a_report_is_recorded_in_the_firms_own_log(
    cast: Any, send: Any, actor: str, path: str, what: str
) -> None:
    submission = send(csv_bytes(EN_HEADERS, [ROW]))
    cache.clear()  # the once-a-minute memory of earlier reads
    response = cast.client_for(actor).get(path.format(id=submission.pk))
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="data.read")
    assert event.organization_id == cast.org_a.pk
    assert event.object_id == str(submission.pk) and event.data["what"] == what
    assert (event.actor_token_id is not None) == actor.startswith("token_")


def test_a_refused_read_is_not_recorded_as_a_read(cast: Any, send: Any) -> None:
    submission = send(csv_bytes(EN_HEADERS, [ROW]))
    response = cast.client_for("b_viewer").get(f"/api/v1/submissions/{submission.pk}/report/")
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="data.read").exists()
