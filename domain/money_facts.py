"""What happened to a retailer's money or account, for the people who must be told.

The money and operator services (bot/services/ledger.py, credit_notes.py,
operator_actions.py) return these; `flows.money_notices` words them. They sit
beside `domain.facts` (the order's life) and name recipients the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from domain.facts import Party


class CreditNoteReason(StrEnum):
    """Why money goes back to a retailer for delivered items."""

    DAMAGED = "damaged"
    WRONG = "wrong"
    RETURNED = "returned"


@dataclass(frozen=True, slots=True)
class PaymentVoided:
    """Payment `payment_id` of `amount` was undone (`reason`); they now owe `balance`."""

    retailer: Party
    amount: Decimal
    balance: Decimal
    payment_id: int
    reason: str


@dataclass(frozen=True, slots=True)
class CreditedLine:
    """One line of a credit note: what was credited and for how much."""

    name: str
    qty: Decimal
    unit: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class CreditNoteIssued:
    """Credit note `credit_note_id` gave `amount` back on order `number` (both sides told)."""

    number: int
    credit_note_id: int
    retailer: Party
    vendor: Party | None
    reason: CreditNoteReason
    amount: Decimal
    balance: Decimal
    lines: tuple[CreditedLine, ...]


@dataclass(frozen=True, slots=True)
class CreditReopened:
    """A payment cleared what was overdue: `retailer` may order on credit again at once."""

    retailer: Party
    balance: Decimal


@dataclass(frozen=True, slots=True)
class AccountApproved:
    """An operator approved `retailer` with credit `limit`; `cart_kept` when a cart waits."""

    retailer: Party
    limit: Decimal
    cart_kept: bool = False


@dataclass(frozen=True, slots=True)
class AccountBlocked:
    """An operator stopped `retailer` ordering, for `reason`."""

    retailer: Party
    reason: str


@dataclass(frozen=True, slots=True)
class AccountUnblocked:
    """An operator let a blocked `retailer` order again."""

    retailer: Party


@dataclass(frozen=True, slots=True)
class OperatorAlerted:
    """Operator `operator` must look at alert `alert_id` (`subject` says what)."""

    operator: Party
    alert_id: int
    kind: str
    subject: str




@dataclass(frozen=True, slots=True)
class OrderAssigned:
    """An operator gave order `number` to `vendor` (the vendor gets the offer separately)."""

    number: int
    retailer: Party
    vendor: str


@dataclass(frozen=True, slots=True)
class OrderTakenAway:
    """An operator moved order `number` from `vendor` to another supplier: stop packing."""

    number: int
    vendor: Party


@dataclass(frozen=True, slots=True)
class OrderPaidOnline:
    """`shop` paid `amount` for order `number` through `gateway`: its vendor is told."""

    number: int
    vendor: Party
    shop: str
    amount: Decimal
    gateway: str


@dataclass(frozen=True, slots=True)
class PaymentHeld:
    """`retailer` paid `paid` through `gateway` where `asked` was asked: an operator checks.

    `paid` is None when the gateway took money back (a refund) before it was credited.
    """

    retailer: Party
    asked: Decimal
    paid: Decimal | None
    gateway: str
    intent_id: int


@dataclass(frozen=True, slots=True)
class PaymentNotMade:
    """The `gateway` payment of `amount` was not made: its link ran out, or it was cancelled."""

    retailer: Party
    amount: Decimal
    gateway: str
    canceled: bool
    intent_id: int


MoneyFact = (PaymentVoided | CreditNoteIssued | CreditReopened | AccountApproved
             | AccountBlocked | AccountUnblocked | OperatorAlerted | OrderAssigned
             | OrderTakenAway | OrderPaidOnline | PaymentHeld | PaymentNotMade)
