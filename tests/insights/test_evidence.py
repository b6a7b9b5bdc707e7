from __future__ import annotations

from insights.evidence import evidence_derived, evidence_effective


def test_no_insight_derives_nothing_and_the_hand_set_level_stays() -> None:
    assert evidence_derived([]) is None
    assert evidence_effective(hand_set="research", kinds=[]) == "research"


def test_one_qualitative_insight_is_an_anecdote() -> None:
    for kind in ("interview", "support", "observation"):
        assert evidence_derived([kind]) == "anecdote"


def test_several_qualitative_insights_are_research() -> None:
    assert evidence_derived(["interview", "observation"]) == "research"


def test_any_quantitative_insight_is_data() -> None:
    assert evidence_derived(["survey"]) == "data"
    assert evidence_derived(["interview", "analytics"]) == "data"


def test_a_linked_insight_replaces_the_hand_set_level() -> None:
    assert evidence_effective(hand_set="data", kinds=["interview"]) == "anecdote"
