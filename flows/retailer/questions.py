"""Ambiguous lines: the retailer picks the product from a list, by tap or by typing its number."""

from __future__ import annotations

from domain.cart import CartError, CartLine
from domain.digits import read_whole
from flows.choices import QuestionChoice
from flows.replies import Text
from flows.retailer.cart import put, qty_question
from flows.retailer.review import MAX_CANDIDATES, ask_question, show_review
from flows.retailer.turn import Turn


async def answer(turn: Turn, choice: QuestionChoice) -> None:
    """A tapped row: resolve the open question with it, unless it answers an older one."""
    q = turn.s.question
    if q is None or q.id != choice.question or not turn.may("answer"):
        turn.text("stale_reply")
        return
    await resolve_current(turn, choice.sku)


async def pick_by_number(turn: Turn, text: str) -> bool:
    """A typed number while a question is open picks that row (chat users do this)."""
    q = turn.s.question
    n = read_whole(text.strip())
    if q is None or n is None:
        return False
    shown = q.candidates[: MAX_CANDIDATES - 1]
    if 1 <= n <= len(shown):
        await resolve_current(turn, shown[n - 1].sku)
    elif n == len(shown) + 1:
        await resolve_current(turn, None)
    else:
        turn.text("ask.pick_from_list")
        ask_question(turn)
    return True


async def resolve_current(turn: Turn, sku: str | None) -> None:
    """Answer the open question with `sku` (None: none of these), then move on."""
    q = turn.s.questions.pop(0)
    notes: list[str] = []
    chosen = next((c for c in q.candidates if c.sku == sku), None)
    if chosen is None:
        notes.append(turn.tr("ask.skipped", text=q.text))
    elif q.qty is None:
        # The line named no quantity: ask for it rather than assume one.
        notes.append(qty_question(turn, chosen.sku, chosen.name, chosen.unit, None))
    else:
        try:
            cart, note = put(turn, turn.s.lines,
                             CartLine(chosen.sku, chosen.name, chosen.unit, q.qty),
                             replace=q.replace)
            turn.set_cart(cart)
            if note:
                notes.append(note)
        except CartError as exc:
            notes.append(turn.tr("edit.bad_qty", problem=str(exc)))
    turn.fire("answer")
    if notes:
        turn.say(Text("\n".join(notes)))
    if turn.s.questions:
        ask_question(turn)
        return
    if turn.s.cart:
        turn.fire("review")
        await show_review(turn)
    else:
        turn.text("cart.empty")
