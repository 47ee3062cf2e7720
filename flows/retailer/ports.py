"""What the retailer flow is handed (`Said`) and needs from the world (`RetailerBackend`).

`RetailerBackend` is bound by the shell to one message's connection and
transaction (bot/conversation/retailer_backend.py over Postgres, the catalogue
and the order service; a fake in the tests), so the flow itself holds no SQL
and can be run in memory. Orders come back in the order vocabulary
(`domain.ordering`); the few values below are what only this flow asks about.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

from domain import cart as carts
from domain.credit import RetailerStatus
from domain.facts import Fact
from domain.order_status import Status
from domain.ordering import (
    Cancelled,
    CancelRefused,
    CreditShort,
    NotAllowed,
    Placed,
    Quote,
    SplitPlaced,
    StockShort,
    UnknownItems,
)
from domain.ordertext import Intent, QtyNote
from domain.payments import PayProblem
from domain.statement import Period


@dataclass(frozen=True, slots=True)
class Said:
    """What a retailer's message amounts to: typed text or the id of a tapped choice."""

    text: str | None = None
    choice: str | None = None
    choice_title: str | None = None
    # The text is a photo's caption and the photo is already with a person: what
    # cannot be read as an order is answered "a person will prepare it", not "sorry".
    photo: bool = False


@dataclass(frozen=True, slots=True)
class Account:
    """The retailer as the conversation needs to know them."""

    id: int
    phone: str
    shop_name: str
    status: RetailerStatus
    blocked_reason: str | None
    language: str


@dataclass(frozen=True, slots=True)
class Option:
    """A product offered for an ambiguous or unknown line."""

    sku: str
    name: str
    unit: str


class LineStatus(StrEnum):
    """How far the parser got with one line."""

    RESOLVED = "resolved"  # one product
    ASK = "ask"  # close to several: ask which
    UNKNOWN = "unknown"  # none close enough (options are hints only)


@dataclass(frozen=True, slots=True)
class Understood:
    """One order line as the parser read it."""

    text: str
    status: LineStatus
    sku: str | None = None
    name: str | None = None
    unit: str | None = None
    qty: Decimal | None = None
    options: tuple[Option, ...] = ()
    # Why `qty` is None (ask for it, never assume one); see domain.ordertext.ParsedLine.
    qty_note: QtyNote | None = None


@dataclass(frozen=True, slots=True)
class Reading:
    """A message as the parser read it: what it is about, and its order lines."""

    intent: Intent
    lines: list[Understood]


@dataclass(frozen=True, slots=True)
class OrderLine:
    """One of the retailer's recent orders."""

    number: int
    status: Status
    total: Decimal
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Balance:
    """What the retailer owes, may still order on credit, and pays next."""

    outstanding: Decimal
    open_orders: Decimal
    limit: Decimal
    available: Decimal
    next_due: Decimal | None
    next_due_date: dt.date | None
    # Whether a Pay button goes under the balance: something owed and a gateway set up.
    can_pay: bool = False


@dataclass(frozen=True, slots=True)
class StatementRequested:
    """A statement of account recorded to be rendered and sent (by the `documents` job)."""

    period: Period


class Problem(StrEnum):
    """What reporting a problem with a delivered order came to."""

    OPENED = "opened"  # operators have a new case
    ALREADY_OPEN = "already_open"  # a case for that order is open already
    NOT_DELIVERED = "not_delivered"  # the order is not (yet) delivered
    UNKNOWN = "unknown"  # no such order of this retailer's


@dataclass(frozen=True, slots=True)
class PriceOffer:
    """One vendor's price for one product, from the vendors serving the retailer's area."""

    sku: str
    name: str
    unit: str
    vendor: str
    price: Decimal


@dataclass(frozen=True, slots=True)
class Category:
    """A catalogue category and how many of its products the area's vendors sell."""

    name: str
    products: int


@dataclass(frozen=True, slots=True)
class PayDue:
    """What may be paid from the chat now, and how (`methods`: gateway values, in order).

    `number` names the order when paying what is left of one order.
    """

    owed: Decimal
    methods: tuple[str, ...]
    number: int | None = None


@dataclass(frozen=True, slots=True)
class PayLink:
    """A payment to make by opening `url` (Khalti's page, our eSewa short link)."""

    method: str
    amount: Decimal
    url: str
    until: dt.datetime


