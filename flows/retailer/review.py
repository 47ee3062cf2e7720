"""What the retailer is shown next: the pending question, else the cart summary and its buttons."""

from __future__ import annotations

from decimal import Decimal

from domain import cart as carts
from domain.cart import CartLine
from domain.ordering import PricedLine, Quote
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


def line_text(turn: Turn, n: int, line: CartLine, priced: dict[str, PricedLine]) -> str:
    """`n. name — qty unit × price = total` (or without the prices when there are none)."""
    amount, u = turn.qty_unit(line.qty, line.unit)
    p = priced.get(line.sku)
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
    lines = [line_text(turn, i, ln, priced) for i, ln in enumerate(cart, 1)]
    tail: list[str] = []
    if quoted is not None:
        unpriced = sum(1 for ln in cart if ln.sku not in priced)
        vendor = " + ".join(quoted.vendor_names)
        if vendor:
            tail.append(turn.tr("review.vendor", vendor=vendor))
        tail.append(turn.tr("review.total", total=money(turn.lang, quoted.total)))
        tail.append(turn.tr("review.credit",
                            available=money(turn.lang, max(quoted.available, Decimal(0)))))
        shortages = quoted.shortages if not quoted.lines else ()
        for short in shortages:
            line = next((ln for ln in cart if ln.sku == short.sku), None)
            if line is not None:
                amount, u = turn.qty_unit(short.available, line.unit)
                tail.append(turn.tr("review.short", name=line.name, available=amount, unit=u))
        if unpriced and not shortages:
            tail.append(turn.tr("review.unpriced", count=unpriced))
    intro = turn.tr("review.intro", count=len(cart))
    body = "\n".join([intro, *lines, "", *tail])
    buttons = review_buttons(turn, ReviewAction.CONFIRM, ReviewAction.EDIT, ReviewAction.CANCEL)
    if len(body) > BODY_BUDGET:
        # Long carts: the lines as text, the buttons under a short summary.
        turn.say(Text("\n".join([intro, *lines])))
        body = "\n".join(tail) or intro
    turn.say(Buttons(body=body, buttons=buttons, header=turn.tr("review.header"),
                     footer=turn.tr("review.footer")))
