"""The message catalogs: complete Vietnamese and English, compiled, and used by the app."""

from __future__ import annotations

import ast
import datetime as dt
import gettext
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import formats, translation

from maps.models import Evidence, LaneKind, MapType
from method.library import all_templates

LOCALE = Path(settings.BASE_DIR) / "locale"
CATALOGS = [(lang, domain) for lang in ("vi", "en") for domain in ("django", "djangojs")]
# git keeps no file times: a checkout writes a .mo and its .po moments apart, in either order.
CHECKOUT_SLACK_SECONDS = 5
# Modules whose words once had a second translation system ({"vi": …, "en": …} dicts) beside
# gettext (issue 25).
GETTEXT_ONLY = [
    "collab/activity.py",
    "collab/notifications.py",
    "exports/services.py",
    "history/timeline.py",
    "method/health.py",
    "sheets/writing.py",
]


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


def _compiled(path: Path) -> dict[object, str]:
    """Every message of a .mo file (contexts and plural forms included, and the header)."""
    with path.open("rb") as handle:
        return dict(gettext.GNUTranslations(handle)._catalog)  # type: ignore[attr-defined]


@pytest.mark.parametrize(("language", "domain"), CATALOGS)
def test_the_compiled_catalog_is_its_source_compiled_now(
    language: str, domain: str, tmp_path: Path
) -> None:
    """The .mo is what msgfmt makes of the .po as it is (compiled here in a temporary folder,
    as compilemessages does) and is not older than it: an entry added, changed or made
    un-fuzzy in the .po without `make messages` would be missing or stale for users."""
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("gettext's msgfmt is not installed")
    folder = LOCALE / language / "LC_MESSAGES"
    source, compiled = folder / f"{domain}.po", folder / f"{domain}.mo"
    fresh = tmp_path / f"{domain}.mo"
    subprocess.run([msgfmt, "--check-format", "-o", str(fresh), str(source)], check=True)
    stale = {
        key: value
        for key, value in _compiled(fresh).items()
        if _compiled(compiled).get(key) != value
    }
    extra = _compiled(compiled).keys() - _compiled(fresh).keys()
    assert (stale, extra) == ({}, set()), f"{compiled} is not {source.name} compiled: make messages"
    age = source.stat().st_mtime - compiled.stat().st_mtime
    assert age <= CHECKOUT_SLACK_SECONDS, f"{compiled} is older than {source.name}: make messages"


@pytest.mark.parametrize(("language", "domain"), CATALOGS)
def test_translations_are_stored_as_nfc(language: str, domain: str) -> None:
    """Vietnamese composed one way only (docs/architecture.md: store text as NFC): a decomposed
    translation looks the same but compares, searches and sorts differently."""
    entries = _po_entries(LOCALE / language / "LC_MESSAGES" / f"{domain}.po")
    decomposed = [
        e["msgid"]
        for e in entries
        if not all(unicodedata.is_normalized("NFC", text) for text in _translations(e))
    ]
    assert decomposed == []


@pytest.mark.parametrize("module", GETTEXT_ONLY)
def test_no_second_translation_system(module: str) -> None:
    """Words shown to users go through gettext: no dict keyed by "vi" and "en" in these modules
    (templates and catalogs of content, which are data in two languages, live elsewhere)."""
    tree = ast.parse((Path(settings.BASE_DIR) / module).read_text(encoding="utf-8"))
    bilingual = [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Dict)
        and {"vi", "en"} <= {k.value for k in node.keys if isinstance(k, ast.Constant)}
    ]
    assert bilingual == [], f"{module}: {{'vi': …, 'en': …}} at lines {bilingual}"


def test_words_with_two_vietnamese_translations_keep_both() -> None:
    """pgettext keeps an export's words apart from the app's where Vietnamese says it
    differently: a lane is "Làn" in the editor but "Hạng mục" heading a printed map."""
    from exports.services import print_labels
    from history.timeline import KINDS, NOUNS
    from sheets.writing import sheet_labels

    with translation.override("vi"):
        assert (translation.gettext("Lane"), translation.gettext("Owner")) == ("Làn", "Chủ sở hữu")
        assert str(KINDS["card"] % {"n": 3}) == "3 thẻ"
    with translation.override("en"):
        assert (KINDS["card"] % {"n": 1}, NOUNS["stage"] % {"n": 2}) == ("1 card", "2 stages")
    labels = print_labels("vi")
    assert (labels["lane"], labels["owner"], labels["before"]) == (
        "Hạng mục",
        "Phụ trách",
        "Trước mua",
    )
    assert print_labels("en")["before"] == "Before purchase"
    assert sheet_labels("vi")["action_columns"][:4] == [
        "Hạng mục",
        "Giai đoạn",
        "Việc cần làm",
        "Phụ trách",
    ]


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
