"""analytics: daily aggregates checked against hand-computed totals (Kathmandu days)."""

from __future__ import annotations

from decimal import Decimal

from bot.runtime import Runtime
from tests.jobs import builders as b
from tests.jobs.conftest import RunJob


async def _build(runtime: Runtime) -> None:
    async with runtime.pool.acquire() as conn:
        # Two retailers signed up on 8 March (one in each area), one long before.
        ram = await b.retailer(conn, shop="Ram", area="Baneshwor", created=b.ktm(2026, 3, 8, 9))
        sita = await b.retailer(conn, shop="Sita", area="Koteshwor", created=b.ktm(2026, 3, 8, 11))
        hari = await b.retailer(conn, shop="Hari", area="Baneshwor", created=b.ktm(2025, 6, 1))
        v = await b.vendor(conn)
        sugar = await b.product(conn, "sugar", category="grocery")
        rice = await b.product(conn, "rice", unit="bag", category="staples")
        oil = await b.product(conn, "oil", unit="litre", category="grocery")
        # 00:10 on the 8th in Kathmandu is still the 7th in UTC: it belongs to the 8th.
        await b.order(conn, hari["id"], v["id"], b.ktm(2026, 3, 8, 0, 10),
                      [(sugar, "10", "100"), (rice, "1", "2500")])          # 3500
        await b.order(conn, ram["id"], v["id"], b.ktm(2026, 3, 8, 12),
                      [(oil, "5", "250")], status="accepted")               # 1250
        await b.order(conn, sita["id"], v["id"], b.ktm(2026, 3, 8, 15),
                      [(rice, "2", "2400"), (sugar, "5", "110")])           # 5350
        await b.order(conn, hari["id"], v["id"], b.ktm(2026, 3, 8, 18),
                      [(sugar, "2", "100")], status="pending")              # 200
        # Not counted: cancelled, unroutable, and 23:50 on the 7th.
        await b.order(conn, ram["id"], None, b.ktm(2026, 3, 8, 13), [(oil, "1", "250")],
                      status="cancelled")
        await b.order(conn, sita["id"], None, b.ktm(2026, 3, 8, 14), [(oil, "1", "250")],
                      status="unroutable")
        await b.order(conn, hari["id"], v["id"], b.ktm(2026, 3, 7, 23, 50), [(rice, "1", "2500")])


async def test_the_day_overall_per_area_and_per_category(runtime: Runtime, run: RunJob) -> None:
    await _build(runtime)
    result = await run("analytics", b.ktm(2026, 3, 8, 20, 5))
    assert result.counts["days"] == 2
    async with runtime.pool.acquire() as conn:
        rows = {(r["dimension"], r["key"]): r for r in await conn.fetch(
            "SELECT * FROM analytics_daily WHERE day = '2026-03-08'")}
        seventh = await conn.fetchrow(
            "SELECT * FROM analytics_daily WHERE day = '2026-03-07' AND dimension = 'all'")
    total = rows[("all", "*")]
    # 3500 + 1250 + 5350 + 200 = 10300 over 4 orders by 3 retailers
    assert (total["orders"], total["gmv"], total["active_retailers"]) == (4, Decimal("10300.00"), 3)
    assert total["new_retailers"] == 2
    assert total["avg_basket"] == Decimal("2575.00")
    ban = rows[("area", "Baneshwor")]   # Hari 3500 + 200, Ram 1250
    assert (ban["orders"], ban["gmv"], ban["active_retailers"], ban["new_retailers"]) == (
        3, Decimal("4950.00"), 2, 1)
    assert ban["avg_basket"] == Decimal("1650.00")
    kot = rows[("area", "Koteshwor")]
    assert (kot["orders"], kot["gmv"], kot["new_retailers"]) == (1, Decimal("5350.00"), 1)
    grocery = rows[("category", "grocery")]   # sugar 1000 + oil 1250 + sugar 550 + sugar 200
    assert (grocery["orders"], grocery["gmv"], grocery["active_retailers"]) == (
        4, Decimal("3000.00"), 3)
    staples = rows[("category", "staples")]   # rice 2500 + 4800
    assert (staples["orders"], staples["gmv"]) == (2, Decimal("7300.00"))
    assert staples["avg_basket"] == Decimal("3650.00")
    assert (seventh["orders"], seventh["gmv"], seventh["new_retailers"]) == (
        1, Decimal("2500.00"), 0)


async def test_rerunning_replaces_the_day_and_picks_up_a_late_cancellation(
    runtime: Runtime, run: RunJob
) -> None:
    await _build(runtime)
    await run("analytics", b.ktm(2026, 3, 8, 20, 5))
    async with runtime.pool.acquire() as conn:
        await conn.execute("UPDATE orders SET status = 'cancelled' WHERE total = 200")
    await run("analytics", b.ktm(2026, 3, 9, 0, 5))  # yesterday is recomputed too
    async with runtime.pool.acquire() as conn:
        total = await conn.fetchrow(
            "SELECT * FROM analytics_daily WHERE day = '2026-03-08' AND dimension = 'all'")
        count = await conn.fetchval("SELECT count(*) FROM analytics_daily WHERE day = '2026-03-08'")
    assert (total["orders"], total["gmv"]) == (3, Decimal("10100.00"))
    assert count == 5  # all, 2 areas, 2 categories
