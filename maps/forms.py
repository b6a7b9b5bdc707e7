"""Forms of maps' pages that other apps' pages use too (method's create-from-file)."""

from __future__ import annotations

import json

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pydantic import ValidationError as PydanticValidationError

from maps.documents import PortableDocument

MAX_IMPORT_BYTES = 5 * 1024 * 1024


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Journeymap JSON file"))

    def clean_file(self) -> PortableDocument:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("The file must be 5 MB or smaller."))
        try:
            data = json.loads(upload.read().decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise forms.ValidationError(_("This file is not JSON.")) from None
        try:
            return PortableDocument.model_validate(data)
        except PydanticValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            raise forms.ValidationError(
                _("This is not a Journeymap document (%(where)s: %(problem)s).")
                % {"where": where, "problem": first["msg"]}
            ) from None
