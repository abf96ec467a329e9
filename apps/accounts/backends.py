"""The one sign-in path: Django's ModelBackend behind the sign-in limits (apps/accounts/limits.py).

Every sign-in form calls django.contrib.auth.authenticate(), the site's page and the admin's alike, so
the limits applied here hold for all of them. A failure is written to the application log; the audit
chain gets one event when an account's failures lock it, not one row per wrong password under the
chain's lock.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from apps.accounts import limits
from apps.accounts.models import User
from apps.audit.services import record_event

logger = logging.getLogger(__name__)


class SignInBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        email = username if username is not None else kwargs.get(User.USERNAME_FIELD)
        if email is None or password is None:
            return None
        attempt = limits.SignInAttempt.of(request, email)
        if attempt.refusal() is not None:
            raise PermissionDenied  # authenticate() stops here, trying no other backend
        user = super().authenticate(request, username=attempt.email, password=password, **kwargs)
        if user is not None:
            attempt.succeeded()
            return user
        address = limits.client_address(request) if request is not None else "none"
        logger.warning("failed sign-in for %r from %r", attempt.email, address)
        locked_for = attempt.failed()
        if locked_for is not None:
            logger.warning("sign-in locked for %r for %d s (new addresses)", attempt.email, locked_for)
            account = User.objects.filter(email=attempt.email).first()
            if account is not None:
                record_event(
                    actor=None,
                    action="auth.sign_in_limited",
                    target=account,
                    request=request,
                    data={
                        "email": attempt.email,
                        "failures": settings.HUB_AUTH_ACCOUNT_FAILURE_LIMIT,
                        "locked_seconds": locked_for,
                    },
                )
        return None
