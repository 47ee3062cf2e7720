"""Scheduled jobs over the orders' history bring back what they summarise, not every order."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

import asyncpg

from bot.runtime import Runtime
from domain.retailer_value import TREND_BASKETS
from jobs import retailer_intelligence, vendor_performance
from tests.jobs import builders as b
from tests.plans import rows_read

NOW = b.ktm(2026, 3, 8, 5, 50)

# retailer-intelligence: busy shops order several times a day, for months.
RETAILERS = 40
DAYS = 90
PER_DAY = 4

# vendor-performance: a year of accepted orders; the job reads the last 30 days.
VENDORS = 50
HISTORY_DAYS = 365
VENDOR_ORDERS_PER_DAY = 4


class _CountingConnection:
    """A connection that counts the rows its `fetch` calls bring back."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn
        self.rows = 0

    async def fetch(self, query: str, *args: Any) -> list[asyncpg.Record]:
        rows: list[asyncpg.Record] = await self._conn.fetch(query, *args)
        self.rows += len(rows)
        return rows

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


async def _retailer_history(conn: Any) -> None:
    """RETAILERS shops, each with PER_DAY orders on each of the last DAYS days."""
    await conn.execute(
        "INSERT INTO retailers (phone, shop_name, area, status, created_at) "
        "SELECT '97798' || (60000000 + g)::text, 'Shop ' || g, 'Baneshwor', 'active', "
        "$1::timestamptz - interval '1 year' FROM generate_series(1, $2) g", NOW, RETAILERS)
    vendor = await b.vendor(conn)
    await conn.execute(
        "INSERT INTO orders (retailer_id, vendor_id, status, total, item_count, created_at) "
        "SELECT r.id, $1, 'delivered', 500 + (d * 7 + k * 13) % 900, 1, "
        "$2::timestamptz - d * interval '1 day' - k * interval '1 hour' "
        "FROM retailers r, generate_series(0, $3 - 1) d, generate_series(0, $4 - 1) k",
        vendor["id"], NOW, DAYS, PER_DAY)
    await conn.execute("ANALYZE orders")


async def test_retailer_intelligence_brings_back_day_sums_not_every_order(
    runtime: Runtime,
) -> None:
    async with runtime.pool.acquire() as conn:
        await _retailer_history(conn)
        counting = _CountingConnection(conn)
        values = await retailer_intelligence.compute(cast(asyncpg.Connection, counting), NOW)
    assert [v.orders for _, v in values] == [DAYS * PER_DAY] * RETAILERS
    # A row per retailer, one per order day and the last six baskets: 3,880 of 14,400 orders.
    assert counting.rows <= RETAILERS * (1 + DAYS + TREND_BASKETS)


async def test_retailer_intelligence_reads_only_the_last_baskets_of_each_retailer(
    runtime: Runtime,
) -> None:
    async with runtime.pool.acquire() as conn:
        await _retailer_history(conn)
        ids = [r["id"] for r in await conn.fetch("SELECT id FROM retailers ORDER BY id")]
        read = await rows_read(conn, "orders", retailer_intelligence._LAST, ids, NOW,
                               TREND_BASKETS)
    assert read < 2 * TREND_BASKETS * RETAILERS


async def test_vendor_fulfilment_reads_the_window_not_the_vendors_history(
    runtime: Runtime,
) -> None:
    async with runtime.pool.acquire() as conn:
        await _vendor_history(conn)
        vendor_id = await conn.fetchval("SELECT min(id) FROM vendors")
        since = NOW - timedelta(days=vendor_performance.WINDOW_DAYS)
        read = await rows_read(conn, "orders", vendor_performance.FULFILMENT, vendor_id, since,
                               NOW)
    in_window = vendor_performance.WINDOW_DAYS * VENDOR_ORDERS_PER_DAY  # 120 of 1,460
    assert read < 2 * in_window


async def _vendor_history(conn: Any) -> None:
    """VENDORS vendors, each accepting VENDOR_ORDERS_PER_DAY orders a day for a year."""
    retailer = await b.retailer(conn)
    await conn.execute(
        "INSERT INTO vendors (phone, name) "
        "SELECT '97797' || (60000000 + g)::text, 'Vendor ' || g FROM generate_series(1, $1) g",
        VENDORS)
    # Spread evenly over the year, one in ten cancelled after acceptance.
    await conn.execute(
        "INSERT INTO orders (retailer_id, vendor_id, status, total, item_count, created_at, "
        "accepted_at) "
        "SELECT $1, v.id, CASE WHEN g % 10 = 0 THEN 'cancelled' ELSE 'delivered' END, 800, 1, "
        "t.at, t.at + interval '5 minutes' "
        "FROM vendors v, generate_series(1, $3::int * $4::int) g, "
        "LATERAL (SELECT $2::timestamptz - g * interval '1 day' / $4::int AS at) t",
        retailer["id"], NOW, HISTORY_DAYS, VENDOR_ORDERS_PER_DAY)
    await conn.execute("ANALYZE orders")
