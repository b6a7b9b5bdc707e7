"""The portable document: export, import (validated whole, one change), and the round trip."""

from __future__ import annotations

import copy
import uuid
from typing import Any

import pytest

from maps.documents import PortableDocument, document_export, document_import
from maps.models import Change, Item, JourneyMap, Lane, Link, Stage
from maps.services import apply_ops
from personas.models import Persona

pytestmark = pytest.mark.django_db


def normalised(document: dict[str, Any]) -> dict[str, Any]:
    """The document with every id replaced by an ordinal that depends only on content."""
    doc = copy.deepcopy(document)
    refs: dict[str, str] = {}
    for persona_index, persona in enumerate(sorted(doc["personas"], key=lambda p: p["name"])):
        refs[persona["id"]] = f"persona{persona_index}"
    for kind in ("stages", "lanes"):
        for index, row in enumerate(doc[kind]):
            refs[row["id"]] = f"{kind}{index}"
    ordered = sorted(
        doc["items"],
        key=lambda i: (refs[i["lane"]], refs[i["stage"]], i["position"], i.get("text", "")),
    )
    for index, item in enumerate(ordered):
        refs[item["id"]] = f"item{index}"

    def swap(row: dict[str, Any], *keys: str) -> dict[str, Any]:
        return {k: (refs[v] if k in keys and v is not None else v) for k, v in row.items()}

    doc["personas"] = sorted((swap(p, "id") for p in doc["personas"]), key=lambda p: p["id"])
    doc["stages"] = [swap(s, "id") for s in doc["stages"]]
    doc["lanes"] = [swap(lane, "id") for lane in doc["lanes"]]
    doc["items"] = sorted(
        (swap(i, "id", "lane", "stage", "persona", "fixes") for i in doc["items"]),
        key=lambda i: i["id"],
    )
    doc["links"] = sorted(
        (
            {k: v for k, v in swap(link, "source", "target").items() if k != "id"}
            for link in doc["links"]
        ),
        key=lambda link: (link["source"], link["target"]),
    )
    return doc


@pytest.fixture
def rich_map(template_map: Any, owner: Any) -> Any:
    """The template map plus what a template lacks: a link, an emotion with a persona, a fix."""
    items = list(Item.objects.filter(map=template_map).order_by("position", "id"))
    emotion_lane = Lane.objects.filter(map=template_map, kind="emotions").first()
    plan_lane = Lane.objects.filter(map=template_map, kind="action_plan").first()
    stage = Stage.objects.filter(map=template_map).order_by("position").first()
    assert emotion_lane and stage and len(items) >= 2
    persona = Persona.objects.create(
        workspace=template_map.workspace, name="Chị Hoa", quote="Nhanh và rẻ", channels=["website"]
    )
    ops: list[dict[str, Any]] = [
        {"type": "persona.attach", "persona": str(persona.pk)},
        {
            "type": "link.create",
            "id": str(uuid.uuid4()),
            "source": str(items[0].pk),
            "target": str(items[1].pk),
            "label": "quay lại",
        },
        {
            "type": "item.create",
            "id": str(uuid.uuid4()),
            "lane": str(emotion_lane.pk),
            "stage": str(stage.pk),
            "position": "zz",
            "score": -1,
            "note": "Lo lắng",
            "persona": str(persona.pk),
        },
        {
            "type": "map.update",
            "fields": {"objective": "Hiểu khách", "next_review": "2026-06-30", "audience": "b2b"},
        },
    ]
    if plan_lane is not None:
        ops.append(
            {
                "type": "item.create",
                "id": str(uuid.uuid4()),
                "lane": str(plan_lane.pk),
                "stage": str(stage.pk),
                "position": "zz",
                "text": "Sửa",
                "fixes": str(items[0].pk),
                "owner": "CSKH",
                "due": "2026-05-01",
            }
        )
    apply_ops(map_id=template_map.pk, actor=owner, change_id=uuid.uuid4(), ops=ops)
    template_map.refresh_from_db()
    return template_map


