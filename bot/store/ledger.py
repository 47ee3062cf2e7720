"""The credit ledger and payments: plain SQL. Ledger rows are only ever inserted."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import asyncpg

from bot.store import parties as party_store
from domain.business_time import ZONE_NAME
from domain.dues import Credit, Debit, DebitState, settle, unpaid

log = logging.getLogger(__name__)

_ENTRY_COLS = ("id, retailer_id, kind, amount, order_id, payment_id, due_date, note, created_by, "
               "created_at, reverses_entry_id, credit_note_id")
_PAYMENT_COLS = ("id, retailer_id, amount, method, reference, order_id, recorded_by, received_at, "
                 "created_at, voided_at, voided_by, void_reason")


@dataclass(frozen=True, slots=True)
class Entry:
    id: int
    retailer_id: int
    kind: str
    amount: Decimal
    order_id: int | None
    payment_id: int | None
    due_date: dt.date | None
    note: str | None
    created_by: str
    created_at: dt.datetime
    # A void's debit names the payment credit it undoes; a credit note's credit its note.
    reverses_entry_id: int | None = None
    credit_note_id: int | None = None


@dataclass(frozen=True, slots=True)
class Payment:
    id: int
    retailer_id: int
    amount: Decimal
    method: str
    reference: str | None
    order_id: int | None
    recorded_by: str
    received_at: dt.datetime
    created_at: dt.datetime
    voided_at: dt.datetime | None = None
    voided_by: str | None = None
    void_reason: str | None = None


def _entry(row: asyncpg.Record | None) -> Entry | None:
    return None if row is None else Entry(**dict(row))


def _payment(row: asyncpg.Record | None) -> Payment | None:
    return None if row is None else Payment(**dict(row))


async def insert_debit(conn: asyncpg.Connection, *, retailer_id: int, amount: Decimal,
                       order_id: int, due_date: dt.date, note: str | None, created_by: str,
                       now: dt.datetime) -> Entry | None:
    """The debit for a delivered order; None if the order already has one."""
    return _entry(await conn.fetchrow(
        f"""INSERT INTO ledger_entries (retailer_id, kind, amount, order_id, due_date, note,
                                        created_by, created_at)
            VALUES ($1, 'debit', $2, $3, $4, $5, $6, $7)
            ON CONFLICT (order_id) WHERE kind = 'debit' AND order_id IS NOT NULL DO NOTHING
            RETURNING {_ENTRY_COLS}""",  # noqa: S608
        retailer_id, amount, order_id, due_date, note, created_by, now))


async def debit_for_order(conn: asyncpg.Connection, order_id: int) -> Entry | None:
    return _entry(await conn.fetchrow(
        f"SELECT {_ENTRY_COLS} FROM ledger_entries "  # noqa: S608
        "WHERE order_id = $1 AND kind = 'debit'", order_id))


async def insert_payment(conn: asyncpg.Connection, *, retailer_id: int, amount: Decimal,
                         method: str, reference: str | None, order_id: int | None,
                         recorded_by: str, received_at: dt.datetime,
                         now: dt.datetime) -> Payment | None:
    """A new payment; None when one with this reference exists already."""
    return _payment(await conn.fetchrow(
        f"""INSERT INTO payments (retailer_id, amount, method, reference, order_id, recorded_by,
                                  received_at, created_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            ON CONFLICT ((lower(reference))) DO NOTHING
            RETURNING {_PAYMENT_COLS}""",  # noqa: S608
        retailer_id, amount, method, reference, order_id, recorded_by, received_at, now))


async def payment_by_reference(conn: asyncpg.Connection, reference: str) -> Payment | None:
    """The payment with this reference, in any case (`es-77` finds `ES-77`)."""
    return _payment(await conn.fetchrow(
        f"SELECT {_PAYMENT_COLS} FROM payments "  # noqa: S608
        "WHERE lower(reference) = lower($1)", reference))


async def payment(conn: asyncpg.Connection, payment_id: int, *,
                  for_update: bool = False) -> Payment | None:
    return _payment(await conn.fetchrow(
        f"SELECT {_PAYMENT_COLS} FROM payments WHERE id = $1"  # noqa: S608
        + (" FOR UPDATE" if for_update else ""), payment_id))


async def mark_voided(conn: asyncpg.Connection, payment_id: int, *, by: str, reason: str,
                      now: dt.datetime) -> Payment | None:
    """Mark a payment voided; None when it was voided already."""
    return _payment(await conn.fetchrow(
        f"""UPDATE payments SET voided_at = $2, voided_by = $3, void_reason = $4
            WHERE id = $1 AND voided_at IS NULL RETURNING {_PAYMENT_COLS}""",  # noqa: S608
        payment_id, now, by, reason))


async def insert_reversal(conn: asyncpg.Connection, *, of: Entry, due_date: dt.date, note: str,
                          created_by: str, now: dt.datetime) -> Entry:
    """The debit that undoes credit `of` (a voided payment): same retailer, same amount."""
    entry = _entry(await conn.fetchrow(
        f"""INSERT INTO ledger_entries (retailer_id, kind, amount, due_date, note, created_by,
                                        created_at, reverses_entry_id)
            VALUES ($1, 'debit', $2, $3, $4, $5, $6, $7)
            RETURNING {_ENTRY_COLS}""",  # noqa: S608
        of.retailer_id, of.amount, due_date, note, created_by, now, of.id))
    assert entry is not None
    return entry


async def insert_credit_note_credit(conn: asyncpg.Connection, *, retailer_id: int,
                                    amount: Decimal, order_id: int, credit_note_id: int,
                                    note: str, created_by: str, now: dt.datetime) -> Entry:
    entry = _entry(await conn.fetchrow(
        f"""INSERT INTO ledger_entries (retailer_id, kind, amount, order_id, note, created_by,
                                        created_at, credit_note_id)
            VALUES ($1, 'credit', $2, $3, $4, $5, $6, $7)
            RETURNING {_ENTRY_COLS}""",  # noqa: S608
        retailer_id, amount, order_id, note, created_by, now, credit_note_id))
    assert entry is not None
    return entry


async def insert_credit(conn: asyncpg.Connection, *, retailer_id: int, amount: Decimal,
                        payment_id: int | None, order_id: int | None, note: str | None,
                        created_by: str, now: dt.datetime) -> Entry:
    entry = _entry(await conn.fetchrow(
        f"""INSERT INTO ledger_entries (retailer_id, kind, amount, order_id, payment_id, note,
                                        created_by, created_at)
            VALUES ($1, 'credit', $2, $3, $4, $5, $6, $7)
            RETURNING {_ENTRY_COLS}""",  # noqa: S608
        retailer_id, amount, order_id, payment_id, note, created_by, now))
    assert entry is not None
    return entry


async def insert_manual_debit(conn: asyncpg.Connection, *, retailer_id: int, amount: Decimal,
                              due_date: dt.date, note: str, created_by: str,
                              now: dt.datetime) -> Entry:
    """A correcting debit not tied to an order."""
    entry = _entry(await conn.fetchrow(
        f"""INSERT INTO ledger_entries (retailer_id, kind, amount, due_date, note, created_by,
                                        created_at)
            VALUES ($1, 'debit', $2, $3, $4, $5, $6)
            RETURNING {_ENTRY_COLS}""",  # noqa: S608
        retailer_id, amount, due_date, note, created_by, now))
    assert entry is not None
    return entry


async def entry_for_payment(conn: asyncpg.Connection, payment_id: int) -> Entry | None:
    return _entry(await conn.fetchrow(
        f"SELECT {_ENTRY_COLS} FROM ledger_entries WHERE payment_id = $1",  # noqa: S608
        payment_id))


async def balance(conn: asyncpg.Connection, retailer_id: int) -> Decimal:
    """Debits minus credits: what the retailer owes (negative = paid in advance)."""
    value = await conn.fetchval(
        "SELECT coalesce((SELECT owed FROM ledger_balances WHERE retailer_id = $1), 0)",
        retailer_id)
    return Decimal(value)


@dataclass(frozen=True, slots=True)
class CreditFigures:
    """What the credit check weighs, as stored: limit, balance owed, open orders' value."""

    credit_limit: Decimal
    owed: Decimal
    open_orders: Decimal


# A retailer row `r`'s balance owed and open orders' value, as two more columns.
# The balance is the running sum the ledger's trigger keeps (schema.sql, ledger_balances).
_OWED_AND_OPEN = (
    "coalesce((SELECT owed FROM ledger_balances WHERE retailer_id = r.id), 0) AS owed, "
    "(SELECT coalesce(sum(total), 0) FROM orders "
    " WHERE retailer_id = r.id AND order_is_open(status)) AS open_orders ")


async def credit_figures(conn: asyncpg.Connection, retailer_id: int) -> CreditFigures | None:
    """`credit_limit`, `balance()` and `orders.open_orders_value()` in one round trip."""
    row = await conn.fetchrow(
        f"SELECT r.credit_limit, {_OWED_AND_OPEN}"
        "FROM retailers r WHERE r.id = $1", retailer_id)
    if row is None:
        return None
    return CreditFigures(Decimal(row["credit_limit"]), Decimal(row["owed"]),
                         Decimal(row["open_orders"]))


async def retailer_with_credit(conn: asyncpg.Connection, retailer_id: int
                               ) -> tuple[party_store.Retailer, CreditFigures] | None:
    """The retailer and their `credit_figures` in one round trip (a quote reads both)."""
    cols = ", ".join(f"r.{c.strip()}" for c in party_store.RETAILER_COLS.split(","))
    row = await conn.fetchrow(
        f"SELECT {cols}, {_OWED_AND_OPEN}"
        "FROM retailers r WHERE r.id = $1", retailer_id)
    if row is None:
        return None
    data = dict(row)
    figures = CreditFigures(Decimal(data["credit_limit"]), Decimal(data.pop("owed")),
                            Decimal(data.pop("open_orders")))
    return party_store.Retailer(**data), figures


async def entries(conn: asyncpg.Connection, retailer_id: int | None = None) -> list[Entry]:
    rows = await conn.fetch(
        f"SELECT {_ENTRY_COLS} FROM ledger_entries "  # noqa: S608
        "WHERE $1::bigint IS NULL OR retailer_id = $1 ORDER BY id", retailer_id)
    return [e for e in map(_entry, rows) if e is not None]


async def insert_credit_note(conn: asyncpg.Connection, *, order_id: int, retailer_id: int,
                             reason: str, amount: Decimal, note: str | None, created_by: str,
                             now: dt.datetime,
                             lines: Sequence[tuple[int, Decimal, Decimal]]) -> int:
    """A credit note and its lines (line_no, qty, amount); its id."""
    note_id: int = await conn.fetchval(
        "INSERT INTO credit_notes (order_id, retailer_id, reason, amount, note, created_by, "
        "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        order_id, retailer_id, reason, amount, note, created_by, now)
    await conn.executemany(
        "INSERT INTO credit_note_lines (credit_note_id, order_id, line_no, qty, amount) "
        "VALUES ($1, $2, $3, $4, $5)",
        [(note_id, order_id, line_no, qty, amt) for line_no, qty, amt in lines])
    return note_id


async def credited_lines(conn: asyncpg.Connection,
                         order_id: int) -> dict[int, tuple[Decimal, Decimal]]:
    """What earlier credit notes gave back per order line: line_no → (qty, amount)."""
    rows = await conn.fetch(
        "SELECT line_no, sum(qty) AS qty, sum(amount) AS amount FROM credit_note_lines "
        "WHERE order_id = $1 GROUP BY line_no", order_id)
    return {r["line_no"]: (r["qty"], r["amount"]) for r in rows}


async def dues_history(conn: asyncpg.Connection, retailer_id: int, *,
                       through: dt.date = dt.date.max) -> tuple[list[Debit], list[Credit]]:
    """A retailer's debits made by `through` and all their credits, as the dues rules read them.

    Days are business days (Nepal time), the one reading the reminders, the credit
    scores, the unblock after a payment and the bot's "next due" share.
    """
    rows = await conn.fetch(
        "SELECT id, kind, amount, order_id, due_date, "
        "(created_at AT TIME ZONE $2)::date AS on_day "
        "FROM ledger_entries WHERE retailer_id = $1", retailer_id, ZONE_NAME)
    debits = [Debit(r["id"], r["amount"], r["due_date"], r["on_day"], r["order_id"])
              for r in rows if r["kind"] == "debit" and r["on_day"] <= through]
    credits = [Credit(r["amount"], r["on_day"]) for r in rows if r["kind"] == "credit"]
    return debits, credits


# Debits in the first read when walking back from the latest due (most shops have a
# few open); each further read takes twice as many.
UNPAID_PAGE = 50
_LAST_ID = 2**63 - 1
# The balance, the day of the retailer's latest entry (one probe of ledger_retailer_idx)
# and a page of debits, latest due first, before the cursor (ledger_debits_due_idx).
# Balance and first page in one statement, so they see the same entries.
_UNPAID_PAGE = """
WITH b AS (
    SELECT coalesce((SELECT owed FROM ledger_balances WHERE retailer_id = $1), 0) AS owed,
           (SELECT (max(created_at) AT TIME ZONE $2)::date FROM ledger_entries
            WHERE retailer_id = $1) AS last_day
)
SELECT b.owed, b.last_day, d.id, d.amount, d.order_id, d.due_date, d.on_day
FROM b LEFT JOIN LATERAL (
    SELECT id, amount, order_id, due_date, (created_at AT TIME ZONE $2)::date AS on_day
    FROM ledger_entries
    WHERE retailer_id = $1 AND kind = 'debit'
      AND (retailer_id, due_date, id) < ($1, $3::date, $4::bigint)
    -- retailer_id leads, as in the index: otherwise the planner may walk ledger_due_idx
    -- over every retailer's debits, picking this one's out.
    ORDER BY retailer_id DESC, due_date DESC, id DESC LIMIT $5
) d ON b.owed > 0
ORDER BY d.due_date DESC, d.id DESC
"""


async def unpaid_debits(conn: asyncpg.Connection, retailer_id: int, *,
                        as_of: dt.date = dt.date.max) -> list[DebitState]:
    """The debits with something left to pay, earliest due first, counting the entries
    made by `as_of` (business days): `settle` over `dues_history(through=as_of)`.

    Read back from the running balance (`domain.dues.unpaid`): as many debits as
    are open, not the retailer's whole history — unless an entry is dated after
    `as_of`, when the history is settled in full.
    """
    read: list[Debit] = []
    read_sum = Decimal(0)
    before: tuple[dt.date, int] = (dt.date.max, _LAST_ID)
    owed: Decimal | None = None
    size = UNPAID_PAGE
    while True:
        rows = await conn.fetch(_UNPAID_PAGE, retailer_id, ZONE_NAME, *before, size)
        if owed is None:
            last_day = rows[0]["last_day"]
            if last_day is not None and last_day > as_of:
                return await settled_unpaid(conn, retailer_id, as_of)
            owed = Decimal(rows[0]["owed"])
        page = [Debit(r["id"], r["amount"], r["due_date"], r["on_day"], r["order_id"])
                for r in rows if r["id"] is not None]
        read += page
        read_sum += sum((d.amount for d in page), Decimal(0))
        # The walk is the rule's (domain.dues.unpaid); the sum only spares calling it
        # again over everything read for each page that cannot yet cover the balance.
        if read_sum >= owed:
            states = unpaid(read, owed)
            if states is not None:
                return states
        if len(page) < size:
            # More owed than the debits add up to: the running balance and the
            # entries disagree, which its trigger never allows. The entries decide.
            log.error("ledger balance exceeds the debits; settling in full",
                      extra={"retailer_id": retailer_id, "owed": str(owed)})
            return await settled_unpaid(conn, retailer_id, as_of)
        before = (page[-1].due_date, page[-1].id)
        size *= 2


async def settled_unpaid(conn: asyncpg.Connection, retailer_id: int,
                         as_of: dt.date) -> list[DebitState]:
    """`unpaid_debits`' answer from the whole history: every entry read, then settled."""
    debits, credits = await dues_history(conn, retailer_id, through=as_of)
    return [s for s in settle(debits, credits, as_of) if s.outstanding > 0]
