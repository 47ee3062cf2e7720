"""What happened to an order or a payment, for the people who must be told.

The services (bot/services) return these facts; `flows.order_notices` words
them, in each recipient's language, as the messages to send. Each fact names
its recipients as `Party` values (phone, language, name), so wording needs no
database: who is told what is decided in one place, the flows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

from domain.order_status import Role, Status
from domain.vendor_commands import VendorAction

if TYPE_CHECKING:
    from domain.ordering import PricedLine


@dataclass(frozen=True, slots=True)
class Party:
    """Someone to tell: their WhatsApp number, their language and their name (or shop's)."""

    phone: str
    language: str
    name: str


# ------------------------------------------------------------------ an order's life


@dataclass(frozen=True, slots=True)
class OrderOffered:
    """Order `number` is offered to `vendor`, to accept within `minutes`."""

    number: int
    vendor: Party
    shop: str
    area: str
    lines: tuple[PricedLine, ...]
    total: Decimal
    minutes: float


@dataclass(frozen=True, slots=True)
class PlacedOnBehalf:
    """Someone (an operator, a partner app) placed order `number` for `retailer`."""

    number: int
    retailer: Party
    vendor: str
    total: Decimal


@dataclass(frozen=True, slots=True)
class OrderAccepted:
    """`vendor` accepted order `number` of `retailer` (who is in `area`)."""

    number: int
    vendor: Party
    retailer: Party
    area: str
    total: Decimal


@dataclass(frozen=True, slots=True)
class OrderRejected:
    """`vendor` turned order `number` down; `rerouted` False when no other vendor could
    take it (it waits for operators), so the vendor is not told it went elsewhere."""

    number: int
    vendor: Party
    reason: str | None
    rerouted: bool = True


@dataclass(frozen=True, slots=True)
class OfferTimedOut:
    """`vendor` did not answer order `number` within `minutes`; it went elsewhere, or with
    `rerouted` False, to operators (no other vendor could take it)."""

    number: int
    vendor: Party
    minutes: float
    rerouted: bool = True


@dataclass(frozen=True, slots=True)
class OrderRerouted:
    """Order `number` moved from vendor `previous` to vendor `next`."""

    number: int
    retailer: Party
    previous: str
    next: str


@dataclass(frozen=True, slots=True)
class OrderUnroutable:
    """No vendor is left for order `number`; operators take over."""

    number: int
    retailer: Party


@dataclass(frozen=True, slots=True)
class OrderDispatched:
    """`vendor` sent order `number` on its way."""

    number: int
    vendor: Party
    retailer: Party


@dataclass(frozen=True, slots=True)
class OrderDelivered:
    """Order `number` was delivered; the retailer owes `total` by `due`."""

    number: int
    vendor: Party
    retailer: Party
    total: Decimal
    due: dt.date


@dataclass(frozen=True, slots=True)
class OrderCancelled:
    """Order `number` was cancelled by `by` while it was `was`.

    `vendor` is the vendor it was assigned to (None when it had none).
    """

    number: int
    reason: str
    by: Role
    was: Status
    vendor: Party | None
    retailer: Party | None


class VendorRefusal(StrEnum):
    """Why a vendor's answer about an order changed nothing."""

    NOT_FOUND = "not_found"
    NOT_YOURS = "not_yours"
    ALREADY_ACCEPTED = "already_accepted"
    ALREADY = "already"
    FINISHED = "finished"
    WRONG_STEP = "wrong_step"


@dataclass(frozen=True, slots=True)
class VendorRefused:
    """`vendor` asked to `action` order `number`, and that does not apply (`status`: now)."""

    number: int
    vendor: Party
    reason: VendorRefusal
    action: VendorAction
    status: Status | None = None


# ------------------------------------------------------------------ money


@dataclass(frozen=True, slots=True)
class PaymentReceived:
    """`retailer` paid `amount`; they now owe `balance` (negative: paid in advance)."""

    retailer: Party
    amount: Decimal
    balance: Decimal
    payment_id: int


class ChangeRefusal(StrEnum):
    """Why a vendor's "only some lines" changed nothing."""

    UNMATCHED = "unmatched"  # a name matches no line of the order (or several)
    NOTHING_LEFT = "nothing_left"  # every line would go: that is a reject
    WRONG_STEP = "wrong_step"  # only before dispatching
    WAITING = "waiting"  # a change is already waiting for the shop's answer
    DISPATCH_WAITING = "dispatch_waiting"  # no dispatch before the shop answers a change
    NOT_LESS = "not_less"  # "tokla 5" that is not less than ordered (or not more than 0)
    NOT_WHOLE = "not_whole"  # "tokla 1.5" of what is sold whole, or "5 kg" of 25 kg bags
    OTHER_UNIT = "other_unit"  # "tokla 2 litre": a unit that does not convert to the line's


@dataclass(frozen=True, slots=True)
class ChangeProposed:
    """`vendor` can send only `kept` of order `number`; `retailer` is asked to agree."""

    number: int
    vendor: Party
    retailer: Party
    kept: tuple[tuple[str, Decimal, str, Decimal], ...]  # name, qty, unit, line total
    dropped: tuple[str, ...]
    total: Decimal


@dataclass(frozen=True, slots=True)
class ChangeRefused:
    """`vendor`'s change to order `number` was not made (`names`: those not matched)."""

    number: int
    vendor: Party
    why: ChangeRefusal
    names: tuple[str, ...] = ()
    unit: str = ""  # the line's unit, for NOT_WHOLE and OTHER_UNIT


@dataclass(frozen=True, slots=True)
class ChangeDeclined:
    """`retailer` turned down `vendor`'s smaller order `number` (it is re-routed next)."""

    number: int
    vendor: Party


@dataclass(frozen=True, slots=True)
class ChangeAgreed:
    """`retailer` took `vendor`'s smaller order `number` after it was accepted (`total`)."""

    number: int
    vendor: Party
    retailer: Party
    total: Decimal


@dataclass(frozen=True, slots=True)
class ChangeTimedOut:
    """`retailer` did not answer `vendor`'s smaller order `number` within `minutes`: it went
    whole to another vendor, or with `rerouted` False, to operators."""

    number: int
    vendor: Party
    retailer: Party
    minutes: float
    rerouted: bool = True


Fact = (ChangeProposed | ChangeRefused | ChangeDeclined | ChangeAgreed | ChangeTimedOut
        | OrderOffered | PlacedOnBehalf | OrderAccepted | OrderRejected | OfferTimedOut
        | OrderRerouted | OrderUnroutable | OrderDispatched | OrderDelivered | OrderCancelled
        | VendorRefused | PaymentReceived)
