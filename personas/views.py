"""Persona pages: the workspace's personas and the persona editor (every docs/domain.md field)."""

from __future__ import annotations

import unicodedata
import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from journeymap.files import caller, stored_file_response
from personas.models import PERSONA_COLORS, Persona
from personas.persona_templates import (
    PERSONA_TEMPLATES,
    persona_from_template,
    persona_template_list,
)
from personas.photos import MAX_PHOTO_BYTES, persona_photo_clean, persona_with_photo
from touchpoints.catalog import CHANNELS
from workspaces.current import current_workspace, user_of
from workspaces.models import Membership

# The editor's sections, in order: (title, help, fields).
SECTIONS: list[tuple[Any, Any, list[str]]] = [
    (
        gettext_lazy("Who they are"),
        gettext_lazy("A name and a face make the persona easy to talk about."),
        ["name", "segment", "quote", "age", "gender", "location", "income", "color"],
    ),
    (
        gettext_lazy("Work (B2B)"),
        gettext_lazy("For business buyers: their role and whether they sign off the purchase."),
        ["job_title", "company", "industry", "decision_maker"],
    ),
    (
        gettext_lazy("Behaviour"),
        gettext_lazy("Where they spend attention and how they buy."),
        ["interests", "media_habits", "favourite_brands", "buying_behaviour", "channels"],
    ),
    (
        gettext_lazy("Goals and needs"),
        gettext_lazy("What they want to achieve and what stands in the way."),
        ["goals", "challenges", "pain_points", "excites", "frustrates"],
    ),
    (
        gettext_lazy("Buying"),
        gettext_lazy("What moves them to buy and what they still need to know."),
        ["buying_triggers", "information_needs", "day_in_life"],
    ),
    (
        gettext_lazy("Evidence"),
        gettext_lazy("Interviews, surveys and data this persona rests on."),
        ["research"],
    ),
]


def _channel_choices() -> list[tuple[str, str]]:
    language = "en" if (get_language() or "vi").startswith("en") else "vi"
    return [(channel.key, channel.name(language)) for channel in CHANNELS]


class PersonaForm(forms.ModelForm):
    channels = forms.MultipleChoiceField(
        label=gettext_lazy("Channels they use"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    photo = forms.ImageField(
        label=gettext_lazy("Photo"),
        required=False,
        help_text=gettext_lazy("JPEG, PNG or WebP, up to 2 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    color = forms.ChoiceField(
        label=gettext_lazy("Colour"),
        choices=[(c, c) for c in PERSONA_COLORS],
        widget=forms.RadioSelect,
    )

    class Meta:
        model = Persona
        fields = ["photo", *[name for _t, _h, names in SECTIONS for name in names]]
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in (
                "interests",
                "media_habits",
                "favourite_brands",
                "buying_behaviour",
                "goals",
                "challenges",
                "pain_points",
                "excites",
                "frustrates",
                "buying_triggers",
                "information_needs",
            )
        } | {
            "day_in_life": forms.Textarea(attrs={"rows": 5}),
            "research": forms.Textarea(attrs={"rows": 4}),
            "segment": forms.RadioSelect,
            "quote": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["channels"].choices = _channel_choices()  # type: ignore[attr-defined]
        self.fields["segment"].label = _("Segment")
        if self.instance.color and self.instance.color not in PERSONA_COLORS:
            self.fields["color"].choices = [  # type: ignore[attr-defined]
                (self.instance.color, self.instance.color),
                *self.fields["color"].choices,  # type: ignore[attr-defined]
            ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # Store text as NFC so the same Vietnamese word always compares equal.
        for name, value in data.items():
            if isinstance(value, str):
                data[name] = unicodedata.normalize("NFC", value).strip()
        return data

    def clean_photo(self) -> Any:
        photo = self.cleaned_data.get("photo")
        if not photo or photo == self.instance.photo:
            return photo
        if photo.size > MAX_PHOTO_BYTES:
            raise ValidationError(_("The photo must be 2 MB or smaller."))
        return persona_photo_clean(photo)

    def sections(self) -> list[dict[str, Any]]:
        return [
            {"title": title, "help": help_text, "fields": [self[name] for name in names]}
            for title, help_text, names in SECTIONS
        ]


class NewPersonaForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    segment = forms.ChoiceField(
        label=gettext_lazy("Segment"), choices=Persona.Segment.choices, widget=forms.RadioSelect
    )


def _persona_for(request: HttpRequest, persona_id: uuid.UUID) -> Persona:
    persona = Persona.objects.filter(
        pk=persona_id,
        workspace__in=Membership.objects.filter(user=user_of(request)).values("workspace"),
    ).first()
    if persona is None:
        raise Http404("No such persona.")
    return persona


@login_required
def persona_list(request: HttpRequest) -> HttpResponse:
    workspace = current_workspace(request)
    if workspace is None:
        return redirect("workspace-new")
    example = request.POST.get("example")
    if request.method == "POST" and example is not None:
        if example not in PERSONA_TEMPLATES:
            raise Http404("No such example persona.")
        language = "en" if (get_language() or "vi").startswith("en") else "vi"
        persona = persona_from_template(
            workspace=workspace, actor=user_of(request), key=example, language=language
        )
        return redirect("persona-edit", persona_id=persona.pk)
    form = NewPersonaForm(request.POST or None, initial={"segment": Persona.Segment.B2C})
    if request.method == "POST" and form.is_valid():
        count = workspace.personas.count()
        persona = Persona.objects.create(
            workspace=workspace,
            name=unicodedata.normalize("NFC", form.cleaned_data["name"]).strip(),
            segment=form.cleaned_data["segment"],
            color=PERSONA_COLORS[count % len(PERSONA_COLORS)],
            created_by_id=request.user.pk,
        )
        return redirect("persona-edit", persona_id=persona.pk)
    personas = workspace.personas.prefetch_related("maps")
    return render(
        request,
        "personas/list.html",
        {"personas": personas, "form": form, "examples": persona_template_list()},
    )


@login_required
def persona_edit(request: HttpRequest, persona_id: uuid.UUID) -> HttpResponse:
    persona = _persona_for(request, persona_id)
    form = PersonaForm(request.POST or None, request.FILES or None, instance=persona)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Persona saved."))
        return redirect("persona-edit", persona_id=persona.pk)
    return render(
        request,
        "personas/edit.html",
        {"persona": persona, "form": form, "maps": persona.maps.order_by("title")},
    )


@login_required
@require_POST
def persona_delete(request: HttpRequest, persona_id: uuid.UUID) -> HttpResponse:
    persona = _persona_for(request, persona_id)
    persona.delete()
    messages.success(request, _("Persona deleted."))
    return redirect("persona-list")


@require_safe
def persona_photo(request: HttpRequest, name: str) -> HttpResponseBase:
    """A persona's photo (its stored URL, MEDIA_URL + personas/…), to those who may see the
    persona; anyone else, signed in or not, gets the same 404 as for no such file."""
    persona = persona_with_photo(caller(request), f"personas/{name}")
    if persona is None:
        raise Http404("No such file.")
    return stored_file_response(request, persona.photo)
