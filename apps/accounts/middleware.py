"""A signed-in person's preferred language; the idle timeout of signed-in sessions."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation


class PreferredLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
            and not request.path.startswith("/api/")
        ):
            language = getattr(user, "preferred_language", "")
            if language in dict(settings.LANGUAGES):
                translation.activate(language)
                request.LANGUAGE_CODE = language
        return self.get_response(request)


class SessionIdleMiddleware:
    """End a signed-in session HUB_SESSION_IDLE_SECONDS after its last request.

    The session store's own expiry (SESSION_COOKIE_AGE, the same number) is what ends it, on the
    server; each save of the session moves that expiry on. This middleware saves a signed-in session
    again once a tenth of the timeout (at most a minute) has passed since it last did, so the expiry
    slides with use while most requests write nothing.
    """

    MARK = "_hub_renewed_at"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.step = max(1, min(60, settings.HUB_SESSION_IDLE_SECONDS // 10))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        signed_in = session.session_key is not None and SESSION_KEY in session
        if signed_in and int(timezone.now().timestamp()) - session.get(self.MARK, 0) >= self.step:
            self.renewed(session)
        return self.get_response(request)

    @classmethod
    def renewed(cls, session: SessionBase) -> None:
        """Mark the session as saved now (it is, at the end of this request)."""
        session[cls.MARK] = int(timezone.now().timestamp())
