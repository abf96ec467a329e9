"""An https target is called at the address that was checked, yet TLS is the URL host's: the server
name sent (SNI) and the certificate checked are the host's, and a certificate the machine does not
trust is refused. The test serves TLS on 127.0.0.1 for the name `hooks.test`, which it resolves there."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest

from apps.webhooks import services, targets
from apps.webhooks.models import Delivery, EventType

HOST = "hooks.test"


@pytest.fixture
def certificate(tmp_path: Path) -> Path:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem"),
            "-subj", f"/CN={HOST}", "-addext", f"subjectAltName=DNS:{HOST}",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return tmp_path


@pytest.fixture
def tls_server(certificate: Path) -> Any:
    names: list[str | None] = []
    requests: list[dict[str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            requests.append({k.lower(): v for k, v in self.headers.items()})
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate / "cert.pem", certificate / "key.pem")
    context.sni_callback = lambda sock, name, ctx: names.append(name)  # type: ignore[assignment]
    server = HTTPServer(("127.0.0.1", 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1], names, requests, certificate / "cert.pem"
    server.shutdown()
    server.server_close()


@pytest.fixture
def hooks_test_on_loopback(monkeypatch: Any) -> list[str]:
    """`hooks.test` resolves to 127.0.0.1; every name asked is noted (the HTTP client asks too)."""
    asked: list[str] = []
    real = socket.getaddrinfo

    def resolve(host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        asked.append(host)
        if host == HOST:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(targets.socket, "getaddrinfo", resolve)
    return asked


def _send(partner: Any, port: int, capture: Any) -> Delivery:
    endpoint, _secret = services.register_endpoint(
        actor=partner.admin,
        organization=partner.organization,
        url=f"https://{HOST}:{port}/in",
        events=[EventType.AGREEMENT_CHANGED],
    )
    with capture(execute=True):
        services.send_test(actor=partner.admin, endpoint=endpoint)
    return Delivery.objects.get()


def test_an_untrusted_certificate_is_refused_with_the_hosts_server_name(
    cast: Any, partner: Any, tls_server: Any, hooks_test_on_loopback: Any, local_targets: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    port, names, requests, _cert = tls_server
    delivery = _send(partner, port, django_capture_on_commit_callbacks)
    assert (delivery.status, delivery.last_status_code) == ("failed", None)
    assert "SSL" in delivery.last_error
    assert names == [HOST] and requests == []


def test_a_trusted_certificate_for_the_host_is_delivered_to_the_checked_address(
    cast: Any, partner: Any, tls_server: Any, hooks_test_on_loopback: Any, local_targets: Any,
    monkeypatch: Any, django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    port, names, requests, cert = tls_server
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # the machine trusts the test's certificate
    delivery = _send(partner, port, django_capture_on_commit_callbacks)
    assert (delivery.status, delivery.last_status_code) == ("delivered", 204), delivery.last_error
    assert names == [HOST]
    assert [r["host"] for r in requests] == [f"{HOST}:{port}"]
    # The name was resolved by the check alone (registration, then the attempt); the connection went
    # to the address the check found, so a second DNS answer could not have moved it.
    assert hooks_test_on_loopback.count(HOST) == 2
