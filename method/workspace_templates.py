"""Workspace templates: any map, saved by a workspace admin, offered next to the built-ins.

A saved template is the map's portable document (the same schema as import), so creating a
map from it is the same single change through apply_ops as a built-in template.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.models import User

from maps.documents import PortableDocument, document_export
from maps.models import JourneyMap
from method.library import get_template
from method.models import WorkspaceTemplate
from workspaces.models import Workspace

PREFIX = "ws-"


def workspace_template_save(
    *, journey_map: JourneyMap, actor: User, name_vi: str, name_en: str, description: str = ""
) -> WorkspaceTemplate:
    exported = document_export(journey_map=journey_map)
    document = PortableDocument.model_validate(exported)  # refuse what an import would refuse
    return WorkspaceTemplate.objects.create(
        workspace_id=journey_map.workspace_id,
        name_vi=name_vi,
        name_en=name_en or name_vi,
        description=description,
        document=document.model_dump(mode="json", exclude_unset=True),
        created_by=actor,
    )


def workspace_template_summary(template: WorkspaceTemplate) -> dict[str, Any]:
    doc = template.document
    names = {"vi": template.name_vi, "en": template.name_en}
    stage_names = [stage["name"] for stage in doc.get("stages", [])]
    return {
        "key": template.key,
        "name": names,
        "name_vi": template.name_vi,
        "name_en": template.name_en,
        "description": {"vi": template.description, "en": template.description},
        "type": doc["map"].get("type", "current"),
        "audience": doc["map"].get("audience", "b2c"),
        "stage_count": len(stage_names),
        "lane_count": len(doc.get("lanes", [])),
        "stages": stage_names,
        "stages_en": stage_names,
        "workspace": str(template.workspace_id),
    }


def workspace_template_summaries(*, workspace: Workspace) -> list[dict[str, Any]]:
    templates = WorkspaceTemplate.objects.filter(workspace=workspace)
    return [workspace_template_summary(template) for template in templates]


def template_document(*, workspace: Workspace, key: str, language: str) -> PortableDocument | None:
    """The document a new map in `workspace` starts from, for a built-in or a workspace key;
    None when no such template exists there (other workspaces' templates included)."""
    spec = get_template(key)
    if spec is not None:
        return spec.document(language)
    if not key.startswith(PREFIX):
        return None
    try:
        template_id = uuid.UUID(key.removeprefix(PREFIX))
    except ValueError:
        return None
    template = WorkspaceTemplate.objects.filter(pk=template_id, workspace=workspace).first()
    if template is None:
        return None
    # map_create sets the new map's language; a saved map's text stays as it was written
    return PortableDocument.model_validate(template.document)
