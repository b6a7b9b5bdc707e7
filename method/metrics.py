"""The metric catalog (docs/domain.md, "Metrics") and calculators for the common ones.

Calculators are pure functions over plain numbers: they return a `MetricResult` whose
explanation shows the arithmetic, or raise `MetricInputError`; both are said in the caller's
language through gettext (`explained`, `message`). The API in method/api.py only parses and
picks the language. The catalog itself (names, definitions, formulas) is content in both
languages, handed out whole (`as_dict`), not interface text.
"""

# ruff: noqa: E501  (the catalog table reads better one entry per line)
from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

Bilingual = dict[str, str]


def bi(vi: str, en: str) -> Bilingual:
    return {"vi": vi, "en": en}


@dataclass(frozen=True)
class MetricDef:
    key: str
    stage: str
    name: Bilingual
    definition: Bilingual
    formula: Bilingual
    unit: str = ""
    calculator: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "stage": self.stage,
            "name": self.name,
            "definition": self.definition,
            "formula": self.formula,
            "unit": self.unit,
            "calculator": self.calculator or None,
        }


STAGES: dict[str, Bilingual] = {
    "awareness": bi("Nhận thức", "Awareness"),
    "acquisition": bi("Tiếp cận / cân nhắc", "Acquisition / consideration"),
    "onboarding": bi("Làm quen", "Onboarding"),
    "engagement": bi("Thu hút / gắn kết", "Engagement"),
    "retention": bi("Giữ chân", "Retention"),
    "advocacy": bi("Ủng hộ", "Advocacy"),
}

COUNT = bi("Đếm trong kỳ báo cáo.", "Counted over the reporting period.")


def _m(
    key: str,
    stage: str,
    name: Bilingual,
    definition: Bilingual,
    formula: Bilingual = COUNT,
    unit: str = "",
    calculator: str = "",
) -> MetricDef:
    return MetricDef(key, stage, name, definition, formula, unit, calculator)


