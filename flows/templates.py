"""Every WhatsApp template the product sends, defined once: the registry synced to Meta.

`REGISTRY` holds each template's name, category (`UTILITY` for order, payment
and account notices; `MARKETING` for nudges), body in English and Nepali,
example values for every `{{n}}` (Meta refuses a template without them) and
quick-reply buttons. `khaacho templates sync` creates exactly these in both
languages (bot/whatsapp/templates_api.py renders the request); the functions
below build the messages that use them, with the parameters in the order the
bodies number them. Parameters are single-line: WhatsApp rejects newlines in
template parameters. `reorder_nudge` has one quick-reply button whose payload
is `reorder:<nudge batch id>`; the three payment reminders have one, "Pay" /
"भुक्तानी", whose payload is `pay` (paying from the chat); `vendor_new_order`
has Accept and Reject (`vendor:accept:N`, `vendor:reject:N`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from flows import i18n
from flows.choices import PayChoice, ReorderChoice
from flows.replies import Template

PAYMENT_REMINDER_DUE_SOON = "payment_reminder_due_soon"
PAYMENT_REMINDER_DUE_TODAY = "payment_reminder_due_today"
PAYMENT_REMINDER_OVERDUE = "payment_reminder_overdue"
CREDIT_BLOCKED = "credit_blocked"
CREDIT_UNBLOCKED = "credit_unblocked"
REORDER_NUDGE = "reorder_nudge"
OPERATOR_FOLLOWUP = "operator_followup"
VENDOR_WEEKLY_REPORT = "vendor_weekly_report"
PAYMENT_VOIDED = "payment_voided"
# A gateway payment the ledger did not take (flows/money_notices.py): paid another
# amount, returned by the gateway before it was credited, or never made in time.
PAYMENT_HELD = "payment_held"
PAYMENT_RETURNED = "payment_returned"
PAYMENT_EXPIRED = "payment_expired"

# The names the order notices use (flows/order_notices.py imports them from here).
VENDOR_NEW_ORDER = "vendor_new_order"
ORDER_UPDATE = "order_update"
PAYMENT_RECEIVED = "payment_received"

LANGUAGES: tuple[str, ...] = ("en", "ne")


class Category(StrEnum):
    """Meta's template categories; marketing ones follow opt-out and marketing limits."""

    UTILITY = "UTILITY"
    MARKETING = "MARKETING"


@dataclass(frozen=True, slots=True)
class TemplateSpec:
    """One template as submitted to Meta, in every language we send it in."""

    name: str
    category: Category
    body: dict[str, str]  # language -> body text with {{1}}, {{2}} …
    examples: dict[str, tuple[str, ...]]  # language -> one example value per parameter
    buttons: dict[str, tuple[str, ...]]  # language -> quick-reply button texts, in order

    @property
    def marketing(self) -> bool:
        """Whether sends go through the marketing route and respect opt-out."""
        return self.category is Category.MARKETING


def _spec(name: str, category: Category, en: str, ne: str, en_examples: tuple[str, ...],
          ne_examples: tuple[str, ...], en_buttons: tuple[str, ...] = (),
          ne_buttons: tuple[str, ...] = ()) -> TemplateSpec:
    return TemplateSpec(name, category, {"en": en, "ne": ne},
                        {"en": en_examples, "ne": ne_examples},
                        {"en": en_buttons, "ne": ne_buttons})


