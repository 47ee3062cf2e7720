"""What vendors and retailers are told as an order moves, as reply values.

Every notice that may reach someone outside WhatsApp's 24-hour window carries
a template fallback (names below; register them in both languages):

- `vendor_new_order`: body (order number, shop and area, total, item count);
  quick replies `vendor:accept:N`, `vendor:reject:N`.
- `order_update`: body (order number, the update in one line).
- `payment_received`: body (amount, balance now owed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Protocol

from domain.vendor_commands import VendorAction, button_id
from flows.i18n import digits, money, qty, t, unit
from flows.replies import Button, Buttons, Outgoing, Template, Text

VENDOR_NEW_ORDER = "vendor_new_order"
ORDER_UPDATE = "order_update"
PAYMENT_RECEIVED = "payment_received"
# The body limit is 1024; leave room for the header text and the rest of the body.
_MAX_LINES_CHARS = 700


class Line(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def qty(self) -> Decimal: ...
    @property
    def unit(self) -> str: ...
    @property
    def unit_price(self) -> Decimal: ...
    @property
    def line_total(self) -> Decimal: ...


def _one_line(text: str, limit: int = 200) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _lang(language: str) -> str:
    return language if language in ("en", "ne") else "en"


def correlation(number: int) -> str:
    return f"order:{number}"


def vendor_offer(*, to: str, language: str, number: int, shop: str, area: str,
                 lines: Sequence[Line], total: Decimal, minutes: float) -> Outgoing:
    """A new order for a vendor, with Accept / Reject buttons."""
    lang = _lang(language)
    rendered: list[str] = []
    used = 0
    for i, ln in enumerate(lines):
        text = t(lang, "vendor.offer.line", name=ln.name, qty=qty(lang, ln.qty),
                 unit=unit(lang, ln.unit, ln.qty), price=money(lang, ln.unit_price),
                 total=money(lang, ln.line_total))
        if used + len(text) > _MAX_LINES_CHARS:
            rendered.append(t(lang, "vendor.offer.more", count=digits(lang, str(len(lines) - i))))
            break
        rendered.append(text)
        used += len(text) + 1
    body = t(lang, "vendor.offer.body", shop=shop, area=area, lines="\n".join(rendered),
             total=money(lang, total), minutes=digits(lang, f"{minutes:g}"), number=number)
    accept = button_id(VendorAction.ACCEPT, number)
    reject = button_id(VendorAction.REJECT, number)
    reply = Buttons(
        body=body[:1024],
        buttons=(Button(accept, t(lang, "vendor.btn.accept")),
                 Button(reject, t(lang, "vendor.btn.reject"))),
        header=t(lang, "vendor.offer.header", number=number),
        footer=t(lang, "vendor.offer.footer"),
    )
    fallback = Template(VENDOR_NEW_ORDER, lang,
                        (f"#{number}", _one_line(f"{shop}, {area}"), money(lang, total),
                         str(len(lines))),
                        (accept, reject))
    return Outgoing(to, reply, fallback, correlation(number))


def text(*, to: str, language: str, number: int, key: str, **values: object) -> Outgoing:
    """A text notice about an order, with the generic order-update template as fallback."""
    lang = _lang(language)
    body = t(lang, key, number=number, **values)
    return Outgoing(to, Text(body), Template(ORDER_UPDATE, lang, (f"#{number}", _one_line(body))),
                    correlation(number))


def status_name(language: str, status: str) -> str:
    return t(_lang(language), f"status.{status}")


def due_text(language: str, due: dt.date) -> str:
    return digits(_lang(language), due.isoformat())


def amount(language: str, value: Decimal) -> str:
    return money(_lang(language), value)


def payment_received(*, to: str, language: str, amount: Decimal, balance: Decimal,
                     payment_id: int) -> Outgoing:
    """The retailer's receipt for a recorded payment."""
    lang = _lang(language)
    paid, owed = money(lang, amount), money(lang, balance)
    if balance < 0:
        body = t(lang, "order.payment_received.advance", amount=paid,
                 advance=money(lang, -balance))
    else:
        body = t(lang, "order.payment_received", amount=paid, balance=owed)
    return Outgoing(to, Text(body), Template(PAYMENT_RECEIVED, lang, (paid, owed)),
                    f"payment:{payment_id}")
