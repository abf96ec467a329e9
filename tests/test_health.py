from __future__ import annotations

from typing import Any

from django.test import Client


def test_healthz_reports_database_and_broker(db: Any) -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["broker"]["ok"] is True
    assert "worker" in body