_U, _M = Category.UTILITY, Category.MARKETING
_PAY_EN, _PAY_NE = ("Pay",), ("भुक्तानी",)
REGISTRY: dict[str, TemplateSpec] = {s.name: s for s in (
    _spec(PAYMENT_REMINDER_DUE_SOON, _U,
          "Namaste {{1}}, {{2}} (orders: {{3}}) is due on {{4}}. "
          "Please pay by then to keep ordering on credit.",
          "नमस्ते {{1}}, {{2}} (अर्डर: {{3}}) {{4}} मा तिर्नुपर्ने छ। "
          "उधारोमा अर्डर गरिरहन त्यसअघि तिर्नुहोला।",
          ("Sharma Kirana", "Rs 12,500", "#1001, #1002", "2026-12-05"),
          ("शर्मा किराना", "रु १२,५००", "#1001, #1002", "२०२६-१२-०५"), _PAY_EN, _PAY_NE),
    _spec(PAYMENT_REMINDER_DUE_TODAY, _U,
          "Namaste {{1}}, {{2}} (orders: {{3}}) is due today ({{4}}).",
          "नमस्ते {{1}}, {{2}} (अर्डर: {{3}}) आज ({{4}}) तिर्नुपर्ने छ।",
          ("Sharma Kirana", "Rs 12,500", "#1001", "2026-12-05"),
          ("शर्मा किराना", "रु १२,५००", "#1001", "२०२६-१२-०५"), _PAY_EN, _PAY_NE),
    _spec(PAYMENT_REMINDER_OVERDUE, _U,
          "Namaste {{1}}, {{2}} (orders: {{3}}) was due on {{4}} and is {{5}} days overdue. "
          "Please pay as soon as you can.",
          "नमस्ते {{1}}, {{2}} (अर्डर: {{3}}) {{4}} मा तिर्नुपर्ने थियो, {{5}} दिन नाघ्यो। "
          "सकेसम्म छिटो तिर्नुहोला।",
          ("Sharma Kirana", "Rs 12,500", "#1001", "2026-11-20", "12"),
          ("शर्मा किराना", "रु १२,५००", "#1001", "२०२६-११-२०", "12"), _PAY_EN, _PAY_NE),
    _spec(CREDIT_BLOCKED, _U,
          "Namaste {{1}}, new credit orders are paused: {{2}} is {{3}} days overdue "
          "(order {{4}}). They reopen as soon as it is paid.",
          "नमस्ते {{1}}, नयाँ उधारो अर्डर रोकिएको छ: {{2}} तिर्न {{3}} दिन नाघ्यो "
          "(अर्डर {{4}})। तिर्नेबित्तिकै फेरि खुल्छ।",
          ("Sharma Kirana", "Rs 12,500", "16", "#1001"),
          ("शर्मा किराना", "रु १२,५००", "16", "#1001")),
    _spec(CREDIT_UNBLOCKED, _U,
          "Namaste {{1}}, thank you for your payment. You can order on credit again.",
          "नमस्ते {{1}}, भुक्तानीका लागि धन्यवाद। अब फेरि उधारोमा अर्डर गर्न सक्नुहुन्छ।",
          ("Sharma Kirana",), ("शर्मा किराना",)),
    _spec(REORDER_NUDGE, _M,
          "Namaste {{1}}, time to restock? Your usual: {{2}}. Tap Reorder to get them.",
          "नमस्ते {{1}}, सामान थप्ने बेला भयो? तपाईंको सधैंको: {{2}}। "
          "फेरि मगाउन थिच्नुहोस्।",
          ("Sharma Kirana", "Mansuli rice 2 bora, sugar 10 kg"),
          ("शर्मा किराना", "मन्सुली चामल २ बोरा, चिनी १० केजी"),
          ("Reorder",), ("फेरि मगाउनुहोस्",)),
    _spec(VENDOR_WEEKLY_REPORT, _U,
          "Hello {{1}}, your week {{2}}: {{3}} orders worth {{4}}, accepted {{5}}, "
          "median reply {{6}}, {{7}} prices flagged as far from the market.",
          "नमस्ते {{1}}, तपाईंको हप्ता {{2}}: {{3}} अर्डर, जम्मा {{4}}, स्वीकार {{5}}, "
          "जवाफ दिन औसत {{6}}, बजारभन्दा धेरै फरक {{7}} मूल्य।",
          ("Himal Wholesale", "2026-W48", "42", "Rs 310,000", "95%", "4 min", "2"),
          ("हिमाल होलसेल", "2026-W48", "42", "रु ३,१०,०००", "95%", "4 min", "2")),
    _spec(VENDOR_NEW_ORDER, _U,
          "New order {{1}} from {{2}}: {{3}} for {{4}} items. Accept or reject it here.",
          "नयाँ अर्डर {{1}}, {{2}} बाट: जम्मा {{3}}, सामान {{4}} थरी। यहीँ स्वीकार वा "
          "अस्वीकार गर्नुहोस्।",
          ("#1001", "Sharma Kirana, Baneshwor", "Rs 12,500", "3"),
          ("#1001", "शर्मा किराना, बानेश्वर", "रु १२,५००", "3"),
          ("Accept", "Reject"), ("स्वीकार", "अस्वीकार")),
    _spec(ORDER_UPDATE, _U,
          "Update on your order {{1}}: {{2}}. Reply here if anything is wrong.",
          "तपाईंको अर्डर {{1}} को खबर: {{2}}। केही मिलेन भने यहीँ लेख्नुहोस्।",
          ("#1001", "Himal Wholesale accepted it and will deliver today"),
          ("#1001", "हिमाल होलसेलले स्वीकार गर्यो, आज पुर्याउँछ")),
    _spec(OPERATOR_FOLLOWUP, _U,
          "Namaste {{1}}, this is {{2}} at Khaacho about your recent messages. "
          "Please reply here and we will continue.",
          "नमस्ते {{1}}, म खाँचोबाट {{2}}, तपाईंको भर्खरको सन्देशबारे। "
          "यहीँ जवाफ दिनुहोस्, हामी अघि बढाउँछौं।",
          ("Sharma Kirana", "Sita"), ("शर्मा किराना", "सीता")),
    _spec(PAYMENT_VOIDED, _U,
          "Namaste {{1}}, your payment {{2}} of {{3}} was cancelled: {{4}}. {{5}}. "
          "Reply here if this is wrong.",
          "नमस्ते {{1}}, तपाईंको भुक्तानी {{2}} ({{3}}) रद्द भयो: {{4}}। {{5}}। "
          "गल्ती भए यहीँ लेख्नुहोस्।",
          ("Sharma Kirana", "42", "Rs 5,000", "cheque bounced", "You owe Rs 7,500"),
          ("शर्मा किराना", "42", "रु ५,०००", "चेक फिर्ता", "तिर्न बाँकी रु ७,५००")),
    _spec(PAYMENT_HELD, _U,
          "Namaste {{1}}, through {{2}} we received {{3}}, but {{4}} was asked, so it is not "
          "on your account yet. An operator will check it and tell you.",
          "नमस्ते {{1}}, {{2}} बाट {{3}} आयो, तर {{4}} मागिएको थियो, त्यसैले अझै तपाईंको "
          "हिसाबमा चढाइएको छैन। अपरेटरले जाँचेर भन्नुहुन्छ।",
          ("Sharma Kirana", "Khalti", "Rs 4,500", "Rs 5,000"),
          ("शर्मा किराना", "खल्ती", "रु ४,५००", "रु ५,०००")),
    _spec(PAYMENT_RETURNED, _U,
          "Namaste {{1}}, your {{2}} payment of {{3}} was returned before it reached your "
          "account. An operator will check it and tell you.",
          "नमस्ते {{1}}, तपाईंको {{2}} भुक्तानी ({{3}}) हिसाबमा पुग्नुअघि फिर्ता भयो। "
          "अपरेटरले जाँचेर भन्नुहुन्छ।",
          ("Sharma Kirana", "Khalti", "Rs 5,000"), ("शर्मा किराना", "खल्ती", "रु ५,०००")),
    _spec(PAYMENT_EXPIRED, _U,
          "Namaste {{1}}, your {{2}} payment of {{3}} was not made in time, so nothing was "
          "charged. Write pay to try again.",
          "नमस्ते {{1}}, तपाईंको {{2}} भुक्तानी ({{3}}) समयमै भएन, केही काटिएको छैन। "
          "फेरि प्रयास गर्न भुक्तानी लेख्नुहोस्।",
          ("Sharma Kirana", "Khalti", "Rs 5,000"), ("शर्मा किराना", "खल्ती", "रु ५,०००")),
    _spec(PAYMENT_RECEIVED, _U,
          "We received your payment of {{1}}. You now owe {{2}}. Thank you!",
          "तपाईंको {{1}} भुक्तानी पायौं। अब बाँकी {{2}}। धन्यवाद!",
          ("Rs 5,000", "Rs 7,500"), ("रु ५,०००", "रु ७,५००")),
)}


