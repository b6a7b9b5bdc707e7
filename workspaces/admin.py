from django.contrib import admin

from workspaces.models import MapAccess, Membership, ShareLink, Workspace


class MembershipInline(admin.TabularInline[Membership, Workspace]):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin[Workspace]):
    list_display = ["name", "created_at"]
    search_fields = ["name"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin[Membership]):
    list_display = ["workspace", "user", "role"]
    list_filter = ["role"]


@admin.register(MapAccess)
class MapAccessAdmin(admin.ModelAdmin[MapAccess]):
    list_display = ["map", "user", "role"]
    list_filter = ["role"]


@admin.register(ShareLink)
class ShareLinkAdmin(admin.ModelAdmin[ShareLink]):
    list_display = ["map", "role", "expires", "revoked_at", "created_at"]
    readonly_fields = ["token"]