CATALOG: tuple[MetricDef, ...] = (
    # Awareness
    _m("ad_impressions", "awareness", bi("Lượt hiển thị quảng cáo", "Ad impressions"),
       bi("Số lần quảng cáo được hiển thị cho người dùng.", "How many times ads were shown.")),
    _m("ad_clicks", "awareness", bi("Số lần nhấp quảng cáo", "Ad clicks"),
       bi("Số lần người dùng nhấp vào quảng cáo.", "How many times people clicked an ad.")),
    _m("search_volume", "awareness", bi("Lượng tìm kiếm", "Search volume"),
       bi("Số lượt tìm kiếm tên thương hiệu hoặc từ khoá liên quan.",
          "Searches for the brand name or related keywords.")),
    _m("social_mentions", "awareness",
       bi("Lượt nhắc và cảm xúc trên mạng xã hội", "Social listening mentions and sentiment"),
       bi("Số lần thương hiệu được nhắc đến và tỷ lệ nhắc tích cực.",
          "Brand mentions and the share of them that are positive."),
       bi("Nhắc tích cực ÷ tổng số lần nhắc × 100", "positive mentions ÷ all mentions × 100"), "%"),
    _m("share_of_voice", "awareness", bi("Thị phần tiếng nói", "Share of voice"),
       bi("Phần của thương hiệu trong tổng lượt nhắc của cả ngành.",
          "The brand's part of all mentions in its market."),
       bi("Lượt nhắc thương hiệu ÷ lượt nhắc cả ngành × 100",
          "brand mentions ÷ market mentions × 100"), "%"),
    _m("social_engagement", "awareness", bi("Tương tác mạng xã hội", "Social engagement"),
       bi("Thích, bình luận, chia sẻ so với số người tiếp cận.",
          "Likes, comments and shares relative to reach."),
       bi("Tương tác ÷ lượt tiếp cận × 100", "engagements ÷ reach × 100"), "%"),
    _m("domain_authority", "awareness", bi("Độ uy tín tên miền", "Domain authority"),
       bi("Điểm 1–100 ước lượng khả năng xếp hạng tìm kiếm của website.",
          "A 1–100 score estimating how well the website ranks in search."),
       bi("Do công cụ SEO tính.", "Computed by an SEO tool.")),
    _m("quality_score", "awareness", bi("Điểm chất lượng", "Quality score"),
       bi("Điểm 1–10 của nền tảng quảng cáo cho mức liên quan của quảng cáo và trang đích.",
          "The ad platform's 1–10 rating of ad and landing-page relevance."),
       bi("Do nền tảng quảng cáo tính.", "Computed by the ad platform."), "/10"),
    _m("brand_mentions", "awareness", bi("Lượt nhắc đến thương hiệu", "Brand mentions"),
       bi("Số lần thương hiệu xuất hiện trên báo chí, mạng xã hội, diễn đàn.",
          "Times the brand appears in press, social media and forums.")),
    # Acquisition / consideration
    _m("web_traffic", "acquisition", bi("Lưu lượng truy cập web/ứng dụng", "Web/app traffic"),
       bi("Số phiên truy cập website hoặc ứng dụng.", "Sessions on the website or app.")),
    _m("traffic_by_channel", "acquisition", bi("Lưu lượng theo kênh", "Traffic by channel"),
       bi("Phiên truy cập chia theo nguồn: tìm kiếm, mạng xã hội, email, giới thiệu…",
          "Sessions split by source: search, social, email, referral…")),
    _m("new_vs_returning", "acquisition", bi("Khách mới / quay lại", "New vs returning visitors"),
       bi("Tỷ lệ khách truy cập lần đầu so với khách quay lại.",
          "First-time visitors compared with returning ones."),
       bi("Khách mới ÷ tổng khách × 100", "new visitors ÷ all visitors × 100"), "%"),
    _m("list_growth_rate", "acquisition", bi("Tỷ lệ tăng trưởng danh sách", "List growth rate"),
       bi("Tốc độ danh sách email tăng sau khi trừ người huỷ.",
          "How fast the email list grows after unsubscribes."),
       bi("(Người đăng ký mới − người huỷ) ÷ quy mô danh sách × 100",
          "(new subscribers − unsubscribes) ÷ list size × 100"), "%"),
    _m("market_share", "acquisition", bi("Thị phần", "Market share"),
       bi("Phần doanh thu của công ty trong cả thị trường.", "The company's part of market sales."),
       bi("Doanh thu công ty ÷ doanh thu thị trường × 100", "company sales ÷ market sales × 100"),
       "%"),
    _m("email_open_rate", "acquisition", bi("Tỷ lệ mở email", "Email open rate"),
       bi("Phần email được mở trong số email gửi thành công.", "Delivered emails that were opened."),
       bi("Email được mở ÷ email gửi thành công × 100", "opened ÷ delivered × 100"), "%"),
    _m("share_forward_rate", "acquisition", bi("Tỷ lệ chia sẻ / chuyển tiếp", "Share/forward rate"),
       bi("Phần người nhận chia sẻ hoặc chuyển tiếp email.", "Recipients who share or forward."),
       bi("Lượt chia sẻ ÷ email gửi thành công × 100", "shares ÷ delivered × 100"), "%"),
    _m("click_through_rate", "acquisition", bi("Tỷ lệ nhấp (CTR)", "Click-through rate (CTR)"),
       bi("Phần người thấy liên kết hoặc quảng cáo và nhấp vào.",
          "People who saw a link or ad and clicked it."),
       bi("Lượt nhấp ÷ lượt hiển thị × 100", "clicks ÷ impressions × 100"), "%", "conversion_rate"),
    _m("bounce_rate", "acquisition", bi("Tỷ lệ thoát", "Bounce rate"),
       bi("Phần phiên truy cập rời đi sau một trang.", "Sessions that leave after one page."),
       bi("Phiên một trang ÷ tổng phiên × 100", "single-page sessions ÷ all sessions × 100"), "%"),
    _m("conversion_rate", "acquisition", bi("Tỷ lệ chuyển đổi", "Conversion rate"),
       bi("Phần khách truy cập thực hiện hành động mong muốn (mua, đăng ký).",
          "Visitors who take the wanted action (buy, sign up)."),
       bi("Số chuyển đổi ÷ số khách truy cập × 100", "conversions ÷ visitors × 100"), "%",
       "conversion_rate"),
    _m("cac", "acquisition", bi("Chi phí thu hút khách hàng (CAC)", "Customer acquisition cost (CAC)"),
       bi("Chi phí marketing và bán hàng để có một khách hàng mới.",
          "Marketing and sales spend per new customer."),
       bi("Chi phí marketing ÷ số khách hàng có được", "marketing spend ÷ customers won"), "VND",
       "cac"),
    _m("referral_traffic", "acquisition", bi("Lưu lượng giới thiệu", "Referral traffic"),
       bi("Phiên truy cập đến từ liên kết trên website khác.", "Sessions from links on other sites.")),
    _m("usability_score", "acquisition", bi("Điểm khả dụng", "Usability score"),
       bi("Điểm đánh giá mức dễ dùng (ví dụ SUS 0–100).", "An ease-of-use score (e.g. SUS 0–100)."),
       bi("Theo thang khảo sát đã chọn.", "Per the chosen survey scale.")),
    _m("cart_abandonment_rate", "acquisition", bi("Tỷ lệ bỏ giỏ hàng", "Cart abandonment rate"),
       bi("Phần giỏ hàng được tạo nhưng không thanh toán.", "Carts created but never paid."),
       bi("(Giỏ được tạo − đơn hoàn tất) ÷ giỏ được tạo × 100",
          "(carts created − orders completed) ÷ carts created × 100"), "%"),
    # Onboarding
    _m("accounts_created", "onboarding", bi("Số tài khoản được tạo", "Accounts created"),
       bi("Tài khoản mới được tạo trong kỳ.", "New accounts created in the period.")),
    _m("features_accessed", "onboarding", bi("Tính năng được sử dụng", "Features accessed"),
       bi("Số tính năng mỗi khách hàng mới đã dùng.", "Features each new customer has used.")),
    _m("content_engagement", "onboarding", bi("Mức tương tác nội dung", "Content engagement"),
       bi("Phần khách hàng mới xem hướng dẫn, video, bài viết làm quen.",
          "New customers who view onboarding guides, videos and articles."),
       bi("Người xem nội dung ÷ khách hàng mới × 100", "viewers ÷ new customers × 100"), "%"),
    _m("demographics_captured", "onboarding",
       bi("Thông tin nhân khẩu học thu được", "Demographics captured"),
       bi("Phần hồ sơ khách hàng có đủ thông tin cơ bản.", "Profiles with the basic details filled."),
       bi("Hồ sơ đầy đủ ÷ tổng hồ sơ × 100", "complete profiles ÷ all profiles × 100"), "%"),
    _m("service_requests", "onboarding", bi("Yêu cầu hỗ trợ", "Service requests"),
       bi("Số yêu cầu hỗ trợ trong giai đoạn làm quen.", "Support requests during onboarding.")),
    # Engagement
    _m("time_in_product", "engagement", bi("Thời gian sử dụng sản phẩm", "Time using the product"),
       bi("Thời gian trung bình khách hàng dùng sản phẩm.", "Average time customers spend in it.")),
    _m("open_rate_over_time", "engagement",
       bi("Tỷ lệ mở email theo thời gian", "Open rate over time"),
       bi("Xu hướng tỷ lệ mở của cùng một nhóm qua các tháng.",
          "The open rate of the same group month by month."),
       bi("Email được mở ÷ email gửi thành công × 100, theo tháng",
          "opened ÷ delivered × 100, per month"), "%"),
    _m("transaction_data", "engagement", bi("Dữ liệu giao dịch", "Transaction data"),
       bi("Số giao dịch và giá trị giao dịch mỗi khách hàng.",
          "Transactions and their value per customer.")),
    # Retention
    _m("csat", "retention", bi("Mức độ hài lòng (CSAT)", "Customer satisfaction (CSAT)"),
       bi("Phần người trả lời hài lòng (4–5 trên thang 5).",
          "Respondents who are satisfied (4–5 on a 5-point scale)."),
       bi("Câu trả lời hài lòng ÷ tổng câu trả lời × 100", "satisfied answers ÷ all answers × 100"),
       "%", "csat"),
    _m("clv", "retention", bi("Giá trị vòng đời khách hàng (CLV)", "Customer lifetime value (CLV)"),
       bi("Lợi nhuận gộp dự kiến từ một khách hàng trong suốt thời gian gắn bó.",
          "Expected gross profit from one customer over the whole relationship."),
       bi("Giá trị đơn trung bình × số lần mua mỗi năm × số năm gắn bó × biên lợi nhuận",
          "average order value × purchases per year × years as a customer × margin"), "VND",
       "clv"),
    _m("renewals", "retention", bi("Gia hạn / mua lại / bán chéo / bán thêm",
                                   "Renewals / reorders / cross-sell / upsell"),
       bi("Số khách hàng gia hạn, mua lại hoặc mua thêm sản phẩm.",
          "Customers who renew, reorder or buy more.")),
    _m("repurchase_likelihood", "retention", bi("Khả năng mua lại", "Repurchase likelihood"),
       bi("Phần người trả lời khảo sát nói sẽ mua lại.", "Respondents who say they will buy again."),
       bi("Người sẽ mua lại ÷ người trả lời × 100", "will buy again ÷ respondents × 100"), "%"),
    _m("unsubscribe_rate", "retention", bi("Tỷ lệ huỷ đăng ký", "Unsubscribe rate"),
       bi("Phần người nhận huỷ đăng ký sau một email.", "Recipients who unsubscribe after an email."),
       bi("Lượt huỷ ÷ email gửi thành công × 100", "unsubscribes ÷ delivered × 100"), "%"),
    _m("returns_cancellations", "retention", bi("Trả hàng / huỷ đơn", "Returns / cancellations"),
       bi("Phần đơn hàng bị trả lại hoặc huỷ.", "Orders returned or cancelled."),
       bi("Đơn trả hoặc huỷ ÷ tổng đơn × 100", "returned or cancelled ÷ all orders × 100"), "%"),
    _m("churn_rate", "retention", bi("Tỷ lệ rời bỏ", "Churn rate"),
       bi("Phần khách hàng đầu kỳ đã rời đi trong kỳ.", "Customers at the start who left."),
       bi("Khách rời đi ÷ khách đầu kỳ × 100", "customers lost ÷ customers at start × 100"), "%",
       "churn"),
    _m("retention_rate", "retention", bi("Tỷ lệ giữ chân", "Retention rate"),
       bi("Phần khách hàng đầu kỳ vẫn còn ở cuối kỳ (không tính khách mới).",
          "Customers at the start still there at the end (new ones not counted)."),
       bi("(Khách cuối kỳ − khách mới) ÷ khách đầu kỳ × 100",
          "(customers at end − new customers) ÷ customers at start × 100"), "%", "retention"),
    _m("fcr", "retention", bi("Giải quyết ngay lần đầu (FCR)", "First contact resolution (FCR)"),
       bi("Phần yêu cầu được giải quyết ngay lần liên hệ đầu tiên.",
          "Requests solved on the first contact."),
       bi("Yêu cầu giải quyết lần đầu ÷ tổng yêu cầu × 100",
          "solved on first contact ÷ all requests × 100"), "%", "conversion_rate"),
    # Advocacy
    _m("content_shares", "advocacy", bi("Lượt chia sẻ nội dung", "Content shares"),
       bi("Số lần khách hàng chia sẻ nội dung của thương hiệu.",
          "Times customers share the brand's content.")),
    _m("nps", "advocacy", bi("Net Promoter Score (NPS)", "Net Promoter Score (NPS)"),
       bi("Câu hỏi 0–10 “Bạn có giới thiệu chúng tôi không?”: 9–10 là người ủng hộ, 7–8 trung "
          "lập, 0–6 là người phản đối.",
          "The 0–10 question “Would you recommend us?”: 9–10 promoters, 7–8 passives, "
          "0–6 detractors."),
       bi("NPS = % người ủng hộ − % người phản đối (từ −100 đến 100)",
          "NPS = % promoters − % detractors (from −100 to 100)"), "", "nps"),
    _m("referrals", "advocacy", bi("Số lượt giới thiệu", "Referrals"),
       bi("Khách hàng mới đến nhờ khách hàng hiện tại giới thiệu.",
          "New customers who came through a referral.")),
    _m("reviews", "advocacy", bi("Đánh giá", "Reviews"),
       bi("Số đánh giá và điểm trung bình trên các trang đánh giá.",
          "Number of reviews and their average rating.")),
    _m("social_proof", "advocacy", bi("Bằng chứng xã hội", "Social proof"),
       bi("Lời chứng thực, nghiên cứu điển hình, lượt gắn thẻ thương hiệu.",
          "Testimonials, case studies, brand tags.")),
    _m("influencer_endorsements", "advocacy",
       bi("Sự ủng hộ của người có ảnh hưởng", "Influencer endorsements"),
       bi("Số người có ảnh hưởng giới thiệu thương hiệu một cách tự nguyện.",
          "Influencers who recommend the brand unprompted.")),
)  # fmt: skip

