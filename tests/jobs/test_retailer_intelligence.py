"""retailer-intelligence: lifetime value and the churn-ranked call list on built histories."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from bot.runtime import Runtime
from domain.business_time import business_date
from domain.retailer_value import PastOrder, RetailerValue, history_of, value
from jobs import retailer_intelligence
from tests.jobs import builders as b
from tests.jobs.conftest import RunJob

TODAY = date(2026, 3, 31)


async def _orders(conn: object, retailer_id: int, vendor_id: int, product: int,
                  last_age: int, every: int, totals: list[int]) -> None:
    """Orders `every` days apart, the last `last_age` days ago, oldest first."""
    n = len(totals)
    for i, total in enumerate(totals):
        day = TODAY - timedelta(days=last_age + every * (n - 1 - i))
        await b.order(conn, retailer_id, vendor_id, b.at_day(day), [(product, "1", str(total))])


async def _build(runtime: Runtime) -> dict[str, int]:
    async with runtime.pool.acquire() as conn:
        v = await b.vendor(conn)
        p = await b.product(conn, "mixed", unit="box")
        ids = {}
        for name in ("steady", "gone", "slowing", "shrinking", "new"):
            ids[name] = (await b.retailer(conn, shop=name, created=b.ktm(2025, 1, 1)))["id"]
        await _orders(conn, ids["steady"], v["id"], p, 7, 7, [5000] * 12)
        await _orders(conn, ids["gone"], v["id"], p, 21, 7, [5000] * 12)
        await _orders(conn, ids["slowing"], v["id"], p, 28, 14, [2000] * 6)
        await _orders(conn, ids["shrinking"], v["id"], p, 10, 7, [3000] * 3 + [1500] * 3)
        await _orders(conn, ids["new"], v["id"], p, 3, 7, [800])
        return ids


async def test_lifetime_value_and_churn_risk_per_retailer(runtime: Runtime, run: RunJob) -> None:
    ids = await _build(runtime)
    await run("retailer-intelligence", b.at_day(TODAY, 5))
    async with runtime.pool.acquire() as conn:
        rows = {r["retailer_id"]: r for r in await conn.fetch("SELECT * FROM retailer_insights")}
    steady = rows[ids["steady"]]
    # GMV 60,000 at a 3 % margin; all 12 orders in the last 90 days: 600 a month for a year.
    assert (steady["gmv"], steady["margin_to_date"]) == (Decimal("60000.00"), Decimal("1800.00"))
    assert steady["churn_risk"] == Decimal(0)
    assert steady["projected_margin"] == Decimal("7200.00")
    assert steady["lifetime_value"] == Decimal("9000.00")
    gone = rows[ids["gone"]]
    # Three usual intervals without an order: certain churn, nothing projected.
    assert gone["days_since_last"] == 21
    assert gone["usual_interval_days"] == Decimal(7)
    assert gone["churn_risk"] == Decimal(1)
    assert gone["projected_margin"] == Decimal("0.00")
    assert gone["call_priority"] == Decimal("6000.00")  # 10 orders in 90 days: 500/month × 12
    slowing = rows[ids["slowing"]]
    assert slowing["churn_risk"] == Decimal("0.5")      # two intervals
    shrinking = rows[ids["shrinking"]]
    # (10/7 − 1)/2 = 0.2143 for the gap, + (1 − 0.5) × 0.5 for baskets halving
    assert shrinking["basket_trend"] == Decimal("0.5")
    assert shrinking["churn_risk"] == Decimal("0.4643")
    assert shrinking["call_priority"] == Decimal("752.17")  # 1,620 at stake × 0.4643


async def test_the_call_list_ranks_the_most_at_stake_first(runtime: Runtime, run: RunJob) -> None:
    ids = await _build(runtime)
    result = await run("retailer-intelligence", b.at_day(TODAY, 5))
    assert result.counts == {"retailers": 5, "call_list": 3}
    async with runtime.pool.acquire() as conn:
        ranked = [r["retailer_id"] for r in await conn.fetch(
            "SELECT retailer_id FROM retailer_insights WHERE call_rank IS NOT NULL "
            "ORDER BY call_rank")]
    assert ranked == [ids["gone"], ids["shrinking"], ids["slowing"]]


async def _valued(runtime: Runtime, retailer_id: int) -> tuple[RetailerValue, RetailerValue]:
    """(the job's figures, value() over the retailer's every order one by one, oldest first)."""
    now = b.at_day(TODAY, 5)
    async with runtime.pool.acquire() as conn:
        computed = dict(await retailer_intelligence.compute(conn, now))
        rows = await conn.fetch(
            "SELECT created_at, total FROM orders WHERE retailer_id = $1 "
            "AND NOT order_is_void(status) ORDER BY created_at, id", retailer_id)
    one_by_one = [PastOrder(business_date(r["created_at"]), r["total"]) for r in rows]
    return computed[retailer_id], value(history_of(one_by_one), date(2025, 1, 1), TODAY)


async def test_orders_on_the_same_day_count_one_by_one(runtime: Runtime) -> None:
    async with runtime.pool.acquire() as conn:
        v = await b.vendor(conn)
        p = await b.product(conn, "rice")
        r = (await b.retailer(conn, created=b.ktm(2025, 1, 1)))["id"]
        for day, hour, total in ((TODAY - timedelta(days=9), 9, 1000),
                                 (TODAY - timedelta(days=9), 15, 3000),
                                 (TODAY - timedelta(days=2), 10, 2000)):
            await b.order(conn, r, v["id"], b.at_day(day, hour), [(p, "1", str(total))])
    computed, one_by_one = await _valued(runtime, r)
    assert computed == one_by_one
    assert (computed.orders, computed.gmv) == (3, Decimal("6000.00"))
    assert computed.usual_interval_days == 7.0  # one gap between two distinct days


async def test_the_basket_trend_takes_the_latest_orders_of_a_busy_day(runtime: Runtime) -> None:
    async with runtime.pool.acquire() as conn:
        v = await b.vendor(conn)
        p = await b.product(conn, "oil", unit="litre")
        r = (await b.retailer(conn, created=b.ktm(2025, 1, 1)))["id"]
        # Three orders a day on four days: the six latest start mid-way through a day.
        for age in (30, 20, 12, 4):
            for hour, total in ((8, 900 + age), (12, 2500 - age * 10), (17, 400 + age * 3)):
                await b.order(conn, r, v["id"], b.at_day(TODAY - timedelta(days=age), hour),
                              [(p, "1", str(total))])
        # Cancelled orders are no sale: neither counted nor a basket.
        await b.order(conn, r, v["id"], b.at_day(TODAY - timedelta(days=1)),
                      [(p, "1", "9999")], status="cancelled")
    computed, one_by_one = await _valued(runtime, r)
    assert computed == one_by_one
    assert computed.orders == 12
    assert computed.basket_trend is not None


async def test_every_retailer_is_valued_across_batches(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch,
) -> None:
    await _build(runtime)
    now = b.at_day(TODAY, 5)
    async with runtime.pool.acquire() as conn:
        in_one = await retailer_intelligence.compute(conn, now)
        monkeypatch.setattr(retailer_intelligence, "BATCH", 2)
        in_pairs = await retailer_intelligence.compute(conn, now)
    assert len(in_one) == 5
    assert in_pairs == in_one
