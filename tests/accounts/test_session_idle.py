"""A signed-in session left alone ends; one in use goes on. Times are forged, as the session store
reads them from django.utils.timezone."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from unittest import mock

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.accounts.pages import sign_in
from tests.conftest import PASSWORD


def at(moment: Any) -> Any:
    return mock.patch("django.utils.timezone.now", return_value=moment)


def signed_in_client(email: str) -> Client:
    client = Client()
    assert sign_in(client, email, PASSWORD).status_code == 302
    return client


def test_an_idle_session_ends_after_the_idle_timeout(cast: Any, settings: Any) -> None:
    idle = settings.HUB_SESSION_IDLE_SECONDS
    start = timezone.now()
    client = signed_in_client("viewer@firm-a.example")
    with at(start + timedelta(seconds=idle + 5)):
        response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/sign-in/")
    assert client.get("/").status_code == 302  # gone for good, not only while the clock was ahead


def test_a_session_in_use_slides_past_the_timeout(cast: Any, settings: Any) -> None:
    idle = settings.HUB_SESSION_IDLE_SECONDS
    start = timezone.now()
    client = signed_in_client("viewer@firm-a.example")
    for step in range(1, 5):  # four times the timeout, never idle for long
        with at(start + timedelta(seconds=step * (idle - 60))):
            assert client.get("/").status_code == 200, step
    with at(start + timedelta(seconds=4 * (idle - 60) + idle + 5)):
        assert client.get("/").status_code == 302


def test_most_requests_do_not_write_the_session(cast: Any) -> None:
    client = signed_in_client("viewer@firm-a.example")
    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        client.get("/")
    assert not [q for q in queries.captured_queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]]


def test_the_api_with_a_token_makes_no_session(cast: Any) -> None:
    response = cast.client_for("token_viewer").get("/api/v1/me/")
    assert response.status_code == 200
    assert "sessionid" not in response.cookies
