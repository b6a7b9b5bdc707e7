"""Forms of workspace pages that other apps' pages show too (the dashboard's new workspace)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy


class WorkspaceForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Workspace name"), max_length=120)
