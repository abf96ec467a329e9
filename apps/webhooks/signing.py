"""Standard Webhooks signatures (the `standardwebhooks` library): `webhook-id`, `webhook-timestamp` and
`webhook-signature`, which is `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">` under each secret
in force, space-separated (two during a rotation). Receivers verify with a 5-minute tolerance."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

__all__ = ["WebhookVerificationError", "new_secret", "signed_headers", "verify"]

SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    """A fresh signing secret: `whsec_` and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def signed_headers(
    *, msg_id: str, timestamp: datetime, body: bytes, secrets: Iterable[str]
) -> dict[str, str]:
    """The three headers of one delivery, signed with every secret given (the current one first)."""
    signatures = [Webhook(secret).sign(msg_id, timestamp, body) for secret in secrets if secret]
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": " ".join(signatures),
    }


def verify(*, secret: str, body: bytes, headers: Mapping[str, str]) -> Any:
    """The parsed body when one of the signatures is the secret's and the timestamp is within five
    minutes of now; raises WebhookVerificationError otherwise. What a receiver runs."""
    return Webhook(secret).verify(body, dict(headers))
