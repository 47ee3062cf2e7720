"""After a delivery: "did it all arrive?", and a problem reported becomes a case for operators.

The delivered notice carries Received / Problem buttons (flows/order_notices.py).
A tap on Problem asks what is wrong and the next message says it; a message like
"not received" or "3 bottle futeko" about the latest order, once it is delivered,
opens the case directly. Operators see it as a dispute alert (domain.alerts), so
the trouble does not stand silently on the retailer's account.
"""

from __future__ import annotations

import re

from domain.normalize import plain_form
from domain.order_status import Status
from flows.choices import DeliveryAnswer, DeliveryChoice
from flows.retailer.ports import Problem
from flows.retailer.turn import Turn

# Words that say a delivered order was not right: missing, short, damaged, spoilt.
_PROBLEM_WORDS = frozenset(plain_form(w) for w in [
    "futeko", "phuteko", "futyo", "phutyo", "futeka", "phuteka", "bigreko", "bigryo",
    "kharab", "damaged", "damage", "broken", "broke", "leaking", "leak", "missing", "short",
    "wrong", "expired", "spoiled", "spoilt", "torn", "fateko", "chyateko", "फुटेको", "फुट्यो",
    "बिग्रेको", "बिग्र्यो", "खराब", "च्यातिएको", "कम"
])
# "Not received": the whole message, or these words in it.
_NOT_RECEIVED = re.compile(
    r"\b(?:not\s+received|never\s+(?:came|arrived)|didn'?t\s+(?:get|come|arrive)|"
    r"not\s+(?:come|arrived|delivered)|pugena|pugeko\s+chaina|aayena|ayena|aaena|"
    r"aayeko\s+chaina|paiyena|paayena)\b|पुगेन|आएन|पाइएन|आएको छैन|पुगेको छैन",
    re.IGNORECASE)


def is_problem(text: str) -> bool:
    """True when the message says an order did not come, or came short or damaged."""
    if _NOT_RECEIVED.search(text):
        return True
    return any(plain_form(w) in _PROBLEM_WORDS for w in re.findall(r"[^\s?.,!।]+", text))


async def on_choice(turn: Turn, choice: DeliveryChoice) -> None:
    """Received: thanks. Problem: ask what is wrong (the next message says it)."""
    if choice.answer is DeliveryAnswer.OK:
        turn.s.problem_order = None
        turn.text("delivery.thanks", number=choice.number)
        return
    turn.s.problem_order = choice.number
    turn.text("delivery.ask_problem", number=choice.number)


async def on_text(turn: Turn, text: str) -> bool:
    """A problem described after tapping Problem, or said about the latest order."""
    number = turn.s.problem_order
    if number is None:
        if not is_problem(text):
            return False
        recent = await turn.backend.recent_orders(turn.retailer, 1)
        if not recent or recent[0].status is not Status.DELIVERED:
            # Not delivered yet: "aayena" is a question about where it is.
            return False
        number = recent[0].number
    turn.s.problem_order = None
    outcome = await turn.backend.report_problem(turn.retailer, number, text.strip()[:300])
    key = {Problem.OPENED: "delivery.case_opened",
           Problem.ALREADY_OPEN: "delivery.case_open_already",
           Problem.NOT_DELIVERED: "delivery.not_delivered",
           Problem.UNKNOWN: "cancel.unknown"}[outcome]
    turn.say_text_for_order(key, number)
    return True
