"""The credit ledger: delivery debits, payments, balances and the reconciliation check.

The ledger is append-only (a trigger refuses UPDATE and DELETE); a balance is
always derived from the entries; a correction is a new entry.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

import asyncpg

from bot.store import ledger as ledger_store
from bot.store import orders as order_store
from bot.store import parties as party_store
from bot.store import payment_intents as intent_store
from domain.business_time import business_date
from domain.credit import CreditPosition
from domain.dues import blocks_credit, max_days_past_due
from domain.facts import Party, PaymentReceived
from domain.money import MAX_AMOUNT, AmountError, check_amount, format_npr, to_paisa
from domain.money_facts import CreditReopened, MoneyFact, PaymentVoided

METHODS = ("cash", "esewa", "khalti", "bank", "fonepay")


class LedgerError(Exception):
    """A payment that cannot be recorded as asked (one clear line).

    `status` is the HTTP-like answer an operator surface gives: 422 for a request
    that can never work as written, 409 for one that clashes with what is recorded.
    """

    status = 422


class PaymentConflict(LedgerError):
    """The reference is already a different payment (another amount or retailer)."""

    status = 409


class NotFound(LedgerError):
    """Nothing recorded under that id."""

    status = 404


class NeedsAdvance(LedgerError):
    """More than is owed, and the operator did not say the rest is an advance."""

    def __init__(self, amount: Decimal, owed: Decimal) -> None:
        self.amount = amount
        self.owed = owed
        extra = amount - max(owed, Decimal(0))
        super().__init__(
            f"payment {format_npr(amount)} is more than the {format_npr(max(owed, Decimal(0)))} "
            f"owed; record it as an advance to keep {format_npr(extra)} on account")


@dataclass(frozen=True, slots=True)
class PaymentResult:
    """The payment and its ledger credit; `duplicate` when the reference was seen before
    (then nothing new was written and these are the first recording's rows)."""

    payment: ledger_store.Payment
    entry: ledger_store.Entry
    duplicate: bool
    balance: Decimal
    # The retailer's receipt, for the caller to word and enqueue (none for a duplicate).
    notices: tuple[PaymentReceived, ...] = ()
    # "You can order again" when this payment lifted an overdue block (flows.money_notices).
    account_notices: tuple[MoneyFact, ...] = ()


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing the reconciliation check found wrong."""

    kind: str
    retailer_id: int | None
    order_id: int | None
    detail: str


def kathmandu_date(now: dt.datetime) -> dt.date:
    """The calendar date in Nepal at `now` (due dates are the shop's dates)."""
    return business_date(now)


def due_date(delivered_at: dt.datetime, terms_days: int) -> dt.date:
    """When a delivery's debit falls due: the Nepal date of delivery plus the terms."""
    return kathmandu_date(delivered_at) + dt.timedelta(days=terms_days)


async def post_delivery_debit(conn: asyncpg.Connection, order: order_store.Order, *,
                              now: dt.datetime, actor: str) -> ledger_store.Entry:
    """Debit the retailer for a delivered order, once; a second call returns the first debit."""
    retailer = await party_store.retailer(conn, order.retailer_id)
    if retailer is None:
        raise LedgerError(f"order #{order.number} has no retailer")
    entry = await ledger_store.insert_debit(
        conn, retailer_id=order.retailer_id, amount=order.total, order_id=order.id,
        due_date=due_date(now, retailer.credit_terms_days),
        note=f"order #{order.number} delivered", created_by=actor, now=now)
    if entry is None:
        entry = await ledger_store.debit_for_order(conn, order.id)
        assert entry is not None
    return entry


async def record_payment(conn: asyncpg.Connection, *, retailer_id: int, amount: Decimal,
                         method: str, reference: str | None, actor: str, now: dt.datetime,
                         order_number: int | None = None, advance: bool = False,
                         block_after_days: int | None = None,
                         received_at: dt.datetime | None = None) -> PaymentResult:
    """Post a payment as a ledger credit.

    A reference is one payment, compared case-insensitively: the same reference
    for the same retailer and amount changes nothing and returns the first
    recording; for another amount or retailer it is refused (`PaymentConflict`).
    A payment larger than what is owed is refused (`NeedsAdvance`) unless
    `advance` says the rest stays on account.

    With `block_after_days` (the `BLOCK_AFTER_DAYS_OVERDUE` setting; the CLI and
    admin API pass it) a payment that clears what kept an overdue block in place
    lifts the block in this same transaction, as the bot promised.
    """
    try:
        check_amount(amount)
    except AmountError as exc:
        raise LedgerError(str(exc)) from None
    amount = to_paisa(amount)
    if method not in METHODS:
        raise LedgerError(f"method must be one of {', '.join(METHODS)}")
    reference = reference.strip() if reference else None
    # The row lock serialises payments of one retailer, so two payments that each
    # fit the balance cannot together overpay it without an advance.
    retailer = await party_store.retailer(conn, retailer_id, for_update=True)
    if retailer is None:
        raise LedgerError("unknown retailer")
    if reference:
        existing = await ledger_store.payment_by_reference(conn, reference)
        if existing is not None:
            return await _duplicate(conn, existing, retailer_id, amount)
    owed = await balance(conn, retailer_id)
    if amount > max(owed, Decimal(0)):
        if not advance:
            raise NeedsAdvance(amount, owed)
        if amount - owed > MAX_AMOUNT:
            raise LedgerError(f"an advance above {format_npr(MAX_AMOUNT)} is not accepted")
    order_id = None
    if order_number is not None:
        order = await order_store.order_by_number(conn, order_number)
        if order is None or order.retailer_id != retailer_id:
            raise LedgerError(f"order #{order_number} is not this retailer's")
        order_id = order.id
    payment = await ledger_store.insert_payment(
        conn, retailer_id=retailer_id, amount=amount, method=method, reference=reference,
        order_id=order_id, recorded_by=actor, received_at=received_at or now, now=now)
    if payment is None:
        # Another transaction recorded this reference between our look-up and insert.
        assert reference is not None
        existing = await ledger_store.payment_by_reference(conn, reference)
        assert existing is not None
        return await _duplicate(conn, existing, retailer_id, amount)
    note = f"{method} payment" + (f" ref {reference}" if reference else "")
    entry = await ledger_store.insert_credit(
        conn, retailer_id=retailer_id, amount=amount, payment_id=payment.id, order_id=order_id,
        note=note, created_by=actor, now=now)
    owed = await balance(conn, retailer_id)
    party = Party(retailer.phone, retailer.language, retailer.shop_name)
    receipt = PaymentReceived(party, amount, owed, payment.id)
    reopened: tuple[MoneyFact, ...] = ()
    if block_after_days is not None and await reopen_if_cleared(
            conn, retailer_id, block_after_days=block_after_days, actor=actor, now=now):
        reopened = (CreditReopened(party, owed),)
    return PaymentResult(payment, entry, False, owed, (receipt,), reopened)


async def reopen_if_cleared(conn: asyncpg.Connection, retailer_id: int, *,
                            block_after_days: int, actor: str, now: dt.datetime) -> bool:
    """Lift the credit-scores job's overdue block once nothing is overdue beyond the limit.

    The same rule as the hourly job (jobs/credit_scores.py), applied at once after a
    payment. Only a block the job placed (an open `credit_blocks` row) is lifted; an
    operator's block stays. True when lifted and the retailer should be told now
    (the caller words it); a block they were never told of is lifted silently.
    """
    block = await conn.fetchrow(
        "SELECT b.id, b.notified_at, r.status FROM credit_blocks b "
        "JOIN retailers r ON r.id = b.retailer_id "
        "WHERE b.retailer_id = $1 AND b.lifted_at IS NULL FOR UPDATE OF b", retailer_id)
    if block is None:
        return False
    today = business_date(now)
    states = await ledger_store.unpaid_debits(conn, retailer_id, as_of=today)
    if blocks_credit(states, today, block_after_days):
        return False
    days = max_days_past_due(states, today)
    reopened = block["status"] == "blocked"
    if reopened:
        await conn.execute(
            "UPDATE retailers SET status = 'active', blocked_reason = NULL, updated_at = $2 "
            "WHERE id = $1", retailer_id, now)
    tell = reopened and block["notified_at"] is not None
    await conn.execute(
        "UPDATE credit_blocks SET lifted_at = $2, notified_at = coalesce(notified_at, $2), "
        "lift_notified_at = $2 WHERE id = $1", block["id"], now)
    await party_store.audit(conn, actor=actor, action="retailer.unblock",
                            target=f"retailer:{retailer_id}",
                            details={"days_overdue": days, "by": "payment"}, now=now)
    return tell


async def _duplicate(conn: asyncpg.Connection, payment: ledger_store.Payment,
                     retailer_id: int, amount: Decimal) -> PaymentResult:
    if payment.retailer_id != retailer_id:
        raise PaymentConflict(f"reference {payment.reference!r} is already used by another "
                              "retailer's payment")
    if payment.amount != amount:
        raise PaymentConflict(
            f"reference {payment.reference!r} is already payment {payment.id} of "
            f"{format_npr(payment.amount)}, not {format_npr(amount)}; nothing recorded")
    entry = await ledger_store.entry_for_payment(conn, payment.id)
    assert entry is not None
    return PaymentResult(payment, entry, True, await balance(conn, payment.retailer_id))


@dataclass(frozen=True, slots=True)
class VoidResult:
    """The voided payment, the debit that reverses its credit, and the notice to send."""

    payment: ledger_store.Payment
    reversal: ledger_store.Entry
    balance: Decimal
    notices: tuple[PaymentVoided, ...]


async def void_payment(conn: asyncpg.Connection, payment_id: int, *, reason: str, actor: str,
                       now: dt.datetime) -> VoidResult:
    """Undo a payment recorded by mistake (a bounced cheque, the wrong shop).

    The payment row is kept and marked voided; the ledger gets a debit of the same
    amount that names the payment's credit (`reverses_entry_id`), due at once. A
    payment is voided once: a second void is refused (`PaymentConflict`).
    """
    reason = " ".join(reason.split())
    if not 1 <= len(reason) <= 200:
        raise LedgerError("a void needs a reason (1 to 200 characters)")
    payment = await ledger_store.payment(conn, payment_id, for_update=True)
    if payment is None:
        raise NotFound(f"no payment {payment_id}")
    if payment.voided_at is not None:
        raise PaymentConflict(f"payment {payment_id} was already voided by {payment.voided_by}")
    credit = await ledger_store.entry_for_payment(conn, payment.id)
    if credit is None:
        raise LedgerError(f"payment {payment_id} has no ledger credit to reverse")
    retailer = await party_store.retailer(conn, payment.retailer_id, for_update=True)
    assert retailer is not None
    reversal = await ledger_store.insert_reversal(
        conn, of=credit, due_date=kathmandu_date(now),
        note=f"void of payment {payment.id}: {reason}", created_by=actor, now=now)
    voided = await ledger_store.mark_voided(conn, payment.id, by=actor, reason=reason, now=now)
    assert voided is not None  # the row lock above keeps a second void out
    owed = await balance(conn, retailer.id)
    notice = PaymentVoided(Party(retailer.phone, retailer.language, retailer.shop_name),
                           payment.amount, owed, payment.id, reason)
    return VoidResult(voided, reversal, owed, (notice,))


async def post_correction(conn: asyncpg.Connection, *, retailer_id: int, kind: str,
                          amount: Decimal, note: str, actor: str,
                          now: dt.datetime, terms_days: int = 30) -> ledger_store.Entry:
    """A manual correcting entry (never an edit of an old one); the note says why."""
    try:
        check_amount(amount)
    except AmountError as exc:
        raise LedgerError(str(exc)) from None
    amount = to_paisa(amount)
    if not note.strip():
        raise LedgerError("a correction needs a positive amount and a note")
    if kind == "credit":
        return await ledger_store.insert_credit(
            conn, retailer_id=retailer_id, amount=amount, payment_id=None, order_id=None,
            note=note, created_by=actor, now=now)
    if kind != "debit":
        raise LedgerError("kind must be debit or credit")
    return await ledger_store.insert_manual_debit(
        conn, retailer_id=retailer_id, amount=amount, due_date=due_date(now, terms_days),
        note=note, created_by=actor, now=now)


async def balance(conn: asyncpg.Connection, retailer_id: int) -> Decimal:
    """What the retailer owes now (debits − credits)."""
    return to_paisa(await ledger_store.balance(conn, retailer_id))


async def credit_position(conn: asyncpg.Connection, retailer_id: int) -> CreditPosition:
    """Limit, ledger balance and open orders: everything the credit check weighs."""
    figures = await ledger_store.credit_figures(conn, retailer_id)
    if figures is None:
        raise LedgerError("unknown retailer")
    return position_of(figures)


def position_of(figures: ledger_store.CreditFigures) -> CreditPosition:
    """What the credit check weighs, from the stored figures."""
    return CreditPosition(figures.credit_limit, to_paisa(figures.owed), figures.open_orders)


async def retailer_credit(conn: asyncpg.Connection, retailer_id: int
                          ) -> tuple[party_store.Retailer, CreditPosition] | None:
    """The retailer and their credit position in one round trip; None if unknown."""
    found = await ledger_store.retailer_with_credit(conn, retailer_id)
    return None if found is None else (found[0], position_of(found[1]))


async def check(conn: asyncpg.Connection) -> list[Problem]:
    """Reconcile the books; an empty list means they are right.

    Proves: each retailer's balance (as `balance()` derives it) equals the sum of
    their entries added up here one by one; every delivered order has exactly one
    debit, for its total, on its retailer; no order that is not delivered has a
    debit; every payment has exactly one credit for its amount on its retailer;
    every voided payment exactly one reversing debit of that credit (and no live
    one has any); every order's total is the sum of its lines; every credit note
    has one ledger credit for its amount, its lines add up to it, it is on a
    delivered order, and no order line is credited beyond what was delivered; every
    order delivered since invoicing began has exactly one invoice whose total is its
    ledger debit (`_check_invoices` says when invoicing began); every
    paid gateway intent has its one payment of the amount paid, every gateway payment
    its intent, and per gateway the paid intents add up to the payments through it.
    """
    if conn.is_in_transaction():
        return await _check(conn)
    # One snapshot for every query, so concurrent writes cannot fake a mismatch.
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        return await _check(conn)


async def _check(conn: asyncpg.Connection) -> list[Problem]:
    problems: list[Problem] = []
    entries = await ledger_store.entries(conn)
    per_retailer: dict[int, Decimal] = defaultdict(Decimal)
    for e in entries:
        per_retailer[e.retailer_id] += e.amount if e.kind == "debit" else -e.amount
    for rid in [r["id"] for r in await conn.fetch("SELECT id FROM retailers ORDER BY id")]:
        derived = await balance(conn, rid)
        summed = to_paisa(per_retailer.get(rid, Decimal(0)))
        if derived != summed:
            problems.append(Problem("balance", rid, None,
                                    f"balance {derived} but entries sum to {summed}"))
    debits: dict[int, list[ledger_store.Entry]] = defaultdict(list)
    for e in entries:
        if e.kind == "debit" and e.order_id is not None:
            debits[e.order_id].append(e)
    orders = await conn.fetch(
        "SELECT o.id, o.number, o.retailer_id, o.status, o.total, "
        "  (SELECT coalesce(sum(line_total), 0) FROM order_items i WHERE i.order_id = o.id) "
        "  AS lines_total FROM orders o ORDER BY o.id")
    for o in orders:
        found = debits.get(o["id"], [])
        where = f"order #{o['number']}"
        if o["status"] == "delivered":
            if len(found) != 1:
                problems.append(Problem("debit_count", o["retailer_id"], o["id"],
                                        f"{where} is delivered with {len(found)} debits"))
            for d in found:
                if d.amount != o["total"] or d.retailer_id != o["retailer_id"]:
                    problems.append(Problem(
                        "debit_amount", o["retailer_id"], o["id"],
                        f"{where} total {o['total']} but debit {d.amount} on retailer "
                        f"{d.retailer_id}"))
        elif found:
            problems.append(Problem("debit_undelivered", o["retailer_id"], o["id"],
                                    f"{where} is {o['status']} but has a debit"))
        if to_paisa(o["lines_total"]) != o["total"]:
            problems.append(Problem("order_total", o["retailer_id"], o["id"],
                                    f"{where} total {o['total']} but lines sum to "
                                    f"{o['lines_total']}"))
    credits = {e.payment_id: e for e in entries if e.payment_id is not None}
    reversals = {e.reverses_entry_id: e for e in entries if e.reverses_entry_id is not None}
    by_id = {e.id: e for e in entries}
    for p in await conn.fetch(
            "SELECT id, retailer_id, amount, reference, voided_at FROM payments ORDER BY id"):
        c = credits.get(p["id"])
        label = f"payment {p['id']}" + (f" ({p['reference']})" if p["reference"] else "")
        if c is None:
            problems.append(Problem("payment_unposted", p["retailer_id"], None,
                                    f"{label} has no ledger credit"))
            continue
        if c.amount != p["amount"] or c.retailer_id != p["retailer_id"] or c.kind != "credit":
            problems.append(Problem("payment_mismatch", p["retailer_id"], None,
                                    f"{label} of {p['amount']} posted as {c.kind} "
                                    f"{c.amount} on retailer {c.retailer_id}"))
        # A voided payment has exactly one reversing debit; a live one has none.
        r = reversals.get(c.id)
        if p["voided_at"] is not None and r is None:
            problems.append(Problem("void_unposted", p["retailer_id"], None,
                                    f"{label} is voided but its credit is not reversed"))
        elif p["voided_at"] is None and r is not None:
            problems.append(Problem("void_unmarked", p["retailer_id"], None,
                                    f"{label} is reversed by entry {r.id} but not voided"))
    for r in reversals.values():
        undone = by_id.get(r.reverses_entry_id or 0)
        if (undone is None or undone.payment_id is None or r.kind != "debit"
                or r.amount != undone.amount or r.retailer_id != undone.retailer_id):
            problems.append(Problem("reversal_mismatch", r.retailer_id, None,
                                    f"entry {r.id} does not reverse a payment credit of its "
                                    "amount on its retailer"))
    problems.extend(await _check_credit_notes(conn, entries))
    problems.extend(await _check_invoices(conn, debits))
    problems.extend(await _check_gateways(conn))
    return problems


async def _check_invoices(conn: asyncpg.Connection,
                          debits: dict[int, list[ledger_store.Entry]]) -> list[Problem]:
    """Every order delivered since invoicing began has one invoice of its ledger debit.

    Invoicing began, for a vendor, at its first invoice's `issued_at`; for a vendor
    with no invoice yet, at the first invoice anyone was issued (invoices are issued in
    the delivery's own transaction, so a vendor delivering since then has one). Orders
    delivered before that moment predate invoices and are not checked; with no invoice
    in the database at all, nothing is.
    """
    problems: list[Problem] = []
    rows = await conn.fetch(
        "WITH began AS (SELECT vendor_id, min(issued_at) AS at FROM documents"
        "               WHERE kind = 'invoice' GROUP BY vendor_id),"
        "     first AS (SELECT min(issued_at) AS at FROM documents WHERE kind = 'invoice')"
        " SELECT o.id, o.number, o.retailer_id,"
        "   (SELECT count(*) FROM documents d"
        "    WHERE d.order_id = o.id AND d.kind = 'invoice') AS invoices,"
        "   (SELECT d.total FROM documents d"
        "    WHERE d.order_id = o.id AND d.kind = 'invoice' ORDER BY d.id LIMIT 1) AS total"
        " FROM orders o CROSS JOIN first f LEFT JOIN began b ON b.vendor_id = o.vendor_id"
        " WHERE o.status = 'delivered' AND f.at IS NOT NULL"
        "   AND coalesce(o.delivered_at, o.updated_at) >= coalesce(b.at, f.at)"
        " ORDER BY o.id")
    for o in rows:
        where = f"order #{o['number']}"
        if o["invoices"] != 1:
            problems.append(Problem("invoice_count", o["retailer_id"], o["id"],
                                    f"{where} is delivered with {o['invoices']} invoices"))
            continue
        debit = sum((d.amount for d in debits.get(o["id"], [])), Decimal(0))
        if o["total"] != debit:
            problems.append(Problem("invoice_amount", o["retailer_id"], o["id"],
                                    f"{where} invoice total {o['total']} but ledger debit "
                                    f"{debit}"))
    return problems


async def _check_gateways(conn: asyncpg.Connection) -> list[Problem]:
    """Each paid gateway intent has its one payment, each gateway payment its intent, and
    per gateway the paid total equals the ledger's payments through it."""
    problems: list[Problem] = []
    for r in await intent_store.unmatched(conn):
        if r["intent_id"] is None:
            problems.append(Problem("gateway_no_intent", r["retailer_id"], None,
                                    f"{r['gateway']} payment {r['payment_id']} of {r['amount']} "
                                    "names no paid payment intent"))
        elif r["payment_id"] is None:
            problems.append(Problem("gateway_unposted", r["retailer_id"], None,
                                    f"{r['gateway']} intent {r['intent_id']} is paid "
                                    f"({r['paid_amount']}) but has no payment"))
        else:
            problems.append(Problem("gateway_mismatch", r["retailer_id"], None,
                                    f"{r['gateway']} intent {r['intent_id']} paid "
                                    f"{r['paid_amount']} but payment {r['payment_id']} is "
                                    f"{r['amount']} on retailer {r['payment_retailer']}"))
    for b in await intent_store.books(conn):
        if b.paid_intents != b.payments or b.paid_total != b.payments_total:
            problems.append(Problem("gateway_total", None, None,
                                    f"{b.gateway}: {b.paid_intents} paid intents total "
                                    f"{b.paid_total}, the ledger has {b.payments} payments "
                                    f"total {b.payments_total}"))
    return problems


async def _check_credit_notes(conn: asyncpg.Connection,
                              entries: list[ledger_store.Entry]) -> list[Problem]:
    problems: list[Problem] = []
    credits = {e.credit_note_id: e for e in entries if e.credit_note_id is not None}
    notes = await conn.fetch(
        "SELECT n.id, n.order_id, n.retailer_id, n.amount, o.status, o.retailer_id AS owner, "
        "  (SELECT coalesce(sum(amount), 0) FROM credit_note_lines l "
        "   WHERE l.credit_note_id = n.id) AS lines_amount "
        "FROM credit_notes n JOIN orders o ON o.id = n.order_id ORDER BY n.id")
    for n in notes:
        label = f"credit note {n['id']}"
        c = credits.get(n["id"])
        if c is None:
            problems.append(Problem("credit_note_unposted", n["retailer_id"], n["order_id"],
                                    f"{label} has no ledger credit"))
        elif (c.kind != "credit" or c.amount != n["amount"]
              or c.retailer_id != n["retailer_id"] or c.order_id != n["order_id"]):
            problems.append(Problem("credit_note_mismatch", n["retailer_id"], n["order_id"],
                                    f"{label} of {n['amount']} posted as {c.kind} {c.amount}"))
        if n["lines_amount"] != n["amount"]:
            problems.append(Problem("credit_note_lines", n["retailer_id"], n["order_id"],
                                    f"{label} is {n['amount']} but its lines sum to "
                                    f"{n['lines_amount']}"))
        if n["status"] != "delivered" or n["owner"] != n["retailer_id"]:
            problems.append(Problem("credit_note_order", n["retailer_id"], n["order_id"],
                                    f"{label} is on an order that is {n['status']} or "
                                    "another retailer's"))
    over = await conn.fetch(
        "SELECT i.order_id, i.line_no, i.qty, i.line_total, sum(l.qty) AS credited_qty, "
        "       sum(l.amount) AS credited, n.retailer_id "
        "FROM credit_note_lines l JOIN credit_notes n ON n.id = l.credit_note_id "
        "JOIN order_items i ON i.order_id = l.order_id AND i.line_no = l.line_no "
        "GROUP BY i.order_id, i.line_no, i.qty, i.line_total, n.retailer_id "
        "HAVING sum(l.qty) > i.qty OR sum(l.amount) > i.line_total")
    for o in over:
        problems.append(Problem("credit_note_over", o["retailer_id"], o["order_id"],
                                f"order line {o['line_no']} credited {o['credited_qty']} "
                                f"({o['credited']}) of {o['qty']} ({o['line_total']})"))
    return problems
