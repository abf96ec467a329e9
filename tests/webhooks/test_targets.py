"""Webhook targets: loopback, private, link-local and reserved addresses are refused after DNS
resolution, at registration and again at each delivery; redirects are not followed; plain http and
loopback only with HUB_WEBHOOKS_ALLOW_PRIVATE."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from django.test.utils import override_settings

from apps.webhooks import services, targets
from apps.webhooks.models import Delivery, Endpoint, EventType
from apps.webhooks.targets import TargetRefused, check_target

REFUSED = [
    "https://127.0.0.1/hook",
    "https://127.1.2.3/hook",
    "https://10.0.0.8/hook",
    "https://172.16.4.4/hook",
    "https://192.168.1.1/hook",
    "https://169.254.169.254/latest/meta-data/",
    "https://[::1]/hook",
    "https://[::ffff:127.0.0.1]/hook",
    "https://[fe80::1]/hook",
    "https://0x7f000001/hook",
    "https://0.0.0.0/hook",
    "https://224.0.0.1/hook",
    "https://100.64.0.1/hook",
    "https://localhost/hook",
    "https://user:pass@example.org/hook",
    "http://example.org/hook",
    "ftp://example.org/hook",
    "https:///hook",
]


@pytest.mark.parametrize("url", REFUSED)
def test_local_private_and_reserved_targets_are_refused(url: str) -> None:
    with pytest.raises(TargetRefused):
        check_target(url)


def _resolving_to(monkeypatch: Any, address: str) -> None:
    def fake(host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(targets.socket, "getaddrinfo", fake)


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "169.254.169.254", "::1", "fd00::5"])
def test_a_name_resolving_to_a_private_address_is_refused(monkeypatch: Any, address: str) -> None:
    _resolving_to(monkeypatch, address)
    with pytest.raises(TargetRefused):
        check_target("https://hooks.partner.example/in")


def test_a_name_resolving_to_a_public_address_is_taken_with_that_address(monkeypatch: Any) -> None:
    _resolving_to(monkeypatch, "8.8.8.8")
    target = check_target("https://hooks.partner.example:8443/in?x=1")
    assert (target.host, target.port, target.path, target.address) == (
        "hooks.partner.example",
        8443,
        "/in?x=1",
        "8.8.8.8",
    )


def test_the_flag_lets_loopback_and_http_through_but_never_link_local() -> None:
    with override_settings(HUB_WEBHOOKS_ALLOW_PRIVATE=True):
        assert check_target("http://127.0.0.1:9/hook").address == "127.0.0.1"
        assert check_target("http://[::1]:9/hook").address == "::1"
        for url in ("http://169.254.169.254/", "http://[fe80::1]/", "http://224.0.0.1/"):
            with pytest.raises(TargetRefused):
                check_target(url)


def test_registration_refuses_a_loopback_url_without_the_flag(partner: Any) -> None:
    with pytest.raises(TargetRefused):
        services.register_endpoint(
            actor=partner.admin,
            organization=partner.organization,
            url="https://127.0.0.1/hook",
            events=[EventType.AGREEMENT_CHANGED],
        )
    assert not Endpoint.objects.exists()


def test_a_target_that_turned_private_after_registration_gets_no_request(
    partner: Any, receiver: Any, local_targets: Any, django_capture_on_commit_callbacks: Any
) -> None:
    endpoint, _secret = services.register_endpoint(
        actor=partner.admin,
        organization=partner.organization,
        url=receiver.url,
        events=[EventType.AGREEMENT_CHANGED],
    )
    with (
        override_settings(HUB_WEBHOOKS_ALLOW_PRIVATE=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.send_test(actor=partner.admin, endpoint=endpoint)
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.last_error == "A webhook URL must start with https://."
    assert receiver.requests == []


def test_a_redirect_is_not_followed(
    partner: Any,
    receiver: Any,
    other_receiver: Any,
    local_targets: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    receiver.answer, receiver.location = 307, other_receiver.url
    endpoint, _secret = services.register_endpoint(
        actor=partner.admin,
        organization=partner.organization,
        url=receiver.url,
        events=[EventType.AGREEMENT_CHANGED],
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.send_test(actor=partner.admin, endpoint=endpoint)
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.last_status_code) == (Delivery.Status.FAILED, 307)
    assert len(receiver.requests) == 1
    assert other_receiver.requests == []