CATALOG_BY_KEY: dict[str, MetricDef] = {metric.key: metric for metric in CATALOG}
# The B2B monitoring set the seeds recommend.
B2B_SET = ("nps", "csat", "fcr", "retention_rate", "clv", "conversion_rate")


def catalog(language: str | None = None) -> list[dict[str, Any]]:
    """The catalog as JSON; with a language, each text is picked in that language."""
    entries = [metric.as_dict() | {"b2b": metric.key in B2B_SET} for metric in CATALOG]
    if language is None:
        return entries
    for entry in entries:
        for field in ("name", "definition", "formula"):
            entry[field] = entry[field][language]
        entry["stage_name"] = STAGES[entry["stage"]][language]
    return entries


def _said(text: Promise, params: Mapping[str, Any], language: str) -> str:
    with translation.override(language):
        return str(text) % params


class MetricInputError(ValueError):
    """Why an input is refused; `message(language)` says it in that language."""

    def __init__(self, text: Promise, **params: Any) -> None:
        self.text, self.params = text, params
        super().__init__(self.message("en"))

    def message(self, language: str) -> str:
        return _said(self.text, self.params, language)


@dataclass(frozen=True)
class MetricResult:
    value: float
    explanation: Promise  # the arithmetic, with %(…)s filled from `params`
    params: dict[str, Any]
    unit: str = ""

    def explained(self, language: str) -> str:
        return _said(self.explanation, self.params, language)

    def as_dict(self, language: str) -> dict[str, Any]:
        return {"value": self.value, "unit": self.unit, "explanation": self.explained(language)}


