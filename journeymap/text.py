"""Text as every app stores it."""

from __future__ import annotations

import unicodedata


def clean_text(value: str) -> str:
    # Stored text is NFC (docs/architecture.md) and never contains NUL or other control characters
    # that PostgreSQL or a PDF cannot hold; tabs and newlines are text.
    value = unicodedata.normalize("NFC", value)
    if any(ord(ch) < 32 and ch not in "\n\t\r" for ch in value) or "\x7f" in value:
        raise ValueError("control characters are not allowed")
    return value
