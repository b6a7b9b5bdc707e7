"""Every REST endpoint, called by each kind of caller, answers exactly the status in ENDPOINTS.

Callers (the `role_users` fixture): nobody signed in, an outsider, a viewer and a commenter of
the map (explicit map roles, not workspace members), an editor (a workspace member) and the
owner (workspace admin who created the map).

Adding an endpoint? `test_every_api_route_is_walked` lists the /api/ routes of urls.py at run
time and fails for any (route name, method) missing from ENDPOINTS: add a row there with the
expected statuses, or, only if another test file walks it, a line in COVERED_ELSEWHERE.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver

from exports.models import ExportJob
from insights.models import Insight, InsightLink
from maps.documents import map_create
from maps.services import apply_ops
from personas.models import Persona
from workspaces.models import MapAccess, ShareLink

pytestmark = pytest.mark.django_db

CALLERS = ["anonymous", "outsider", "viewer", "commenter", "editor", "owner"]
METHODS = ["get", "post", "put", "patch", "delete"]


@dataclass(frozen=True)
class Endpoint:
    route: str  # the URL name in journeymap/urls.py (or an included urls module)
    method: str
    path: str  # formatted with the names `_world` returns
    expect: str  # one status per caller, in CALLERS order
    body: Any = None

    @property
    def statuses(self) -> dict[str, int]:
        codes = [int(code) for code in self.expect.split()]
        assert len(codes) == len(CALLERS), self
        return dict(zip(CALLERS, codes, strict=True))

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.route}"


DOCUMENT = {
    "format": "journeymap",
    "version": 1,
    "map": {"title": "Nhập"},
    "stages": [{"id": "s1", "name": "Nhận thức"}],
    "lanes": [{"id": "l1", "kind": "actions", "title": "Hành động"}],
    "items": [{"id": "i1", "lane": "l1", "stage": "s1", "text": "Tìm kiếm"}],
}
EDIT = {
    "id": "{new}",
    "ops": [{"type": "stage.update", "id": "{stage}", "fields": {"name": "Đổi"}}],
}
COMMENT = {
    "id": "{new}",
    "ops": [{"type": "comment.create", "id": "{new}", "stage": "{stage}", "text": "Ý kiến"}],
}

# fmt: off
ENDPOINTS = [
    # Endpoint(route name, method, path, statuses for
    #          "anonymous outsider viewer commenter editor owner", body)
    Endpoint("api-token", "post", "/api/auth/token/",
             "200 200 200 200 200 200", {"username": "owner", "password": "pw"}),
    Endpoint("api-workspaces", "get", "/api/workspaces/", "401 200 200 200 200 200"),
    Endpoint("api-workspaces", "post", "/api/workspaces/",
             "401 201 201 201 201 201", {"name": "Nhóm mới"}),
    Endpoint("api-workspace-members", "get", "/api/workspaces/{workspace}/members/",
             "401 404 404 404 200 200"),
    Endpoint("api-workspace-members", "post", "/api/workspaces/{workspace}/members/",
             "401 404 404 404 403 201", {"username": "target", "role": "member"}),
    Endpoint("api-workspace-activity", "get", "/api/workspaces/{workspace}/activity/",
             "401 404 404 404 200 200"),
    # Viewer and commenter are not members but have a role on a map of the workspace.
    Endpoint("api-workspace-landscape", "get", "/api/workspaces/{workspace}/landscape/",
             "401 404 200 200 200 200"),
    Endpoint("api-workspace-portfolio", "get", "/api/workspaces/{workspace}/portfolio/",
             "401 404 200 200 200 200"),
    Endpoint("api-personas", "get", "/api/personas/?workspace={workspace}",
             "401 404 404 404 200 200"),
    Endpoint("api-personas", "post", "/api/personas/?workspace={workspace}",
             "401 404 404 404 201 201", {"name": "Chị Mai"}),
    Endpoint("api-persona", "get", "/api/personas/{persona}/", "401 404 404 404 200 200"),
    Endpoint("api-persona", "patch", "/api/personas/{persona}/",
             "401 404 404 404 200 200", {"quote": "Nhanh lên"}),
    Endpoint("api-persona", "delete", "/api/personas/{persona}/", "401 404 404 404 204 204"),
    Endpoint("api-templates", "get", "/api/templates/", "401 200 200 200 200 200"),
    Endpoint("api-metrics", "get", "/api/metrics/", "401 200 200 200 200 200"),
    Endpoint("api-metrics-calc", "post", "/api/metrics/calculate/", "401 200 200 200 200 200",
             {"metric": "nps", "promoters": 6, "passives": 2, "detractors": 2}),
    Endpoint("api-persona-templates", "get", "/api/persona-templates/",
             "401 200 200 200 200 200"),
    Endpoint("api-persona-template", "post", "/api/persona-templates/b2c_student/",
             "401 404 404 404 201 201", {"workspace": "{workspace}"}),
    Endpoint("api-map-health", "get", "/api/maps/{map}/health/", "401 404 200 200 200 200"),
    Endpoint("api-map-coverage", "get", "/api/maps/{map}/coverage/", "401 404 200 200 200 200"),
    Endpoint("api-map-save-as-template", "post", "/api/maps/{map}/save-as-template/",
             "401 404 403 403 403 201", {"name": "Mẫu của nhóm"}),
    Endpoint("api-maps", "get", "/api/maps/", "401 200 200 200 200 200"),
    Endpoint("api-maps", "post", "/api/maps/",
             "401 404 404 404 201 201", {"workspace": "{workspace}", "title": "Bản đồ mới"}),
    Endpoint("api-map-import", "post", "/api/maps/import/",
             "401 404 404 404 201 201", {"workspace": "{workspace}", "document": DOCUMENT}),
    Endpoint("api-map", "get", "/api/maps/{map}/", "401 404 200 200 200 200"),
    Endpoint("api-map", "patch", "/api/maps/{map}/",
             "401 404 403 403 200 200", {"title": "Đổi tên"}),
    Endpoint("api-map", "delete", "/api/maps/{map}/", "401 404 403 403 403 204"),
    Endpoint("api-map-changes", "get", "/api/maps/{map}/changes/?since=0",
             "401 404 200 200 200 200"),
    Endpoint("api-map-changes", "post", "/api/maps/{map}/changes/",
             "401 404 403 403 200 200", EDIT),
    Endpoint("api-map-members", "get", "/api/maps/{map}/members/", "401 404 200 200 200 200"),
    Endpoint("api-map-members", "post", "/api/maps/{map}/members/",
             "401 404 403 403 403 201", {"username": "newcomer", "role": "viewer"}),
    Endpoint("api-map-member", "patch", "/api/maps/{map}/members/{target}/",
             "401 404 403 403 403 200", {"role": "commenter"}),
    Endpoint("api-map-member", "delete", "/api/maps/{map}/members/{target}/",
             "401 404 403 403 403 204"),
    Endpoint("api-map-document", "get", "/api/maps/{map}/document/", "401 404 200 200 200 200"),
    Endpoint("api-map-hierarchy", "get", "/api/maps/{map}/hierarchy/", "401 404 200 200 200 200"),
    Endpoint("api-map-share-links", "get", "/api/maps/{map}/share-links/",
             "401 404 403 403 403 200"),
    Endpoint("api-map-share-links", "post", "/api/maps/{map}/share-links/",
             "401 404 403 403 403 201", {"role": "viewer"}),
    Endpoint("api-map-share-link", "delete", "/api/maps/{map}/share-links/{link}/",
             "401 404 403 403 403 204"),
    Endpoint("api-shared-map", "get", "/api/share/{token}/", "200 200 200 200 200 200"),
    Endpoint("api-shared-changes", "post", "/api/share/{comment_token}/changes/",
             "401 200 200 200 200 200", COMMENT),
    Endpoint("api-notifications", "get", "/api/notifications/", "401 200 200 200 200 200"),
    Endpoint("api-notifications-read", "post", "/api/notifications/read/",
             "401 200 200 200 200 200", {}),
    Endpoint("api-map-history", "get", "/api/maps/{map}/history/", "401 404 200 200 200 200"),
    Endpoint("api-map-versions", "get", "/api/maps/{map}/versions/", "401 404 200 200 200 200"),
    Endpoint("api-map-versions", "post", "/api/maps/{map}/versions/",
             "401 404 403 403 201 201", {"name": "Trước buổi họp"}),
    Endpoint("api-map-compare", "get", "/api/maps/{map}/compare/?from=0&to=1",
             "401 404 200 200 200 200"),
    Endpoint("api-map-restore", "post", "/api/maps/{map}/restore/",
             "401 404 403 403 200 200", {"revision": 0}),
    Endpoint("api-map-current-state", "put", "/api/maps/{map}/current-state/",
             "401 404 403 403 200 200", {"map": "{current}"}),
    Endpoint("api-map-side-by-side", "get", "/api/maps/{map}/side-by-side/",
             "401 404 200 200 200 200"),
    Endpoint("api-exports", "get", "/api/maps/{map}/exports/", "401 404 200 200 200 200"),
    Endpoint("api-exports", "post", "/api/maps/{map}/exports/",
             "401 404 202 202 202 202", {"format": "csv"}),
    Endpoint("api-export", "get", "/api/exports/{export}/", "401 404 200 200 200 200"),
    Endpoint("api-file", "get", "/api/exports/{export}/file/", "401 404 200 200 200 200"),
    Endpoint("api-docs", "get", "/api/docs/", "200 200 200 200 200 200"),
    # Insights: viewer and commenter read the ones behind their map's cards; members change.
    Endpoint("api-workspace-insights", "get", "/api/workspaces/{workspace}/insights/",
             "401 404 200 200 200 200"),
    Endpoint("api-workspace-insights", "post", "/api/workspaces/{workspace}/insights/",
             "401 404 403 403 201 201", {"kind": "survey", "text": "62% bỏ giỏ hàng"}),
    Endpoint("api-insight", "get", "/api/insights/{insight}/", "401 404 200 200 200 200"),
    Endpoint("api-insight", "patch", "/api/insights/{insight}/",
             "401 404 403 403 200 200", {"text": "Đổi"}),
    Endpoint("api-insight", "delete", "/api/insights/{insight}/", "401 404 403 403 204 204"),
    Endpoint("api-map-insights", "get", "/api/maps/{map}/insights/", "401 404 200 200 200 200"),
    Endpoint("api-card-insights", "post", "/api/maps/{map}/items/{item}/insights/",
             "401 404 403 403 201 201", {"insight": "{spare_insight}"}),
    Endpoint("api-card-insight", "delete", "/api/maps/{map}/items/{item}/insights/{insight}/",
             "401 404 403 403 204 204"),
]
# fmt: on

# (route name, method) pairs another test file walks with every caller. Add a line here only
# with the file that does it.
COVERED_ELSEWHERE: dict[tuple[str, str], str] = {
    ("api-schema", "get"): "tests/test_schema.py (public; slow to build six times)",
    ("api-sheet-import", "post"): "tests/sheets/test_api.py (a multipart upload, not JSON)",
    ("api-sheet-import-preview", "post"): "tests/sheets/test_api.py (a multipart upload)",
    **{
        (route, method): "tests/integrations/test_api.py (outsider 404, member 403, admin)"
        for route, method in [
            ("api-workspace-webhooks", "get"),
            ("api-workspace-webhooks", "post"),
            ("api-webhook", "get"),
            ("api-webhook", "patch"),
            ("api-webhook", "delete"),
            ("api-webhook-secret", "post"),
            ("api-webhook-deliveries", "get"),
            ("api-webhook-redeliver", "post"),
        ]
    },
    # They name opportunity cards and action items on two maps: that file builds them.
    ("api-portfolio-opportunity", "patch"): "tests/portfolio/test_portfolio_api.py",
    ("api-portfolio-links", "post"): "tests/portfolio/test_portfolio_api.py",
    ("api-portfolio-link", "delete"): "tests/portfolio/test_portfolio_api.py",
}


def _fill(value: Any, names: dict[str, Any]) -> Any:
    if isinstance(value, str):
        return value.format(**names)
    if isinstance(value, list):
        return [_fill(v, names) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, names) for k, v in value.items()}
    return value


@pytest.fixture
def world(
    journey_map: Any,
    role_users: dict[str, Any],
    make_user: Any,
    owner: Any,
    settings: Any,
    tmp_path: Any,
) -> dict[str, Any]:
    """Something of every kind an endpoint can name, on `journey_map` and its workspace."""
    settings.MEDIA_ROOT = str(tmp_path)
    stage, lane, item = (str(uuid.uuid4()) for _ in range(3))
    apply_ops(
        map_id=journey_map.pk,
        actor=owner,
        change_id=uuid.uuid4(),
        ops=[
            {"type": "stage.create", "id": stage, "name": "Nhận thức", "position": "a0"},
            {
                "type": "lane.create",
                "id": lane,
                "kind": "obstacles",
                "title": "Rào cản",
                "position": "a0",
            },
            {
                "type": "item.create",
                "id": item,
                "lane": lane,
                "stage": stage,
                "position": "a0",
                "text": "Phí ship bất ngờ",
            },
        ],
    )
    insight = Insight.objects.create(workspace=journey_map.workspace, kind="interview", text="“…”")
    InsightLink.objects.create(insight=insight, item_id=item)
    spare = Insight.objects.create(workspace=journey_map.workspace, kind="survey", text="62%")
    target = make_user("target")
    make_user("newcomer")
    MapAccess.objects.create(map=journey_map, user=target, role="editor")
    persona = Persona.objects.create(workspace=journey_map.workspace, name="Chị Hoa")
    link = ShareLink.objects.create(map=journey_map, role="viewer", created_by=owner)
    comment_link = ShareLink.objects.create(map=journey_map, role="commenter", created_by=owner)
    current = map_create(workspace=journey_map.workspace, actor=owner, title="Hiện tại")
    for role in ("viewer", "commenter"):
        MapAccess.objects.create(map=current, user=role_users[role], role="viewer")
    journey_map.current_state = current
    journey_map.save(update_fields=["current_state"])
    export = ExportJob.objects.create(
        map=journey_map,
        format="csv",
        requested_by=owner,
        status=ExportJob.Status.DONE,
        progress=100,
    )
    export.file.save("map.csv", ContentFile(b"stage,text\n"), save=True)
    return {
        "map": journey_map.pk,
        "workspace": journey_map.workspace_id,
        "stage": stage,
        "target": target.pk,
        "persona": persona.pk,
        "link": link.pk,
        "token": link.token,
        "comment_token": comment_link.token,
        "current": str(current.pk),
        "export": export.pk,
        "new": str(uuid.uuid4()),
        "item": item,
        "insight": insight.pk,
        "spare_insight": str(spare.pk),
    }


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_each_caller_gets_exactly_the_expected_status(
    endpoint, caller, world, role_users, client_for
):
    client = client_for(None if caller == "anonymous" else role_users[caller])
    call = getattr(client, endpoint.method)

    response = call(_fill(endpoint.path, world), _fill(endpoint.body, world), format="json")

    expected = endpoint.statuses[caller]
    assert response.status_code == expected, getattr(response, "data", response)
    if expected >= 400:
        body = response.json()
        assert set(body) >= {"code", "message"}
        assert (
            body["code"] == {401: "unauthenticated", 403: "forbidden", 404: "not_found"}[expected]
        )


def _api_routes() -> set[tuple[str, str]]:
    """(route name, method) for every pattern under /api/ that urls.py serves right now."""
    found: set[tuple[str, str]] = set()

    def walk(patterns: list[Any], prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern) and route.startswith("api/"):
                view = getattr(pattern.callback, "view_class", None) or getattr(
                    pattern.callback, "cls", None
                )
                methods = [m for m in METHODS if view is None or hasattr(view, m)]
                found.update((pattern.name or route, m) for m in methods)

    walk(get_resolver().url_patterns, "")
    return found


def test_every_api_route_is_walked():
    walked = {(e.route, e.method) for e in ENDPOINTS} | set(COVERED_ELSEWHERE)

    missing = sorted(_api_routes() - walked)

    assert missing == [], (
        "add these to ENDPOINTS in tests/test_authorization.py with the status each caller "
        f"must get: {missing}"
    )


def test_the_table_names_only_routes_that_exist():
    assert {(e.route, e.method) for e in ENDPOINTS} - _api_routes() == set()