@dataclass(frozen=True, slots=True)
class PayQr:
    """A payment to make by scanning a QR, stored as image `media_file_id`."""

    method: str
    amount: Decimal
    media_file_id: int
    until: dt.datetime


@dataclass(frozen=True, slots=True)
class PayNotStarted:
    """No payment was started: the amount no longer fits (`problem`), or the gateway failed."""

    method: str
    owed: Decimal
    problem: PayProblem | None = None
    gateway_down: bool = False
    not_offered: bool = False


PayStart = PayLink | PayQr | PayNotStarted


# Placing answers in the order vocabulary; a split cart comes back placed
# (`SplitPlaced`), never as a `SplitOffer`.
PlaceOutcome = Placed | SplitPlaced | CreditShort | StockShort | NotAllowed | UnknownItems


class RetailerBackend(Protocol):
    """Postgres, the catalogue and the services, for one message (one transaction)."""

    async def account(self, phone: str) -> Account | None:
        """The retailer with this number, if registered."""
        ...

    async def register(self, phone: str, shop: str, area: str, language: str) -> Account:
        """Register a new shop (pending approval); the existing one if already there."""
        ...

    async def set_language(self, account: Account, language: str) -> None:
        """Remember the language the retailer chose."""
        ...

    async def served_areas(self) -> list[str]:
        """Every area some active vendor delivers to, most served first."""
        ...

    async def understand(self, text: str) -> Reading:
        """The message as the order parser reads it against the catalogue."""
        ...

    async def answer_change(self, account: Account, number: int,
                            agree: bool) -> list[Fact] | None:
        """Yes / no to a vendor's smaller order; None when none of theirs is waiting."""
        ...

    async def waiting_changes(self, account: Account) -> list[int]:
        """The numbers of this shop's orders whose smaller order waits for its answer."""
        ...

    async def report_problem(self, account: Account, number: int, text: str) -> Problem:
        """Open a case for operators about delivered order `number` (not received, damaged)."""
        ...

    async def offers(self, account: Account, skus: list[str]) -> list[PriceOffer]:
        """Every price the active vendors serving the retailer's area have for these products,
        cheapest first for each product."""
        ...

    async def categories(self, account: Account) -> list[Category]:
        """The categories the area's vendors sell something in, by name."""
        ...

    async def category_offers(self, account: Account, category: str) -> list[PriceOffer]:
        """Every price in the area for the products of one category (by name, cheapest first)."""
        ...

    async def quote(self, account: Account, lines: carts.Cart) -> Quote:
        """What placing these lines now would cost, and with whom."""
        ...

    async def place(self, account: Account, lines: carts.Cart, *, key: str,
                    vendor_id: int | None = None) -> PlaceOutcome:
        """Place the cart (once per `key`), at `vendor_id` when the retailer chose one."""
        ...

    async def recent_orders(self, account: Account, limit: int) -> list[OrderLine]:
        """The latest orders, newest first."""
        ...

    async def balance(self, account: Account) -> Balance:
        """The retailer's credit and next due payment."""
        ...

    async def statement(self, account: Account, month: int | None,
                        language: str) -> StatementRequested:
        """Ask for the retailer's statement of BS `month` (the latest begun), else of the
        last 30 days, in `language`: recorded now, rendered and sent soon after."""
        ...

    async def pay_due(self, account: Account, number: int | None) -> PayDue:
        """What may be paid from the chat (all that is owed, or what is left of order
        `number`), and through which gateways."""
        ...

    async def start_payment(self, account: Account, method: str, amount: Decimal,
                            number: int | None) -> PayStart:
        """Start paying `amount` through gateway `method` (checked again against the dues)."""
        ...

    async def cancel_open_order(self, account: Account) -> Cancelled | CancelRefused | None:
        """Cancel the latest open order (None when there is none)."""
        ...

    async def cancel_order(self, account: Account, number: int) -> Cancelled | CancelRefused:
        """Cancel order `number` if it is this retailer's and may still be cancelled."""
        ...

    async def last_order(self, account: Account) -> tuple[int, list[Understood]] | None:
        """The last order placed (number and lines as today's catalogue reads them)."""
        ...

    async def nudge_items(self, account: Account, nudge: int) -> list[Understood]:
        """The products a reorder nudge named, with their usual quantities."""
        ...
