"""Guessing a lane's kind from its title, in Vietnamese or English, with or without accents,
and reading emotion cells (numbers −2…+2, words, emoji) as scores."""

from __future__ import annotations

import re
import unicodedata

from maps.models import LaneKind


def plain(text: str) -> str:
    """Lower case without accents ("Điểm chạm" -> "diem cham"): people often type Vietnamese
    without diacritics in spreadsheets."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text.casefold())
    return " ".join("".join(ch for ch in decomposed if not unicodedata.combining(ch)).split())


# First match wins: the longer phrases ("ke hoach hanh dong") come before the words they
# contain ("hanh dong").
KIND_WORDS: list[tuple[LaneKind, tuple[str, ...]]] = [
    (LaneKind.ACTION_PLAN, ("ke hoach hanh dong", "action plan", "viec can lam", "to do")),
    (LaneKind.TOUCHPOINTS, ("diem cham", "diem tiep xuc", "touchpoint", "touch point")),
    (
        LaneKind.OBSTACLES,
        ("rao can", "diem dau", "noi dau", "pain", "obstacle", "barrier", "kho khan", "van de"),
    ),
    (LaneKind.EMOTIONS, ("cam xuc", "cam nhan", "emotion", "feeling", "tam trang", "mood")),
    (
        LaneKind.OPPORTUNITIES,
        ("co hoi", "opportunit", "y tuong", "idea", "cai thien", "improvement"),
    ),
    (LaneKind.OWNERS, ("phu trach", "owner", "bo phan", "doi ngu", "team", "chiu trach nhiem")),
    (LaneKind.METRICS, ("chi so", "kpi", "metric", "do luong", "measure")),
    (LaneKind.FRONTSTAGE, ("frontstage", "front stage", "tien sanh", "phia truoc")),
    (LaneKind.BACKSTAGE, ("backstage", "back stage", "hau truong", "phia sau")),
    (LaneKind.SUPPORT, ("support process", "quy trinh ho tro", "ho tro")),
    (LaneKind.POLICIES, ("chinh sach", "polic", "quy dinh")),
    (LaneKind.TECHNOLOGY, ("cong nghe", "technolog", "he thong", "system")),
    (LaneKind.CONTENT, ("noi dung", "content")),
    (LaneKind.CHANNELS, ("kenh", "channel")),
    (LaneKind.MOTIVATIONS, ("dong co", "dong luc", "motivation", "nhu cau", "need", "why")),
    (LaneKind.THOUGHTS, ("suy nghi", "thought", "cau hoi", "question", "thinking", "nghi gi")),
    (LaneKind.ACTIONS, ("hanh dong", "hanh vi", "action", "hoat dong", "doing", "does")),
]


def kind_guess(title: str) -> LaneKind | None:
    """The kind a title names, or None (the lane becomes free text)."""
    words = plain(title)
    for kind in LaneKind:
        if words in {plain(str(kind.label)), kind.value}:
            return kind
    for kind, phrases in KIND_WORDS:
        if any(re.search(rf"(^|\W){re.escape(p)}", words) for p in phrases):
            return kind
    return None


EMOTION_WORDS: dict[int, tuple[str, ...]] = {
    2: (
        "rat vui",
        "hao hung",
        "tuyet voi",
        "rat hai long",
        "phan khich",
        "yeu thich",
        "delighted",
        "very happy",
        "excited",
        "love",
        "great",
        "thrilled",
    ),
    -2: (
        "rat te",
        "tuc gian",
        "buc boi",
        "rat that vong",
        "gian du",
        "rat khong hai long",
        "angry",
        "furious",
        "terrible",
        "awful",
        "very unhappy",
        "hate",
    ),
    1: (
        "vui",
        "hai long",
        "tot",
        "thich",
        "hy vong",
        "tin tuong",
        "yen tam",
        "happy",
        "good",
        "pleased",
        "satisfied",
        "hopeful",
        "positive",
        "glad",
    ),
    -1: (
        "khong vui",
        "lo lang",
        "kho chiu",
        "that vong",
        "boi roi",
        "met moi",
        "chan",
        "buon",
        "unhappy",
        "frustrated",
        "worried",
        "annoyed",
        "bad",
        "confused",
        "sad",
        "negative",
    ),
    0: ("binh thuong", "trung lap", "trung tinh", "neutral", "ok", "okay", "so so"),
}
EMOJI: dict[str, int] = {
    **dict.fromkeys("😍🤩😄😁🥰😃", 2),
    **dict.fromkeys("🙂😊😀👍☺", 1),
    **dict.fromkeys("😐😶🤔", 0),
    **dict.fromkeys("🙁😕😟😞👎😔😩", -1),
    **dict.fromkeys("😡😠😭😫🤬😤", -2),
}
NUMBER = re.compile(r"^\s*([+\-−–]?)\s*([0-2])(?:[.,]0+)?(?![\d.,])\s*[:\-–|]?\s*(.*)$", re.S)


def emotion_read(line: str) -> tuple[int, str] | None:
    """(score, note) for an emotion line, or None when it names no emotion."""
    match = NUMBER.match(line)
    if match:
        sign = -1 if match.group(1) in {"-", "−", "–"} else 1
        return sign * int(match.group(2)), match.group(3).strip()
    if line[:1] in EMOJI:
        return EMOJI[line[:1]], line[1:].lstrip("\ufe0f").strip()
    words = plain(line)
    # Longer, stronger phrases are checked first ("rat vui" before "vui", "khong vui" before
    # "vui"): a negative phrase must not read as the positive word it contains.
    phrases = sorted(
        ((phrase, score) for score, group in EMOTION_WORDS.items() for phrase in group),
        key=lambda pair: -len(pair[0]),
    )
    for phrase, score in phrases:
        if re.match(rf"{re.escape(phrase)}(\W|$)", words):
            return score, line
    return None


# Words in a touchpoint's text that name a channel of the catalog (touchpoints/catalog.py),
# checked in this order on the text without accents: "Fanpage Facebook" -> social.
CHANNEL_WORDS: list[tuple[str, tuple[str, ...]]] = [
    ("live_chat", ("live chat", "chat truc tuyen", "tro chuyen truc tuyen")),
    ("chatbot", ("chatbot", "chat bot")),
    ("email_support", ("email ho tro", "support email", "email support")),
    ("email", ("email", "e-mail", "newsletter", "ban tin")),
    ("sms", ("sms", "tin nhan")),
    ("hotline", ("hotline", "tong dai", "call center", "cham soc khach hang", "goi dien")),
    (
        "social",
        ("facebook", "fanpage", "zalo", "tiktok", "instagram", "youtube", "mang xa hoi", "social"),
    ),
    ("search", ("google", "tim kiem", "search", "seo")),
    ("online_ads", ("quang cao truc tuyen", "online ad", "ads", "quang cao")),
    ("review_sites", ("trang danh gia", "review site")),
    ("reviews", ("danh gia", "review", "xep hang", "rating")),
    ("mobile_app", ("ung dung", "mobile app", "app")),
    ("pricing", ("bang gia", "pricing")),
    ("faq", ("faq", "cau hoi thuong gap")),
    ("help_centre", ("trung tam tro giup", "help centre", "help center")),
    ("product_pages", ("trang san pham", "product page")),
    ("website", ("website", "trang web", "web")),
    ("blog", ("blog",)),
    ("video_guides", ("video",)),
    ("payment", ("thanh toan", "payment", "momo", "vi dien tu", "the tin dung")),
    ("store", ("cua hang", "showroom", "store", "sieu thi", "chi nhanh")),
    ("event", ("su kien", "hoi cho", "event", "trien lam")),
    ("sales_team", ("nhan vien ban hang", "sales", "tu van vien")),
    ("support_agents", ("nhan vien ho tro", "support agent")),
    ("referral", ("gioi thieu", "referral", "ban be", "truyen mieng")),
]


def channel_guess(text: str) -> str | None:
    """The catalog channel a touchpoint's text names, or None."""
    words = plain(text)
    for key, phrases in CHANNEL_WORDS:
        if any(re.search(rf"(^|\W){re.escape(p)}($|\W)", words) for p in phrases):
            return key
    return None
