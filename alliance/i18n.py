"""Picking the right language out of the multilingual texts that domain objects carry, and keeping a
person's choice of language in their browser."""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import get_language


def pick(texts: Mapping[str, str] | None, default: str = "", language: str | None = None) -> str:
    """The text in the active language, else English, else any; `default` when there is none."""
    if not texts:
        return default
    language = (language or get_language() or settings.LANGUAGE_CODE).lower()
    for code in (language, language.split("-")[0], "en"):
        if texts.get(code):
            return texts[code]
    return next((text for text in texts.values() if text), default)


def remember_language(response: HttpResponse, language: str) -> HttpResponse:
    """Keep `language` in the language cookie for a year (Django's LocaleMiddleware reads it)."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response
