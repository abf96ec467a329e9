"""A partner asking for what its agreements do not grant: answered as a missing object (404, the same
body as for anything that does not exist), and recorded in the stewards' security log."""

from __future__ import annotations

from typing import Any, NoReturn

from django.http import Http404

from apps.audit.services import record_refusal
from apps.exchange.access import partner_of


def refuse_out_of_scope(request: Any, *, what: dict[str, Any]) -> NoReturn:
    partner = partner_of(request.user)
    record_refusal(
        actor=request.user,
        action="exchange.refused",
        data={"partner": partner.slug if partner else None, "asked": what},
        request=request,
    )
    raise Http404
