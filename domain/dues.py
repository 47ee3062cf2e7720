"""Which debits are still owed: payments settle the earliest-due debit first.

The ledger keeps debits (one per delivered order, with a due date) and
credits (payments, corrections) per retailer, not matched to each other. To
remind about or score a particular debit we allocate credits first-in
first-out: each credit pays off the debit due soonest, which is also how a
shopkeeper thinks of it ("I paid the old bill").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Debit:
    """What a retailer owes for one order."""

    id: int
    amount: Decimal
    due_date: date
    created_on: date
    order_id: int | None = None


@dataclass(frozen=True, slots=True)
class Credit:
    """Money received (or a correction) on a given day."""

    amount: Decimal
    on: date


@dataclass(frozen=True, slots=True)
class DebitState:
    """A debit after allocation: what is left and when it was cleared."""

    debit: Debit
    outstanding: Decimal
    paid_on: date | None

    def days_past_due(self, today: date) -> int:
        """Days the unpaid remainder is overdue (0 when paid or not yet due)."""
        if self.outstanding <= 0 or today <= self.debit.due_date:
            return 0
        return (today - self.debit.due_date).days

    def paid_on_time(self) -> bool:
        """Cleared on or before its due date."""
        return self.paid_on is not None and self.paid_on <= self.debit.due_date


def settle(debits: Sequence[Debit], credits: Sequence[Credit], as_of: date) -> list[DebitState]:
    """Allocate credits up to `as_of` to debits in due-date order (FIFO)."""
    order = sorted(debits, key=lambda d: (d.due_date, d.id))
    left = [d.amount for d in order]
    paid_on: list[date | None] = [None] * len(order)
    head = 0
    for credit in sorted(credits, key=lambda c: c.on):
        if credit.on > as_of:
            break
        amount = credit.amount
        while amount > 0 and head < len(order):
            take = min(amount, left[head])
            left[head] -= take
            amount -= take
            if left[head] == 0:
                # A prepayment cannot settle a debit before the debit existed.
                paid_on[head] = max(credit.on, order[head].created_on)
                head += 1
    return [DebitState(d, left[i], paid_on[i]) for i, d in enumerate(order)]


def unpaid(latest_first: Iterable[Debit], owed: Decimal) -> list[DebitState] | None:
    """The debits `settle` leaves unpaid when every credit counts, read from the balance owed.

    FIFO pays the earliest-due debits first, so what is still owed sits in the
    latest-due ones: walking back from the latest (`(due_date, id)` descending),
    each debit is owed whole until `owed` is used up, the last one in part.
    That reads as many debits as are open, not the whole history. Earliest due
    first, as `settle` lists them; None when `latest_first` ran out before
    adding up to `owed` (the caller has more to read).
    """
    if owed <= 0:
        return []
    left = owed
    states: list[DebitState] = []
    for debit in latest_first:
        take = min(debit.amount, left)
        states.append(DebitState(debit, take, None))
        left -= take
        if left == 0:
            states.reverse()
            return states
    return None


def outstanding(states: Sequence[DebitState]) -> Decimal:
    """Total still owed."""
    return sum((s.outstanding for s in states), Decimal(0))


def max_days_past_due(states: Sequence[DebitState], today: date) -> int:
    """Age of the oldest overdue remainder, in days."""
    return max((s.days_past_due(today) for s in states), default=0)


def overdue_beyond(states: Sequence[DebitState], today: date,
                   block_after_days: int) -> list[DebitState]:
    """The debits whose unpaid remainder is more than `block_after_days` past due.

    The one overdue rule (`BLOCK_AFTER_DAYS_OVERDUE`): any such debit stops credit
    orders, and none left reopens them — for the hourly job and for a payment alike.
    """
    return [s for s in states if s.days_past_due(today) > block_after_days]


def blocks_credit(states: Sequence[DebitState], today: date, block_after_days: int) -> bool:
    """True while the overdue rule keeps (or puts) the retailer's credit orders stopped."""
    return bool(overdue_beyond(states, today, block_after_days))
