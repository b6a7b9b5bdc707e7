"""Ready-made B2B and B2C personas, bilingual: a starting point a team edits with its research.

`persona_from_template` creates a workspace persona from one in the chosen language.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User

from personas.models import Persona
from workspaces.models import Workspace


def bi(vi: str, en: str) -> dict[str, str]:
    return {"vi": vi, "en": en}


PERSONA_TEMPLATES: dict[str, dict[str, Any]] = {
    "b2c_office_worker": {
        "segment": "b2c",
        "color": "#6366f1",
        "name": bi("Chị Lan, nhân viên văn phòng", "Lan, office worker"),
        "quote": bi(
            "Tôi muốn mua nhanh, nhưng phải chắc chắn là đáng tiền.",
            "I want to buy fast, but I need to know it's worth it.",
        ),
        "age": "29",
        "location": bi("TP. Hồ Chí Minh", "Ho Chi Minh City"),
        "gender": bi("Nữ", "Female"),
        "income": bi("15–20 triệu đồng/tháng", "15–20 million VND/month"),
        "job_title": bi("Nhân viên kế toán", "Accountant"),
        "interests": bi("Làm đẹp, du lịch, nấu ăn", "Beauty, travel, cooking"),
        "media_habits": bi(
            "Facebook, TikTok, Shopee mỗi ngày; xem review trên YouTube",
            "Facebook, TikTok, Shopee daily; watches YouTube reviews",
        ),
        "favourite_brands": bi(
            "Shopee, Highlands Coffee, Uniqlo", "Shopee, Highlands Coffee, Uniqlo"
        ),
        "buying_behaviour": bi(
            "So sánh giá trên nhiều sàn, chờ ngày khuyến mãi",
            "Compares marketplaces, waits for sales",
        ),
        "goals": bi(
            "Mua đúng sản phẩm tốt với giá hợp lý", "Buy the right product at a fair price"
        ),
        "challenges": bi("Ít thời gian, nhiều lựa chọn", "Little time, too many choices"),
        "pain_points": bi(
            "Ngại thủ tục rườm rà, sợ hàng giả", "Dislikes hassle, fears counterfeits"
        ),
        "excites": bi("Ưu đãi bất ngờ, giao hàng nhanh", "Surprise offers, fast delivery"),
        "frustrates": bi("Phí ẩn, chăm sóc khách hàng chậm", "Hidden fees, slow customer care"),
        "day_in_life": bi(
            "Đi làm bằng xe máy, làm việc 8–17 giờ, tối nấu ăn và lướt điện thoại.",
            "Rides to work, works 8 to 5, cooks and scrolls her phone in the evening.",
        ),
        "channels": ["social", "search", "website", "store"],
        "buying_triggers": bi(
            "Đánh giá tốt từ người quen, ưu đãi có hạn",
            "Good reviews from people she knows, limited-time offers",
        ),
        "information_needs": bi(
            "Chi phí giao hàng, chính sách đổi trả", "Delivery cost, return policy"
        ),
        "research": bi(
            "Mẫu khởi đầu: thay bằng kết quả phỏng vấn và khảo sát của bạn.",
            "Starter template: replace with your own interviews and surveys.",
        ),
    },
    "b2c_student": {
        "segment": "b2c",
        "color": "#ec4899",
        "name": bi("Bạn Huy, sinh viên", "Huy, student"),
        "quote": bi("Rẻ mà chất thì mình mua liền.", "If it's cheap and good, I'll buy it now."),
        "age": "20",
        "location": bi("Đà Nẵng", "Da Nang"),
        "gender": bi("Nam", "Male"),
        "income": bi("3–5 triệu đồng/tháng (làm thêm)", "3–5 million VND/month (part-time)"),
        "job_title": bi("Sinh viên năm 2", "Second-year student"),
        "interests": bi("Game, bóng đá, công nghệ", "Games, football, tech"),
        "media_habits": bi("TikTok, YouTube, Discord", "TikTok, YouTube, Discord"),
        "buying_behaviour": bi(
            "Mua trả góp, săn mã giảm giá", "Buys on instalments, hunts vouchers"
        ),
        "goals": bi("Có đồ công nghệ tốt trong ngân sách nhỏ", "Good tech on a small budget"),
        "challenges": bi("Ngân sách eo hẹp", "A tight budget"),
        "pain_points": bi("Thủ tục trả góp phức tạp", "Complicated instalment paperwork"),
        "excites": bi("Ra mắt sản phẩm mới, quà tặng kèm", "Launches, free gifts"),
        "frustrates": bi("Hàng không giống quảng cáo", "Products that don't match the ad"),
        "channels": ["social", "mobile_app", "video_guides"],
        "buying_triggers": bi(
            "Video đánh giá của YouTuber yêu thích", "A favourite YouTuber's review"
        ),
        "information_needs": bi("So sánh cấu hình dễ hiểu", "Plain-language spec comparisons"),
        "research": bi(
            "Mẫu khởi đầu: thay bằng kết quả phỏng vấn và khảo sát của bạn.",
            "Starter template: replace with your own interviews and surveys.",
        ),
    },
    "b2b_it_manager": {
        "segment": "b2b",
        "color": "#0ea5e9",
        "name": bi("Anh Minh, trưởng phòng CNTT", "Minh, IT manager"),
        "quote": bi(
            "Tôi cần một giải pháp chạy ổn định và được ban giám đốc duyệt nhanh.",
            "I need something that runs reliably and that the board will sign off quickly.",
        ),
        "age": "38",
        "location": bi("Hà Nội", "Hanoi"),
        "job_title": bi("Trưởng phòng Công nghệ thông tin", "Head of IT"),
        "company": bi("Công ty sản xuất 300 nhân viên", "Manufacturer with 300 staff"),
        "industry": bi("Sản xuất", "Manufacturing"),
        "decision_maker": True,
        "media_habits": bi(
            "LinkedIn, hội thảo ngành, báo ICTnews", "LinkedIn, industry events, ICT news"
        ),
        "buying_behaviour": bi(
            "Lập danh sách 3 nhà cung cấp, yêu cầu demo và chạy thử",
            "Shortlists three vendors, asks for demos and a pilot",
        ),
        "goals": bi(
            "Số hoá quy trình, giảm chi phí vận hành", "Digitise processes, cut running costs"
        ),
        "challenges": bi(
            "Ngân sách hạn chế, nhiều bên phải đồng ý", "Tight budget, many stakeholders must agree"
        ),
        "pain_points": bi("Triển khai kéo dài, hỗ trợ chậm", "Long roll-outs, slow support"),
        "excites": bi(
            "Tích hợp sẵn với hệ thống hiện có", "Ready integrations with existing systems"
        ),
        "frustrates": bi("Báo giá không minh bạch", "Opaque pricing"),
        "channels": ["search", "case_studies", "sales_team", "event"],
        "buying_triggers": bi(
            "Bản demo thuyết phục, khách hàng cùng ngành giới thiệu",
            "A convincing demo, a referral from a peer in the industry",
        ),
        "information_needs": bi(
            "Tổng chi phí sở hữu, thời gian triển khai thực tế",
            "Total cost of ownership, real roll-out time",
        ),
        "research": bi(
            "Mẫu khởi đầu: thay bằng kết quả phỏng vấn và khảo sát của bạn.",
            "Starter template: replace with your own interviews and surveys.",
        ),
    },
    "b2b_procurement": {
        "segment": "b2b",
        "color": "#f59e0b",
        "name": bi("Chị Hương, chuyên viên mua hàng", "Huong, procurement officer"),
        "quote": bi(
            "Tôi phải chứng minh đây là lựa chọn an toàn nhất về chi phí.",
            "I have to prove this is the safest choice on cost.",
        ),
        "age": "34",
        "location": bi("Bình Dương", "Binh Duong"),
        "job_title": bi("Chuyên viên mua hàng", "Procurement officer"),
        "company": bi("Chuỗi bán lẻ 40 cửa hàng", "Retail chain with 40 stores"),
        "industry": bi("Bán lẻ", "Retail"),
        "decision_maker": False,
        "buying_behaviour": bi(
            "Yêu cầu 3 báo giá, chấm điểm theo tiêu chí", "Asks for three quotes, scores them"
        ),
        "goals": bi("Mua đúng hạn, đúng ngân sách", "Buy on time and on budget"),
        "challenges": bi("Quy trình duyệt nhiều cấp", "Multi-level approvals"),
        "pain_points": bi("Nhà cung cấp chậm gửi hồ sơ", "Vendors slow to send paperwork"),
        "frustrates": bi("Điều khoản hợp đồng thay đổi phút chót", "Last-minute contract changes"),
        "channels": ["email", "pricing", "sales_team"],
        "buying_triggers": bi(
            "Báo giá rõ ràng, hoá đơn VAT đầy đủ", "Clear quotes, proper VAT invoices"
        ),
        "information_needs": bi(
            "Điều khoản thanh toán, bảo hành, SLA", "Payment terms, warranty, SLA"
        ),
        "research": bi(
            "Mẫu khởi đầu: thay bằng kết quả phỏng vấn và khảo sát của bạn.",
            "Starter template: replace with your own interviews and surveys.",
        ),
    },
}


def _localize(value: Any, language: str) -> Any:
    return value[language] if isinstance(value, dict) else value


def persona_template_list() -> list[dict[str, Any]]:
    return [
        {
            "key": key,
            "segment": data["segment"],
            "name_vi": data["name"]["vi"],
            "name_en": data["name"]["en"],
            "quote": data["quote"],
        }
        for key, data in PERSONA_TEMPLATES.items()
    ]


def persona_template_fields(key: str, language: str) -> dict[str, Any]:
    return {name: _localize(value, language) for name, value in PERSONA_TEMPLATES[key].items()}


def persona_from_template(*, workspace: Workspace, actor: User, key: str, language: str) -> Persona:
    return Persona.objects.create(
        workspace=workspace, created_by=actor, **persona_template_fields(key, language)
    )
