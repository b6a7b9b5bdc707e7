"""Lane kinds guessed from titles in Vietnamese or English, and emotion cells read as scores."""

from __future__ import annotations

import pytest

from sheets.kinds import channel_guess, emotion_read, kind_guess


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("Điểm chạm", "touchpoints"),
        ("Touchpoints", "touchpoints"),
        ("Điểm tiếp xúc", "touchpoints"),
        ("Rào cản", "obstacles"),
        ("Pain points", "obstacles"),
        ("Điểm đau của khách", "obstacles"),
        ("Cảm xúc", "emotions"),
        ("Emotions", "emotions"),
        ("Cơ hội", "opportunities"),
        ("Co hoi cai thien", "opportunities"),
        ("Hành động", "actions"),
        ("Kế hoạch hành động", "action_plan"),
        ("Động cơ", "motivations"),
        ("Suy nghĩ", "thoughts"),
        ("Bộ phận phụ trách", "owners"),
        ("KPI", "metrics"),
        ("Kênh", "channels"),
        ("Nội dung", "content"),
        ("Rào cản / điểm đau", "obstacles"),
    ],
)
def test_a_lane_kind_is_guessed_from_its_title(title, kind):
    assert kind_guess(title) == kind


def test_a_title_that_names_no_kind_is_no_guess():
    assert kind_guess("Ghi chú linh tinh") is None


@pytest.mark.parametrize(
    ("line", "read"),
    [
        ("2", (2, "")),
        ("-1", (-1, "")),
        ("−2 bực vì chờ", (-2, "bực vì chờ")),
        ("+1: khá ổn", (1, "khá ổn")),
        ("0", (0, "")),
        ("😍 thích giao diện", (2, "thích giao diện")),
        ("😟", (-1, "")),
        ("Rất vui", (2, "Rất vui")),
        ("vui", (1, "vui")),
        ("Không vui lắm", (-1, "Không vui lắm")),
        ("frustrated", (-1, "frustrated")),
        ("Bình thường", (0, "Bình thường")),
    ],
)
def test_an_emotion_line_is_read_as_a_score_and_a_note(line, read):
    assert emotion_read(line) == read


@pytest.mark.parametrize("line", ["3", "10 người", "hmm", "2.5"])
def test_a_line_that_names_no_emotion_is_not_read_as_one(line):
    assert emotion_read(line) is None


@pytest.mark.parametrize(
    ("text", "channel"),
    [
        ("Fanpage Facebook", "social"),
        ("Nhóm Zalo của cửa hàng", "social"),
        ("Tìm trên Google", "search"),
        ("Website", "website"),
        ("Trang web chính thức", "website"),
        ("Ứng dụng", "mobile_app"),
        ("Tổng đài", "hotline"),
        ("Email xác nhận đơn", "email"),
        ("Thanh toán bằng ví MoMo", "payment"),
        ("Cửa hàng Quận 1", "store"),
        ("Live chat on the pricing page", "live_chat"),
        ("Bạn bè giới thiệu", "referral"),
    ],
)
def test_a_touchpoint_names_its_channel_in_vietnamese_or_english(text, channel):
    assert channel_guess(text) == channel


@pytest.mark.parametrize("text", ["Nhận hàng", "Webinar replay", "Appendix"])
def test_a_touchpoint_that_names_no_channel_gets_none(text):
    assert channel_guess(text) is None
