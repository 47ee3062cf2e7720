"""The retailer's own affairs: their orders, their balance, cancelling, reordering, language."""

from __future__ import annotations

from decimal import Decimal

from domain import cart as carts
from domain.cart import CartLine
from domain.credit import RetailerStatus
from domain.order_status import Status
from domain.ordering import Cancelled, CancelRefusal, CancelRefused
from flows import machine as m
from flows import order_notices
from flows.choices import StatementChoice
from flows.i18n import day, money
from flows.replies import Button, Buttons, Text
from flows.retailer import paying
from flows.retailer.ports import LineStatus, Understood
from flows.retailer.review import show_review
from flows.retailer.turn import Turn
from flows.session import Language

RECENT_ORDERS_SHOWN = 5


async def status(turn: Turn) -> None:
    """The latest orders and where each one is."""
    orders = await turn.backend.recent_orders(turn.retailer, RECENT_ORDERS_SHOWN)
    if not orders:
        turn.text("status.none")
        return
    lines = [turn.tr("status.header")]
    for o in orders:
        lines.append(turn.tr("status.line", number=o.number, status=turn.tr(f"status.{o.status}"),
                             total=money(turn.lang, o.total),
                             date=day(turn.lang, o.created_at)))
    turn.say(Text("\n".join(lines)))


async def balance(turn: Turn) -> None:
    """What they owe, what is on its way, what they may still order, and what is due next."""
    b = await turn.backend.balance(turn.retailer)
    lang = turn.lang
    if b.next_due is not None and b.next_due > 0 and b.next_due_date is not None:
        due = turn.tr("balance.due", amount=money(lang, b.next_due),
                      date=day(lang, b.next_due_date))
    else:
        due = turn.tr("balance.nodue")
    # A retailer on hold may not use credit, so none is shown as available.
    blocked = turn.retailer.status is RetailerStatus.BLOCKED
    available = Decimal(0) if blocked else max(b.available, Decimal(0))
    text = turn.tr("balance", outstanding=money(lang, b.outstanding),
                   open=money(lang, b.open_orders), limit=money(lang, b.limit),
                   available=money(lang, available), due=due)
    if blocked:
        text += "\n" + turn.tr("review.blocked")
    statement = Button(StatementChoice().to_id(), turn.tr("balance.button.statement"))
    pay = paying.pay_button(turn, b)
    turn.say(Buttons(text, (pay, statement) if pay is not None else (statement,)))


async def cancel(turn: Turn) -> None:
    """Drop the cart; with no cart, cancel the latest open order if it is still pending."""
    if turn.s.cart or turn.s.questions:
        turn.set_cart(carts.EMPTY)
        turn.s.questions.clear()
        turn.s.offer = None
        turn.fire("cancel")
        turn.text("cart.cancelled")
        return
    result = await turn.backend.cancel_open_order(turn.retailer)
    turn.fire("cancel")
    if result is None:
        turn.text("cancel.nothing")
        return
    _say_cancelled(turn, result)


async def cancel_number(turn: Turn, number: int) -> None:
    """Cancel order `number` (not the cart, not another order), or say why not."""
    result = await turn.backend.cancel_order(turn.retailer, number)
    _say_cancelled(turn, result)


_REFUSED: dict[CancelRefusal, str] = {
    CancelRefusal.NOT_FOUND: "cancel.unknown",
    CancelRefusal.NOT_YOURS: "cancel.not_yours",
}


def _say_cancelled(turn: Turn, result: Cancelled | CancelRefused) -> None:
    if isinstance(result, Cancelled):
        turn.out.extend(order_notices.outgoing(result.notices))
        number, key = result.order.number, "cancel.order_done"
    else:
        number = result.number
        key = _REFUSED.get(result.code, "cancel.order_too_late")
        if result.code is CancelRefusal.FINAL:
            key = ("cancel.already_cancelled" if result.status == Status.CANCELLED.value
                   else "cancel.delivered")
    turn.say(Text(turn.tr(key, number=number)), correlation=f"order:{number}")


async def reorder(turn: Turn, nudge: int | None = None) -> None:
    """The products of a reorder nudge (or else of the last order) into the cart."""
    lines: list[Understood] = []
    if nudge is not None:
        lines = await turn.backend.nudge_items(turn.retailer, nudge)
    if lines:
        note = [turn.tr("cart.added")]
    else:
        last = await turn.backend.last_order(turn.retailer)
        if last is None:
            turn.text("reorder.none")
            return
        number, lines = last
        note = [turn.tr("reorder.loaded", number=number)]
    cart = turn.s.lines
    missing = []
    for line in lines:
        if line.status is LineStatus.RESOLVED and line.sku and line.qty:
            cart = carts.add(cart, CartLine(line.sku, line.name or line.sku,
                                            line.unit or "unit", line.qty))
        else:
            missing.append(line.name or line.text)
    turn.set_cart(cart)
    turn.fire("add_items")
    if missing:
        note.append(turn.tr("reorder.missing", names=", ".join(missing)))
    turn.say(Text("\n".join(note)))
    await show_review(turn)


async def set_language(turn: Turn, language: Language) -> None:
    """Answer in `language` from now on (and show the cart again in it, if on screen)."""
    turn.s.language = language
    turn.s.language_chosen = True
    await turn.backend.set_language(turn.retailer, language)
    turn.text("language.set")
    if turn.s.cart and turn.state == m.REVIEWING:
        await show_review(turn)
