"""Credit rules: how much a retailer may still order on credit."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from domain.money import to_paisa


class RetailerStatus(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    BLOCKED = "blocked"


@dataclass(frozen=True, slots=True)
class CreditPosition:
    """A retailer's credit at one moment.

    `outstanding` is the ledger balance (debits − credits; negative when the
    retailer has paid in advance); `open_orders` is the value of orders placed
    but not yet delivered (so not yet in the ledger).
    """

    limit: Decimal
    outstanding: Decimal
    open_orders: Decimal

    @property
    def available(self) -> Decimal:
        """Credit left for new orders (may be negative when over the limit)."""
        return to_paisa(self.limit - self.outstanding - self.open_orders)


@dataclass(frozen=True, slots=True)
class CreditDecision:
    """Whether an order of `amount` fits; `shortfall` is how much is missing."""

    allowed: bool
    available: Decimal
    shortfall: Decimal


def decide(position: CreditPosition, amount: Decimal) -> CreditDecision:
    """Allow an order when its amount is within the available credit."""
    available = position.available
    shortfall = max(Decimal("0.00"), to_paisa(amount) - max(available, Decimal("0.00")))
    # A zero-value order adds nothing, so even an overdrawn retailer may place it.
    return CreditDecision(shortfall == 0, available, shortfall)


def may_order(status: RetailerStatus) -> str | None:
    """None when a retailer in `status` may place orders, else the reason they may not."""
    if status is RetailerStatus.ACTIVE:
        return None
    if status is RetailerStatus.PENDING:
        return "account not approved yet"
    return "account blocked"
