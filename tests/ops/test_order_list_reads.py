"""The order lists read the page they show, not every order of the shop, vendor or status."""

from __future__ import annotations

import datetime as dt

import asyncpg
import pytest

from bot.runtime import Runtime
from bot.store import reports
from tests.jobs import builders
from tests.plans import rows_read

HISTORY = 20_000
PAGE = 10


async def _history(conn: asyncpg.Connection) -> tuple[str, str]:
    """Two shops and two vendors sharing HISTORY delivered orders; the first pair's phones."""
    shops = [await builders.retailer(conn) for _ in range(2)]
    vendors = [await builders.vendor(conn) for _ in range(2)]
    await conn.execute(
        "INSERT INTO orders (retailer_id, vendor_id, status, total, item_count, created_at) "
        "SELECT ($1::bigint[])[1 + g % 2], ($2::bigint[])[1 + g / 7 % 2], "
        "       CASE WHEN g % 9 = 0 THEN 'cancelled' ELSE 'delivered' END, 100, 1, "
        # Minutes repeat, so the id has ties to break.
        "       now() - interval '1 minute' * (($3 - g) / 3) "
        "FROM generate_series(1, $3) g",
        [s["id"] for s in shops], [v["id"] for v in vendors], HISTORY)
    await conn.execute("ANALYZE orders")
    return shops[0]["phone"], vendors[0]["phone"]


@pytest.mark.parametrize("which", ["every order", "one shop", "one vendor", "one status",
                                   "one shop and status"])
async def test_an_order_list_reads_its_page_however_long_the_history(
        runtime: Runtime, which: str) -> None:
    async with runtime.pool.acquire() as conn:
        shop, vendor = await _history(conn)
        filters = {"every order": {}, "one shop": {"retailer": shop},
                   "one vendor": {"vendor": vendor}, "one status": {"status": "delivered"},
                   "one shop and status": {"retailer": shop, "status": "delivered"}}[which]
        sql, args = reports.orders_query(limit=PAGE, **filters)
        read = await rows_read(conn, "orders", sql, *args)
    # The page, and the few a filter steps over on the way.
    assert read <= 3 * PAGE


async def test_an_order_list_is_newest_first_with_the_id_breaking_ties(runtime: Runtime) -> None:
    async with runtime.pool.acquire() as conn:
        shop, vendor = await _history(conn)
        rows = await reports.list_orders(conn, retailer=shop, limit=50)
        expected = await conn.fetch(
            "SELECT o.number FROM orders o JOIN retailers r ON r.id = o.retailer_id "
            "WHERE r.phone = $1 ORDER BY o.created_at DESC, o.id DESC LIMIT 50", shop)
        assert [r["number"] for r in rows] == [e["number"] for e in expected]
        since = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=30)
        recent = await reports.list_orders(conn, vendor=vendor, status="delivered",
                                           since=since, limit=1000)
        assert recent and all(r["vendor_phone"] == vendor and r["status"] == "delivered"
                              and r["created_at"] >= since for r in recent)


@pytest.mark.parametrize("which", ["one vendor and status", "a day", "an area"])
async def test_the_consoles_filters_read_the_page_however_long_the_history(
        runtime: Runtime, which: str) -> None:
    async with runtime.pool.acquire() as conn:
        _, vendor = await _history(conn)
        now = dt.datetime.now(dt.UTC)
        filters: dict[str, object] = {
            "one vendor and status": {"vendor": vendor, "status": "delivered"},
            "a day": {"since": now - dt.timedelta(days=1), "until": now},
            "an area": {"area": "baneshwor"}}[which]
        sql, args = reports.orders_query(limit=PAGE, **filters)
        read = await rows_read(conn, "orders", sql, *args)
    assert read <= 3 * PAGE
