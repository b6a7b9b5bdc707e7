"""The built-in template library: bilingual data files under method/template_data/.

A template file holds one document in which every user-visible text is written as
{"vi": "…", "en": "…"}; `TemplateSpec.document(language)` picks one language and validates the
result with the same PortableDocument schema as an import, so a template can never build a map
that an import would refuse.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from maps.documents import PortableDocument

DATA_DIR = Path(__file__).resolve().parent / "template_data"
LANGUAGES = ("vi", "en")


class TemplateError(ValueError):
    pass


def localize(value: Any, language: str) -> Any:
    if isinstance(value, dict):
        if set(value) == set(LANGUAGES):
            return value[language]
        return {key: localize(inner, language) for key, inner in value.items()}
    if isinstance(value, list):
        return [localize(inner, language) for inner in value]
    return value


@dataclass(frozen=True)
class TemplateSpec:
    key: str
    order: int
    type: str
    audience: str
    names: dict[str, str]
    descriptions: dict[str, str]
    raw_document: dict[str, Any]

    def document(self, language: str) -> PortableDocument:
        if language not in LANGUAGES:
            raise TemplateError(f"unknown language {language!r}")
        data = localize(self.raw_document, language)
        data["map"]["language"] = language
        return PortableDocument.model_validate(data)

    def summary(self) -> dict[str, Any]:
        doc = self.raw_document
        return {
            "key": self.key,
            "name": self.names,
            "name_vi": self.names["vi"],
            "name_en": self.names["en"],
            "description": self.descriptions,
            "type": self.type,
            "audience": self.audience,
            "stage_count": len(doc.get("stages", [])),
            "lane_count": len(doc.get("lanes", [])),
            "stages": [localize(s["name"], "vi") for s in doc.get("stages", [])],
            "stages_en": [localize(s["name"], "en") for s in doc.get("stages", [])],
        }


def _load(path: Path) -> TemplateSpec:
    data = json.loads(path.read_text(encoding="utf-8"))
    for field in ("name", "description"):
        if set(data.get(field, {})) != set(LANGUAGES):
            raise TemplateError(f"{path.name}: {field} needs vi and en")
    document = data["document"]
    return TemplateSpec(
        key=data["key"],
        order=data.get("order", 100),
        type=document["map"].get("type", "current"),
        audience=document["map"].get("audience", "b2c"),
        names=data["name"],
        descriptions=data["description"],
        raw_document=document,
    )


@cache
def all_templates() -> dict[str, TemplateSpec]:
    specs = sorted(
        (_load(path) for path in DATA_DIR.glob("*.json")), key=lambda s: (s.order, s.key)
    )
    return {spec.key: spec for spec in specs}


def get_template(key: str) -> TemplateSpec | None:
    return all_templates().get(key)
