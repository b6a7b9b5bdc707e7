"""For migrations that move a model from one app to another (docs/architecture.md): its
content type goes with it, so permissions granted on the model stay granted."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def content_type_move(model: str, *, old: str, new: str) -> migrations.RunPython:
    """A RunPython that relabels `model`'s content type from app `old` to `new` (and back when
    the migration is reversed), unless the new label exists already."""

    def relabel(apps: Any, source: str, target: str) -> None:
        content_types = apps.get_model("contenttypes", "ContentType").objects
        if not content_types.filter(app_label=target, model=model).exists():
            content_types.filter(app_label=source, model=model).update(app_label=target)

    def forward(apps: Any, schema_editor: Any) -> None:
        relabel(apps, old, new)

    def backward(apps: Any, schema_editor: Any) -> None:
        relabel(apps, new, old)

    return migrations.RunPython(forward, backward)
