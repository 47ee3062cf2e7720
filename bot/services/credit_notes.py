"""Credit notes: money given back on a delivered order for damaged, wrong or returned items.

A credit note names the order and the lines (and quantities) it covers; its
value is each line's unit price times the quantity credited, and a line can
never be credited beyond what was delivered (the last credit of a line takes
exactly what is left of its total, so rounding cannot leave a paisa behind or
over-credit one). The ledger gets one credit linked to the note and the order;
both the retailer and the vendor are told. The conversation (a retailer
reporting `3 bottle futeko`, once an operator confirms) and the operators'
CLI and admin API call `issue_credit_note`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import asyncpg

from bot.services import invoices as invoice_service
from bot.services.ledger import LedgerError, NotFound, PaymentConflict, balance
from bot.store import ledger as ledger_store
from bot.store import orders as order_store
from bot.store import parties as party_store
from domain.facts import Party
from domain.money import MAX_AMOUNT, to_paisa
from domain.money_facts import CreditedLine, CreditNoteIssued, CreditNoteReason

_QTY = Decimal("0.001")


@dataclass(frozen=True, slots=True)
class CreditLineRequest:
    """Credit `qty` of order line `line_no` (the line numbers of the order's review)."""

    line_no: int
    qty: Decimal


@dataclass(frozen=True, slots=True)
class CreditNoteResult:
    """The note, its ledger credit, what the retailer owes now, and who to tell."""

    credit_note_id: int
    order_number: int
    amount: Decimal
    entry: ledger_store.Entry
    balance: Decimal
    lines: tuple[CreditedLine, ...]
    notices: tuple[CreditNoteIssued, ...]


async def issue_credit_note(conn: asyncpg.Connection, *, order_number: int,
                            reason: CreditNoteReason, lines: Sequence[CreditLineRequest],
                            actor: str, now: dt.datetime, note: str | None = None,
                            retailer_id: int | None = None) -> CreditNoteResult:
    """Credit the retailer for `lines` of delivered order `order_number`, in the caller's
    transaction. `retailer_id` (from a conversation) must own the order.

    Refuses (LedgerError, with an HTTP-like `status`): an unknown order or line (404),
    an order not delivered or a line credited beyond its delivered quantity (409),
    no lines, a line twice, a quantity that is not positive (422).
    """
    if not lines:
        raise LedgerError("a credit note needs at least one line")
    if len({ln.line_no for ln in lines}) != len(lines):
        raise LedgerError("each order line may appear once in a credit note")
    note = " ".join(note.split())[:200] if note and note.strip() else None
    order = await order_store.order_by_number(conn, order_number, for_update=True)
    if order is None or (retailer_id is not None and order.retailer_id != retailer_id):
        raise NotFound(f"order #{order_number} not found")
    if order.status != "delivered":
        raise PaymentConflict(f"order #{order_number} is {order.status}; only a delivered "
                              "order takes a credit note")
    items = {i.line_no: i for i in await order_store.items(conn, order.id)}
    done = await ledger_store.credited_lines(conn, order.id)
    priced: list[tuple[int, Decimal, Decimal]] = []
    credited: list[CreditedLine] = []
    for ln in lines:
        item = items.get(ln.line_no)
        if item is None:
            raise NotFound(f"order #{order_number} has no line {ln.line_no}")
        if not ln.qty.is_finite() or ln.qty <= 0 or ln.qty != ln.qty.quantize(_QTY):
            raise LedgerError(f"line {ln.line_no}: quantity must be more than zero, "
                              "at most 3 decimals")
        qty_before, amount_before = done.get(ln.line_no, (Decimal(0), Decimal(0)))
        left_qty = item.qty - qty_before
        if ln.qty > left_qty:
            raise PaymentConflict(
                f"line {ln.line_no} ({item.name}): {left_qty.normalize():f} {item.unit} left to "
                f"credit of {item.qty.normalize():f} delivered, not {ln.qty.normalize():f}")
        left_amount = item.line_total - amount_before
        amount = left_amount if ln.qty == left_qty else min(
            to_paisa(item.unit_price * ln.qty), left_amount)
        if amount <= 0:
            raise PaymentConflict(f"line {ln.line_no} ({item.name}) has nothing left to credit")
        priced.append((ln.line_no, ln.qty, amount))
        credited.append(CreditedLine(item.name, ln.qty, item.unit, amount))
    total = to_paisa(sum((a for _, _, a in priced), Decimal(0)))
    if total > MAX_AMOUNT:
        raise LedgerError("a credit note cannot exceed the largest amount the ledger takes")
    note_id = await ledger_store.insert_credit_note(
        conn, order_id=order.id, retailer_id=order.retailer_id, reason=reason.value,
        amount=total, note=note, created_by=actor, now=now, lines=priced)
    entry = await ledger_store.insert_credit_note_credit(
        conn, retailer_id=order.retailer_id, amount=total, order_id=order.id,
        credit_note_id=note_id,
        note=f"credit note {note_id} on order #{order.number} ({reason.value})"
             + (f": {note}" if note else ""),
        created_by=actor, now=now)
    # Its numbered document (the PDF the retailer gets) in this same transaction.
    await invoice_service.issue_credit_note_document(
        conn, credit_note_id=note_id, order=order, reason=reason.value,
        lines=[(c.name, c.unit, c.qty, c.amount) for c in credited], now=now)
    owed = await balance(conn, order.retailer_id)
    retailer = await party_store.retailer(conn, order.retailer_id)
    assert retailer is not None
    vendor = (await party_store.vendor(conn, order.vendor_id)
              if order.vendor_id is not None else None)
    fact = CreditNoteIssued(
        order.number, note_id, Party(retailer.phone, retailer.language, retailer.shop_name),
        Party(vendor.phone, vendor.language, vendor.name) if vendor is not None else None,
        reason, total, owed, tuple(credited))
    return CreditNoteResult(note_id, order.number, total, entry, owed, tuple(credited),
                            (fact,))
