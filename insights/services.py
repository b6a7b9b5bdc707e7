"""Insights and their links to cards: create, change, link, unlink, and what a map or an
insight page shows. A link change tells the open editors of the card's map with an
`insights` socket message (docs/api.md), sent after the commit."""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet

from insights.access import readable_maps
from insights.evidence import evidence_derived
from insights.models import Insight, InsightKind, InsightLink, tags_clean
from journeymap.api import ApiError
from maps.models import Item, JourneyMap
from maps.services import broadcast
from workspaces.models import Workspace

INSIGHT_FIELDS = ("kind", "text", "source_title", "source_url", "date", "participants")


def insights_message(*, map_ids: set[Any], item_ids: list[str]) -> None:
    """After the commit, tell every open editor of these maps that these cards' insights
    changed; their editors fetch GET /api/maps/{id}/insights/ again."""

    def send() -> None:
        for map_id in map_ids:
            message = {"type": "insights", "map": str(map_id), "items": item_ids}
            broadcast(group=f"map.{map_id}", message=message)

    transaction.on_commit(send)


def _apply_fields(insight: Insight, fields: dict[str, Any]) -> None:
    for name in INSIGHT_FIELDS:
        if name in fields:
            setattr(insight, name, fields[name])
    if "tags" in fields:
        insight.tags = tags_clean(fields["tags"] or [])
    if "source_file" in fields:
        insight.source_file = fields["source_file"] or ""


def insight_create(*, workspace: Workspace, actor: User, fields: dict[str, Any]) -> Insight:
    insight = Insight(workspace=workspace, created_by=actor)
    _apply_fields(insight, fields)
    insight.save()
    return insight


@transaction.atomic
def insight_update(*, insight: Insight, fields: dict[str, Any]) -> Insight:
    """Open editors of the maps it backs show its summary, and its kind sets their cards'
    evidence: tell them."""
    _apply_fields(insight, fields)
    insight.save()
    _tell_linked_maps(insight)
    return insight


@transaction.atomic
def insight_delete(*, insight: Insight) -> None:
    _tell_linked_maps(insight)
    insight.delete()


def _tell_linked_maps(insight: Insight) -> None:
    rows = list(insight.links.values_list("item__map_id", "item_id"))
    if rows:
        insights_message(
            map_ids={map_id for map_id, _ in rows}, item_ids=[str(item) for _, item in rows]
        )


def card_on_map(*, journey_map: JourneyMap, item_id: uuid.UUID) -> Item:
    try:
        item_uuid = uuid.UUID(str(item_id))
    except (TypeError, ValueError):
        raise ApiError(code="invalid", message="item must be a UUID.") from None
    item = Item.objects.filter(pk=item_uuid, map=journey_map).first()
    if item is None:
        raise ApiError(code="not_found", message="No such card on this map.", status_code=404)
    return item


@transaction.atomic
def insight_link(*, insight: Insight, item: Item, actor: User) -> InsightLink:
    """Link once (linking again answers the existing link); the card's map must be in the
    insight's workspace."""
    if item.map.workspace_id != insight.workspace_id:
        raise ApiError(
            code="invalid", message="The insight and the card belong to different workspaces."
        )
    link = InsightLink.objects.filter(insight=insight, item=item).first()
    if link is not None:
        return link
    try:
        with transaction.atomic():
            link = InsightLink.objects.create(insight=insight, item=item, created_by=actor)
    except IntegrityError:
        # The same link made at the same moment by someone else: theirs stands.
        return InsightLink.objects.get(insight=insight, item=item)
    insights_message(map_ids={item.map_id}, item_ids=[str(item.pk)])
    return link


@transaction.atomic
def insight_unlink(*, insight: Insight, item: Item) -> None:
    deleted, _ = InsightLink.objects.filter(insight=insight, item=item).delete()
    if not deleted:
        raise ApiError(
            code="not_found", message="This insight is not linked to the card.", status_code=404
        )
    insights_message(map_ids={item.map_id}, item_ids=[str(item.pk)])


SUMMARY_COLUMNS = ("id", "kind", "text", "source_title", "participants", "date")


def map_insights(*, journey_map: JourneyMap) -> dict[str, Any]:
    """{"items": {card id: {"evidence": derived level, "insights": [summaries]}}} for every
    card of the map with at least one insight; cards without keep their hand-set level.
    One query whatever the number of cards, read as plain rows (a big map has hundreds of
    links: building model instances for them was most of the time)."""
    labels = {value: str(label) for value, label in InsightKind.choices}
    rows = (
        InsightLink.objects.filter(item__map=journey_map)
        .order_by("created_at", "pk")
        .values_list("item_id", *(f"insight__{column}" for column in SUMMARY_COLUMNS))
    )
    by_item: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item_id, *values in rows:
        summary = dict(zip(SUMMARY_COLUMNS, values, strict=True))
        summary["id"] = str(summary["id"])
        summary["kind_label"] = labels.get(summary["kind"], summary["kind"])
        summary["date"] = summary["date"].isoformat() if summary["date"] else None
        by_item[str(item_id)].append(summary)
    return {
        "items": {
            item_id: {
                "evidence": evidence_derived(summary["kind"] for summary in summaries),
                "insights": summaries,
            }
            for item_id, summaries in by_item.items()
        }
    }


def evidence_by_card(*, journey_map: JourneyMap) -> dict[str, str]:
    """{card id: derived level} for the map's cards with insights, in one query: what an
    export prints instead of the hand-set level (exports/services.py)."""
    kinds: dict[str, list[str]] = defaultdict(list)
    for item_id, kind in InsightLink.objects.filter(item__map=journey_map).values_list(
        "item_id", "insight__kind"
    ):
        kinds[str(item_id)].append(kind)
    return {item_id: evidence_derived(found) or "" for item_id, found in kinds.items()}


def insight_cards(*, insight: Insight, user: User | AnonymousUser) -> list[dict[str, Any]]:
    """Every card using the insight on a map the user may read, in map, stage, lane order:
    map › stage › lane › card text, each with the editor's address."""
    links = (
        InsightLink.objects.filter(insight=insight, item__map__in=readable_maps(user).values("id"))
        .select_related("item__map", "item__stage", "item__lane")
        .order_by(
            "item__map__title", "item__stage__position", "item__lane__position", "item__position"
        )
    )
    return [
        {
            "item": str(link.item_id),
            "map": {"id": str(link.item.map_id), "title": link.item.map.title},
            "stage": link.item.stage.name,
            "lane": link.item.lane.title,
            "text": link.item.text or link.item.name,
            "url": f"/maps/{link.item.map_id}/?item={link.item_id}",
        }
        for link in links
    ]


def insights_filtered(
    insights: QuerySet[Insight], *, kind: str = "", tag: str = "", query: str = ""
) -> QuerySet[Insight]:
    """The workspace list's filters: one kind, one tag, words in the text or the source."""
    if kind:
        insights = insights.filter(kind=kind)
    clean = tags_clean([tag]) if tag else []
    if clean:
        insights = insights.filter(tag_text__contains=f",{clean[0]},")
    for word in query.split()[:8]:
        insights = insights.filter(
            Q(text__icontains=word) | Q(source_title__icontains=word) | Q(tag_text__icontains=word)
        )
    return insights
