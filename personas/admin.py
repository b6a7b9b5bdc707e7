from django.contrib import admin

from personas.models import Persona


@admin.register(Persona)
class PersonaAdmin(admin.ModelAdmin[Persona]):
    list_display = ["name", "workspace", "segment", "job_title", "updated_at"]
    list_filter = ["segment"]
    search_fields = ["name", "quote", "job_title", "company"]
