"""Schemathesis hooks for `make contract`: a signed-in session sends its CSRF token, as a browser's
page script would, so that the session run reaches the views behind Django's CSRF check."""

from __future__ import annotations

import os
from typing import Any

import schemathesis

CSRF = os.environ.get("HUB_CONTRACT_CSRF", "")


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    if CSRF:
        case.headers = {**(case.headers or {}), "X-CSRFToken": CSRF}
        case.cookies = {**(case.cookies or {}), "csrftoken": CSRF}
