"""What vendors and retailers are told as an order moves, as reply values.

The services report what happened as facts (`domain.facts`); `outgoing`
words each fact as the messages its recipients get, in their languages.

Every notice that may reach someone outside WhatsApp's 24-hour window carries
a template fallback (names below; register them in both languages):

- `vendor_new_order`: body (order number, shop and area, total, item count);
  quick replies `vendor:accept:N`, `vendor:reject:N`.
- `order_update`: body (order number, the update in one line).
- `payment_received`: body (amount, balance now owed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Protocol

from domain import facts as f
from domain.order_status import Role, Status
from domain.vendor_commands import VendorAction, button_id
from flows.choices import ChangeChoice, DeliveryAnswer, DeliveryChoice
from flows.i18n import day, digits, money, qty, t, unit
from flows.replies import Button, Buttons, Outgoing, Template, Text
from flows.templates import ORDER_UPDATE, PAYMENT_RECEIVED, VENDOR_NEW_ORDER

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
    return day(_lang(language), due)


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


# ------------------------------------------------------------------ facts, worded

# What a vendor is told to do next when they skip a step.
_HINTS = {Status.PENDING: "vendor.hint.pending", Status.ACCEPTED: "vendor.hint.accepted"}


def _to(party: f.Party, number: int, key: str, **values: object) -> Outgoing:
    return text(to=party.phone, language=party.language, number=number, key=key, **values)


def _change_question(fact: f.ChangeProposed) -> Outgoing:
    """The shop asked whether it wants the smaller order the vendor can send."""
    r, n = fact.retailer, fact.number
    lang = _lang(r.language)
    lines = "\n".join(f"• {name} — {qty(lang, q)} {unit(lang, u, q)} = {money(lang, total)}"
                      for name, q, u, total in fact.kept)
    # Nothing left out (only smaller quantities): no "Not available" line.
    body = t(lang, "order.change" if fact.dropped else "order.change.less",
             vendor=fact.vendor.name, number=n, lines=lines,
             dropped=", ".join(fact.dropped), total=money(lang, fact.total))
    buttons = (Button(ChangeChoice(True, n).to_id(), t(lang, "btn.change_yes")),
               Button(ChangeChoice(False, n).to_id(), t(lang, "btn.change_no")))
    fallback = Template(ORDER_UPDATE, lang, (f"#{n}", _one_line(body)))
    return Outgoing(r.phone, Buttons(body=body[:1024], buttons=buttons), fallback,
                    correlation(n))


def _delivered(fact: f.OrderDelivered) -> Outgoing:
    """The shop's news of a delivery, with "did it all arrive?" and Received / Problem.

    The question is the footer, so the notice stays one message (and its template
    fallback still tells the shop outside the 24-hour window).
    """
    r, n = fact.retailer, fact.number
    lang = _lang(r.language)
    told = _to(r, n, "order.delivered", total=amount(lang, fact.total),
               due=due_text(lang, fact.due))
    assert isinstance(told.reply, Text)
    buttons = (Button(DeliveryChoice(DeliveryAnswer.OK, n).to_id(), t(lang, "btn.received")),
               Button(DeliveryChoice(DeliveryAnswer.ISSUE, n).to_id(), t(lang, "btn.problem")))
    return Outgoing(told.to, Buttons(body=told.reply.body, buttons=buttons,
                                     footer=t(lang, "order.delivered.ask")),
                    told.fallback, told.correlation)


def _refused(fact: f.VendorRefused) -> Outgoing:
    vendor, number, lang = fact.vendor, fact.number, fact.vendor.language
    key = f"vendor.{fact.reason.value}"
    if fact.status is None:  # not found, not yours, already accepted
        return _to(vendor, number, key)
    status = status_name(lang, fact.status)
    if fact.reason is not f.VendorRefusal.WRONG_STEP:  # already, finished
        return _to(vendor, number, key, status=status)
    return _to(vendor, number, key, status=status,
               action=t(lang, f"vendor.action.{fact.action.value}"),
               hint=t(lang, _HINTS.get(fact.status, "vendor.hint.none"), number=number))


def _cancelled(fact: f.OrderCancelled) -> list[Outgoing]:
    out = []
    # The vendor stops packing: it was theirs, pending or accepted.
    if fact.vendor is not None and fact.was in (Status.PENDING, Status.ACCEPTED):
        out.append(_to(fact.vendor, fact.number, "vendor.cancelled", reason=fact.reason))
    # A retailer who cancelled knows; anyone else's cancel is news to them.
    if fact.by is not Role.RETAILER and fact.retailer is not None:
        out.append(_to(fact.retailer, fact.number, "order.cancelled_by_operator",
                       reason=fact.reason))
    return out


def notices_of(fact: f.Fact) -> list[Outgoing]:
    """The messages one fact makes, in the order they are sent."""
    match fact:
        case f.OrderOffered(number=n, vendor=v):
            return [vendor_offer(to=v.phone, language=v.language, number=n, shop=fact.shop,
                                 area=fact.area, lines=fact.lines, total=fact.total,
                                 minutes=fact.minutes)]
        case f.PlacedOnBehalf(number=n, retailer=r):
            return [_to(r, n, "order.placed_for_you", vendor=fact.vendor,
                        total=amount(r.language, fact.total))]
        case f.OrderAccepted(number=n, vendor=v, retailer=r):
            return [_to(v, n, "vendor.accepted", shop=r.name, area=fact.area, phone=r.phone),
                    _to(r, n, "order.accepted", vendor=v.name,
                        total=amount(r.language, fact.total))]
        case f.ChangeProposed(number=n, vendor=v, retailer=r):
            return [_to(v, n, "vendor.change.asked", shop=r.name,
                        total=amount(v.language, fact.total)),
                    _change_question(fact)]
        case f.ChangeRefused(number=n, vendor=v):
            return [_to(v, n, f"vendor.change.{fact.why.value}", names=", ".join(fact.names),
                        unit=unit(v.language, fact.unit, Decimal(2)) if fact.unit else "")]
        case f.ChangeDeclined(number=n, vendor=v):
            return [_to(v, n, "vendor.change.declined")]
        case f.ChangeTimedOut(number=n, vendor=v, retailer=r):
            # The shop's next notice (re-routed, or with operators) follows this one.
            return [_to(v, n, "vendor.change.timed_out", minutes=f"{fact.minutes:g}"),
                    _to(r, n, "order.change.timed_out", vendor=v.name,
                        minutes=digits(r.language, f"{fact.minutes:g}"))]
        case f.ChangeAgreed(number=n, vendor=v, retailer=r):
            return [_to(v, n, "vendor.change.agreed", shop=r.name,
                        total=amount(v.language, fact.total)),
                    _to(r, n, "order.change.agreed", vendor=v.name,
                        total=amount(r.language, fact.total))]
        case f.OrderRejected(number=n, vendor=v):
            return [_to(v, n, "vendor.rejected" if fact.rerouted else "vendor.rejected.closed",
                        reason=fact.reason or t(v.language, "vendor.rejected.noreason"))]
        case f.OfferTimedOut(number=n, vendor=v):
            return [_to(v, n, "vendor.timed_out" if fact.rerouted else "vendor.timed_out.closed",
                        minutes=f"{fact.minutes:g}")]
        case f.OrderRerouted(number=n, retailer=r):
            return [_to(r, n, "order.rerouted", vendor=fact.previous, next=fact.next)]
        case f.OrderUnroutable(number=n, retailer=r):
            return [_to(r, n, "order.unroutable")]
        case f.OrderDispatched(number=n, vendor=v, retailer=r):
            return [_to(v, n, "vendor.dispatched"),
                    _to(r, n, "order.dispatched", vendor=v.name)]
        case f.OrderDelivered(number=n, vendor=v, retailer=r):
            return [_to(v, n, "vendor.delivered", total=amount(v.language, fact.total),
                        shop=r.name),
                    _delivered(fact)]
        case f.OrderCancelled():
            return _cancelled(fact)
        case f.VendorRefused():
            return [_refused(fact)]
        case f.PaymentReceived(retailer=r):
            return [payment_received(to=r.phone, language=r.language, amount=fact.amount,
                                     balance=fact.balance, payment_id=fact.payment_id)]


def outgoing(facts: Iterable[f.Fact]) -> list[Outgoing]:
    """Every message the facts make, in order: what the caller puts in the outbox."""
    return [out for fact in facts for out in notices_of(fact)]
