"""The shop's answer to a vendor who can send only part of an order: buttons or words.

The question lives with the order (the shell's `order_changes`), not the session,
so a typed yes / no answers it whenever it is open — even days later, after the
session has gone. Only then: with no question open the words mean what they mean
elsewhere (confirm a cart, take or decline an offer). When the word could answer
two things (two orders asking, or a cart or offer on screen too) the bot asks
which instead of guessing: a yes here accepts a smaller order, so money follows.
"""

from __future__ import annotations

from flows import machine as m
from flows import order_notices
from flows.commands import Command, command_of
from flows.retailer.turn import Turn

# The whole-message words that answer the question (yes / ho / hunchha / ok, no / hoina /
# nai / pardaina: domain.lexicon's YES_COMMAND, agreement words and NO_COMMAND).
_ANSWERS = {Command.YES: True, Command.AGREE: True, Command.NO: False}


async def answer(turn: Turn, number: int, agree: bool) -> None:
    """Yes / no to order `number`'s smaller order; a stale question is said to be stale."""
    told = await turn.backend.answer_change(turn.retailer, number, agree)
    if told is None:
        turn.text("stale_reply")
    else:
        turn.out.extend(order_notices.outgoing(told))


async def answer_typed(turn: Turn, text: str) -> bool:
    """A typed yes / no while a smaller order waits for this shop; False if it is not one."""
    command = command_of(text)
    agree = _ANSWERS.get(command) if command is not None else None
    if agree is None:
        return False
    waiting = await turn.backend.waiting_changes(turn.retailer)
    if not waiting:
        return False
    numbers = ", ".join(f"#{n}" for n in waiting)
    if len(waiting) > 1:
        turn.text("change.which_order", numbers=numbers)
    elif _session_asks(turn, agree):
        turn.text("change.which", numbers=numbers)
    else:
        await answer(turn, waiting[0], agree)
    return True


def _session_asks(turn: Turn, agree: bool) -> bool:
    """Whether the word could also answer what this conversation has on screen."""
    if turn.state == m.ADJUSTING:  # an offer after a shortfall takes yes and no
        return True
    # A yes also confirms a cart under review or answers a pending question about a line.
    return agree and (bool(turn.s.questions)
                      or (bool(turn.s.cart) and turn.state in m.CONFIRMABLE))
