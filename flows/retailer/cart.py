"""Putting order lines in the cart, and editing it: remove, add, clear, change."""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal

from domain import cart as carts
from domain.cart import CartError, CartLine
from domain.cart_edits import Change, Clear, Edit, Remove, RemoveNamed
from domain.digits import to_ascii
from domain.ordertext import Intent, QtyNote
from flows.commands import Command
from flows.i18n import qty, unit
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
    """Read `text` as order lines into the cart.

    `replace`: a product already in the cart gets the new quantity (`anda 2
    tray` after 60 makes 2); otherwise the quantity is added to it (`anda 2
    tray thap`). Each change to a product already there is said in words, so
    the retailer sees what the message did, not only the new summary.

    A message with no order lines that the parser knows the subject of ("mero
    order kaha pugyo?", "kati baki cha") comes back as that command, for the
    caller to run; anything else it could not read is answered here.
    """
    reading = await turn.backend.understand(text)
    if not reading.lines:
        command = INTENT_COMMANDS.get(reading.intent)
        if command is None:
            turn.not_understood()
        return command
    cart = turn.s.lines
    added: list[CartLine] = []
    notes: list[str] = []
    turn.s.qty_ask = None
    for line in reading.lines:
        if line.status is LineStatus.RESOLVED and line.sku:
            name, unit_name = line.name or line.sku, line.unit or "unit"
            if line.qty is None:
                # No quantity the cart may take: ask for it, never assume one.
                notes.append(qty_question(turn, line.sku, name, unit_name, line.qty_note))
                continue
            if line.qty <= 0:
                notes.append(turn.tr("cart.qty_not_positive", name=name,
                                     qty=qty(turn.lang, line.qty),
                                     example=_example(turn, name, unit_name)))
                continue
            try:
                cart, note = put(turn, cart, CartLine(line.sku, name, unit_name, line.qty),
                                 replace=replace)
            except CartError as exc:
                notes.append(turn.tr("edit.bad_qty", problem=str(exc)))
                continue
            if note:
                notes.append(note)
            added.append(CartLine(line.sku, name, unit_name, line.qty))
        elif line.status is LineStatus.ASK and line.options:
            if line.qty is not None and line.qty <= 0:
                notes.append(turn.tr("cart.qty_not_positive", name=line.text,
                                     qty=qty(turn.lang, line.qty),
                                     example=line.text))
                continue
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
    await after_change(turn, added, notes)
    return None


def put(turn: Turn, cart: carts.Cart, line: CartLine, *,
        replace: bool) -> tuple[carts.Cart, str | None]:
    """`line` into `cart` (replacing or adding to a product already there) and what that did.

    The note is None for a product new to the cart (the summary shows it).
    Raises CartError for a quantity the cart refuses.
    """
    n = carts.index_of(cart, line.sku)
    if n is None:
        return carts.add(cart, line), None
    before = cart[n - 1].qty
    cart = carts.set_qty(cart, line.sku, line.qty) if replace else carts.add(cart, line)
    after = cart[n - 1].qty
    new_qty, u = turn.qty_unit(after, line.unit)
    if after == before:
        return cart, turn.tr("edit.same", name=line.name, qty=new_qty, unit=u)
    if replace:
        return cart, turn.tr("edit.changed", name=line.name, unit=u, new=new_qty,
                             old=qty(turn.lang, before))
    return cart, turn.tr("edit.increased", name=line.name, unit=u, new=new_qty,
                         added=qty(turn.lang, line.qty))


def qty_question(turn: Turn, sku: str, name: str, unit_name: str,
                 note: QtyNote | None) -> str:
    """Ask how much of a product the retailer wants; a bare number next answers it."""
    turn.s.qty_ask = Candidate(sku=sku, name=name, unit=unit_name)
    key = "cart.qty_not_whole" if note is QtyNote.NOT_WHOLE else "cart.qty_needed"
    return turn.tr(key, name=name, unit=unit(turn.lang, unit_name, Decimal(2)),
                   example=_example(turn, name, unit_name))


def _example(turn: Turn, name: str, unit_name: str) -> str:
    return f"{name} {qty(turn.lang, Decimal(5))} {unit(turn.lang, unit_name, Decimal(5))}"


async def answer_qty(turn: Turn, text: str) -> bool:
    """A bare number after "how many?": that much of the product asked about."""
    asked = turn.s.qty_ask
    if asked is None:
        return False
    amount = read_number(text)
    if amount is None:
        return False
    turn.s.qty_ask = None
    if amount <= 0:
        turn.text("cart.qty_not_positive", name=asked.name, qty=qty(turn.lang, amount),
                  example=_example(turn, asked.name, asked.unit))
        turn.s.qty_ask = asked
        return True
    try:
        cart, note = put(turn, turn.s.lines,
                         CartLine(asked.sku, asked.name, asked.unit, amount), replace=True)
    except CartError as exc:
        turn.text("edit.bad_qty", problem=str(exc))
        return True
    turn.set_cart(cart)
    turn.fire("add_items")
    line = cart[(carts.index_of(cart, asked.sku) or len(cart)) - 1]
    await after_change(turn, [line], [note] if note else [])
    return True


_NUMBER = re.compile(r"^\s*(-?\s*[0-9]+(?:\.[0-9]+)?)\s*[.!]*\s*$")


def read_number(text: str) -> Decimal | None:
    """A message that is only a number (any digits script), signed; else None."""
    match = _NUMBER.match(to_ascii(text))
    if match is None:
        return None
    try:
        return Decimal(match.group(1).replace(" ", ""))
    except ArithmeticError:
        return None


async def after_change(turn: Turn, added: Sequence[CartLine], notes: list[str]) -> None:
    """Say what changed, then ask the next question or show the review."""
    if turn.s.questions:
        if added:
            priced = prices(await quote(turn, tuple(added)))
            body = [turn.tr("cart.added")]
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
    if isinstance(edit, RemoveNamed):
        await _remove_named(turn, edit)
        return None
    return await add_text(turn, edit.text, replace=isinstance(edit, Change))


async def _remove_named(turn: Turn, edit: RemoveNamed) -> None:
    """Remove the cart's lines for the products the text names ("rara hatau")."""
    reading = await turn.backend.understand(edit.text)
    cart = turn.s.lines
    in_cart = {ln.sku for ln in cart}
    skus: list[str] = []
    for line in reading.lines:
        if line.sku in in_cart:
            skus.append(line.sku)
            continue
        # A name close to several products: the one of them in the cart, if only one is.
        mine = [o.sku for o in line.options if o.sku in in_cart]
        if len(mine) == 1:
            skus.append(mine[0])
    if not skus:
        turn.text("edit.not_in_cart", text=edit.text)
        if turn.s.cart:
            await show_review(turn)
        else:
            turn.text("cart.empty")
        return
    numbers = sorted({n for sku in skus if (n := carts.index_of(cart, sku))}, reverse=True)
    await _remove(turn, Remove(tuple(numbers)))


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
