"""The receiver in docs/integrations.md checks signatures the way deliveries are signed: its
code, taken from the page, accepts a real delivery's headers and refuses a changed body, a
wrong secret and an old timestamp."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest

from integrations import services, signing
from integrations.models import Delivery, Event

pytestmark = pytest.mark.django_db

DOC = Path(__file__).resolve().parents[2] / "docs" / "integrations.md"


@pytest.fixture
def docs_receiver() -> dict[str, Any]:
    code = re.search(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert code is not None, "docs/integrations.md has no Python receiver"
    namespace: dict[str, Any] = {"__name__": "docs_receiver"}  # its server does not start
    exec(compile(code.group(1), str(DOC), "exec"), namespace)  # noqa: S102 (our own docs)
    return namespace


@pytest.fixture
def signed(hook: Any) -> tuple[Any, bytes, dict[str, str]]:
    delivery = services.delivery_create(
        webhook=hook, event=Event.MEMBER_ADDED, data={"member": {"username": "hoa"}}
    )
    delivery = Delivery.objects.select_related("webhook").get(pk=delivery.pk)
    body = delivery.body.encode()
    return hook, body, services._headers(delivery=delivery, body=body, now=time.time())


def check(receiver: dict[str, Any], secret: str, headers: dict[str, str], body: bytes) -> bool:
    return bool(
        receiver["signature_ok"](
            secret,
            headers[signing.TIMESTAMP_HEADER],
            body,
            headers[signing.SIGNATURE_HEADER],
            time.time(),
        )
    )


def test_the_documented_receiver_accepts_a_real_delivery(docs_receiver, signed):
    hook, body, headers = signed
    assert check(docs_receiver, hook.secret, headers, body)


def test_the_documented_receiver_refuses_a_changed_body(docs_receiver, signed):
    hook, body, headers = signed
    assert not check(docs_receiver, hook.secret, headers, body.replace(b"hoa", b"mallory"))


def test_the_documented_receiver_refuses_another_secret(docs_receiver, signed):
    _, body, headers = signed
    assert not check(docs_receiver, "whsec_not-the-one", headers, body)


def test_the_documented_receiver_refuses_an_old_delivery(docs_receiver, signed):
    hook, body, _ = signed
    delivery = Delivery.objects.select_related("webhook").get()
    old = services._headers(delivery=delivery, body=body, now=time.time() - 3600)
    assert not check(docs_receiver, hook.secret, old, body)
