from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from touchpoints.models import Touchpoint


@admin.register(Touchpoint)
class TouchpointAdmin(admin.ModelAdmin[Touchpoint]):
    list_display = ["text", "map", "channel", "online", "owner", "impact", "importance"]
    list_filter = ["channel", "online"]
    search_fields = ["text", "owner"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
