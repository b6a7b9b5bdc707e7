"""The SSRF guard of integrations/net.py: what may be called, checked after resolution,
connected to the checked address, never following a redirect."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from integrations import net
from tests.integrations.receiver import Receiver

FORBIDDEN = [
    "127.0.0.1",
    "127.8.9.10",
    "::1",
    "10.1.2.3",
    "172.16.0.1",
    "172.31.255.254",
    "192.168.1.1",
    "169.254.169.254",
    "169.254.10.10",
    "fd00::1",
    "fd00:ec2::254",
    "fe80::1",
    "0.0.0.0",  # noqa: S104 (an address refused, not one bound)
    "::",
    "224.0.0.1",
    "ff02::1",
    "240.0.0.1",
    "100.64.0.1",
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
]


def resolving_to(monkeypatch: pytest.MonkeyPatch, *answers: list[str]) -> list[str]:
    """Make getaddrinfo answer each call with the next list of addresses; returns the hosts
    it was asked for."""
    asked: list[str] = []
    queue = list(answers)

    def fake(host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        asked.append(host)
        addresses = queue.pop(0) if len(queue) > 1 else queue[0]
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in addresses
        ]

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return asked


@pytest.mark.parametrize("address", FORBIDDEN)
def test_every_forbidden_address_class_is_refused(address: str) -> None:
    host = f"[{address}]" if ":" in address else address
    with pytest.raises(net.TargetRefused):
        net.target_resolve(f"http://{host}:8080/hook")


def test_a_hostname_that_resolves_to_loopback_is_refused() -> None:
    with pytest.raises(net.TargetRefused, match="loopback"):
        net.target_resolve("http://localhost/hook")


def test_a_host_with_one_private_address_among_public_ones_is_refused(monkeypatch) -> None:
    resolving_to(monkeypatch, ["93.184.216.34", "10.0.0.5"])
    with pytest.raises(net.TargetRefused, match="private"):
        net.target_resolve("https://hooks.example.com/x")


def test_a_public_address_is_allowed_and_returned_for_the_connection(monkeypatch) -> None:
    resolving_to(monkeypatch, ["93.184.216.34"])
    assert net.target_resolve("https://hooks.example.com/x") == (
        "hooks.example.com",
        443,
        "93.184.216.34",
    )


@pytest.mark.parametrize(
    "url", ["ftp://example.com/x", "file:///etc/passwd", "gopher://a/", "http:///x"]
)
def test_only_http_and_https_urls_with_a_host_are_called(url: str) -> None:
    with pytest.raises(net.TargetRefused, match="http"):
        net.target_resolve(url)


def test_metadata_addresses_stay_refused_even_when_private_targets_are_allowed(settings) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    for url in ("http://169.254.169.254/latest/meta-data/", "http://[fd00:ec2::254]/"):
        with pytest.raises(net.TargetRefused, match="metadata"):
            net.target_resolve(url)
    assert net.target_resolve("http://127.0.0.1:9/")[2] == "127.0.0.1"


def test_the_request_connects_to_the_checked_address_without_resolving_again(
    monkeypatch,
) -> None:
    # A rebinding DNS answers a public address to the check and loopback afterwards.
    asked = resolving_to(monkeypatch, ["93.184.216.34"], ["127.0.0.1"])
    connected: list[tuple[str, int]] = []

    def fake_connect(address: tuple[str, int], *args: Any, **kwargs: Any) -> Any:
        connected.append(address)
        raise ConnectionRefusedError("test: no network")

    monkeypatch.setattr(socket, "create_connection", fake_connect)
    with pytest.raises(OSError):
        net.post(url="http://rebind.example.com/x", body=b"{}", headers={}, timeout=1)
    assert asked == ["rebind.example.com"]
    assert connected == [("93.184.216.34", 80)]


def test_a_redirect_is_answered_not_followed(settings) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    target = Receiver().start()
    redirecting = Receiver(statuses=[302], location=target.url).start()
    try:
        answer = net.post(url=redirecting.url, body=b"{}", headers={}, timeout=2)
    finally:
        redirecting.stop()
        target.stop()
    assert answer.status == 302
    assert len(redirecting.received) == 1
    assert target.received == []


def test_the_host_header_keeps_the_name_while_the_connection_uses_the_address(
    settings, monkeypatch
) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    running = Receiver().start()
    resolving_to(monkeypatch, ["127.0.0.1"])
    try:
        net.post(
            url=f"http://hooks.internal:{running.port}/in?x=1", body=b"{}", headers={}, timeout=2
        )
    finally:
        running.stop()
    assert running.received[0].headers["Host"] == f"hooks.internal:{running.port}"
    assert running.received[0].path == "/in?x=1"
