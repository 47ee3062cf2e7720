"""The approved WhatsApp templates the worker sends, in one place.

Each template must be registered in the WhatsApp Business Manager under the
same name, in English (`en`) and Nepali (`ne`), with the body parameters in
the order of `BODIES` below (`{{n}}` is the n-th parameter; the English text
is what was submitted). Parameters are single-line: WhatsApp rejects
newlines in template parameters. `reorder_nudge` has one quick-reply button
whose payload is `reorder:<nudge batch id>`; the three payment reminders have one
quick-reply button, "Pay" / "भुक्तानी", whose payload is `pay` (paying from the chat).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

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

BODIES: dict[str, str] = {
    PAYMENT_REMINDER_DUE_SOON: "Namaste {{1}}, {{2}} (orders: {{3}}) is due on {{4}}. "
                               "Please pay by then to keep ordering on credit.",
    PAYMENT_REMINDER_DUE_TODAY: "Namaste {{1}}, {{2}} (orders: {{3}}) is due today ({{4}}).",
    PAYMENT_REMINDER_OVERDUE: "Namaste {{1}}, {{2}} (orders: {{3}}) was due on {{4}} and is "
                              "{{5}} days overdue. Please pay as soon as you can.",
    CREDIT_BLOCKED: "Namaste {{1}}, new credit orders are paused: {{2}} is {{3}} days "
                    "overdue (order {{4}}). They reopen as soon as it is paid.",
    CREDIT_UNBLOCKED: "Namaste {{1}}, thank you for your payment. You can order on credit again.",
    OPERATOR_FOLLOWUP: "Namaste {{1}}, this is {{2}} at Khaacho about your recent messages. "
                       "Please reply here and we will continue.",
    REORDER_NUDGE: "Namaste {{1}}, time to restock? Your usual: {{2}}. Tap Reorder to get them.",
    VENDOR_WEEKLY_REPORT: "{{1}}, your week {{2}}: {{3}} orders worth {{4}}, accepted {{5}}, "
                          "median reply {{6}}, {{7}} prices flagged as far from the market.",
    PAYMENT_VOIDED: "Namaste {{1}}, your payment {{2}} of {{3}} was cancelled: {{4}}. "
                    "{{5}}",
}

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