def test_export_then_import_then_export_gives_the_same_document(rich_map, owner, workspace):
    exported = document_export(journey_map=rich_map)

    imported = document_import(
        workspace=workspace, actor=owner, document=PortableDocument.model_validate(exported)
    )
    again = document_export(journey_map=imported)

    assert imported.pk != rich_map.pk
    assert normalised(again) == normalised(exported)
    assert exported["links"] and any("persona" in i for i in exported["items"])


def test_the_round_trip_over_rest_keeps_the_document(client_for, owner, rich_map, workspace):
    client = client_for(owner)
    exported = client.get(f"/api/maps/{rich_map.pk}/document/").json()

    response = client.post(
        "/api/maps/import/", {"workspace": str(workspace.pk), "document": exported}, format="json"
    )

    assert response.status_code == 201
    new_id = response.json()["id"]
    again = client.get(f"/api/maps/{new_id}/document/").json()
    assert normalised(again) == normalised(exported)


def test_the_document_is_the_portable_format(client_for, owner, template_map):
    response = client_for(owner).get(f"/api/maps/{template_map.pk}/document/?download=1")

    body = response.json()
    assert (body["format"], body["version"]) == ("journeymap", 1)
    assert set(body) == {
        "format",
        "version",
        "map",
        "personas",
        "stages",
        "lanes",
        "items",
        "links",
    }
    assert "attachment" in response["Content-Disposition"]


def test_an_import_is_one_change_with_fresh_ids(rich_map, owner, workspace):
    exported = document_export(journey_map=rich_map)

    imported = document_import(
        workspace=workspace, actor=owner, document=PortableDocument.model_validate(exported)
    )

    assert imported.revision == 1
    assert Change.objects.filter(map=imported).count() == 1
    old_ids = set(Item.objects.filter(map=rich_map).values_list("id", flat=True))
    new_ids = set(Item.objects.filter(map=imported).values_list("id", flat=True))
    assert len(new_ids) == len(old_ids) and not old_ids & new_ids


def test_the_same_document_can_be_imported_twice(client_for, owner, rich_map, workspace):
    client = client_for(owner)
    exported = client.get(f"/api/maps/{rich_map.pk}/document/").json()
    body = {"workspace": str(workspace.pk), "document": exported}

    first = client.post("/api/maps/import/", body, format="json")
    second = client.post("/api/maps/import/", body, format="json")

    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["id"] != second.json()["id"]
    assert (
        len(first.json()["items"])
        == len(second.json()["items"])
        == Item.objects.filter(map=rich_map).count()
    )
    # The persona of the same name is reused, not copied again.
    assert Persona.objects.filter(workspace=workspace, name="Chị Hoa").count() == 1


def test_an_import_into_another_workspace_brings_its_personas(client_for, owner, rich_map):
    client = client_for(owner)
    exported = client.get(f"/api/maps/{rich_map.pk}/document/").json()
    other = client.post("/api/workspaces/", {"name": "Khác"}, format="json").json()

    response = client.post(
        "/api/maps/import/", {"workspace": other["id"], "document": exported}, format="json"
    )

    assert response.status_code == 201
    persona = Persona.objects.get(workspace_id=other["id"], name="Chị Hoa")
    assert (persona.quote, persona.channels) == ("Nhanh và rẻ", ["website"])
    assert str(persona.pk) in [p["id"] for p in response.json()["personas"]]
    assert Persona.objects.filter(workspace_id=other["id"]).count() == len(exported["personas"])


