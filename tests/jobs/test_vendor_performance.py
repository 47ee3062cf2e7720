"""vendor-performance: acceptance, median response, fulfilment, rejection reasons (30 days)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from bot.runtime import Runtime
from tests.jobs import builders as b
from tests.jobs.conftest import RunJob

NOW = b.ktm(2026, 3, 8, 12, 20)


async def test_figures_over_the_last_thirty_days(runtime: Runtime, run: RunJob) -> None:
    async with runtime.pool.acquire() as conn:
        r = await b.retailer(conn)
        v = await b.vendor(conn)
        p = await b.product(conn, "oil", unit="litre")
        # (minutes to answer, outcome, reason, final order status)
        plan = [
            (2, "accepted", None, "delivered"), (4, "accepted", None, "delivered"),
            (6, "accepted", None, "delivered"), (10, "accepted", None, "cancelled"),
            (3, "rejected", "Out of stock", "cancelled"), (8, "rejected", "out of stock",
                                                             "cancelled"),
            (5, "rejected", "Too far", "cancelled"), (None, "timed_out", None, "unroutable"),
        ]
        for i, (minutes, outcome, reason, status) in enumerate(plan):
            at = NOW - timedelta(days=i + 1)
            o = await b.order(conn, r["id"], v["id"] if outcome == "accepted" else None, at,
                              [(p, "2", "300")], status=status, accepted=outcome == "accepted")
            await conn.execute(
                "INSERT INTO order_offers (order_id, vendor_id, offered_at, deadline, "
                "answered_at, outcome, reason) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                o["id"], v["id"], at, at + timedelta(minutes=15),
                at + timedelta(minutes=minutes) if minutes else None, outcome, reason)
        # Outside the window: must not count.
        old = await b.order(conn, r["id"], None, NOW - timedelta(days=31), [(p, "1", "300")],
                            status="cancelled")
        await conn.execute(
            "INSERT INTO order_offers (order_id, vendor_id, offered_at, deadline, answered_at, "
            "outcome, reason) VALUES ($1, $2, $3, $3, $3, 'rejected', 'old')",
            old["id"], v["id"], NOW - timedelta(days=31))
    await run("vendor-performance", NOW)
    async with runtime.pool.acquire() as conn:
        row = await conn.fetchrow("SELECT * FROM vendor_performance WHERE vendor_id = $1",
                                  v["id"])
    assert (row["offers"], row["accepted"], row["rejected"], row["timed_out"]) == (8, 4, 3, 1)
    assert row["acceptance_rate"] == Decimal("0.5000")  # 4 of 8 answered-or-expired
    # responses 2,4,6,10,3,8,5 minutes → median 5 minutes
    assert row["median_response_seconds"] == 300
    assert (row["fulfilled"], row["failed"]) == (3, 1)
    assert row["fulfilment_rate"] == Decimal("0.7500")
    assert row["rejection_reasons"] == {"out of stock": 2, "too far": 1}
    assert row["window_days"] == 30


async def test_a_vendor_without_offers_has_no_rates(runtime: Runtime, run: RunJob) -> None:
    async with runtime.pool.acquire() as conn:
        v = await b.vendor(conn)
    await run("vendor-performance", NOW)
    await run("vendor-performance", NOW + timedelta(hours=1))
    async with runtime.pool.acquire() as conn:
        rows = await conn.fetch("SELECT * FROM vendor_performance")
    assert len(rows) == 1
    assert rows[0]["vendor_id"] == v["id"]
    assert rows[0]["acceptance_rate"] is None
    assert rows[0]["median_response_seconds"] is None
