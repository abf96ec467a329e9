"""API defaults named in REST_FRAMEWORK settings: cursor pagination and the per-client throttle.

Kept apart from alliance.api: DRF imports these while its views module loads.
"""

from __future__ import annotations

from typing import Any

from rest_framework import pagination, throttling


class CursorPagination(pagination.CursorPagination):
    ordering = "id"
    page_size_query_param = "page_size"
    max_page_size = 200


class ClientRateThrottle(throttling.SimpleRateThrottle):
    """One budget per API token, per signed-in user, or per client address for anonymous calls."""

    scope = "client"

    def get_cache_key(self, request: Any, view: Any) -> str:
        token = getattr(request.user, "token", None)
        if token is not None:
            ident = f"token:{token.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"addr:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
