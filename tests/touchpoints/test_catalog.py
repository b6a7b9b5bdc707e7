"""The built-in channel catalog (touchpoints/catalog.py) that items, personas, the editor and
the exports share."""

from __future__ import annotations

import unicodedata

from touchpoints.catalog import CHANNELS, CHANNELS_BY_KEY, ICON_PATHS


def test_every_channel_has_a_unique_key_and_an_icon_both_engines_can_draw():
    assert len(CHANNELS_BY_KEY) == len(CHANNELS)
    assert {channel.icon for channel in CHANNELS} <= set(ICON_PATHS)


def test_channel_names_are_stored_as_nfc_in_both_languages():
    for channel in CHANNELS:
        assert channel.name("vi") == unicodedata.normalize("NFC", channel.vi) != ""
        assert channel.name("en") == channel.en != ""


def test_the_catalog_holds_the_touchpoints_the_seed_articles_name():
    for key in ("search", "website", "social", "email", "store", "hotline", "chatbot", "sms"):
        assert any(key in channel.key for channel in CHANNELS), key
