"""One retailer's conversation as it is kept in Redis between messages.

Everything here may be lost (a Redis flush, the idle TTL) without losing
money: the worst case is an unconfirmed cart, and a restored-from-nothing
session starts cleanly at `idle` (or onboarding for an unknown number).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field

from domain import cart as carts

Language = Literal["en", "ne"]

# How many recent messages `khaacho sessions show` can display.
HISTORY_SIZE = 12

SESSION_VERSION = 1


def utcnow() -> datetime:
    return datetime.now(UTC)


class CartItem(BaseModel):
    """A cart line as stored (Decimal quantities survive JSON as strings)."""

    model_config = ConfigDict(frozen=True)

    sku: str
    name: str
    unit: str
    qty: Decimal

    def to_line(self) -> carts.CartLine:
        return carts.CartLine(self.sku, self.name, self.unit, self.qty)

    @classmethod
    def of(cls, line: carts.CartLine) -> CartItem:
        return cls(sku=line.sku, name=line.name, unit=line.unit, qty=line.qty)


class Candidate(BaseModel):
    """A product offered as an answer to an ambiguous line."""

    sku: str
    name: str
    unit: str


class Question(BaseModel):
    """A line we could not place on our own and asked about with a list."""

    id: int
    text: str
    qty: Decimal | None = None
    unit: str | None = None
    candidates: list[Candidate]
    # Replace the quantity of a product already in the cart (an edit) instead of adding.
    replace: bool = False


class Exchange(BaseModel):
    """One message in the recent history (for operators)."""

    at: datetime
    who: Literal["in", "out"]
    text: str


class Session(BaseModel):
    """A retailer's state, cart, pending questions and language."""

    model_config = ConfigDict(validate_assignment=False)

    v: int = SESSION_VERSION
    phone: str
    state: str = "idle"
    language: Language = "en"
    # True once the retailer chose a language by command; then the script they
    # write in no longer switches it.
    language_chosen: bool = False
    cart: list[CartItem] = Field(default_factory=list)
    # Bumped on every cart change: buttons carry it, so a tap on an older
    # summary never confirms a cart the retailer has not seen.
    rev: int = 0
    qseq: int = 0
    questions: list[Question] = Field(default_factory=list)
    shop_name: str | None = None
    # The delivered order the retailer tapped "Problem" under: the next text describes it.
    problem_order: int | None = None
    # The product last asked "how many?" about: a bare number next is its quantity.
    qty_ask: Candidate | None = None
    # A reduced quantity offered after a credit or stock shortfall, awaiting a yes.
    offer: list[CartItem] | None = None
    offer_vendor_id: int | None = None
    last_order: int | None = None
    started_at: datetime = Field(default_factory=utcnow)
    last_activity: datetime = Field(default_factory=utcnow)
    last_inbound: datetime | None = None
    reminded_at: datetime | None = None
    history: list[Exchange] = Field(default_factory=list)

    # ------------------------------------------------------------ cart as domain values

    @property
    def lines(self) -> carts.Cart:
        return tuple(item.to_line() for item in self.cart)

    @lines.setter
    def lines(self, value: carts.Cart) -> None:
        self.cart = [CartItem.of(line) for line in value]

    @property
    def question(self) -> Question | None:
        return self.questions[0] if self.questions else None

    def remember(self, who: Literal["in", "out"], text: str) -> None:
        """Append to the short history kept for operators."""
        self.history.append(Exchange(at=utcnow(), who=who, text=text[:500]))
        del self.history[:-HISTORY_SIZE]

    def dump(self) -> bytes:
        """The JSON bytes stored in Redis."""
        return orjson.dumps(self.model_dump(mode="json"))

    @classmethod
    def load(cls, raw: bytes | str) -> Session:
        """Read stored JSON (raises pydantic.ValidationError / orjson.JSONDecodeError)."""
        return cls.model_validate(orjson.loads(raw))
