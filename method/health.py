"""The journey health check: the gaps docs/domain.md's method asks a team to look for.

`map_health` reads the map in a fixed number of queries (map fields, stages, lanes, items with
whether an insight backs each (insights/), personas) and returns findings `{"code", "severity",
"message", "target"}` (docs/protocol.md), each message in the requested language and `target` the
id of the map, stage or item concerned.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from insights.models import InsightLink
from maps.models import Evidence, ItemKind, JourneyMap, LaneKind, Stage

WARNING = "warning"
INFO = "info"

# Each code's message; `%(name)s` is the stage or item concerned.
MESSAGES = {
    "objective_missing": gettext_lazy(
        "The map has no objective: say what question this map should answer."
    ),
    "persona_missing": gettext_lazy("No persona is attached to the map."),
    "review_overdue": gettext_lazy(
        "The review date (%(date)s) has passed: bring the map up to date."
    ),
    "stage_without_touchpoints": gettext_lazy("Stage “%(name)s” has no touchpoints."),
    "touchpoint_without_owner": gettext_lazy("Touchpoint “%(name)s” has no owning team."),
    "obstacle_without_opportunity": gettext_lazy(
        "Obstacle “%(name)s” has no opportunity or action that addresses it."
    ),
    "stage_without_metric": gettext_lazy("Stage “%(name)s” has no metric."),
    "emotional_low_point": gettext_lazy(
        "The emotional low point (%(score)s) is at stage “%(name)s”."
    ),
    "unsupported_pain_point": gettext_lazy(
        "Pain point “%(name)s” is only an assumption: link an insight from the research."
    ),
    "pain_without_insight": gettext_lazy(
        "Pain point “%(name)s” is marked as evidenced but no insight backs it."
    ),
}
SEVERITY = {
    "objective_missing": WARNING,
    "persona_missing": WARNING,
    "review_overdue": WARNING,
    "stage_without_touchpoints": WARNING,
    "touchpoint_without_owner": WARNING,
    "obstacle_without_opportunity": WARNING,
    "stage_without_metric": INFO,
    "emotional_low_point": INFO,
    "unsupported_pain_point": INFO,
    "pain_without_insight": INFO,
}


@dataclass(frozen=True)
class Finding:
    code: str
    target: str
    params: dict[str, Any]

    def as_dict(self, language: str) -> dict[str, Any]:
        with translation.override(language):
            message = str(MESSAGES[self.code]) % self.params
        return {
            "code": self.code,
            "severity": SEVERITY[self.code],
            "message": message,
            "target": self.target,
        }


def _label(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _map_findings(journey_map: JourneyMap, has_persona: bool, today: dt.date) -> list[Finding]:
    target = str(journey_map.pk)
    findings = []
    if not journey_map.objective.strip():
        findings.append(Finding("objective_missing", target, {}))
    if not has_persona:
        findings.append(Finding("persona_missing", target, {}))
    if journey_map.next_review is not None and journey_map.next_review < today:
        date = journey_map.next_review.isoformat()
        findings.append(Finding("review_overdue", target, {"date": date}))
    return findings


def _stage_findings(stages: list[Stage], items: list[dict[str, Any]]) -> list[Finding]:
    with_touchpoints = {i["stage_id"] for i in items if i["kind"] == ItemKind.TOUCHPOINT}
    with_metrics = {i["stage_id"] for i in items if i["kind"] == ItemKind.METRIC}
    findings = []
    for stage in stages:
        params = {"name": _label(stage.name)}
        if stage.pk not in with_touchpoints:
            findings.append(Finding("stage_without_touchpoints", str(stage.pk), params))
        if stage.pk not in with_metrics:
            findings.append(Finding("stage_without_metric", str(stage.pk), params))
    return findings


def _item_findings(items: list[dict[str, Any]]) -> list[Finding]:
    opportunity_stages = {i["stage_id"] for i in items if i["lane__kind"] == LaneKind.OPPORTUNITIES}
    fixed = {i["fixes_id"] for i in items if i["fixes_id"] is not None}
    findings = []
    for item in items:
        params = {"name": _label(item["text"] or item["name"] or "…")}
        if item["kind"] == ItemKind.TOUCHPOINT and not item["owner"].strip():
            findings.append(Finding("touchpoint_without_owner", str(item["id"]), params))
        if item["lane__kind"] != LaneKind.OBSTACLES:
            continue
        if item["stage_id"] not in opportunity_stages and item["id"] not in fixed:
            findings.append(Finding("obstacle_without_opportunity", str(item["id"]), params))
        findings.extend(_evidence_findings(item, params))
    return findings


def _evidence_findings(item: dict[str, Any], params: dict[str, Any]) -> list[Finding]:
    """A pain with no insight behind it (issue 15), said one way or the other: still an
    assumption, or a hand-set level nothing in the insights repository supports. A linked
    insight answers both (its derived level is never an assumption)."""
    if item["has_insight"]:
        return []
    code = (
        "unsupported_pain_point"
        if item["evidence"] == Evidence.ASSUMPTION
        else "pain_without_insight"
    )
    return [Finding(code, str(item["id"]), params)]


def _low_point(stages: list[Stage], items: list[dict[str, Any]]) -> list[Finding]:
    """The lowest as-is emotion on the map, if it is below neutral (the first one on ties)."""
    order = {stage.pk: index for index, stage in enumerate(stages)}
    points = [
        i
        for i in items
        if i["kind"] == ItemKind.EMOTION and i["score"] is not None and i["variant"] != "to_be"
    ]
    if not points:
        return []
    lowest = min(points, key=lambda i: (i["score"], order.get(i["stage_id"], 0), i["position"]))
    if lowest["score"] >= 0:
        return []
    name = next(s.name for s in stages if s.pk == lowest["stage_id"])
    params = {"name": _label(name), "score": lowest["score"]}
    return [Finding("emotional_low_point", str(lowest["id"]), params)]


ITEM_FIELDS = (
    "id",
    "stage_id",
    "kind",
    "lane__kind",
    "text",
    "name",
    "owner",
    "evidence",
    "fixes_id",
    "score",
    "variant",
    "position",
    "has_insight",
)


def item_annotations() -> dict[str, Any]:
    """What ITEM_FIELDS reads beyond the item's own columns: annotate the items query with
    these before reading the fields (a subquery, so no extra query)."""
    return {"has_insight": Exists(InsightLink.objects.filter(item=OuterRef("pk")))}


def map_health(*, journey_map: JourneyMap, today: dt.date | None = None) -> list[Finding]:
    """Every finding for the map, map-level first, then in stage order."""
    stages = list(Stage.objects.filter(map=journey_map).order_by("position", "id"))
    items = list(
        journey_map.items.annotate(**item_annotations())
        .order_by("stage__position", "lane__position", "position", "id")
        .values(*ITEM_FIELDS)
    )
    has_persona = journey_map.personas.exists()
    return health_findings(
        journey_map=journey_map, stages=stages, items=items, has_persona=has_persona, today=today
    )


def health_findings(
    *,
    journey_map: JourneyMap,
    stages: list[Stage],
    items: list[dict[str, Any]],
    has_persona: bool,
    today: dt.date | None = None,
) -> list[Finding]:
    """The findings from rows already read (stages in order, items with ITEM_FIELDS): the
    landscape of a workspace reads every map's rows in one query and checks each here."""
    today = today or timezone.localdate()
    return (
        _map_findings(journey_map, has_persona, today)
        + _stage_findings(stages, items)
        + _low_point(stages, items)
        + _item_findings(items)
    )


def health_score(
    *, stages: list[Stage], items: list[dict[str, Any]], findings: list[Finding]
) -> int:
    """0–100: the share of the health check's questions the map answers well.

    A question is one rule about one target: three about the map (objective, persona, review
    date), two per stage (a touchpoint, a metric), one per touchpoint (an owning team), two
    per obstacle (addressed, evidenced), and one about the emotional low point when the map
    has as-is emotion points. Each finding is a question answered badly.
    """
    touchpoints = sum(1 for i in items if i["kind"] == ItemKind.TOUCHPOINT)
    obstacles = sum(1 for i in items if i["lane__kind"] == LaneKind.OBSTACLES)
    emotions = any(
        i["kind"] == ItemKind.EMOTION and i["score"] is not None and i["variant"] != "to_be"
        for i in items
    )
    questions = 3 + 2 * len(stages) + touchpoints + 2 * obstacles + int(emotions)
    return round(100 * max(0, questions - len(findings)) / questions)
