"""Outgoing webhook requests that reach only public addresses (docs/integrations.md, SSRF).

The host is resolved once, every address it resolves to is checked, and the connection is
opened to the checked address itself, so a second lookup cannot answer differently (DNS
rebinding). http.client never follows redirects; a 3xx is an answer like any other.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

# Cloud metadata services, refused even where private targets are allowed.
METADATA = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
READ_LIMIT = 4096  # of the receiver's answer: only its status matters


class TargetRefused(Exception):
    """The URL may not be called: wrong scheme, or an address that is not public."""


@dataclass(frozen=True)
class Answer:
    status: int
    duration_ms: int


IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def address_refusal(address: IPAddress, *, allow_private: bool) -> str | None:
    """Why `address` may not be called, or None. Mapped IPv4 (::ffff:a.b.c.d) counts as v4."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address in METADATA:
        return "a cloud metadata address"
    if allow_private:
        return None
    checks = [
        ("a loopback address", address.is_loopback),
        ("an unspecified address", address.is_unspecified),
        ("a link-local address", address.is_link_local),
        ("a multicast address", address.is_multicast),
        ("a private address", address.is_private),
        ("a reserved address", address.is_reserved),
        # Shared (100.64/10), documentation and other special ranges.
        ("a non-public address", not address.is_global),
    ]
    return next((why for why, hit in checks if hit), None)


def target_resolve(url: str) -> tuple[str, int, str]:
    """(host, port, the checked address to connect to) for an http(s) URL, or TargetRefused."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise TargetRefused("Only http and https URLs with a host can be called.")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise TargetRefused(f"The host could not be resolved ({error}).") from None
    allow = settings.WEBHOOK_ALLOW_PRIVATE_TARGETS
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    for address in addresses:
        why = address_refusal(address, allow_private=allow)
        if why:
            raise TargetRefused(f"{parts.hostname} resolves to {address}, {why}.")
    if not addresses:
        raise TargetRefused("The host resolves to no address.")
    return parts.hostname, port, str(addresses[0])


class _PinnedHTTP(http.client.HTTPConnection):
    """Connects to a given address while the Host header keeps the name."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """TLS to a given address; the certificate is checked against the host name (SNI too)."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)  # type: ignore[attr-defined]


def post(*, url: str, body: bytes, headers: dict[str, str], timeout: float) -> Answer:
    """POST `body` to `url`; TargetRefused, or OSError (timeouts included) on failure."""
    host, port, address = target_resolve(url)
    parts = urlsplit(url)
    kind = _PinnedHTTPS if parts.scheme == "https" else _PinnedHTTP
    connection = kind(host, port, address, timeout)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    started = time.monotonic()
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(READ_LIMIT)
        status = response.status
    except http.client.HTTPException as error:
        raise OSError(f"bad HTTP answer: {error!r}") from None
    finally:
        connection.close()
    return Answer(status=status, duration_ms=int((time.monotonic() - started) * 1000))
