"""Sign-in events come from django.contrib.auth's signals; they are recorded in the audit log."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from apps.audit.services import record_event


@receiver(user_logged_in)
def _signed_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record_event(actor=user, action="auth.sign_in", request=request)


@receiver(user_login_failed)
def _sign_in_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    record_event(
        actor=None,
        action="auth.sign_in_failed",
        request=request,
        data={"email": str(credentials.get("username") or credentials.get("email") or "")[:254]},
    )
