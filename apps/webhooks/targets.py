"""Where a webhook may go, and sending it there.

A target's host is resolved and every address it has is checked: loopback, private, link-local,
multicast, reserved, unspecified and shared addresses are refused (HUB_WEBHOOKS_ALLOW_PRIVATE=1 lets
loopback and private ones, and plain http, through for local development and tests; link-local and
multicast never). The request then goes to the address that was checked, with the URL's host in the
Host header, in TLS's server name and in the certificate check, so a second DNS answer cannot switch
it to another machine. Redirects are not followed; the timeout is short and the answer is not read.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3
from django.conf import settings
from django.utils.translation import gettext as _

from alliance.errors import HubError


class TargetRefused(HubError):
    status = 400
    code = "webhook_target_refused"


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    address: str


@dataclass(frozen=True)
class Answer:
    status: int | None
    error: str


def _allowed(address: ipaddress.IPv4Address | ipaddress.IPv6Address, allow_private: bool) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_link_local or address.is_multicast or address.is_unspecified:
        return False
    if allow_private and (address.is_loopback or address.is_private):
        return True
    return address.is_global and not address.is_reserved


def resolve(host: str, port: int) -> list[str]:
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return []
    return sorted({str(info[4][0]) for info in found})


def check_target(url: str) -> Target:
    """The checked target of `url`, or TargetRefused saying why it may not be called."""
    allow_private = settings.HUB_WEBHOOKS_ALLOW_PRIVATE
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise TargetRefused(_("This is not a valid URL.")) from None
    schemes = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in schemes:
        raise TargetRefused(_("A webhook URL must start with https://."))
    if not parts.hostname or parts.username or parts.password:
        raise TargetRefused(_("A webhook URL names a host and no user name or password."))
    port = port or (443 if parts.scheme == "https" else 80)
    addresses = resolve(parts.hostname, port)
    if not addresses:
        raise TargetRefused(_("The host of this URL could not be found."))
    for address in addresses:
        if not _allowed(ipaddress.ip_address(address.split("%", 1)[0]), allow_private):
            raise TargetRefused(
                _("This URL leads to a private, local or reserved address, where webhooks are not sent.")
            )
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, parts.hostname, port, path, addresses[0])


def _host_header(target: Target) -> str:
    host = f"[{target.host}]" if ":" in target.host else target.host
    default = 443 if target.scheme == "https" else 80
    return host if target.port == default else f"{host}:{target.port}"


def post(target: Target, *, body: bytes, headers: dict[str, str]) -> Answer:
    """POST `body` to the checked address of `target`; the answer's status, or what went wrong."""
    timeout = urllib3.Timeout(connect=settings.HUB_WEBHOOKS_TIMEOUT, read=settings.HUB_WEBHOOKS_TIMEOUT)
    pool: urllib3.HTTPConnectionPool
    if target.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            target.address,
            target.port,
            timeout=timeout,
            retries=False,
            cert_reqs="CERT_REQUIRED",
            server_hostname=target.host,
            assert_hostname=target.host,
        )
    else:
        pool = urllib3.HTTPConnectionPool(target.address, target.port, timeout=timeout, retries=False)
    try:
        response = pool.urlopen(
            "POST",
            target.path,
            body=body,
            headers={**headers, "Host": _host_header(target), "Content-Type": "application/json"},
            redirect=False,
            assert_same_host=False,
            preload_content=False,
        )
        response.close()  # the answer's body is not read: a receiver cannot hold a worker with it
        return Answer(response.status, "")
    except urllib3.exceptions.HTTPError as error:
        return Answer(None, type(error).__name__)
    finally:
        pool.close()
