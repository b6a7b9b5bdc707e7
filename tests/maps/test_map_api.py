"""The maps REST API: create, list, read, PATCH, delete, changes and members (docs/protocol.md)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from maps.document_cache import documents
from maps.documents import map_create
from maps.models import Change, JourneyMap, Stage
from maps.services import apply_ops
from personas.models import Persona
from workspaces.models import MapAccess

pytestmark = pytest.mark.django_db


def new() -> str:
    return str(uuid.uuid4())


def stage_op(name: str = "Nhận thức", position: str = "a0") -> dict[str, Any]:
    return {"type": "stage.create", "id": new(), "name": name, "position": position}


# --- create ---------------------------------------------------------------------------------


def test_creating_an_empty_map_answers_201_with_the_document(client_for, owner, workspace):
    response = client_for(owner).post(
        "/api/maps/", {"workspace": str(workspace.pk), "title": "Mua laptop"}, format="json"
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["title"], body["revision"], body["stages"], body["language"]) == (
        "Mua laptop",
        0,
        [],
        "vi",
    )
    created = JourneyMap.objects.get(pk=body["id"])
    assert MapAccess.objects.get(map=created).user == owner


def test_creating_from_a_template_fills_the_map_in_one_change(client_for, owner, workspace):
    response = client_for(owner).post(
        "/api/maps/",
        {
            "workspace": str(workspace.pk),
            "title": "Khách mua xe",
            "template": "buyer_journey_5",
            "language": "en",
        },
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["revision"], body["template"], body["language"]) == (1, "buyer_journey_5", "en")
    assert body["title"] == "Khách mua xe"
    assert len(body["stages"]) == 5
    assert body["lanes"] and body["items"]
    assert Change.objects.filter(map_id=body["id"]).count() == 1


def test_an_unknown_template_is_refused_and_creates_nothing(client_for, owner, workspace):
    response = client_for(owner).post(
        "/api/maps/",
        {"workspace": str(workspace.pk), "title": "x", "template": "nope"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert not JourneyMap.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"title": "Không có workspace"},
        {"workspace": "not-a-uuid", "title": "x"},
        {"workspace": "{ws}", "title": ""},
        {"workspace": "{ws}", "title": "t" * 201},
        {"workspace": "{ws}", "title": "x", "language": "fr"},
    ],
)
def test_a_map_with_bad_fields_is_refused_with_400(client_for, owner, workspace, body):
    body = {k: (str(workspace.pk) if v == "{ws}" else v) for k, v in body.items()}

    response = client_for(owner).post("/api/maps/", body, format="json")

    assert response.status_code == 400
    assert set(response.json()) >= {"code", "message"}
    assert not JourneyMap.objects.exists()


# --- list -----------------------------------------------------------------------------------


@pytest.fixture
def three_maps(workspace: Any, owner: Any, member: Any) -> dict[str, Any]:
    maps: dict[str, Any] = {
        "xe": map_create(workspace=workspace, actor=owner, title="Mua xe máy"),
        "bank": map_create(workspace=workspace, actor=member, title="Mở tài khoản"),
        "travel": map_create(workspace=workspace, actor=owner, title="Đặt vé"),
    }
    persona = Persona.objects.create(workspace=workspace, name="Chị Hoa")
    apply_ops(
        map_id=maps["bank"].pk,
        actor=owner,
        change_id=uuid.uuid4(),
        ops=[
            {
                "type": "map.update",
                "fields": {"objective": "Giảm thời gian chờ ở chi nhánh", "type": "future"},
            },
            {"type": "persona.attach", "persona": str(persona.pk)},
        ],
    )
    maps["persona"] = persona
    return maps


def _titles(response: Any) -> set[str]:
    assert response.status_code == 200, response.json()
    return {row["title"] for row in response.json()}


def test_the_list_holds_the_maps_the_caller_can_see(client_for, owner, outsider, three_maps):
    assert _titles(client_for(owner).get("/api/maps/")) == {"Mua xe máy", "Mở tài khoản", "Đặt vé"}
    assert _titles(client_for(outsider).get("/api/maps/")) == set()


def test_a_map_shared_with_someone_outside_the_workspace_is_in_their_list(
    client_for, outsider, three_maps
):
    MapAccess.objects.create(map=three_maps["travel"], user=outsider, role="viewer")

    assert _titles(client_for(outsider).get("/api/maps/")) == {"Đặt vé"}


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("q=xe", {"Mua xe máy"}),
        ("q=CHI nhánh", {"Mở tài khoản"}),
        ("q=ĐẶT", {"Đặt vé"}),
        ("q=mở TÀI", {"Mở tài khoản"}),
        ("type=future", {"Mở tài khoản"}),
        ("owner=member", {"Mở tài khoản"}),
        ("q=không có", set()),
    ],
)
def test_the_list_searches_and_filters(client_for, owner, three_maps, query, titles):
    assert _titles(client_for(owner).get(f"/api/maps/?{query}")) == titles


def test_the_list_filters_by_workspace_and_persona(client_for, owner, three_maps, workspace):
    client = client_for(owner)

    assert len(_titles(client.get(f"/api/maps/?workspace={workspace.pk}"))) == 3
    assert _titles(client.get(f"/api/maps/?workspace={uuid.uuid4()}")) == set()
    assert _titles(client.get(f"/api/maps/?persona={three_maps['persona'].pk}")) == {"Mở tài khoản"}


@pytest.mark.parametrize("query", ["workspace=abc", "persona=123"])
def test_a_bad_uuid_filter_is_a_400(client_for, owner, query):
    response = client_for(owner).get(f"/api/maps/?{query}")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_list_rows_carry_the_stage_strip_and_the_owner(client_for, owner, template_map):
    (row,) = client_for(owner).get("/api/maps/").json()

    assert len(row["stages"]) == 5
    assert row["owner"] == "Lan Nguyễn"
    assert row["id"] == str(template_map.pk)


# --- read -----------------------------------------------------------------------------------


def test_the_document_has_every_list_and_the_callers_role(client_for, member, template_map):
    body = client_for(member).get(f"/api/maps/{template_map.pk}/").json()

    assert set(body) >= {
        "id",
        "title",
        "revision",
        "stages",
        "lanes",
        "items",
        "links",
        "personas",
        "comments",
        "role",
    }
    assert body["role"] == "editor"
    assert [s["position"] for s in body["stages"]] == sorted(s["position"] for s in body["stages"])
    assert all("id" in item and "position" in item for item in body["items"])


def _fill(journey_map: Any, owner: Any, items: int) -> None:
    stages = [new() for _ in range(12)]
    lanes = [new() for _ in range(10)]
    kinds = [
        "actions",
        "touchpoints",
        "emotions",
        "metrics",
        "action_plan",
        "obstacles",
        "motivations",
        "opportunities",
        "thoughts",
        "owners",
    ]
    ops: list[dict[str, Any]] = [
        {"type": "stage.create", "id": s, "name": f"Giai đoạn {i}", "position": f"a{i:02d}"}
        for i, s in enumerate(stages)
    ]
    ops += [
        {
            "type": "lane.create",
            "id": lane,
            "kind": kinds[i],
            "title": kinds[i],
            "position": f"a{i:02d}",
        }
        for i, lane in enumerate(lanes)
    ]
    item_ids = [new() for _ in range(items)]
    ops += [
        {
            "type": "item.create",
            "id": item_id,
            "lane": lanes[i % 10],
            "stage": stages[i % 12],
            "position": f"a{i:04d}",
            "text": f"Thẻ {i}",
        }
        for i, item_id in enumerate(item_ids)
    ]
    if items > 1:
        ops.append(
            {"type": "link.create", "id": new(), "source": item_ids[0], "target": item_ids[1]}
        )
    ops.append({"type": "comment.create", "id": new(), "item": item_ids[0], "text": "@member?"})
    apply_ops(map_id=journey_map.pk, actor=owner, change_id=uuid.uuid4(), ops=ops, max_ops=len(ops))


def _queries_to_read(client: Any, journey_map: Any) -> int:
    documents.clear()  # what building the document costs, not a cached copy
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/api/maps/{journey_map.pk}/")
    assert response.status_code == 200
    return len(queries.captured_queries)


def test_the_document_costs_the_same_few_queries_for_1_item_and_600(
    client_for, owner, workspace, django_assert_max_num_queries
):
    small = map_create(workspace=workspace, actor=owner, title="Nhỏ")
    large = map_create(workspace=workspace, actor=owner, title="Lớn")
    _fill(small, owner, 1)
    _fill(large, owner, 600)
    client = client_for(owner)

    with django_assert_max_num_queries(10):
        response = client.get(f"/api/maps/{large.pk}/")

    assert len(response.json()["items"]) == 600
    assert _queries_to_read(client, small) == _queries_to_read(client, large)


def test_a_signed_in_browser_session_reads_the_document_within_budget(
    client, owner, journey_map, django_assert_max_num_queries
):
    client.force_login(owner)

    with django_assert_max_num_queries(10):
        response = client.get(f"/api/maps/{journey_map.pk}/")

    assert response.status_code == 200


# --- PATCH and DELETE -----------------------------------------------------------------------


def test_patch_goes_through_a_logged_map_update_change(client_for, member, journey_map):
    response = client_for(member).patch(
        f"/api/maps/{journey_map.pk}/", {"title": "Đổi tên", "status": "approved"}, format="json"
    )

    assert response.status_code == 200
    assert (response.json()["title"], response.json()["revision"]) == ("Đổi tên", 1)
    logged = Change.objects.get(map=journey_map)
    assert logged.actor == member
    assert logged.ops == [
        {"type": "map.update", "fields": {"title": "Đổi tên", "status": "approved"}}
    ]


@pytest.mark.parametrize(
    "body", [{"title": ""}, {"status": "gone"}, {"revision": 9}, {}, ["title"], {"title": None}]
)
def test_a_bad_patch_is_a_400_and_changes_nothing(client_for, member, journey_map, body):
    response = client_for(member).patch(f"/api/maps/{journey_map.pk}/", body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_op"
    journey_map.refresh_from_db()
    assert (journey_map.revision, journey_map.title) == (0, "Hành trình thử nghiệm")


def test_only_an_owner_can_delete_a_map(client_for, role_users, journey_map):
    assert (
        client_for(role_users["editor"]).delete(f"/api/maps/{journey_map.pk}/").status_code == 403
    )

    response = client_for(role_users["owner"]).delete(f"/api/maps/{journey_map.pk}/")

    assert response.status_code == 204
    assert not JourneyMap.objects.filter(pk=journey_map.pk).exists()


# --- changes --------------------------------------------------------------------------------


def _post_change(client: Any, journey_map: Any, ops: Any, change_id: str | None = None) -> Any:
    return client.post(
        f"/api/maps/{journey_map.pk}/changes/",
        {"id": change_id or new(), "ops": ops},
        format="json",
    )


def test_a_retried_rest_change_answers_the_same_revision(client_for, member, journey_map):
    change_id, ops = new(), [stage_op()]

    first = _post_change(client_for(member), journey_map, ops, change_id)
    again = _post_change(client_for(member), journey_map, ops, change_id)

    assert first.json() == again.json() == {"revision": 1, "id": change_id}
    assert Stage.objects.filter(map=journey_map).count() == 1


@pytest.mark.parametrize(
    ("ops", "status", "code", "op"),
    [
        (
            [stage_op(), {"type": "stage.delete", "id": "3f1c7d4e-0000-4000-8000-000000000000"}],
            409,
            "not_found",
            1,
        ),
        ([stage_op(), {"type": "stage.create", "id": "x"}], 400, "invalid_op", 1),
        ([{"type": "nope"}], 400, "invalid_op", 0),
        ([], 400, "bad_message", None),
        ("ops", 400, "bad_message", None),
    ],
)
def test_a_rejected_rest_change_names_its_code_and_op(
    client_for, member, journey_map, ops, status, code, op
):
    response = _post_change(client_for(member), journey_map, ops)

    assert response.status_code == status
    body = response.json()
    assert body["code"] == code
    assert body.get("op") == op
    assert body["message"]
    journey_map.refresh_from_db()
    assert journey_map.revision == 0


@pytest.mark.parametrize(
    "body", [{"ops": [stage_op()]}, {"id": "abc", "ops": [stage_op()]}, {"id": 5, "ops": []}, ["x"]]
)
def test_a_change_without_a_uuid_id_is_a_bad_message(client_for, member, journey_map, body):
    response = client_for(member).post(f"/api/maps/{journey_map.pk}/changes/", body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "bad_message"


def test_a_viewer_sending_a_change_gets_403_forbidden(client_for, role_users, journey_map):
    response = _post_change(client_for(role_users["viewer"]), journey_map, [stage_op()])

    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_too_many_ops_in_a_rest_change_is_413(client_for, member, journey_map):
    from maps.ops import MAX_OPS_PER_CHANGE

    ops = [{"type": "map.update", "fields": {"objective": "x"}}] * (MAX_OPS_PER_CHANGE + 1)

    response = _post_change(client_for(member), journey_map, ops)

    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


def test_changes_since_a_revision_come_oldest_first_in_pages(client_for, member, journey_map):
    client = client_for(member)
    for index in range(5):
        _post_change(client, journey_map, [stage_op(f"S{index}", f"a{index}")])

    first = client.get(f"/api/maps/{journey_map.pk}/changes/?since=0&limit=2").json()
    second = client.get(first["next"]).json()
    last = client.get(second["next"]).json()

    assert [c["revision"] for c in first["results"]] == [1, 2]
    assert [c["revision"] for c in second["results"]] == [3, 4]
    assert ([c["revision"] for c in last["results"]], last["next"]) == ([5], None)
    change = first["results"][0]
    assert set(change) == {"revision", "id", "actor", "ops", "created"}
    assert change["actor"]["user"] == member.pk
    assert change["ops"][0]["name"] == "S0"


def test_the_change_page_has_exactly_the_documented_change_shape(client_for, member, journey_map):
    from maps.models import Change
    from maps.serializers import ChangeSerializer

    client = client_for(member)
    _post_change(client, journey_map, [stage_op()])

    body = client.get(f"/api/maps/{journey_map.pk}/changes/").json()

    logged = Change.objects.filter(map=journey_map).order_by("revision")
    assert body["results"] == json.loads(json.dumps(ChangeSerializer(logged, many=True).data))


def test_all_changes_fit_one_page_without_a_next_link(client_for, member, journey_map):
    client = client_for(member)
    _post_change(client, journey_map, [stage_op()])

    body = client.get(f"/api/maps/{journey_map.pk}/changes/").json()

    assert ([c["revision"] for c in body["results"]], body["next"], body["revision"]) == (
        [1],
        None,
        1,
    )


@pytest.mark.parametrize("query", ["since=abc", "since=-1", "limit=x"])
def test_a_bad_since_or_limit_is_a_400(client_for, member, journey_map, query):
    response = client_for(member).get(f"/api/maps/{journey_map.pk}/changes/?{query}")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


# --- members --------------------------------------------------------------------------------


def test_members_lists_workspace_members_and_explicit_roles(client_for, role_users, journey_map):
    rows = client_for(role_users["viewer"]).get(f"/api/maps/{journey_map.pk}/members/").json()

    roles = {row["user"]["username"]: (row["role"], row["explicit"]) for row in rows}
    assert roles == {
        "owner": ("owner", True),
        "member": ("editor", False),
        "commenter": ("commenter", True),
        "viewer": ("viewer", True),
    }


def test_an_owner_invites_by_email_with_a_role(client_for, owner, outsider, journey_map):
    response = client_for(owner).post(
        f"/api/maps/{journey_map.pk}/members/",
        {"email": "OUTSIDER@example.com", "role": "commenter"},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["role"] == "commenter"
    assert journey_map.role_of(outsider) == "commenter"


@pytest.mark.parametrize(
    "body",
    [
        {"username": "nobody", "role": "viewer"},
        {"username": "outsider", "role": "admin"},
        {"username": "outsider", "email": "outsider@example.com", "role": "viewer"},
        {"role": "viewer"},
    ],
)
def test_a_bad_invitation_is_a_400(client_for, owner, outsider, journey_map, body):
    response = client_for(owner).post(f"/api/maps/{journey_map.pk}/members/", body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert journey_map.role_of(outsider) is None


# --- templates ------------------------------------------------------------------------------


def test_the_template_library_lists_keys_and_names_in_both_languages(client_for, member):
    rows = client_for(member).get("/api/templates/").json()

    by_key = {row["key"]: row for row in rows}
    assert "buyer_journey_5" in by_key
    assert by_key["buyer_journey_5"]["name_vi"] and by_key["buyer_journey_5"]["name_en"]


# --- hostile input never makes a 500 --------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body", "content_type"),
    [
        ("post", "/api/maps/{map}/changes/", "{not json", "application/json"),
        ("post", "/api/maps/{map}/changes/", "\xff\xfe", "application/json"),
        ("patch", "/api/maps/{map}/", "[1, 2", "application/json"),
        ("post", "/api/maps/", "title=x", "text/plain"),
        ("post", "/api/maps/import/", "<xml/>", "application/xml"),
        ("post", "/api/workspaces/", '"just a string"', "application/json"),
        ("post", "/api/personas/", "[]", "application/json"),
        ("post", "/api/maps/{map}/members/", "null", "application/json"),
        ("patch", "/api/maps/{map}/", "title=x&title=y", "application/x-www-form-urlencoded"),
    ],
)
def test_malformed_bodies_get_a_json_error_never_a_500(
    client_for, owner, journey_map, method, path, body, content_type
):
    call = getattr(client_for(owner), method)

    response = call(path.format(map=journey_map.pk), body, content_type=content_type)

    assert 400 <= response.status_code < 500
    assert set(response.json()) >= {"code", "message"}


@pytest.mark.parametrize(
    "path",
    [
        "/api/maps/not-a-uuid/",
        "/api/maps/123/changes/",
        "/api/personas/xyz/",
        "/api/workspaces/zzz/members/",
        f"/api/maps/{uuid.uuid4()}/",
    ],
)
def test_paths_with_bad_or_unknown_ids_are_a_json_404(client_for, owner, path):
    response = client_for(owner).get(path)

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_token_from_the_token_endpoint_authenticates(api, owner, journey_map):
    token = api.post(
        "/api/auth/token/", {"username": "owner", "password": "pw"}, format="json"
    ).json()["token"]

    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = api.get(f"/api/maps/{journey_map.pk}/")

    assert response.status_code == 200


def test_a_wrong_token_is_401(api, journey_map):
    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    response = api.get(f"/api/maps/{journey_map.pk}/")

    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_the_last_owner_cannot_demote_themself_through_members(
    client_for, make_user, outsider, workspace
):
    # An owner who is not a workspace admin: the map's only owner.
    map_owner = make_user("solo")
    journey_map = map_create(workspace=workspace, actor=map_owner, title="Của tôi")
    workspace.memberships.filter(role="admin").update(role="member")

    response = client_for(map_owner).post(
        f"/api/maps/{journey_map.pk}/members/",
        {"username": "solo", "role": "viewer"},
        format="json",
    )

    assert response.status_code == 409
    assert response.json()["code"] == "last_owner"
    assert journey_map.role_of(map_owner) == "owner"


def test_a_change_that_is_not_json_is_a_bad_message(client_for, member, journey_map):
    response = client_for(member).post(
        f"/api/maps/{journey_map.pk}/changes/", "{not json", content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "bad_message"


@pytest.mark.parametrize("query", ["q=%00", "owner=a%00", "type=%1b", "ordering=%00"])
def test_control_characters_in_list_filters_are_a_400(client_for, owner, query):
    response = client_for(owner).get(f"/api/maps/?{query}")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


@pytest.mark.parametrize("title", ["a\x00b", "a\x1bb"])
def test_a_map_title_with_control_characters_is_a_400(client_for, owner, workspace, title):
    response = client_for(owner).post(
        "/api/maps/", {"workspace": str(workspace.pk), "title": title}, format="json"
    )

    assert response.status_code == 400
    assert not JourneyMap.objects.exists()


def test_a_new_maps_title_is_stored_in_nfc(client_for, owner, workspace):
    import unicodedata

    response = client_for(owner).post(
        "/api/maps/",
        {"workspace": str(workspace.pk), "title": unicodedata.normalize("NFD", "Hành trình")},
        format="json",
    )

    assert response.json()["title"] == "Hành trình"
    assert JourneyMap.objects.get().title == "Hành trình"
