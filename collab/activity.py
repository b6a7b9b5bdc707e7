"""A workspace's recent activity: changes (grouped by map, person and minute), comments and
exports, newest first, only on maps the reader can see."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils import translation
from django.utils.translation import gettext as _

from exports.models import ExportJob
from maps.models import Change, Comment, JourneyMap
from workspaces.serializers import display_name

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    from workspaces.models import Workspace

LIMIT = 60


def _who(user: User | None) -> tuple[dict[str, Any] | None, str]:
    if user is None:
        return None, _("Someone")
    return {"username": user.username, "name": display_name(user)}, display_name(user)


def workspace_activity(
    *, workspace: Workspace, user: User | AnonymousUser, language: str = "vi"
) -> list[dict[str, Any]]:
    """The entries with their text in `language` (the request's)."""
    with translation.override(language):
        return _activity(workspace=workspace, user=user)


def _activity(*, workspace: Workspace, user: User | AnonymousUser) -> list[dict[str, Any]]:
    maps = JourneyMap.objects.visible_to(user).filter(workspace=workspace)
    titles = dict(maps.values_list("pk", "title"))
    entries: list[dict[str, Any]] = []
    changes = (
        Change.objects.filter(map_id__in=titles)
        .select_related("actor")
        .order_by("-created_at")[:400]
    )
    groups: dict[tuple[Any, ...], dict[str, Any]] = {}
    for change in changes:
        minute = change.created_at.replace(second=0, microsecond=0)
        key = (change.map_id, change.actor_id, minute)
        if key not in groups:
            groups[key] = {"change": change, "n": 0, "first": change.revision}
        groups[key]["n"] += 1
        groups[key]["first"] = change.revision
    for group in groups.values():
        change = group["change"]
        actor, name = _who(change.actor)
        if group["n"] > 1:
            template = _("%(actor)s edited “%(map)s” (%(n)s changes)")
        else:
            template = _("%(actor)s edited “%(map)s”")
        entries.append(
            {
                "kind": "change",
                "time": change.created_at,
                "actor": actor,
                "map": {"id": str(change.map_id), "title": titles[change.map_id]},
                "revisions": [group["first"], change.revision],
                "text": template % {"actor": name, "map": titles[change.map_id], "n": group["n"]},
            }
        )
    comments = (
        Comment.objects.filter(map_id__in=titles)
        .select_related("author")
        .order_by("-created_at")[:LIMIT]
    )
    for comment in comments:
        actor, name = _who(comment.author)
        snippet = comment.text if len(comment.text) <= 80 else comment.text[:80] + "…"
        entries.append(
            {
                "kind": "comment",
                "time": comment.created_at,
                "actor": actor,
                "map": {"id": str(comment.map_id), "title": titles[comment.map_id]},
                "comment": str(comment.pk),
                "text": _("%(actor)s commented on “%(map)s”: %(text)s")
                % {"actor": name, "map": titles[comment.map_id], "text": f"“{snippet}”"},
            }
        )
    exports = (
        ExportJob.objects.filter(map_id__in=titles)
        .select_related("requested_by")
        .order_by("-created_at")[:LIMIT]
    )
    for job in exports:
        actor, name = _who(job.requested_by)
        entries.append(
            {
                "kind": "export",
                "time": job.created_at,
                "actor": actor,
                "map": {"id": str(job.map_id), "title": titles[job.map_id]},
                "export": {"id": str(job.pk), "format": job.format, "status": job.status},
                "text": _("%(actor)s exported “%(map)s” as %(format)s")
                % {"actor": name, "map": titles[job.map_id], "format": job.format.upper()},
            }
        )
    entries.sort(key=lambda e: e["time"], reverse=True)
    for entry in entries:
        entry["time"] = entry["time"].isoformat()
    return entries[:LIMIT]