def _fmt(number: float) -> str:
    return f"{number:,.2f}".rstrip("0").rstrip(".")


# Inputs above this are refused: far beyond any real count or amount, and products of a few
# of them stay finite floats.
MAX_INPUT = 10**15


def _number(inputs: Mapping[str, Any], name: str, default: float | None = None) -> int | float:
    """A required (or defaulted) finite number from 0 to MAX_INPUT."""
    value = inputs.get(name, default)
    if value is None:
        raise MetricInputError(_("“%(name)s” is missing."), name=name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise MetricInputError(_("“%(name)s” must be a number."), name=name)
    if isinstance(value, float) and not math.isfinite(value):
        raise MetricInputError(_("“%(name)s” must be a number."), name=name)
    if value < 0:
        raise MetricInputError(_("“%(name)s” cannot be negative."), name=name)
    if value > MAX_INPUT:
        raise MetricInputError(_("“%(name)s” is too large."), name=name)
    return value


def _count(inputs: Mapping[str, Any], name: str) -> int:
    """A required whole number ≥ 0."""
    value = inputs.get(name)
    if isinstance(value, float) and not value.is_integer():
        raise MetricInputError(_("“%(name)s” must be a whole number."), name=name)
    return int(_number(inputs, name))


def _amount(inputs: Mapping[str, Any], name: str, default: float | None = None) -> float:
    return float(_number(inputs, name, default))


def _nonzero(total: float, name: str) -> None:
    if total == 0:
        raise MetricInputError(_("“%(name)s” is zero: cannot divide by it."), name=name)


def _ratio(part: int, whole: int, part_name: str, whole_name: str) -> float:
    _nonzero(whole, whole_name)
    if part > whole:
        raise MetricInputError(
            _("“%(part)s” cannot be larger than “%(whole)s”."), part=part_name, whole=whole_name
        )
    return round(part / whole * 100, 2)


def nps_counts_from_answers(answers: Any) -> tuple[int, int, int]:
    """(promoters, passives, detractors) from counts of each 0–10 answer: a list of 11 counts,
    or a mapping from score to count."""
    if isinstance(answers, list):
        if len(answers) != 11:
            raise MetricInputError(_("“answers” needs exactly 11 counts, for scores 0 to 10."))
        pairs = list(enumerate(answers))
    elif isinstance(answers, dict):
        pairs = []
        for score, count in answers.items():
            if not (str(score).isascii() and str(score).isdigit()) or int(score) > 10:
                raise MetricInputError(_("Score “%(score)s” is not in 0–10."), score=score)
            pairs.append((int(score), count))
    else:
        raise MetricInputError(_("“answers” is a list of 11 counts or a score → count mapping."))
    counts = [(score, _count({str(score): count}, str(score))) for score, count in pairs]
    promoters = sum(n for score, n in counts if score >= 9)
    passives = sum(n for score, n in counts if 7 <= score <= 8)
    detractors = sum(n for score, n in counts if score <= 6)
    return promoters, passives, detractors


def nps(inputs: Mapping[str, Any]) -> MetricResult:
    if "answers" in inputs:
        promoters, passives, detractors = nps_counts_from_answers(inputs["answers"])
    else:
        promoters = _count(inputs, "promoters")
        passives = _count(inputs, "passives")
        detractors = _count(inputs, "detractors")
    total = promoters + passives + detractors
    if total == 0:
        raise MetricInputError(_("No answers: the total number of respondents is zero."))
    p, d = promoters / total * 100, detractors / total * 100
    value = round(p - d, 2)
    return MetricResult(
        value,
        _(
            "%(promoters)s promoters (%(p)s%%) − %(detractors)s detractors (%(d)s%%) "
            "of %(total)s answers = NPS %(value)s"
        ),
        {
            "promoters": promoters,
            "p": _fmt(p),
            "detractors": detractors,
            "d": _fmt(d),
            "total": total,
            "value": _fmt(value),
        },
    )


def csat(inputs: Mapping[str, Any]) -> MetricResult:
    satisfied, total = _count(inputs, "satisfied"), _count(inputs, "responses")
    value = _ratio(satisfied, total, "satisfied", "responses")
    return MetricResult(
        value,
        _("%(satisfied)s satisfied answers ÷ %(total)s answers × 100 = %(value)s%%"),
        {"satisfied": satisfied, "total": total, "value": _fmt(value)},
        "%",
    )


def conversion_rate(inputs: Mapping[str, Any]) -> MetricResult:
    conversions, visitors = _count(inputs, "conversions"), _count(inputs, "visitors")
    value = _ratio(conversions, visitors, "conversions", "visitors")
    return MetricResult(
        value,
        _("%(conversions)s conversions ÷ %(visitors)s visitors × 100 = %(value)s%%"),
        {"conversions": conversions, "visitors": visitors, "value": _fmt(value)},
        "%",
    )


def cac(inputs: Mapping[str, Any]) -> MetricResult:
    spend, customers = _amount(inputs, "spend"), _count(inputs, "customers")
    _nonzero(customers, "customers")
    value = round(spend / customers, 2)
    return MetricResult(
        value,
        _("Spend %(spend)s ÷ %(customers)s new customers = %(value)s per customer"),
        {"spend": _fmt(spend), "customers": customers, "value": _fmt(value)},
    )


def churn(inputs: Mapping[str, Any]) -> MetricResult:
    start, lost = _count(inputs, "customers_start"), _count(inputs, "customers_lost")
    value = _ratio(lost, start, "customers_lost", "customers_start")
    return MetricResult(
        value,
        _(
            "%(lost)s customers lost ÷ %(start)s at the start × 100 = %(value)s%% "
            "(retention %(kept)s%%)"
        ),
        {"lost": lost, "start": start, "value": _fmt(value), "kept": _fmt(100 - value)},
        "%",
    )


def retention(inputs: Mapping[str, Any]) -> MetricResult:
    start, end = _count(inputs, "customers_start"), _count(inputs, "customers_end")
    new = _count(inputs, "customers_new")
    if new > end:
        raise MetricInputError(
            _("“%(part)s” cannot be larger than “%(whole)s”."),
            part="customers_new",
            whole="customers_end",
        )
    value = _ratio(end - new, start, "customers_end − customers_new", "customers_start")
    return MetricResult(
        value,
        _("(%(end)s at the end − %(new)s new) ÷ %(start)s at the start × 100 = %(value)s%%"),
        {"end": end, "new": new, "start": start, "value": _fmt(value)},
        "%",
    )


def clv(inputs: Mapping[str, Any]) -> MetricResult:
    order_value = _amount(inputs, "average_order_value")
    per_year = _amount(inputs, "purchases_per_year")
    years = _amount(inputs, "years")
    margin = _amount(inputs, "margin", 100.0)
    if margin > 100:
        raise MetricInputError(_("“margin” is a percentage from 0 to 100."))
    value = round(order_value * per_year * years * margin / 100, 2)
    return MetricResult(
        value,
        _(
            "%(order)s per order × %(per_year)s orders/year × %(years)s years "
            "× %(margin)s%% margin = %(value)s"
        ),
        {
            "order": _fmt(order_value),
            "per_year": _fmt(per_year),
            "years": _fmt(years),
            "margin": _fmt(margin),
            "value": _fmt(value),
        },
    )


CALCULATORS: dict[str, Callable[[Mapping[str, Any]], MetricResult]] = {
    "nps": nps,
    "csat": csat,
    "conversion_rate": conversion_rate,
    "cac": cac,
    "churn": churn,
    "retention": retention,
    "clv": clv,
}


def metric_calculate(*, metric: str, inputs: Mapping[str, Any]) -> MetricResult:
    calculator = CALCULATORS.get(metric)
    if calculator is None:
        known = ", ".join(CALCULATORS)
        raise MetricInputError(
            _("No calculator for “%(metric)s”; known: %(known)s."), metric=metric, known=known
        )
    return calculator(inputs)
