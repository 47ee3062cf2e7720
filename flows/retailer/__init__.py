"""The retailer conversation: one message in, replies out, the session moved along.

`handle` restores the conversation onto the machine (flows/machine.py), hands
the message to the part of the flow for where the conversation is, and
returns the session to save, the replies, and what the machine did. The
parts, each over one `Turn`:

- `onboarding` — an unknown number registers its shop and area;
- `shopping` — a registered retailer's message: a tapped choice, a command,
  an answer, an edit or order lines;
- `cart` (lines in, edits), `questions` (ambiguous lines), `review` (what is
  shown next), `confirm` (placing, shortfalls and their offers), `account`
  (orders, balance, cancel, reorder, language).

Everything the world must answer goes through the `RetailerBackend` port
(ports.py), bound by the shell to this message's transaction; every word
comes from `flows.i18n`.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.cart_edits import Clear, Remove, parse_edit
from flows import machine as m
from flows.choices import (
    CategoryChoice,
    ChangeChoice,
    DeliveryChoice,
    PayChoice,
    PayMethodChoice,
    ReorderChoice,
    parse,
)
from flows.commands import Command, command_of
from flows.i18n import script_language, t
from flows.replies import Buttons, ListMenu, Outgoing, Reply, Template, Text
from flows.retailer import changes
from flows.retailer.onboarding import onboarding
from flows.retailer.ports import (
    Account,
    Balance,
    Category,
    LineStatus,
    Option,
    OrderLine,
    PlaceOutcome,
    PriceOffer,
    Problem,
    Reading,
    RetailerBackend,
    Said,
    Understood,
)
from flows.retailer.shopping import shopping
from flows.retailer.turn import Turn
from flows.session import Session, utcnow

__all__ = [
    "Account", "Balance", "Category", "LineStatus", "Option", "OrderLine", "PlaceOutcome",
    "PriceOffer", "Problem", "Reading",
    "RetailerBackend", "Said", "Turned", "Understood", "handle",
]


@dataclass(frozen=True, slots=True)
class Turned:
    """One message handled: the session to save, the replies, and what the machine did."""

    session: Session
    out: list[Outgoing]
    steps: tuple[m.Step, ...]
    refused: tuple[m.Refusal, ...]


async def handle(backend: RetailerBackend, phone: str, said: Said,
                 session: Session | None) -> Turned:
    """Handle one message from `phone` (`session`: the saved one, None if there is none)."""
    restored = session is not None
    if session is None:
        session = Session(phone=phone)
    account = await backend.account(phone)
    if account is not None and not restored:
        session.language = "ne" if account.language == "ne" else "en"
        session.language_chosen = account.language == "ne"
    if said.text and not session.language_chosen:
        session.language = script_language(said.text) or session.language
    session.remember("in", said.text or f"[{said.choice_title or said.choice}]")
    now = utcnow()
    session.last_activity = now
    session.last_inbound = now
    with m.attached(session) as model:
        turn = Turn(backend, session, account, model, photo=said.photo)
        if account is None:
            await onboarding(turn, said)
        elif said.text and await changes.answer_typed(turn, said.text):
            pass  # a typed answer to a vendor's smaller order needs no session
        elif not restored and _needs_context(said):
            turn.say(Text(t(session.language, "restart")))
            turn.say(Text(t(session.language, "cart.empty")))
            turn.fire("cancel")
        else:
            await shopping(turn, said)
    for out in turn.out:
        if out.to == phone:  # not the vendor's copy of a new order
            session.remember("out", _visible(out.reply))
    return Turned(session, turn.out, tuple(model.steps), tuple(model.refused))


def _needs_context(said: Said) -> bool:
    """A message that only makes sense with the session we no longer have."""
    if said.choice:
        # A choice that names its own order or category (a delivery's Received / Problem,
        # a vendor's smaller order, a reorder nudge) may come days later, after the
        # session has gone: it needs none.
        return not isinstance(parse(said.choice),
                              DeliveryChoice | ChangeChoice | CategoryChoice | ReorderChoice
                              | PayChoice | PayMethodChoice)
    if said.text:
        cmd = command_of(said.text)
        if cmd in (Command.CONFIRM, Command.EDIT, Command.YES, Command.NO):
            return True
        return isinstance(parse_edit(said.text), Remove | Clear)
    return False


def _visible(reply: Reply) -> str:
    """A reply as one line of the history operators read."""
    if isinstance(reply, Text):
        return reply.body
    if isinstance(reply, Buttons):
        return reply.body + " [" + " | ".join(b.title for b in reply.buttons) + "]"
    if isinstance(reply, ListMenu):
        rows = [r.title for s in reply.sections for r in s.rows]
        return reply.body + " [" + " | ".join(rows) + "]"
    if isinstance(reply, Template):
        return f"[template {reply.name}]"
    return f"[{type(reply).__name__.lower()} {reply.media_file_id}] {reply.caption or ''}".strip()