def _document() -> dict[str, Any]:
    return {
        "format": "journeymap",
        "version": 1,
        "map": {"title": "Nhập từ tệp", "type": "current"},
        "personas": [{"id": "p1", "name": "Khách mới"}],
        "stages": [{"id": "s1", "name": "Nhận thức"}, {"id": "s2", "name": "Mua"}],
        "lanes": [
            {"id": "l1", "kind": "actions", "title": "Hành động"},
            {"id": "l2", "kind": "touchpoints", "title": "Điểm chạm"},
            {"id": "l3", "kind": "emotions", "title": "Cảm xúc"},
        ],
        "items": [
            {"id": "i1", "lane": "l1", "stage": "s1", "text": "Tìm kiếm"},
            {"id": "i2", "lane": "l2", "stage": "s2", "channel": "website"},
            {"id": "i3", "lane": "l3", "stage": "s1", "score": 1, "persona": "p1"},
        ],
        "links": [{"id": "k1", "source": "i1", "target": "i2"}],
    }


def test_a_document_without_positions_keeps_its_list_order(client_for, owner, workspace):
    response = client_for(owner).post(
        "/api/maps/import/",
        {"workspace": str(workspace.pk), "document": _document()},
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert [s["name"] for s in body["stages"]] == ["Nhận thức", "Mua"]
    assert [lane["kind"] for lane in body["lanes"]] == ["actions", "touchpoints", "emotions"]
    assert len(body["items"]) == 3 and len(body["links"]) == 1


def _break(path: str, value: Any) -> dict[str, Any]:
    doc = _document()
    *parents, last = path.split(".")
    target: Any = doc
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    if value is ...:
        del target[int(last) if last.isdigit() else last]
    else:
        target[int(last) if last.isdigit() else last] = value
    return doc


BAD_DOCUMENTS = {
    "wrong format": _break("format", "uxpressia"),
    "wrong version": _break("version", 2),
    "no map": _break("map", ...),
    "no title": _break("map.title", ""),
    "title too long": _break("map.title", "t" * 201),
    "item text too long": _break("items.0.text", "ả" * 2001),
    "stage name too long": _break("stages.0.name", "n" * 121),
    "unknown lane kind": _break("lanes.0.kind", "feelings"),
    "item in a missing lane": _break("items.0.lane", "l9"),
    "item in a missing stage": _break("items.0.stage", "s9"),
    "item names a missing persona": _break("items.2.persona", "p9"),
    "link to a missing item": _break("links.0.target", "i9"),
    "duplicate stage ids": _break("stages.1.id", "s1"),
    "unknown field": _break("items.0.colour", "#000000"),
    "attribute of another kind": _break("items.0.score", 1),
    "unknown channel": _break("items.1.channel", "fax"),
    "score out of range": _break("items.2.score", 5),
    "control character": _break("items.0.text", "a\x00b"),
    "stages not a list": _break("stages", {"s1": "Nhận thức"}),
    "bad persona colour": _break("personas.0.color", "red"),
}


@pytest.mark.parametrize("case", sorted(BAD_DOCUMENTS))
def test_a_bad_document_is_refused_whole_and_creates_nothing(client_for, owner, workspace, case):
    response = client_for(owner).post(
        "/api/maps/import/",
        {"workspace": str(workspace.pk), "document": BAD_DOCUMENTS[case]},
        format="json",
    )

    assert response.status_code == 400, response.json()
    body = response.json()
    assert body["code"] == "invalid" and body["message"]
    assert not JourneyMap.objects.exists()
    assert not Persona.objects.exists()
    assert not Stage.objects.exists() and not Link.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"workspace": "x", "document": {}},
        {"document": {}},
        {"workspace": "{ws}"},
        {"workspace": "{ws}", "document": []},
    ],
)
def test_an_import_request_without_a_workspace_and_document_is_a_400(
    client_for, owner, workspace, body
):
    body = {k: (str(workspace.pk) if v == "{ws}" else v) for k, v in body.items()}

    response = client_for(owner).post("/api/maps/import/", body, format="json")

    assert response.status_code == 400
    assert not JourneyMap.objects.exists()


def test_importing_into_a_workspace_i_am_not_in_is_404(client_for, outsider, workspace):
    response = client_for(outsider).post(
        "/api/maps/import/",
        {"workspace": str(workspace.pk), "document": _document()},
        format="json",
    )

    assert response.status_code == 404
    assert not JourneyMap.objects.exists()
