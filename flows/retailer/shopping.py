"""A registered retailer's message: a tapped choice, a command, an answer, an edit, or an order."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from domain.cart_edits import Add, Clear, Remove, RemoveNamed, parse_edit
from domain.digits import to_ascii
from domain.payments import PayRequest, read_pay_request
from flows import machine as m
from flows.choices import (
    CategoryChoice,
    ChangeChoice,
    DeliveryChoice,
    OfferChoice,
    PayChoice,
    PayMethodChoice,
    QuestionChoice,
    ReorderChoice,
    ReviewChoice,
    StatementChoice,
    parse,
)
from flows.commands import Command, StatementAsk, cancel_number, command_of, statement_request
from flows.retailer import (
    account,
    asking,
    changes,
    confirm,
    delivery,
    paying,
    questions,
    statements,
)
from flows.retailer.cart import add_text, answer_qty, apply_edit
from flows.retailer.ports import Said
from flows.retailer.review import ask_question, show_review
from flows.retailer.turn import Turn


async def shopping(turn: Turn, said: Said) -> None:
    """Answer one message from a registered retailer."""
    if said.choice:
        await on_choice(turn, said.choice)
        return
    text = (said.text or "").strip()
    if not text:
        turn.text("cart.nothing_understood")
        return
    talk = asking.small_talk(text)
    if talk == "thanks":
        turn.text("thanks.reply")
        return
    if talk == "greeting":
        await _greeting(turn)
        return
    command = command_of(text)
    if command is not None and await on_command(turn, command):
        return
    ask = statement_request(text)
    if ask is not None:
        await statements.send_statement(turn, ask)
        return
    pay = read_pay_request(text)  # "pay 500", "५०० तिर्नु"
    if pay is not None:
        await paying.offer(turn, pay)
        return
    if await delivery.on_text(turn, text):
        return
    if asking.asks_catalogue(text):
        await asking.show_categories(turn)
        return
    subject = asking.price_subject(text)
    if subject is not None:
        await asking.answer_price(turn, subject)
        return
    number = cancel_number(text)
    if number is not None:
        await account.cancel_number(turn, number)
        return
    if turn.may("answer") and await questions.pick_by_number(turn, text):
        return
    if await answer_qty(turn, text):
        return
    edit = parse_edit(text)
    if isinstance(edit, Remove | RemoveNamed | Clear | Add):
        await _about(turn, await apply_edit(turn, edit))
        return
    # A product already in the cart gets the quantity now written, in any state:
    # "anda 2 tray" after 60 means 2 (adding takes "thap" / "add … more").
    await _about(turn, await add_text(turn, text, replace=True), text)


async def _about(turn: Turn, subject: Command | None, text: str = "") -> None:
    """A message without order lines that the parser says is about `subject`."""
    if subject is Command.CANCEL and (found := _ORDER_NUMBER.search(to_ascii(text))):
        # "order 1001 chaidaina": that order, never the latest one instead.
        await account.cancel_number(turn, int(found.group(0)))
        return
    if subject is not None and not await on_command(turn, subject):
        turn.not_understood()


_ORDER_NUMBER = re.compile(r"(?<![0-9.])[0-9]{3,9}(?![0-9.])")


async def on_choice(turn: Turn, choice_id: str) -> None:
    """A tapped button or list row."""
    match parse(choice_id):
        case QuestionChoice() as choice:
            await questions.answer(turn, choice)
        case ReviewChoice() as choice:
            await confirm.on_review_button(turn, choice)
        case OfferChoice() as choice:
            await confirm.on_offer_button(turn, choice)
        case ReorderChoice(nudge=nudge):
            await account.reorder(turn, nudge)
        case CategoryChoice() as choice:
            await asking.show_category(turn, choice)
        case DeliveryChoice() as choice:
            await delivery.on_choice(turn, choice)
        case ChangeChoice(agree=agree, number=number):
            await changes.answer(turn, number, agree)
        case StatementChoice():
            await statements.send_statement(turn, StatementAsk())
        case PayChoice(number=number):
            await paying.offer(turn, PayRequest(), number)
        case PayMethodChoice() as choice:
            await paying.start(turn, choice)
        case _:
            turn.text("stale_reply")


# ---------------------------------------------------------------- commands

Handler = Callable[[Turn], Awaitable[bool]]


async def on_command(turn: Turn, command: Command) -> bool:
    """Run a command; False when it means nothing here (then the message is read as text)."""
    return await _COMMANDS[command](turn)


async def _help(turn: Turn) -> bool:
    turn.text("help")
    return True


async def _greeting(turn: Turn) -> bool:
    """A short hello back (the cart, if one is waiting), not the whole help menu."""
    turn.text("greeting.reply", shop=turn.retailer.shop_name)
    if turn.s.cart:
        await show_review(turn)
    return True


def _always(action: Callable[[Turn], Awaitable[None]]) -> Handler:
    async def handler(turn: Turn) -> bool:
        await action(turn)
        return True
    return handler


async def _english(turn: Turn) -> bool:
    await account.set_language(turn, "en")
    return True


async def _nepali(turn: Turn) -> bool:
    await account.set_language(turn, "ne")
    return True


async def _confirm(turn: Turn) -> bool:
    if turn.s.questions:
        ask_question(turn)
    elif turn.state in m.CONFIRMABLE:
        await confirm.confirm(turn)
    elif turn.state == m.ADJUSTING:
        await confirm.take_offer(turn)
    else:
        turn.text("confirm.nothing")
    return True


async def _edit(turn: Turn) -> bool:
    if turn.s.cart:
        turn.fire("edit")
        turn.text("edit.help")
    else:
        turn.text("cart.empty")
    return True


async def _yes(turn: Turn) -> bool:
    """Yes (ok, ho, 👍): takes the offer after a shortfall, confirms a cart under review.

    Only a whole message counts (flows.commands), so "wai wai 5" is never read as
    "ok"; with no cart on screen the word is read as text like any other.
    """
    if turn.state == m.ADJUSTING:
        await confirm.take_offer(turn)
        return True
    if turn.s.questions:
        ask_question(turn)
        return True
    if turn.s.cart and turn.state in m.CONFIRMABLE:
        return await _confirm(turn)
    return False


async def _no(turn: Turn) -> bool:
    if turn.state != m.ADJUSTING:
        return False
    await confirm.decline_offer(turn)
    return True


_COMMANDS: dict[Command, Handler] = {
    Command.HELP: _help,
    Command.GREETING: _greeting,
    Command.STATUS: _always(account.status),
    Command.BALANCE: _always(account.balance),
    Command.CANCEL: _always(account.cancel),
    Command.REORDER: _always(account.reorder),
    Command.ENGLISH: _english,
    Command.NEPALI: _nepali,
    Command.CONFIRM: _confirm,
    Command.EDIT: _edit,
    Command.YES: _yes,
    Command.AGREE: _yes,
    Command.NO: _no,
    Command.PAY: _always(lambda turn: paying.offer(turn, PayRequest())),
}
