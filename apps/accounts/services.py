"""Writes about people."""

from __future__ import annotations

from django.conf import settings

from apps.accounts.models import User


def set_preferred_language(*, user: User, language: str) -> None:
    if language not in dict(settings.LANGUAGES) or user.preferred_language == language:
        return
    User.objects.filter(pk=user.pk).update(preferred_language=language)
    user.preferred_language = language
