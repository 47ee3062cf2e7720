"""Data built directly in Postgres for the job tests, at explicit (frozen) times."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg

KTM = ZoneInfo("Asia/Kathmandu")
_phones = itertools.count(1)


def ktm(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> datetime:
    """A Kathmandu wall-clock time."""
    return datetime(y, m, d, hh, mm, tzinfo=KTM)


def at_day(day: date, hh: int = 10) -> datetime:
    return datetime.combine(day, time(hh), KTM)


async def retailer(conn: asyncpg.Connection, *, shop: str = "Ram Kirana", area: str = "Baneshwor",
                   limit: Decimal = Decimal(50000), status: str = "active",
                   created: datetime | None = None, language: str = "en") -> dict[str, Any]:
    phone = f"97798{next(_phones):08d}"
    row = await conn.fetchrow(
        "INSERT INTO retailers (phone, shop_name, area, status, credit_limit, language, "
        "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *",
        phone, shop, area, status, limit, language, created or ktm(2025, 1, 1))
    return dict(row)


async def vendor(conn: asyncpg.Connection, name: str = "Bhatbhateni Wholesale",
                 areas: tuple[str, ...] = ("Baneshwor",)) -> dict[str, Any]:
    phone = f"97797{next(_phones):08d}"
    row = await conn.fetchrow(
        "INSERT INTO vendors (phone, name, areas) VALUES ($1, $2, $3) RETURNING *",
        phone, name, list(areas))
    return dict(row)


async def product(conn: asyncpg.Connection, sku: str, name: str | None = None,
                  unit: str = "kg", category: str = "grocery") -> int:
    pid: int = await conn.fetchval(
        "INSERT INTO products (sku, name, unit, category) VALUES ($1, $2, $3, $4) RETURNING id",
        sku, name or sku.title(), unit, category)
    return pid


async def price(conn: asyncpg.Connection, vendor_id: int, product_id: int, amount: str) -> None:
    await conn.execute(
        "INSERT INTO vendor_products (vendor_id, product_id, price) VALUES ($1, $2, $3) "
        "ON CONFLICT (vendor_id, product_id) DO UPDATE SET price = EXCLUDED.price",
        vendor_id, product_id, Decimal(amount))


async def order(conn: asyncpg.Connection, retailer_id: int, vendor_id: int | None,
                at: datetime, lines: list[tuple[int, str, str]], *,
                status: str = "delivered", accepted: bool | None = None) -> dict[str, Any]:
    """An order of `lines` (product id, qty, unit price) placed at `at`."""
    totals = [Decimal(q) * Decimal(p) for _, q, p in lines]
    row = await conn.fetchrow(
        "INSERT INTO orders (retailer_id, vendor_id, status, total, item_count, created_at, "
        "accepted_at, delivered_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *",
        retailer_id, vendor_id, status, sum(totals, Decimal(0)), len(lines), at,
        at + timedelta(minutes=5) if accepted or (
            accepted is None and status in ("accepted", "dispatched", "delivered")) else None,
        at + timedelta(hours=6) if status == "delivered" else None)
    for i, ((pid, q, p), total) in enumerate(zip(lines, totals, strict=True), start=1):
        prod = await conn.fetchrow("SELECT sku, name, unit FROM products WHERE id = $1", pid)
        await conn.execute(
            "INSERT INTO order_items (order_id, line_no, product_id, sku, name, unit, qty, "
            "unit_price, line_total) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            row["id"], i, pid, prod["sku"], prod["name"], prod["unit"], Decimal(q),
            Decimal(p), total)
    return dict(row)


async def debit(conn: asyncpg.Connection, retailer_id: int, amount: str, due: date, *,
                created: datetime | None = None, order_id: int | None = None) -> int:
    entry: int = await conn.fetchval(
        "INSERT INTO ledger_entries (retailer_id, kind, amount, order_id, due_date, created_by, "
        "created_at) VALUES ($1, 'debit', $2, $3, $4, 'test', $5) RETURNING id",
        retailer_id, Decimal(amount), order_id, due,
        created or at_day(due - timedelta(days=30)))
    return entry


async def payment(conn: asyncpg.Connection, retailer_id: int, amount: str,
                  at: datetime) -> int:
    pid: int = await conn.fetchval(
        "INSERT INTO payments (retailer_id, amount, method, recorded_by, received_at, "
        "created_at) VALUES ($1, $2, 'cash', 'test', $3, $3) RETURNING id",
        retailer_id, Decimal(amount), at)
    await conn.execute(
        "INSERT INTO ledger_entries (retailer_id, kind, amount, payment_id, created_by, "
        "created_at) VALUES ($1, 'credit', $2, $3, 'test', $4)",
        retailer_id, Decimal(amount), pid, at)
    return pid


async def outbox(conn: asyncpg.Connection, recipient: str | None = None) -> list[dict[str, Any]]:
    """Outbox rows (optionally for one recipient), oldest first."""
    if recipient is None:
        rows = await conn.fetch("SELECT * FROM outbox ORDER BY id")
    else:
        rows = await conn.fetch("SELECT * FROM outbox WHERE recipient = $1 ORDER BY id",
                                recipient)
    return [dict(r) for r in rows]


def template_of(row: dict[str, Any]) -> tuple[str, list[str]]:
    """(template name, body parameters) of an outbox row's payload."""
    tpl = row["payload"]["template"]
    params: list[str] = []
    for comp in tpl.get("components", []):
        if comp["type"] == "body":
            params = [p["text"] for p in comp["parameters"]]
    return tpl["name"], params
