"""Audit receivers: sign-ins (django.contrib.auth's signal), and changes to who is staff or superuser
and to users' groups and permissions, caught on the model's save and m2m paths so that the admin, the
services and the shell are all recorded. Failed sign-ins are counted by the sign-in backend instead
(apps/accounts/backends.py)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from apps.audit.services import record_event


@receiver(user_logged_in)
def _signed_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record_event(actor=user, action="auth.sign_in", request=request)
