"""A card's evidence level, derived from the insights behind it (issue 15):

- no insight: the hand-set level stays (`assumption` unless someone set another);
- one qualitative insight (interview, support theme, observation): `anecdote`;
- several qualitative insights: `research` (validated);
- any quantitative insight (survey result, analytics figure): `data` (validated).

The levels are maps.models.Evidence's; "validated" is research- or data-backed.
"""

from __future__ import annotations

from collections.abc import Iterable

from insights.models import QUANTITATIVE_KINDS
from maps.models import Evidence


def evidence_derived(kinds: Iterable[str]) -> str | None:
    """The level the linked insights' kinds give, or None when there is no insight."""
    kinds = list(kinds)
    if not kinds:
        return None
    if any(kind in QUANTITATIVE_KINDS for kind in kinds):
        return Evidence.DATA.value
    return Evidence.RESEARCH.value if len(kinds) > 1 else Evidence.ANECDOTE.value


def evidence_effective(*, hand_set: str, kinds: Iterable[str]) -> str:
    """What the card shows: the derived level when insights are linked, else the hand-set one."""
    return evidence_derived(kinds) or hand_set
