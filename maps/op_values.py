"""The pydantic types of the values ops carry (docs/protocol.md): text, positions, colours, scores.

Text is written `Annotated[str, Text(200)]`: one metadata object holding every rule of typed
text, so that mypy sees a plain `str` and the models need no `type: ignore`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    Field,
    GetCoreSchemaHandler,
    Strict,
    StringConstraints,
)
from pydantic_core import CoreSchema

from journeymap.text import clean_text


def _at_most(max_length: int) -> Callable[[str], str]:
    # NFC can lengthen text (some code points are excluded from composition), so the limit
    # is checked again on what will be stored: a varchar must never overflow into a 500.
    def check(value: str) -> str:
        if len(value) > max_length:
            raise ValueError(f"String should have at most {max_length} characters")
        return value

    return check


@dataclass(frozen=True)
class Text:
    """Text a user typed: a strict string within its limits, stored cleaned (NFC)."""

    max_length: int
    min_length: int = 0

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return handler.generate_schema(
            Annotated[
                str,
                Strict(),
                StringConstraints(max_length=self.max_length, min_length=self.min_length),
                AfterValidator(clean_text),
                AfterValidator(_at_most(self.max_length)),
            ]
        )


def text_of(max_length: int) -> Any:
    """The type of text up to max_length characters, for models built at run time."""
    return Annotated[str, Text(max_length)]


def key_of(max_length: int) -> Any:
    """The type of a key of a catalog (a channel): strict, not cleaned, within max_length."""
    return Annotated[str, Strict(), StringConstraints(max_length=max_length)]


Name = Annotated[str, Text(120, min_length=1)]
Position = Annotated[str, Strict(), StringConstraints(pattern=r"^[0-9A-Za-z]{1,64}$")]
Color = Annotated[str, Strict(), StringConstraints(pattern=r"^(#[0-9a-fA-F]{6})?$")]
Rating = Annotated[int, Strict(), Field(ge=1, le=5)]
Score = Annotated[int, Strict(), Field(ge=-2, le=2)]
Reach = Annotated[int, Strict(), Field(ge=0, le=1_000_000_000)]
Percent = Annotated[int, Strict(), Field(ge=0, le=100)]
Flag = Annotated[bool, Strict()]
Number = Annotated[float, Field(allow_inf_nan=False, ge=-1e15, le=1e15)]
Id = uuid.UUID
