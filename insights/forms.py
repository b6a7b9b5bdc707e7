"""The insight form of the create and edit pages; the API validates with the same rules
(insights/serializers.py) and both store through insights/services.py."""

from __future__ import annotations

import unicodedata
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from insights.models import MAX_TAGS, Insight, tags_clean
from journeymap.web_urls import WebUrlFormField
from personas.photos import MAX_PHOTO_BYTES, persona_photo_clean


class InsightForm(forms.ModelForm):
    tags = forms.CharField(
        label=gettext_lazy("Tags"),
        required=False,
        max_length=1000,
        help_text=gettext_lazy("Separated by commas, e.g. checkout, price, mobile."),
    )
    # The API's rule (journeymap/web_urls.py): http(s) only, unsafe characters percent-encoded.
    source_url = WebUrlFormField(label=gettext_lazy("Source link"), required=False, max_length=1000)
    source_file = forms.ImageField(
        label=gettext_lazy("Source file"),
        required=False,
        help_text=gettext_lazy(
            "A screenshot or photo of the source: JPEG, PNG or WebP, up to 2 MB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    class Meta:
        model = Insight
        fields = [
            "kind",
            "text",
            "source_title",
            "source_url",
            "source_file",
            "date",
            "participants",
        ]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 5}),
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "participants": forms.NumberInput(attrs={"min": 0, "max": 10_000_000}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].label = _("Kind")
        self.fields["text"].help_text = _("The quote, the figure or what you saw, as it was said.")
        self.fields["participants"].help_text = _("How many people it rests on.")
        if self.instance.pk:
            self.initial["tags"] = ", ".join(self.instance.tags)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # Store text as NFC so the same Vietnamese word always compares equal.
        for name, value in data.items():
            if isinstance(value, str):
                data[name] = unicodedata.normalize("NFC", value).strip()
        return data

    def clean_tags(self) -> list[str]:
        raw = self.cleaned_data.get("tags") or ""
        tags = tags_clean(raw.split(","))
        if len([t for t in raw.split(",") if t.strip()]) > MAX_TAGS:
            raise ValidationError(_("At most 20 tags."))
        return tags

    def clean_participants(self) -> int | None:
        value = self.cleaned_data.get("participants")
        if value is not None and value > 10_000_000:
            raise ValidationError(_("Ensure this value is at most 10000000."))
        return value

    def clean_source_file(self) -> Any:
        upload = self.cleaned_data.get("source_file")
        if not upload or upload == self.instance.source_file:
            return upload
        if upload.size > MAX_PHOTO_BYTES:
            raise ValidationError(_("The photo must be 2 MB or smaller."))
        return persona_photo_clean(upload)

    def fields_for_service(self) -> dict[str, Any]:
        fields = {name: self.cleaned_data[name] for name in self.Meta.fields}
        fields["tags"] = self.cleaned_data["tags"]
        if fields["source_file"] is False:  # "clear" ticked
            fields["source_file"] = ""
        elif fields["source_file"] == self.instance.source_file:
            del fields["source_file"]
        return fields
