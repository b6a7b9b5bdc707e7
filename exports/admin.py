from django.contrib import admin

from exports.models import ExportJob


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin[ExportJob]):
    list_display = ["map", "format", "status", "progress", "created_at"]
    list_filter = ["format", "status"]
