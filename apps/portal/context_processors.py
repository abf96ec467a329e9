from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from apps.organizations.permissions import is_steward


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "hub_languages": [(code, settings.LANGUAGE_NATIVE_NAMES[code]) for code, _name in settings.LANGUAGES],
        "hub_is_steward": bool(user and user.is_authenticated and is_steward(user)),
    }
