"""Reads the operator console shows beyond bot/store/reports: plain SQL, no rules.

A retailer's ledger with its running balance, their payments with voids,
and a vendor's price list. Balances are the running balance (`ledger_balances`) of the
append-only ledger, as everywhere else.
"""

from __future__ import annotations

from typing import Any

import asyncpg


async def areas(conn: asyncpg.Connection) -> list[str]:
    """The shops' areas, for the filters."""
    return [r["area"] for r in await conn.fetch(
        "SELECT min(area) AS area FROM retailers GROUP BY normal_area(area) ORDER BY 1")]


async def vendor_choices(conn: asyncpg.Connection) -> list[dict[str, Any]]:
    """Every vendor's phone, name and whether it is active, by name."""
    return [dict(r) for r in await conn.fetch(
        "SELECT phone, name, active, areas FROM vendors ORDER BY name, id")]


async def ledger_with_balance(conn: asyncpg.Connection, phone: str, *, limit: int = 200
                              ) -> list[dict[str, Any]]:
    """A retailer's ledger entries, newest first, each with the balance after it."""
    rows = await conn.fetch(_LEDGER_PAGE, phone, limit)
    return [dict(r) for r in rows]


# The balance after an entry is today's running balance less the entries after it:
# the page reads its own entries, not the whole history summed from the first.
_LEDGER_PAGE = """
WITH r AS (SELECT id FROM retailers WHERE phone = $1),
recent AS (
    SELECT l.* FROM ledger_entries l
    WHERE l.retailer_id = (SELECT id FROM r)
    ORDER BY l.retailer_id DESC, l.id DESC LIMIT $2
)
SELECT e.id, e.kind, e.amount, o.number AS order_number, e.due_date, e.note,
       e.created_by, e.created_at, e.payment_id, e.reverses_entry_id,
       (SELECT owed FROM ledger_balances WHERE retailer_id = (SELECT id FROM r))
         - coalesce(sum(CASE WHEN e.kind = 'debit' THEN e.amount ELSE -e.amount END)
                    OVER (ORDER BY e.id DESC ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING),
                    0) AS balance_after
FROM recent e LEFT JOIN orders o ON o.id = e.order_id
ORDER BY e.id DESC
"""


async def payments(conn: asyncpg.Connection, phone: str, *, limit: int = 100
                   ) -> list[dict[str, Any]]:
    """A retailer's payments newest first, voided ones marked."""
    rows = await conn.fetch(
        "SELECT p.id, p.amount, p.method, p.reference, p.recorded_by, p.received_at, "
        "o.number AS order_number, p.voided_at, p.voided_by, p.void_reason "
        "FROM payments p LEFT JOIN orders o ON o.id = p.order_id "
        "WHERE p.retailer_id = (SELECT id FROM retailers WHERE phone = $1) "
        "ORDER BY p.retailer_id DESC, p.received_at DESC, p.id DESC LIMIT $2", phone, limit)
    return [dict(r) for r in rows]


async def price_list(conn: asyncpg.Connection, phone: str, *, limit: int = 1000
                     ) -> list[dict[str, Any]]:
    """What a vendor sells: product, unit, price, stock and minimum, by name."""
    rows = await conn.fetch(
        "SELECT p.sku, p.name, p.unit, vp.price, vp.stock, vp.min_qty, vp.updated_at "
        "FROM vendor_products vp JOIN vendors v ON v.id = vp.vendor_id "
        "JOIN products p ON p.id = vp.product_id WHERE v.phone = $1 "
        "ORDER BY p.name, p.sku LIMIT $2", phone, limit)
    return [dict(r) for r in rows]
