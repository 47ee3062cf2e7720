"""Putting order lines in the cart, and editing it: remove, add, clear, change."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from domain import cart as carts
from domain.cart import CartError, CartLine
from domain.cart_edits import Change, Clear, Edit, Remove
from domain.ordertext import Intent
from flows.commands import Command
from flows.i18n import unit
from flows.replies import Text
from flows.retailer.ports import LineStatus
from flows.retailer.review import (
    MAX_CANDIDATES,
    ask_question,
    line_text,
    prices,
    quote,
    show_review,
)
from flows.retailer.turn import Turn
from flows.session import Candidate, Question

# Intents the parser may read from free words. Never "confirm": placing an order
# takes the button or the word itself, not a guess ("wai wai 5" once read as "ok").
INTENT_COMMANDS: dict[Intent, Command] = {
    Intent.STATUS: Command.STATUS, Intent.BALANCE: Command.BALANCE, Intent.HELP: Command.HELP,
    Intent.CANCEL: Command.CANCEL, Intent.REORDER: Command.REORDER,
    Intent.GREETING: Command.GREETING,
}


async def add_text(turn: Turn, text: str, *, replace: bool) -> Command | None:
    """Read `text` as order lines into the cart (`replace`: new quantities for products in it).

    A message with no order lines that the parser knows the subject of ("mero
    order kaha pugyo?", "kati baki cha") comes back as that command, for the
    caller to run; anything else it could not read is answered here.
    """
    reading = await turn.backend.understand(text)
    if not reading.lines:
        command = INTENT_COMMANDS.get(reading.intent)
        if command is None:
            turn.text("cart.nothing_understood")
        return command
    cart = turn.s.lines
    added: list[CartLine] = []
    notes: list[str] = []
    for line in reading.lines:
        if line.status is LineStatus.RESOLVED and line.sku:
            amount = line.qty
            if amount is None or amount <= 0:
                amount = Decimal(1)
                q_unit = unit(turn.lang, line.unit or "unit", amount)
                notes.append(turn.tr("cart.qty_assumed", unit=q_unit, text=line.text,
                                     example=f"{line.text} 5"))
            new = CartLine(line.sku, line.name or line.sku, line.unit or "unit", amount)
            try:
                if replace and carts.index_of(cart, line.sku):
                    cart = carts.set_qty(cart, line.sku, amount)
                else:
                    cart = carts.add(cart, new)
            except CartError as exc:
                notes.append(turn.tr("edit.bad_qty", problem=str(exc)))
                continue
            added.append(new)
        elif line.status is LineStatus.ASK and line.options:
            turn.s.qseq += 1
            turn.s.questions.append(Question(
                id=turn.s.qseq, text=line.text, qty=line.qty, unit=line.unit,
                candidates=[Candidate(sku=o.sku, name=o.name, unit=o.unit)
                            for o in line.options[:MAX_CANDIDATES]],
                replace=replace))
        elif line.options:
            names = ", ".join(o.name for o in line.options[:3])
            notes.append(turn.tr("cart.unknown.suggest", text=line.text, suggestions=names))
        else:
            notes.append(turn.tr("cart.unknown", text=line.text))
    if added:
        turn.set_cart(cart)
    turn.fire("add_items")
    await after_change(turn, added, notes, replace=replace)
    return None


async def after_change(turn: Turn, added: Sequence[CartLine], notes: list[str], *,
                       replace: bool = False) -> None:
    """Say what changed, then ask the next question or show the review."""
    if turn.s.questions:
        if added:
            priced = prices(await quote(turn, tuple(added)))
            body = [turn.tr("cart.updated" if replace else "cart.added")]
            body += [line_text(turn, i + 1, ln, priced) for i, ln in enumerate(added)]
            turn.say(Text("\n".join([*body, *notes])))
        elif notes:
            turn.say(Text("\n".join(notes)))
        ask_question(turn)
        return
    if notes:
        turn.say(Text("\n".join(notes)))
    if turn.s.cart:
        await show_review(turn)
    else:
        turn.fire("emptied")
        if not notes:
            turn.text("cart.empty")


async def apply_edit(turn: Turn, edit: Edit) -> Command | None:
    """Change the cart as asked; order text comes back as `add_text` does."""
    if isinstance(edit, Clear):
        turn.set_cart(carts.EMPTY)
        turn.s.questions.clear()
        turn.s.offer = None
        turn.fire("emptied")
        turn.text("cart.cleared")
        turn.text("cart.empty")
        return None
    if isinstance(edit, Remove):
        await _remove(turn, edit)
        return None
    return await add_text(turn, edit.text, replace=isinstance(edit, Change))


async def _remove(turn: Turn, edit: Remove) -> None:
    cart = turn.s.lines
    removed = []
    for n in edit.numbers:  # highest first, so lower numbers keep their meaning
        if not 1 <= n <= len(cart):
            turn.text("edit.no_line", n=n, count=len(cart))
            continue
        removed.append(cart[n - 1].name)
        cart = carts.remove(cart, n)
    if removed:
        turn.set_cart(cart)
        turn.text("edit.removed", name=", ".join(reversed(removed)))
    turn.s.offer = None
    if turn.s.cart:
        await show_review(turn)
    else:
        turn.fire("emptied")
        turn.text("cart.empty")