# The English body of each template (what the console shows an operator choosing one).
BODIES: dict[str, str] = {name: s.body["en"] for name, s in REGISTRY.items()}


def spec(name: str) -> TemplateSpec | None:
    """The registry entry for a template name, or None for one we do not define."""
    return REGISTRY.get(name)


_LANGUAGES = {"en": "en", "ne": "ne"}


def language_code(language: str) -> str:
    """The template language code for a user's language (English when unknown)."""
    return _LANGUAGES.get(language, "en")


def money(language: str, amount: Decimal) -> str:
    """Money as every other reply writes it (`Rs 12,500`, `रु १२,५००`)."""
    return i18n.money(language, amount)


def one_line(text: str, limit: int = 200) -> str:
    """Collapse whitespace so the text is a valid template parameter."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def order_list(numbers: Sequence[int], shown: int = 3) -> str:
    """`#1001`, `#1001, #1002`, `#1001, #1002, #1003 +2 more`; `-` for none."""
    if not numbers:
        return "-"
    text = ", ".join(f"#{n}" for n in numbers[:shown])
    return text if len(numbers) <= shown else f"{text} +{len(numbers) - shown} more"


def payment_reminder(
    kind: str, language: str, shop: str, amount: Decimal, order_numbers: Sequence[int],
    due: date, days_overdue: int = 0,
) -> Template:
    """A reminder for the debits at one stage; `kind` is due_soon, due_today or overdue.

    With several debits: their total, their orders and the earliest due date.
    """
    params = [one_line(shop), money(language, amount), order_list(order_numbers),
              i18n.day(language, due)]
    if kind == "overdue":
        params.append(str(days_overdue))
    name = {
        "due_soon": PAYMENT_REMINDER_DUE_SOON,
        "due_today": PAYMENT_REMINDER_DUE_TODAY,
        "overdue": PAYMENT_REMINDER_OVERDUE,
    }[kind]
    # The quick reply opens paying from the chat (flows/retailer/paying.py).
    return Template(name, language_code(language), tuple(params), (PayChoice().to_id(),))


def credit_blocked(
    language: str, shop: str, amount: Decimal, days_overdue: int, order_number: int | None
) -> Template:
    """Credit orders are paused until the overdue amount is paid."""
    order = f"#{order_number}" if order_number is not None else "-"
    return Template(CREDIT_BLOCKED, language_code(language),
                    (one_line(shop), money(language, amount), str(days_overdue), order))


def credit_unblocked(language: str, shop: str) -> Template:
    """Credit orders are open again."""
    return Template(CREDIT_UNBLOCKED, language_code(language), (one_line(shop),))


def reorder_nudge(language: str, shop: str, items: str, nudge_id: int) -> Template:
    """Time to reorder the usual items; one tap puts them in a cart."""
    # The quick reply's payload is a typed choice: the retailer flow answers it by
    # offering the nudge's items as a cart (see jobs/reorder_nudges.py).
    return Template(REORDER_NUDGE, language_code(language), (one_line(shop), one_line(items)),
                    (ReorderChoice(nudge_id).to_id(),))


def vendor_weekly_report(
    vendor: str, week: str, orders: int, value: Decimal, acceptance: str, response: str,
    price_flags: int,
) -> Template:
    """A vendor's week in figures (vendors get English; their numbers read the same)."""
    return Template(VENDOR_WEEKLY_REPORT, "en", (
        one_line(vendor), week, str(orders), money("en", value), acceptance, response,
        str(price_flags),
    ))


