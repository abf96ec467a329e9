"""Signatures as Standard Webhooks defines them: the spec's test vector, the 5-minute tolerance, a
flipped byte, and two secrets during a rotation."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest

from apps.webhooks.signing import WebhookVerificationError, new_secret, signed_headers, verify

# The test vector published with the Standard Webhooks specification.
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
MSG_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
TIMESTAMP = 1614265330
BODY = b'{"test": 2432232314}'
SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_signature_matches_the_specs_test_vector() -> None:
    headers = signed_headers(
        msg_id=MSG_ID, timestamp=datetime.fromtimestamp(TIMESTAMP, UTC), body=BODY, secrets=[SECRET]
    )
    assert headers == {
        "webhook-id": MSG_ID,
        "webhook-timestamp": str(TIMESTAMP),
        "webhook-signature": SIGNATURE,
    }


def _headers(secret: str, body: bytes, age: float, *, secrets: list[str] | None = None) -> dict[str, str]:
    when = datetime.now(UTC) - timedelta(seconds=age)
    return signed_headers(msg_id="msg_x", timestamp=when, body=body, secrets=secrets or [secret])


@pytest.mark.parametrize("age", [0, 299, -299])
def test_a_fresh_signature_verifies(age: float) -> None:
    secret = new_secret()
    assert verify(secret=secret, body=b'{"a":1}', headers=_headers(secret, b'{"a":1}', age)) == {"a": 1}


@pytest.mark.parametrize("age", [301, -301])
def test_a_signature_outside_five_minutes_is_refused(age: float) -> None:
    secret = new_secret()
    with pytest.raises(WebhookVerificationError):
        verify(secret=secret, body=b"{}", headers=_headers(secret, b"{}", age))


def test_one_flipped_byte_is_refused() -> None:
    secret = new_secret()
    headers = _headers(secret, b'{"a":1}', 0)
    with pytest.raises(WebhookVerificationError):
        verify(secret=secret, body=b'{"a":2}', headers=headers)


def test_another_secret_is_refused() -> None:
    with pytest.raises(WebhookVerificationError):
        verify(secret=new_secret(), body=b"{}", headers=_headers(new_secret(), b"{}", 0))


def test_during_a_rotation_both_secrets_verify() -> None:
    new, old = new_secret(), new_secret()
    headers = _headers(new, b"{}", 0, secrets=[new, old])
    assert len(headers["webhook-signature"].split(" ")) == 2
    assert verify(secret=new, body=b"{}", headers=headers) == {}
    assert verify(secret=old, body=b"{}", headers=headers) == {}


def test_a_new_secret_has_the_whsec_prefix_and_32_bytes() -> None:
    secret = new_secret()
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"))) == 32
