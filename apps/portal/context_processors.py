from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from apps.benchmarks.permissions import can_read_benchmarks
from apps.exchange.permissions import can_open_exchange
from apps.organizations.permissions import is_steward
from apps.submissions.selectors import data_organizations_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    # the organizations whose data the user sees, asked once for both links (when a page draws them)
    own: Any = SimpleLazyObject(lambda: data_organizations_for(user) if signed_in else [])
    return {
        "hub_languages": [(code, settings.LANGUAGE_NATIVE_NAMES[code]) for code, _name in settings.LANGUAGES],
        "hub_is_steward": bool(user and user.is_authenticated and is_steward(user)),
        # Asked only when a page draws the navigation (a query for a member's firms).
        "hub_reads_benchmarks": SimpleLazyObject(lambda: signed_in and can_read_benchmarks(user, own)),
        "hub_opens_exchange": SimpleLazyObject(lambda: signed_in and can_open_exchange(user, own)),
    }
