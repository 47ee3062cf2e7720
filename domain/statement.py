"""A statement of account: opening balance, every entry of the period, closing, ageing (pure).

The shell reads the retailer's ledger (bot/store/ledger.py) and passes each entry
as a `LedgerLine`; this module picks the period, keeps a running balance and
ages what is owed at the period's end with the one ageing rule (domain/ageing.py).
A balance is what the retailer owes: debits add, credits subtract.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from domain.ageing import Ageing, age
from domain.dues import Credit, Debit, settle
from domain.nepali_calendar import BsMonth

#: "statement" alone covers the last this-many days, today included.
DEFAULT_DAYS = 30


class LineKind(StrEnum):
    """What a ledger entry was, as the statement names it."""

    ORDER = "order"              # a delivered order's debit
    PAYMENT = "payment"          # money received
    CREDIT_NOTE = "credit_note"  # goods given back or damaged
    PAYMENT_VOIDED = "payment_voided"  # a payment undone
    ADJUSTMENT = "adjustment"    # an operator's correction


@dataclass(frozen=True, slots=True)
class LedgerLine:
    """One ledger entry as the statement reads it."""

    on: dt.date
    is_debit: bool
    amount: Decimal
    kind: LineKind
    order_number: int | None = None
    reference: str | None = None


@dataclass(frozen=True, slots=True)
class StatementLine:
    """A line of the statement with the balance after it."""

    entry: LedgerLine
    balance: Decimal


@dataclass(frozen=True, slots=True)
class Period:
    """The days a statement covers, inclusive; `month` when it is one BS month."""

    first: dt.date
    last: dt.date
    month: BsMonth | None = None


@dataclass(frozen=True, slots=True)
class Statement:
    """Everything a statement prints."""

    period: Period
    opening: Decimal
    lines: tuple[StatementLine, ...]
    closing: Decimal
    debits: Decimal
    credits: Decimal
    ageing: Ageing


def kind_of(*, is_debit: bool, order_id: int | None, payment_id: int | None,
            credit_note_id: int | None, reverses_entry_id: int | None) -> LineKind:
    """What kind of entry a ledger row is, from the links it carries."""
    if credit_note_id is not None:
        return LineKind.CREDIT_NOTE
    if payment_id is not None and not is_debit:
        return LineKind.PAYMENT
    if reverses_entry_id is not None:
        return LineKind.PAYMENT_VOIDED
    if is_debit and order_id is not None:
        return LineKind.ORDER
    return LineKind.ADJUSTMENT


def last_days(today: dt.date, days: int = DEFAULT_DAYS) -> Period:
    """The `days` days ending today."""
    return Period(today - dt.timedelta(days=days - 1), today)


def month_period(month: BsMonth, today: dt.date) -> Period:
    """A BS month, cut at today when it is still running."""
    return Period(month.first_day, min(month.last_day, today), month)


def statement(lines: Sequence[LedgerLine], debits: Sequence[Debit], credits: Sequence[Credit],
              period: Period) -> Statement:
    """The statement of `period` from every ledger line and the dues history (for ageing)."""
    def signed(line: LedgerLine) -> Decimal:
        return line.amount if line.is_debit else -line.amount

    ordered = sorted(lines, key=lambda ln: ln.on)
    opening = sum((signed(ln) for ln in ordered if ln.on < period.first), Decimal(0))
    running = opening
    shown: list[StatementLine] = []
    for ln in ordered:
        if period.first <= ln.on <= period.last:
            running += signed(ln)
            shown.append(StatementLine(ln, running))
    owed_debits = [d for d in debits if d.created_on <= period.last]
    states = settle(owed_debits, credits, period.last)
    return Statement(
        period, opening, tuple(shown), running,
        sum((s.entry.amount for s in shown if s.entry.is_debit), Decimal(0)),
        sum((s.entry.amount for s in shown if not s.entry.is_debit), Decimal(0)),
        age(states, period.last))
