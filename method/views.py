"""The template gallery and the create-a-map-from-a-template flow (`/maps/new/`).

The map itself is made by maps.documents.map_create, its content arriving as one change.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from maps.documents import map_create
from maps.forms import ImportForm
from maps.models import Language, MapType
from maps.ops import OpError
from method.library import all_templates
from method.workspace_templates import template_document, workspace_template_summaries
from workspaces.current import current_workspace
from workspaces.models import Workspace

DEFAULT_TEMPLATE = "buyer_journey_5"


def _ui_language() -> str:
    return "en" if (get_language() or "vi").startswith("en") else "vi"


def _card(summary: dict[str, Any], language: str, *, saved: bool) -> dict[str, Any]:
    type_labels = dict(MapType.choices)
    return {
        "key": summary["key"],
        "names": summary["name"],
        "name": summary["name"][language],
        "description": summary["description"][language],
        "type": summary["type"],
        "type_label": type_labels.get(summary["type"], summary["type"]),
        "audience": summary["audience"],
        "stage_count": summary["stage_count"],
        "lane_count": summary["lane_count"],
        "stages": summary["stages_en" if language == "en" else "stages"],
        "saved": saved,
    }


def gallery_cards(workspace: Workspace, language: str) -> list[dict[str, Any]]:
    """The workspace's saved templates, then the built-in library, in the reader's language."""
    saved = [
        _card(summary, language, saved=True)
        for summary in workspace_template_summaries(workspace=workspace)
    ]
    built_in = [_card(spec.summary(), language, saved=False) for spec in all_templates().values()]
    return saved + built_in


class CreateMapForm(forms.Form):
    template = forms.CharField(max_length=80)
    title = forms.CharField(
        label=gettext_lazy("Map title"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Leave empty to use the template's name."),
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language of the map"), choices=Language.choices
    )

    def __init__(self, *args: Any, cards: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cards = {card["key"]: card for card in cards}

    def clean_template(self) -> str:
        key = str(self.cleaned_data["template"])
        if key not in self.cards:
            raise forms.ValidationError(_("Choose a template from the gallery."))
        return key

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        title = unicodedata.normalize("NFC", str(data.get("title") or "")).strip()
        if not title and "template" in data and "language" in data:
            title = self.cards[data["template"]]["names"][data["language"]]
        data["title"] = title
        return data


@login_required
def map_new(request: HttpRequest) -> HttpResponse:
    workspace = current_workspace(request)
    if workspace is None:
        return redirect("workspace-new")
    language = _ui_language()
    cards = gallery_cards(workspace, language)
    form = CreateMapForm(
        request.POST or None, initial={"language": language, "template": ""}, cards=cards
    )
    if request.method == "POST" and form.is_valid():
        key = form.cleaned_data["template"]
        map_language = form.cleaned_data["language"]
        document = template_document(workspace=workspace, key=key, language=map_language)
        try:
            journey_map = map_create(
                workspace=workspace,
                actor=request.user,  # type: ignore[arg-type]
                title=form.cleaned_data["title"],
                language=map_language,
                document=document,
                template=key,
            )
        except OpError as error:
            form.add_error(None, error.message)
        else:
            return redirect("map-editor", map_id=journey_map.pk)
    return render(
        request,
        "maps/new.html",
        {
            "form": form,
            "cards": cards,
            # The classic 5-stage journey is the usual starting point; preselect it.
            "selected": form["template"].value() or DEFAULT_TEMPLATE,
            "import_form": ImportForm(),
        },
    )
