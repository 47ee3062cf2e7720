"""What the retailer is shown next: the pending question, else the cart summary and its buttons."""

from __future__ import annotations

from decimal import Decimal

from domain import cart as carts
from domain.cart import CartLine
from domain.credit import RetailerStatus
from domain.ordering import PricedLine, Quote, ShortLine
from flows import machine as m
from flows.choices import QuestionChoice, ReviewAction, ReviewChoice
from flows.i18n import money
from flows.replies import Button, Buttons, ListMenu, ListRow, ListSection, Text
from flows.retailer.titles import fit, unique_titles
from flows.retailer.turn import Turn

MAX_CANDIDATES = 10
BODY_BUDGET = 900  # interactive bodies are ≤ 1024; leave room for the totals


async def quote(turn: Turn, lines: carts.Cart) -> Quote | None:
    """The lines priced as placing them would (None before registration or for nothing)."""
    if turn.account is None or not lines:
        return None
    return await turn.backend.quote(turn.account, lines)


def prices(quoted: Quote | None) -> dict[str, PricedLine]:
    """The priced lines of a quote by sku (none without a quote)."""
    return {} if quoted is None else {ln.sku: ln for ln in quoted.priced}


def line_text(turn: Turn, n: int, line: CartLine, priced: dict[str, PricedLine],
              short: bool = False) -> str:
    """`n. name — qty unit × price = total` (or without the prices when there are none)."""
    amount, u = turn.qty_unit(line.qty, line.unit)
    p = priced.get(line.sku)
    if short:
        return turn.tr("cart.line.short", n=n, name=line.name, qty=amount, unit=u)
    if p is None:
        return turn.tr("cart.line.noprice", n=n, name=line.name, qty=amount, unit=u)
    return turn.tr("cart.line", n=n, name=line.name, qty=amount, unit=u,
                   price=money(turn.lang, p.unit_price), total=money(turn.lang, p.line_total))


def review_buttons(turn: Turn, *actions: ReviewAction) -> tuple[Button, ...]:
    """Buttons for the cart at its current revision (a tap on an older one is stale)."""
    titles = {ReviewAction.CONFIRM: "btn.confirm", ReviewAction.EDIT: "btn.edit",
              ReviewAction.CANCEL: "btn.cancel"}
    return tuple(Button(ReviewChoice(a, turn.s.rev).to_id(), turn.tr(titles[a]))
                 for a in actions)


def ask_question(turn: Turn) -> None:
    """Ask which product the first open question's line meant, as a list."""
    q = turn.s.question
    if q is None:
        return
    body = turn.tr("ask.which", text=q.text)
    shown = q.candidates[: MAX_CANDIDATES - 1]
    none = turn.tr("ask.none")
    titles = unique_titles([c.name for c in shown] + [none], 24)
    rows = [ListRow(id=QuestionChoice(q.id, c.sku).to_id(), title=title,
                    description=fit(c.name, 72) if title != c.name else None)
            for c, title in zip(shown, titles, strict=False)]
    rows.append(ListRow(id=QuestionChoice(q.id, None).to_id(), title=titles[-1],
                        description=turn.tr("ask.none.desc")))
    turn.say(ListMenu(body=body, button=turn.tr("ask.button"),
                      sections=(ListSection(title=fit(q.text, 24) or "…", rows=tuple(rows)),)))


def short_sentence(turn: Turn, short: ShortLine) -> str:
    """What is wrong with one short line: below the vendor's minimum, or not enough stock."""
    vendor = short.vendor_name or ""
    asked = " ".join(turn.qty_unit(short.wanted, short.unit))
    if short.minimum is not None:
        least, u = turn.qty_unit(short.minimum, short.unit)
        key = "short.minimum" if vendor else "short.minimum.anyone"
        return turn.tr(key, vendor=vendor, minimum=least, unit=u, name=short.name, asked=asked)
    avail, u = turn.qty_unit(short.available, short.unit)
    key = "short.stock" if vendor else "short.stock.anyone"
    return turn.tr(key, vendor=vendor, available=avail, unit=u, name=short.name, asked=asked)


def credit_lines(turn: Turn, available: Decimal) -> list[str]:
    """The credit line of a summary: none shown to a retailer on hold, who may not use it."""
    account = turn.account
    if account is not None and account.status is RetailerStatus.BLOCKED:
        return [turn.tr("review.blocked")]
    return [turn.tr("review.credit", available=money(turn.lang, max(available, Decimal(0))))]


async def show_review(turn: Turn) -> None:
    """The next question if one is open, else the cart priced, with Confirm / Edit / Cancel."""
    if turn.s.questions:
        ask_question(turn)
        return
    cart = turn.s.lines
    if not cart:
        turn.fire("emptied")
        turn.text("cart.empty")
        return
    if turn.state != m.EDITING:
        # While editing, the summary is shown after each change but the
        # conversation stays in editing: "chini 20 kg" keeps meaning "make it 20".
        turn.fire("review")
    quoted = await quote(turn, cart)
    priced = prices(quoted)
    shortages = quoted.shortages if quoted is not None and not quoted.lines else ()
    shown = quoted
    if shortages and not priced:
        # One short line must not blank the others' prices: price the rest on their own.
        rest = tuple(ln for ln in cart if ln.sku not in {s.sku for s in shortages})
        partial = await quote(turn, rest)
        if partial is not None and not partial.shortages:
            shown, priced = partial, prices(partial)
    short_skus = {s.sku for s in shortages}
    lines = [line_text(turn, i, ln, priced, ln.sku in short_skus)
             for i, ln in enumerate(cart, 1)]
    tail: list[str] = []
    if quoted is not None and shown is not None:
        unpriced = sum(1 for ln in cart if ln.sku not in priced and ln.sku not in short_skus)
        vendor = " + ".join(shown.vendor_names)
        if vendor:
            tail.append(turn.tr("review.vendor", vendor=vendor))
        if priced:
            key = "review.total.rest" if shortages else "review.total"
            tail.append(turn.tr(key, total=money(turn.lang, shown.total)))
        tail += credit_lines(turn, quoted.available)
        for short in shortages:
            tail.append("⚠ " + short_sentence(turn, short))
        if unpriced:
            tail.append(turn.tr("review.unpriced", count=unpriced))
    intro = turn.tr("review.intro", count=len(cart))
    body = "\n".join([intro, *lines, "", *tail])
    # Confirm only when something could be ordered: priced lines, or a short line of which
    # some is in stock (confirming then offers that much). Never a Rs 0 order to confirm.
    orderable = bool(priced) or any(
        s.minimum is None and s.available > 0 for s in shortages)
    actions = (ReviewAction.CONFIRM, ReviewAction.EDIT, ReviewAction.CANCEL) if orderable \
        else (ReviewAction.EDIT, ReviewAction.CANCEL)
    buttons = review_buttons(turn, *actions)
    if len(body) > BODY_BUDGET:
        # Long carts: the lines as text, the buttons under a short summary.
        turn.say(Text("\n".join([intro, *lines])))
        body = "\n".join(tail) or intro
    # "Tap Confirm" only under a Confirm button: with nothing orderable there is none.
    turn.say(Buttons(body=body, buttons=buttons, header=turn.tr("review.header"),
                     footer=turn.tr("review.footer") if orderable else None))