# What an operator may send in a taken-over conversation once the 24-hour window
# has closed (bot/services/takeover.py): a template whose reply reopens it.
OPERATOR_TEMPLATES: tuple[str, ...] = (OPERATOR_FOLLOWUP,)


def operator_followup(language: str, shop: str, operator: str) -> Template:
    """An operator asks the person to write back, which reopens the 24-hour window."""
    return Template(OPERATOR_FOLLOWUP, language_code(language),
                    (one_line(shop or "-"), one_line(operator or "the team", 40)))


def payment_voided(language: str, shop: str, payment_id: int, amount: Decimal, reason: str,
                   balance: str) -> Template:
    """A recorded payment was voided (bounced cheque, wrong shop); `balance` is the
    notice's own worded balance line, so both say the same."""
    return Template(PAYMENT_VOIDED, language_code(language), (
        one_line(shop), str(payment_id), money(language, amount), one_line(reason),
        one_line(balance)))


def payment_held(language: str, shop: str, method: str, paid: Decimal,
                 asked: Decimal) -> Template:
    """A gateway payment of another amount than asked, held for an operator."""
    return Template(PAYMENT_HELD, language_code(language), (
        one_line(shop), one_line(method, 40), money(language, paid), money(language, asked)))


def payment_returned(language: str, shop: str, method: str, asked: Decimal) -> Template:
    """A gateway payment returned (refunded) before it was credited, held for an operator."""
    return Template(PAYMENT_RETURNED, language_code(language), (
        one_line(shop), one_line(method, 40), money(language, asked)))


def payment_expired(language: str, shop: str, method: str, amount: Decimal) -> Template:
    """A payment intent not paid in time: nothing was charged."""
    return Template(PAYMENT_EXPIRED, language_code(language), (
        one_line(shop), one_line(method, 40), money(language, amount)))
