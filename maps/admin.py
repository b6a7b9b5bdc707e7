from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from maps.models import Change, Comment, Item, JourneyMap, Lane, Link, Stage, Touchpoint, Version

# Map content is edited through the editor (apply_ops keeps revision and op log complete);
# the admin shows it read-only so an admin edit cannot bypass history.


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(JourneyMap)
class JourneyMapAdmin(admin.ModelAdmin[JourneyMap]):
    list_display = ["title", "workspace", "type", "status", "language", "revision", "updated_at"]
    list_filter = ["type", "status", "language", "audience"]
    search_fields = ["title", "objective"]
    readonly_fields = ["revision", "template"]
    filter_horizontal = ["personas"]


@admin.register(Stage)
class StageAdmin(ReadOnlyAdmin):
    list_display = ["name", "map", "phase", "position"]


@admin.register(Lane)
class LaneAdmin(ReadOnlyAdmin):
    list_display = ["title", "map", "kind", "position"]
    list_filter = ["kind"]


@admin.register(Item)
class ItemAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "map", "kind", "evidence"]
    list_filter = ["kind", "evidence"]
    search_fields = ["text", "name"]


@admin.register(Touchpoint)
class TouchpointAdmin(ReadOnlyAdmin):
    list_display = ["text", "map", "channel", "online", "owner", "impact", "importance"]
    list_filter = ["channel", "online"]
    search_fields = ["text", "owner"]


@admin.register(Link)
class LinkAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "map"]


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin[Comment]):
    list_display = ["__str__", "map", "author", "resolved", "created_at"]
    list_filter = ["resolved"]


@admin.register(Change)
class ChangeAdmin(ReadOnlyAdmin):
    list_display = ["map", "revision", "actor", "created_at"]


@admin.register(Version)
class VersionAdmin(ReadOnlyAdmin):
    list_display = ["map", "revision", "name", "created_at"]
