"""retailer-intelligence: lifetime value and the churn-ranked call list on built histories."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from bot.runtime import Runtime
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
