"""The message catalogs: complete Vietnamese and English, compiled, and used by the app."""

from __future__ import annotations

import ast
import datetime as dt
import gettext
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import formats, translation

from maps.models import Evidence, LaneKind, MapType
from method.library import all_templates

LOCALE = Path(settings.BASE_DIR) / "locale"
CATALOGS = [(lang, domain) for lang in ("vi", "en") for domain in ("django", "djangojs")]


def _po_entries(path: Path) -> list[dict[str, object]]:
    """Entries of a .po file: msgid, msgid_plural, msgctxt, msgstr(s), fuzzy flag.
    Obsolete (#~) entries are skipped; the header (empty msgid) is left out."""
    entries: list[dict[str, object]] = []
    entry: dict[str, object] = {}
    field = ""

    def close() -> None:
        if "msgid" in entry and entry["msgid"] != "":
            entries.append(dict(entry))
        entry.clear()

    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            close()
        elif line.startswith("#,"):
            if "msgid" in entry:
                close()
            entry["fuzzy"] = "fuzzy" in line
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[field] = str(entry[field]) + ast.literal_eval(line)
        else:
            keyword, _, literal = line.partition(" ")
            field = keyword
            entry[field] = ast.literal_eval(literal)
    close()
    return entries


def _translations(entry: dict[str, object]) -> list[str]:
    return [str(value) for key, value in entry.items() if key.startswith("msgstr")]


@pytest.mark.parametrize(("language", "domain"), CATALOGS)
def test_the_catalog_has_no_untranslated_or_fuzzy_entry(language: str, domain: str) -> None:
    entries = _po_entries(LOCALE / language / "LC_MESSAGES" / f"{domain}.po")
    assert len(entries) > 50
    untranslated = [e["msgid"] for e in entries if not all(_translations(e))]
    fuzzy = [e["msgid"] for e in entries if e.get("fuzzy")]
    assert untranslated == [], f"untranslated in {language}/{domain}.po"
    assert fuzzy == [], f"fuzzy in {language}/{domain}.po"


@pytest.mark.parametrize(("language", "domain"), CATALOGS)
def test_the_compiled_catalog_matches_its_source(language: str, domain: str) -> None:
    folder = LOCALE / language / "LC_MESSAGES"
    with (folder / f"{domain}.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in _po_entries(folder / f"{domain}.po"):
        if "msgid_plural" in entry or "msgctxt" in entry:
            continue
        assert compiled.gettext(str(entry["msgid"])) == entry["msgstr"], entry["msgid"]


def test_vietnamese_is_the_default_and_vi_entries_are_actually_vietnamese() -> None:
    assert settings.LANGUAGE_CODE == "vi"
    entries = _po_entries(LOCALE / "vi" / "LC_MESSAGES" / "django.po")
    same = [
        e["msgid"] for e in entries if e.get("msgstr") == e["msgid"] and len(str(e["msgid"])) > 12
    ]
    assert same == [], "long strings copied untranslated into the vi catalog"


def test_enum_labels_follow_the_active_language() -> None:
    with translation.override("vi"):
        labels = [str(MapType.DAY_IN_LIFE.label), str(LaneKind.OBSTACLES.label)]
        assert labels == ["Một ngày trong cuộc sống", "Rào cản / điểm đau"]
        assert str(Evidence.RESEARCH.label) == "Có nghiên cứu"
    with translation.override("en"):
        assert str(MapType.DAY_IN_LIFE.label) == "Day in the life"


def test_template_names_exist_in_both_languages() -> None:
    for spec in all_templates().values():
        summary = spec.summary()
        assert summary["name_vi"] and summary["name_en"]


def test_dates_and_numbers_are_localised() -> None:
    day = dt.date(2026, 11, 23)
    with translation.override("vi"):
        assert formats.date_format(day) == "Ngày 23 tháng 11 năm 2026"
        assert formats.number_format(1234.5, 1, use_l10n=True) == "1234,5"
    with translation.override("en"):
        assert formats.number_format(1234.5, 1, use_l10n=True) == "1234.5"
