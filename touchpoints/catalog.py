"""The built-in channel catalog: the touchpoints DOMAIN.md names, in Vietnamese and English.

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
