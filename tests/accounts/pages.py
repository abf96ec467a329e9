"""The accounts pages as a person uses them."""

from __future__ import annotations

from typing import Any

from django.test import Client


def sign_in(client: Client, email: str, password: str, **extra: Any) -> Any:
    return client.post("/accounts/sign-in/", {"username": email, "password": password}, **extra)
