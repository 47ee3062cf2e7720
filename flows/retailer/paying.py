"""Paying from the chat: `pay` (or `pay 500`, or the Pay button) offers the gateways set up;
a tapped gateway sends a link to open or a QR to scan.

No session is needed: the method buttons carry the amount (`flows.choices.PayMethodChoice`),
and the backend checks it again against what is owed when one is tapped. The amount is
what is owed unless the retailer names one; one above what is owed, or one we cannot
read, is answered with a question, never guessed at.
"""

from __future__ import annotations

from decimal import Decimal

from domain.business_time import local_time
from domain.payments import MIN_ONLINE_AMOUNT, PayProblem, PayRequest, paisa, pay_problem
from domain.payments import rupees_of_paisa as rupees
from flows.choices import PayChoice, PayMethodChoice
from flows.i18n import digits, money
from flows.replies import Button, Buttons, Image
from flows.retailer.ports import Balance, PayLink, PayNotStarted, PayQr
from flows.retailer.turn import Turn

_PROBLEM_KEYS = {PayProblem.NOTHING_DUE: "pay.nothing_due", PayProblem.OVER_DUE: "pay.over_due",
                 PayProblem.TOO_SMALL: "pay.too_small"}


def pay_button(turn: Turn, balance: Balance) -> Button | None:
    """The Pay button under a balance reply, when something is owed and can be paid here."""
    if not balance.can_pay or balance.outstanding <= 0:
        return None
    return Button(PayChoice().to_id(), turn.tr("pay.button"))


async def offer(turn: Turn, request: PayRequest, number: int | None = None) -> None:
    """Offer the gateways for the amount asked (or all that is owed)."""
    if request.unclear:
        turn.text("pay.unclear")
        return
    due = await turn.backend.pay_due(turn.retailer, number)
    if due.owed <= 0:
        _refuse(turn, PayProblem.NOTHING_DUE, due.owed, number)
        return
    if not due.methods:
        # "tirnu" without a gateway set up still answers what is owed.
        turn.text("pay.not_offered", owed=money(turn.lang, due.owed))
        return
    amount = due.owed if request.amount is None else request.amount
    problem = pay_problem(amount, due.owed)
    if problem is not None:
        _refuse(turn, problem, due.owed, number)
        return
    lang = turn.lang
    if number is None:
        head = turn.tr("pay.choose", owed=money(lang, due.owed), amount=money(lang, amount))
    else:
        head = turn.tr("pay.choose.order", number=number, owed=money(lang, due.owed),
                       amount=money(lang, amount))
    buttons = tuple(Button(PayMethodChoice(method, paisa(amount), number).to_id(),
                           turn.tr(f"pay.method.{method}")) for method in due.methods[:3])
    turn.say(Buttons(head + "\n" + turn.tr("pay.other_amount"), buttons),
             correlation=None if number is None else f"order:{number}")


async def start(turn: Turn, choice: PayMethodChoice) -> None:
    """A tapped gateway: the link or QR to pay with, or why not now."""
    amount = rupees(choice.paisa)
    result = await turn.backend.start_payment(turn.retailer, choice.gateway, amount,
                                              choice.number)
    lang = turn.lang
    method = turn.tr(f"pay.method.{result.method}")
    match result:
        case PayLink():
            turn.text("pay.link", amount=money(lang, result.amount), method=method,
                      url=result.url, until=_clock(lang, result))
        case PayQr():
            caption = turn.tr("pay.qr", amount=money(lang, result.amount),
                              until=_clock(lang, result))
            turn.say(Image(result.media_file_id, caption))
        case PayNotStarted(problem=problem) if problem is not None:
            _refuse(turn, problem, result.owed, choice.number)
        case PayNotStarted(not_offered=True):
            turn.text("pay.not_offered", owed=money(lang, result.owed))
        case PayNotStarted():
            turn.text("pay.gateway_down", method=method)


def _refuse(turn: Turn, problem: PayProblem, owed: Decimal, number: int | None) -> None:
    lang = turn.lang
    if problem is PayProblem.NOTHING_DUE and number is not None:
        turn.text("pay.nothing_due.order", number=number)
        return
    turn.text(_PROBLEM_KEYS[problem], owed=money(lang, owed),
              minimum=money(lang, min(MIN_ONLINE_AMOUNT, owed)))


def _clock(lang: str, result: PayLink | PayQr) -> str:
    """The time a link or QR stops working, on the Kathmandu clock (`14:30`)."""
    return digits(lang, local_time(result.until).strftime("%H:%M"))
