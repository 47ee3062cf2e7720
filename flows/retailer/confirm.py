"""Confirming the cart: placing it, or offering what fits when credit or stock is short."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from domain import cart as carts
from domain.credit import RetailerStatus
from domain.ordering import (
    CreditShort,
    NotAllowed,
    Placed,
    Refusal,
    ShortLine,
    SplitPlaced,
    StockShort,
    UnknownItems,
)
from flows import machine as m
from flows import order_notices
from flows.choices import OfferAction, OfferChoice, ReviewAction, ReviewChoice
from flows.i18n import money
from flows.replies import Button, Buttons, Text
from flows.retailer import account
from flows.retailer.review import ask_question, review_buttons, short_sentence, show_review
from flows.retailer.turn import Turn
from flows.session import CartItem


async def confirm(turn: Turn, *, vendor_id: int | None = None) -> None:
    """Place the cart as it stands (at `vendor_id` when the retailer picked another vendor)."""
    retailer = turn.retailer
    cart = turn.s.lines
    if not cart:
        turn.text("confirm.nothing")
        return
    if turn.s.questions:
        ask_question(turn)
        return
    if retailer.status is RetailerStatus.PENDING:
        turn.text("account.pending")
        return
    if retailer.status is RetailerStatus.BLOCKED:
        turn.text("account.blocked",
                  reason=retailer.blocked_reason or turn.tr("account.blocked.noreason"))
        return
    # One key per cart revision: a second tap on the same Confirm places nothing new.
    key = f"wa:{turn.s.phone}:{turn.s.started_at.timestamp():.0f}:{turn.s.rev}"
    outcome = await turn.backend.place(retailer, cart, key=key, vendor_id=vendor_id)
    match outcome:
        case Placed() | SplitPlaced():
            _placed(turn, (outcome,) if isinstance(outcome, Placed) else outcome.placed)
        case CreditShort():
            credit_short(turn, outcome)
        case StockShort():
            stock_short(turn, outcome)
        case UnknownItems(skus=skus):
            names = [ln.name for ln in cart if ln.sku in skus]
            turn.set_cart(tuple(ln for ln in cart if ln.sku not in skus))
            turn.text("short.unknown_items", names=", ".join(names) or "—")
            await show_review(turn)
        case NotAllowed():
            _not_allowed(turn, outcome)


def _placed(turn: Turn, placed: tuple[Placed, ...]) -> None:
    turn.out.extend(order_notices.outgoing(n for p in placed for n in p.notices))
    numbers = [p.order.number for p in placed]
    turn.s.last_order = numbers[-1] if numbers else None
    turn.set_cart(carts.EMPTY)
    turn.s.offer = None
    turn.s.offer_vendor_id = None
    turn.fire("placed")
    total = money(turn.lang, sum((p.order.total for p in placed), Decimal(0)))
    if len(numbers) == 1:
        turn.say(Text(turn.tr("placed", number=numbers[0], vendor=placed[0].vendor_name,
                              total=total)), correlation=f"order:{numbers[0]}")
    else:
        orders = ", ".join(f"#{p.order.number} ({p.vendor_name})" for p in placed)
        turn.text("placed.many", orders=orders)


def _not_allowed(turn: Turn, outcome: NotAllowed) -> None:
    if outcome.code is Refusal.PENDING:
        turn.text("account.pending")
    elif outcome.code is Refusal.BLOCKED:
        turn.text("account.blocked", reason=outcome.reason or turn.tr("account.blocked.noreason"))
    elif outcome.code is Refusal.VENDOR:
        turn.text("short.no_vendor")
    else:
        turn.text("short.not_allowed", reason=outcome.reason)


def _offer_button(turn: Turn, action: OfferAction, title: str) -> Button:
    return Button(OfferChoice(action, turn.s.rev).to_id(), turn.tr(title))


def credit_short(turn: Turn, outcome: CreditShort) -> None:
    """Over the credit left: offer the cart cut down to fit, when any of it fits."""
    lang = turn.lang
    body = [turn.tr("short.credit", total=money(lang, outcome.total),
                    available=money(lang, max(outcome.available, Decimal(0))),
                    short=money(lang, outcome.shortfall))]
    reduced = carts.fit_budget(turn.s.lines, dict(outcome.prices), outcome.available) \
        if outcome.available > 0 and outcome.prices else carts.EMPTY
    turn.fire("short")
    if reduced:
        cost = sum((ln.qty * outcome.prices.get(ln.sku, Decimal(0)) for ln in reduced),
                   Decimal(0))
        turn.s.offer = [CartItem.of(ln) for ln in reduced]
        turn.s.offer_vendor_id = None
        body.append(turn.tr("short.credit.offer", reduced=money(lang, cost)))
        body += [f"• {ln.name} — {' '.join(turn.qty_unit(ln.qty, ln.unit))}" for ln in reduced]
        turn.say(Buttons(body="\n".join(body)[:1000], buttons=(
            _offer_button(turn, OfferAction.TAKE, "btn.reduce"),
            *review_buttons(turn, ReviewAction.EDIT, ReviewAction.CANCEL))))
    else:
        turn.s.offer = None
        body.append(turn.tr("short.credit.none"))
        turn.say(Buttons(body="\n".join(body),
                         buttons=review_buttons(turn, ReviewAction.EDIT, ReviewAction.CANCEL)))


def reduced_for(cart: carts.Cart, shorts: Sequence[ShortLine]) -> carts.Cart:
    """The cart with each short line cut to what there is (never more than asked), or
    dropped when there is none or the quantity is below the minimum."""
    for short in shorts:
        n = carts.index_of(cart, short.sku)
        if n is None:
            continue
        if short.minimum is None and 0 < short.available < short.wanted:
            cart = carts.set_qty(cart, short.sku, short.available)
        else:
            cart = carts.remove(cart, n)
    return cart


def stock_short(turn: Turn, outcome: StockShort) -> None:
    """Not enough in stock (or below a minimum): every short line said at once, and what
    there is offered, or the vendor who has it all."""
    lang = turn.lang
    alt = outcome.alternatives[0] if outcome.alternatives else None
    body = [short_sentence(turn, short) for short in outcome.lines]
    turn.fire("short")
    buttons: list[Button] = []
    reduced = reduced_for(turn.s.lines, outcome.lines)
    if reduced and reduced != turn.s.lines:
        turn.s.offer = [CartItem.of(ln) for ln in reduced]
        cut = [s for s in outcome.lines if carts.index_of(reduced, s.sku)]
        if len(outcome.lines) == 1 and cut:
            avail, u = turn.qty_unit(cut[0].available, cut[0].unit)
            body.append(turn.tr("short.stock.offer", available=avail, unit=u, name=cut[0].name))
        else:
            body.append(turn.tr("short.stock.offer_rest"))
            body += [f"• {ln.name} — {' '.join(turn.qty_unit(ln.qty, ln.unit))}"
                     for ln in reduced]
        buttons.append(_offer_button(turn, OfferAction.TAKE, "btn.take_available"))
    else:
        turn.s.offer = None
    turn.s.offer_vendor_id = alt.vendor_id if alt else None
    if alt is not None and alt.vendor_name:
        body.append(turn.tr("short.stock.other", vendor=alt.vendor_name,
                            total=money(lang, alt.total)))
        buttons.append(_offer_button(turn, OfferAction.OTHER, "btn.other_vendor"))
    buttons += review_buttons(turn, ReviewAction.CANCEL)
    if len(buttons) == 1:
        buttons[:0] = review_buttons(turn, ReviewAction.EDIT)
    turn.say(Buttons(body="\n".join(body)[:1000], buttons=tuple(buttons)))


async def take_offer(turn: Turn) -> None:
    """Yes to the smaller cart offered: it becomes the cart, and is placed."""
    if not turn.s.offer:
        await show_review(turn)
        return
    turn.set_cart(tuple(item.to_line() for item in turn.s.offer))
    turn.s.offer = None
    await confirm(turn)


async def decline_offer(turn: Turn) -> None:
    """No to the smaller cart: the cart stays as it was, shown again."""
    turn.s.offer = None
    await show_review(turn)


async def on_review_button(turn: Turn, choice: ReviewChoice) -> None:
    """Confirm / Edit / Cancel under a cart summary (a stale one shows the cart as it is now)."""
    if choice.action is ReviewAction.CANCEL:
        await account.cancel(turn)
        return
    if choice.rev != turn.s.rev or turn.state not in m.CART_SHOWN:
        # A button under an older summary: show what the cart is now instead.
        if turn.s.cart:
            turn.text("confirm.expired")
            await show_review(turn)
        else:
            turn.text("stale_reply")
        return
    if choice.action is ReviewAction.CONFIRM:
        await confirm(turn)
    else:
        turn.fire("edit")
        turn.text("edit.help")


async def on_offer_button(turn: Turn, choice: OfferChoice) -> None:
    """Take the smaller cart, order from the other vendor, or turn the offer down."""
    if turn.state != m.ADJUSTING or choice.rev != turn.s.rev:
        turn.text("stale_reply")
        return
    if choice.action is OfferAction.TAKE:
        await take_offer(turn)
    elif choice.action is OfferAction.OTHER:
        vendor_id = turn.s.offer_vendor_id
        turn.s.offer = None
        await confirm(turn, vendor_id=vendor_id)
    else:
        turn.s.offer = None
        turn.s.offer_vendor_id = None
        turn.text("offer.declined")
        turn.fire("review")
