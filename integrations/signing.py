"""Webhook signatures: HMAC-SHA256 over "<timestamp>.<body>" with the webhook's secret.

Covering the timestamp lets a receiver refuse an old delivery replayed by someone who
recorded it (docs/integrations.md: the window is REPLAY_WINDOW_S).
"""

from __future__ import annotations

import hashlib
import hmac

REPLAY_WINDOW_S = 300
SIGNATURE_HEADER = "X-Journeymap-Signature"
TIMESTAMP_HEADER = "X-Journeymap-Timestamp"
EVENT_HEADER = "X-Journeymap-Event"
DELIVERY_HEADER = "X-Journeymap-Delivery"


def signature(*, secret: str, timestamp: int, body: bytes) -> str:
    signed = str(timestamp).encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signature_valid(
    *, secret: str, timestamp: str, body: bytes, given: str, now: float, window: int = 300
) -> bool:
    """What a receiver checks (the docs show the same in a receiver of its own)."""
    try:
        sent = int(timestamp)
    except ValueError:
        return False
    if abs(now - sent) > window:
        return False
    return hmac.compare_digest(signature(secret=secret, timestamp=sent, body=body), given)
