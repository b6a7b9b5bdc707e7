"""Map pages besides the editor: import and map settings (the template gallery and create
flow are method/views.py).

Every change to a map's fields goes through maps.services.apply_ops (as map.update and
persona.attach/detach ops), so it lands in the op log and reaches open editors.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from maps.documents import document_import
from maps.forms import ImportForm
from maps.models import Audience, JourneyMap, Language, MapStatus, MapType
from maps.ops import OpError
from maps.services import apply_ops, map_delete
from maps.subjourneys import parent_maps
from personas.models import Persona
from workspaces.current import current_workspace
from workspaces.models import MapRole, role_at_least


@login_required
def map_import(request: HttpRequest) -> HttpResponse:
    workspace = current_workspace(request)
    if workspace is None:
        return redirect("workspace-new")
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        warnings: list[str] = []
        try:
            journey_map = document_import(
                workspace=workspace,
                actor=request.user,  # type: ignore[arg-type]
                document=form.cleaned_data["file"],
                warnings=warnings,
            )
        except OpError as error:
            form.add_error("file", error.message)
        else:
            messages.success(request, _("Map imported."))
            for warning in warnings:
                messages.warning(request, warning)
            return redirect("map-editor", map_id=journey_map.pk)
    return render(request, "maps/import.html", {"form": form})


class MapSettingsForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    objective = forms.CharField(
        label=gettext_lazy("Objective"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("What decision will this map help you make?"),
    )
    scenario = forms.CharField(
        label=gettext_lazy("Scenario"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("The situation the customer is in, from start to end."),
    )
    type = forms.ChoiceField(label=gettext_lazy("Map type"), choices=MapType.choices)
    audience = forms.ChoiceField(label=gettext_lazy("Audience"), choices=Audience.choices)
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=MapStatus.choices)
    language = forms.ChoiceField(
        label=gettext_lazy("Language of the map"), choices=Language.choices
    )
    next_review = forms.DateField(
        label=gettext_lazy("Next review"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy("Maps go stale; the health check reminds you when this passes."),
    )
    personas = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Personas on this map"),
        queryset=Persona.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    FIELDS = ("title", "objective", "scenario", "type", "audience", "status", "language")

    def __init__(self, *args: Any, journey_map: JourneyMap, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["personas"].queryset = Persona.objects.filter(  # type: ignore[attr-defined]
            workspace_id=journey_map.workspace_id
        )


def settings_ops(journey_map: JourneyMap, data: dict[str, Any]) -> list[dict[str, Any]]:
    """The ops that turn the map's current fields and personas into the submitted ones."""
    changed: dict[str, Any] = {
        name: data[name]
        for name in MapSettingsForm.FIELDS
        if data[name] != getattr(journey_map, name)
    }
    if data["next_review"] != journey_map.next_review:
        review = data["next_review"]
        changed["next_review"] = review.isoformat() if review else None
    ops: list[dict[str, Any]] = []
    if changed:
        ops.append({"type": "map.update", "fields": changed})
    before = {p.pk for p in journey_map.personas.all()}
    after = {p.pk for p in data["personas"]}
    ops += [
        {"type": "persona.attach", "persona": str(pk)} for pk in sorted(after - before, key=str)
    ]
    ops += [
        {"type": "persona.detach", "persona": str(pk)} for pk in sorted(before - after, key=str)
    ]
    return ops


@login_required
def map_settings(request: HttpRequest, map_id: uuid.UUID) -> HttpResponse:
    journey_map = JourneyMap.objects.filter(pk=map_id).select_related("workspace").first()
    role = journey_map.role_of(request.user) if journey_map is not None else None
    if journey_map is None or role is None:
        raise Http404("No such map.")
    can_edit = role_at_least(role, MapRole.EDITOR)
    initial = {name: getattr(journey_map, name) for name in MapSettingsForm.FIELDS}
    initial["next_review"] = journey_map.next_review
    initial["personas"] = list(journey_map.personas.all())
    form = MapSettingsForm(request.POST or None, initial=initial, journey_map=journey_map)
    if request.method == "POST":
        if not can_edit:
            return HttpResponse(_("Your role on this map does not allow changes."), status=403)
        if form.is_valid():
            ops = settings_ops(journey_map, form.cleaned_data)
            if not ops:
                messages.info(request, _("Nothing changed."))
                return redirect("map-settings", map_id=journey_map.pk)
            try:
                apply_ops(
                    map_id=journey_map.pk, actor=request.user, change_id=uuid.uuid4(), ops=ops
                )
            except OpError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Map settings saved."))
                return redirect("map-settings", map_id=journey_map.pk)
    if not can_edit:
        for field in form.fields.values():
            field.disabled = True
    can_delete = role_at_least(role, MapRole.OWNER)
    return render(
        request,
        "maps/settings.html",
        {
            "map": journey_map,
            "form": form,
            "can_edit": can_edit,
            "can_delete": can_delete,
            "parents": parent_maps(journey_map=journey_map) if can_delete else [],
        },
    )


@login_required
def map_delete_page(request: HttpRequest, map_id: uuid.UUID) -> HttpResponse:
    """The settings page's "Delete this map": owners only, confirmed by typing its title."""
    journey_map = JourneyMap.objects.filter(pk=map_id).first()
    role = journey_map.role_of(request.user) if journey_map is not None else None
    if journey_map is None or role is None:
        raise Http404("No such map.")
    if request.method != "POST":
        return redirect("map-settings", map_id=journey_map.pk)
    if not role_at_least(role, MapRole.OWNER):
        return HttpResponse(_("Only the map's owners can delete it."), status=403)
    if request.POST.get("confirm", "").strip() != journey_map.title.strip():
        messages.error(request, _("Type the map's title exactly to delete it."))
        return redirect("map-settings", map_id=journey_map.pk)
    title = journey_map.title
    map_delete(journey_map=journey_map, actor=request.user)
    messages.success(request, _("Map “%(title)s” deleted.") % {"title": title})
    return redirect("dashboard")
