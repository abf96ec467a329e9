"""Picking the right language out of the multilingual texts that domain objects carry."""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings
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
