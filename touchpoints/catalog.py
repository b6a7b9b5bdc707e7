"""The built-in channel catalog: the touchpoints docs/domain.md names, in Vietnamese and English.

`icon` names an SVG symbol in static/img/channels.svg, shared by the editor and exports.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Channel:
    key: str
    vi: str
    en: str
    online: bool
    icon: str

    def name(self, language: str) -> str:
        return self.vi if language == "vi" else self.en

    def as_dict(self) -> dict[str, object]:
        return {
            "key": self.key,
            "vi": self.vi,
            "en": self.en,
            "online": self.online,
            "icon": self.icon,
        }


CHANNELS: tuple[Channel, ...] = (
    Channel("search", "Google / kết quả tìm kiếm", "Google / search results", True, "search"),
    Channel(
        "display_ads", "Quảng cáo hiển thị / đa phương tiện", "Display / multimedia ads", True, "ad"
    ),
    Channel("online_ads", "Quảng cáo trực tuyến", "Online ads", True, "ad"),
    Channel(
        "traditional_media",
        "Truyền thông truyền thống (biển quảng cáo, báo in, thư)",
        "Traditional media (billboards, print, mail)",
        False,
        "billboard",
    ),
    Channel("referral", "Liên kết giới thiệu", "Referral links", True, "link"),
    Channel("website", "Trang web", "Website", True, "globe"),
    Channel("mobile_app", "Ứng dụng di động", "Mobile app", True, "phone"),
    Channel("social", "Mạng xã hội", "Social networks", True, "social"),
    Channel("sales_team", "Đội ngũ bán hàng", "Sales team", False, "people"),
    Channel("store", "Cửa hàng thực tế", "Physical store", False, "store"),
    Channel("event", "Gian hàng sự kiện / hội chợ", "Event booth / market stall", False, "tent"),
    Channel(
        "email",
        "Email (đăng ký, bản tin, ưu đãi, giao dịch)",
        "Email (sign-up, newsletters, offers, transactional)",
        True,
        "mail",
    ),
    Channel(
        "hotline",
        "Trung tâm chăm sóc khách hàng / hotline",
        "Customer care centre / hotline",
        False,
        "headset",
    ),
    Channel("payment", "Phương thức thanh toán", "Payment methods", True, "card"),
    Channel("reviews", "Đánh giá và xếp hạng", "Reviews and ratings", True, "star"),
    Channel("blog", "Nội dung blog", "Blog content", True, "article"),
    Channel("case_studies", "Nghiên cứu điển hình", "Case studies", True, "article"),
    Channel("testimonials", "Lời chứng thực", "Testimonials", True, "quote"),
    Channel("review_sites", "Trang đánh giá", "Review sites", True, "star"),
    Channel("video_guides", "Video hướng dẫn", "Video guides", True, "video"),
    Channel("demo", "Bản demo sản phẩm", "Product demos", True, "play"),
    Channel(
        "product_pages", "Trang sản phẩm / tích hợp", "Product / integration pages", True, "globe"
    ),
    Channel("faq", "Câu hỏi thường gặp (FAQ)", "FAQ", True, "help"),
    Channel("pricing", "Trang bảng giá", "Pricing page", True, "tag"),
    Channel(
        "help_centre", "Trung tâm trợ giúp tự phục vụ", "Self-service help centre", True, "help"
    ),
    Channel("support_agents", "Nhân viên hỗ trợ", "Support agents", False, "headset"),
    Channel("chatbot", "Chatbot", "Chatbot", True, "bot"),
    Channel("live_chat", "Trò chuyện trực tuyến", "Live chat", True, "chat"),
    Channel("email_support", "Hỗ trợ qua email", "Email support", True, "mail"),
    Channel("sms", "Tin nhắn SMS", "Text messages (SMS)", True, "sms"),
    Channel("upsell", "Bán thêm / bán chéo", "Upsell / cross-sell", True, "tag"),
    Channel("renewal", "Trang gia hạn", "Renewal page", True, "refresh"),
    Channel("other", "Khác", "Other", False, "dot"),
)

CHANNELS_BY_KEY: dict[str, Channel] = {channel.key: channel for channel in CHANNELS}


# Simple 24×24 stroke icons per catalog icon name (above); path data only,
# so the template draws them as inline SVG that both engines understand.
ICON_PATHS: dict[str, str] = {
    "search": "M10.5 4a6.5 6.5 0 1 1 0 13a6.5 6.5 0 0 1 0-13zM15.5 15.5L21 21",
    "ad": "M3 10v4h3l6 4V6L6 10H3zM16 9a4 4 0 0 1 0 6M19 6a8 8 0 0 1 0 12",
    "billboard": "M3 4h18v10H3zM8 14v7M16 14v7M6 21h12",
    "link": "M10 14a4 4 0 0 0 5.7 0l3-3a4 4 0 0 0-5.7-5.7l-1 1M14 10a4 4 0 0 0-5.7 0l-3 3"
    "a4 4 0 0 0 5.7 5.7l1-1",
    "globe": "M12 3a9 9 0 1 1 0 18a9 9 0 0 1 0-18zM3 12h18M12 3c3 3 3 15 0 18M12 3c-3 3-3 15 0 18",
    "phone": "M7 2h10v20H7zM11 18h2",
    "social": "M6 9a3 3 0 1 1 0 6a3 3 0 0 1 0-6zM18 3a3 3 0 1 1 0 6a3 3 0 0 1 0-6zM18 15a3 3 0 1 1"
    " 0 6a3 3 0 0 1 0-6zM8.7 10.7l6.6-3.4M8.7 13.3l6.6 3.4",
    "people": "M9 4a3.5 3.5 0 1 1 0 7a3.5 3.5 0 0 1 0-7zM2 20c0-4 3-6 7-6s7 2 7 6M16 4.5a3 3 0 0 1"
    " 0 6M18 14c2.5.6 4 2.5 4 6",
    "store": "M3 9l2-5h14l2 5M3 9h18v2a3 3 0 0 1-6 0a3 3 0 0 1-6 0a3 3 0 0 1-6 0zM5 12v9h14v-9"
    "M10 21v-5h4v5",
    "tent": "M12 3L2 21h20zM12 3v18M8 21l4-7l4 7",
    "mail": "M3 5h18v14H3zM3 6l9 7l9-7",
    "headset": "M4 14v-2a8 8 0 0 1 16 0v2M4 14h3v5H4zM17 14h3v5h-3zM20 19c0 2-2 3-5 3h-2",
    "card": "M2 5h20v14H2zM2 9h20M6 15h4",
    "star": "M12 3l2.8 5.8l6.2.9l-4.5 4.4l1.1 6.2L12 17.4l-5.6 2.9l1.1-6.2L3 9.7l6.2-.9z",
    "article": "M5 3h14v18H5zM8 7h8M8 11h8M8 15h5",
    "quote": "M4 11h6v7H4zM4 11c0-4 2-6 5-6M14 11h6v7h-6zM14 11c0-4 2-6 5-6",
    "video": "M2 6h14v12H2zM16 10l6-3v10l-6-3",
    "play": "M12 2a10 10 0 1 1 0 20a10 10 0 0 1 0-20zM10 8v8l6-4z",
    "help": "M12 2a10 10 0 1 1 0 20a10 10 0 0 1 0-20zM9.5 9a2.5 2.5 0 1 1 3.5 2.3c-.8.4-1 1-1 1.7"
    "M12 17h.01",
    "tag": "M3 3h8l10 10l-8 8L3 11zM7.5 7.5h.01",
    "bot": "M5 8h14v11H5zM12 4v4M9 13h.01M15 13h.01M9 16h6M2 12v3M22 12v3",
    "chat": "M4 4h16v12H9l-5 4z",
    "sms": "M4 4h16v12H9l-5 4zM8 10h.01M12 10h.01M16 10h.01",
    "refresh": "M20 11a8 8 0 0 0-14-5l-2 2M4 4v4h4M4 13a8 8 0 0 0 14 5l2-2M20 20v-4h-4",
    "dot": "M12 8a4 4 0 1 1 0 8a4 4 0 0 1 0-8z",
}
