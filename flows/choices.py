"""The retailer's buttons and list rows as typed values: `to_id()` builds, `parse()` reads.

A tap comes back as the id we gave the button or row, so the id carries what
the choice means. The wire format is fixed — buttons already sitting in
people's chats, and approved templates' quick-reply payloads, must keep
working:

    rv:<action>:<rev>     a review button: confirm / edit / cancel the cart at revision rev
    of:<action>:<rev>     an offer button after a shortfall: take it / order from the other vendor
    q:<question>:<sku>    a list row answering question n (sku `-`: none of these)
    area:<name>           an area row while a new shop registers
    reorder:<nudge>       a reorder nudge's quick reply (the template's button payload)
    cat:<name>            a catalogue category row ("what do you have?")
    dl:<answer>:<number>  the answer to "did order N arrive?": ok / issue
    oc:<yes|no>:<number>  the shop's answer to a vendor who can send only part of order N
    stmt                  the Statement button under the balance reply (the last 30 days)
    pay / pay:<number>    the Pay button (balance reply, payment reminders): what is owed,
                          or what is left of order N
    pm:<gateway>:<paisa>:<number|->  pay that many paisa through that gateway (for order N)

The vendor side has its own ids (`domain.vendor_commands.button_id`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from domain.digits import read_whole
from domain.payments import Gateway

NONE_OF_THESE = "-"
_GATEWAYS = frozenset(g.value for g in Gateway)


def _number(text: str) -> int | None:
    """`text` as the number we would have written (so `03` is not `3`), else None."""
    n = read_whole(text)
    return n if n is not None and text.isascii() and str(n) == text else None


class ReviewAction(StrEnum):
    CONFIRM = "confirm"
    EDIT = "edit"
    CANCEL = "cancel"


@dataclass(frozen=True, slots=True)
class ReviewChoice:
    """A button under a cart summary; `rev` None when the id's revision is mangled."""

    action: ReviewAction
    rev: int | None

    def to_id(self) -> str:
        return f"rv:{self.action.value}:{self.rev}"


class OfferAction(StrEnum):
    TAKE = "take"
    OTHER = "other"
    # Any other answer under an offer turns it down (no button sends one today).
    DECLINE = "decline"


@dataclass(frozen=True, slots=True)
class OfferChoice:
    """A button under a shortfall's offer (a smaller cart, or another vendor)."""

    action: OfferAction
    rev: int | None

    def to_id(self) -> str:
        return f"of:{self.action.value}:{self.rev}"


@dataclass(frozen=True, slots=True)
class QuestionChoice:
    """A row answering which product a line meant; `sku` None for "none of these"."""

    question: int
    sku: str | None

    def to_id(self) -> str:
        return f"q:{self.question}:{self.sku if self.sku is not None else NONE_OF_THESE}"


@dataclass(frozen=True, slots=True)
class AreaChoice:
    """A row naming the area a new shop is in."""

    area: str

    def to_id(self) -> str:
        return f"area:{self.area}"


@dataclass(frozen=True, slots=True)
class ReorderChoice:
    """A reorder nudge's quick reply; `nudge` None for a plain "same as last time"."""

    nudge: int | None

    def to_id(self) -> str:
        return "reorder" if self.nudge is None else f"reorder:{self.nudge}"


@dataclass(frozen=True, slots=True)
class CategoryChoice:
    """A row naming a catalogue category, to see its products and prices."""

    category: str

    def to_id(self) -> str:
        return f"cat:{self.category}"


class DeliveryAnswer(StrEnum):
    OK = "ok"
    ISSUE = "issue"


@dataclass(frozen=True, slots=True)
class DeliveryChoice:
    """The retailer's answer to "did order `number` arrive in good order?"."""

    answer: DeliveryAnswer
    number: int

    def to_id(self) -> str:
        return f"dl:{self.answer.value}:{self.number}"


@dataclass(frozen=True, slots=True)
class ChangeChoice:
    """The shop's yes or no to the smaller order a vendor can send."""

    agree: bool
    number: int

    def to_id(self) -> str:
        return f"oc:{'yes' if self.agree else 'no'}:{self.number}"


@dataclass(frozen=True, slots=True)
class PayChoice:
    """The Pay button: pay what is owed (`number` None) or what is left of order `number`."""

    number: int | None = None

    def to_id(self) -> str:
        return "pay" if self.number is None else f"pay:{self.number}"


@dataclass(frozen=True, slots=True)
class PayMethodChoice:
    """Pay `paisa` through `gateway` (a `domain.payments.Gateway` value), for order `number`.

    The amount rides in the id so the button needs no session; it is checked again
    against what is owed when tapped.
    """

    gateway: str
    paisa: int
    number: int | None = None

    def to_id(self) -> str:
        return f"pm:{self.gateway}:{self.paisa}:{'-' if self.number is None else self.number}"



@dataclass(frozen=True, slots=True)
class StatementChoice:
    """The Statement button under the balance reply."""

    def to_id(self) -> str:
        return "stmt"


Choice = (ChangeChoice | DeliveryChoice | ReviewChoice | OfferChoice | QuestionChoice
          | AreaChoice | ReorderChoice | CategoryChoice | PayChoice | PayMethodChoice
          | StatementChoice)


def parse(choice_id: str) -> Choice | None:
    """What a tapped id means, or None when it is none of ours (or too mangled to read)."""
    if choice_id == "stmt":
        return StatementChoice()
    if choice_id.startswith("area:"):
        return AreaChoice(choice_id.removeprefix("area:"))
    if choice_id.startswith("cat:"):
        name = choice_id.removeprefix("cat:")
        return CategoryChoice(name) if name else None
    parts = choice_id.split(":")
    kind = parts[0]
    if kind == "pay":
        if len(parts) == 1:
            return PayChoice()
        number = _number(parts[1]) if len(parts) == 2 else None
        return None if number is None else PayChoice(number)
    if kind == "pm":
        if len(parts) != 4 or parts[1] not in _GATEWAYS:
            return None
        amount = _number(parts[2])
        order = None if parts[3] == NONE_OF_THESE else _number(parts[3])
        if amount is None or amount <= 0 or (order is None and parts[3] != NONE_OF_THESE):
            return None
        return PayMethodChoice(parts[1], amount, order)
    if kind == "reorder":
        nudge = parts[1] if len(parts) == 2 else ""
        return ReorderChoice(_number(nudge))
    if len(parts) != 3:
        return None
    if kind == "q":
        question = _number(parts[1])
        if question is None:
            return None
        return QuestionChoice(question, None if parts[2] == NONE_OF_THESE else parts[2])
    if kind == "rv":
        try:
            return ReviewChoice(ReviewAction(parts[1]), _number(parts[2]))
        except ValueError:
            return None
    if kind == "oc":
        number = _number(parts[2])
        if number is None or parts[1] not in ("yes", "no"):
            return None
        return ChangeChoice(parts[1] == "yes", number)
    if kind == "dl":
        number = _number(parts[2])
        try:
            return None if number is None else DeliveryChoice(DeliveryAnswer(parts[1]), number)
        except ValueError:
            return None
    if kind == "of":
        try:
            action = OfferAction(parts[1])
        except ValueError:
            action = OfferAction.DECLINE
        return OfferChoice(action, _number(parts[2]))
    return None
