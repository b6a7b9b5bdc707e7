"""The app split (issue 14) moves models between apps without losing a row.

A database at the migrations before the split (maps 0004: ExportJob, Notification and
WorkspaceTemplate in maps, Touchpoint in touchpoints) holding data in every table of the
project migrates forward to today's head; every table, row for row, and a map document are the
same afterwards, and the moved models' content types (and so their permissions) follow them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from collab.models import Notification
from exports.models import ExportJob
from history.services import version_create
from maps.models import Comment, Item, JourneyMap, Touchpoint
from maps.services import apply_ops, map_document
from method.models import WorkspaceTemplate
from method.workspace_templates import workspace_template_save
from workspaces.sharing import share_link_create

BEFORE_SPLIT = [
    ("workspaces", "0001_initial"),
    ("personas", "0001_initial"),
    ("maps", "0004_workspace_template"),
    ("touchpoints", "0001_initial"),
    ("exports", None),
    ("collab", None),
    ("method", None),
    ("integrations", None),  # built after the split (its first migration needs maps 0006)
    ("insights", None),  # built after the split, on maps' head: not there before it
    ("portfolio", None),
]
PROJECT_TABLES = ("workspaces_", "personas_", "maps_")

pytestmark = pytest.mark.django_db(transaction=True)


def _migrate(targets: list[tuple[str, Any]]) -> Any:
    """Migrate to `targets`; answers the app registry of the state reached."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    named = {app for app, _ in targets}
    others = [node for node in executor.loader.graph.leaf_nodes() if node[0] not in named]
    reached = [(app, name) for app, name in targets if name is not None]
    return MigrationExecutor(connection).loader.project_state(reached + others).apps


def _head() -> list[tuple[str, Any]]:
    return list(MigrationExecutor(connection).loader.graph.leaf_nodes())


def _tables() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the project's apps, in a stable order."""
    with connection.cursor() as cursor:
        names = [
            name
            for name in connection.introspection.table_names(cursor)
            if name.startswith(PROJECT_TABLES)
        ]
        rows = {}
        for name in sorted(names):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(name)}")  # noqa: S608
            rows[name] = sorted(cursor.fetchall(), key=repr)
    return rows


@pytest.fixture
def head_after() -> Iterator[None]:
    """Whatever the test does to the schema, the database ends at the head for the next test."""
    head = _head()
    try:
        yield
    finally:
        _migrate(head)


def _content(template_map: JourneyMap, owner: Any, member: Any) -> None:
    """What a team's database holds: links, comments with a mention, a named version, a share
    link, an export, a notification and a saved template, beside the template's content."""
    items = list(Item.objects.filter(map=template_map).order_by("position", "id")[:2])
    comment_id = uuid.uuid4()
    apply_ops(
        map_id=template_map.pk,
        actor=owner,
        change_id=uuid.uuid4(),
        ops=[
            {
                "type": "link.create",
                "id": str(uuid.uuid4()),
                "source": str(items[0].pk),
                "target": str(items[1].pk),
                "label": "quay lại",
            },
            {
                "type": "comment.create",
                "id": str(comment_id),
                "item": str(items[0].pk),
                "text": f"Cần số liệu @{member.username}",
            },
        ],
    )
    template_map.refresh_from_db()
    version_create(journey_map=template_map, name="Bản duyệt quý 4", actor=owner)
    share_link_create(journey_map=template_map, actor=owner, role="viewer")
    ExportJob.objects.create(map=template_map, format="pdf", requested_by=owner)
    workspace_template_save(
        journey_map=template_map, actor=owner, name_vi="Mẫu nhóm", name_en="Team template"
    )
    if not Notification.objects.exists():  # the mention normally made one already
        Notification.objects.create(
            recipient=member,
            kind="mention",
            map=template_map,
            comment=Comment.objects.get(pk=comment_id),
            actor=owner,
        )


def _split_done() -> list[tuple[str, Any]]:
    """The head, but `maps` at the end of the split: later migrations of maps add columns
    (a stage's sub-journey, issue 15), which would make every row of their tables differ; apps
    whose first migration needs those (insights, portfolio's solution links) are not there yet."""
    later = {"maps": "0006_touchpoint", "insights": None, "portfolio": None}
    return [(app, later.get(app, name)) for app, name in _head()]


def test_a_database_from_before_the_split_keeps_every_row_and_every_document(
    head_after: None, template_map: JourneyMap, owner: Any, member: Any
) -> None:
    _content(template_map, owner, member)
    # Read with today's models, so at the head; the round trip must give it back unchanged.
    document_before = map_document(journey_map=JourneyMap.objects.get(pk=template_map.pk))
    old = _migrate(BEFORE_SPLIT)

    # In the old state the moved models are maps' again, and old code can still write them.
    old_map = old.get_model("maps", "JourneyMap").objects.get(pk=template_map.pk)
    old.get_model("maps", "ExportJob").objects.create(map=old_map, format="png", progress=40)
    old.get_model("maps", "WorkspaceTemplate").objects.create(
        workspace_id=old_map.workspace_id, name_vi="Mẫu cũ", name_en="Old", document={}
    )
    assert old.get_model("touchpoints", "Touchpoint").objects.count() > 0
    before = _tables()
    empty = [name for name, rows in before.items() if not rows]
    assert empty == [], f"the test must put data in every table: {empty}"

    _migrate(_split_done())
    after_split = _tables()
    _migrate(_head())

    assert after_split == before
    assert map_document(journey_map=JourneyMap.objects.get(pk=template_map.pk)) == document_before
    assert ExportJob.objects.count() == 2
    assert WorkspaceTemplate.objects.count() == 2
    assert Notification.objects.count() >= 1
    assert Touchpoint.objects.filter(map=template_map).exists()


def test_the_moved_models_take_their_content_types_and_permissions_along(
    head_after: None, django_user_model: Any
) -> None:
    labels = {"exportjob": "exports", "notification": "collab", "workspacetemplate": "method"}
    labels["touchpoint"] = "maps"
    old = _migrate(BEFORE_SPLIT)
    old_types = old.get_model("contenttypes", "ContentType").objects
    permission = old.get_model("auth", "Permission").objects
    ContentType.objects.clear_cache()
    before = {}
    for model in labels:
        old_label = "touchpoints" if model == "touchpoint" else "maps"
        # Make sure the old content type exists, as on any database that ran post_migrate.
        content_type, _ = old_types.get_or_create(app_label=old_label, model=model)
        permission.get_or_create(
            content_type=content_type, codename=f"view_{model}", defaults={"name": "view"}
        )
        before[model] = content_type.pk
    user = django_user_model.objects.create(username="auditor")
    user.user_permissions.add(
        *permission.filter(codename="view_exportjob").values_list("pk", flat=True)
    )

    _migrate(_head())
    ContentType.objects.clear_cache()

    for model, app_label in labels.items():
        assert ContentType.objects.get(app_label=app_label, model=model).pk == before[model]
    user = django_user_model.objects.get(pk=user.pk)
    assert user.has_perm("exports.view_exportjob")
