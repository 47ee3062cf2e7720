"""retailer-intelligence: lifetime value, churn risk and the operators' call list.

Per retailer (domain/retailer_value.py): margin to date, margin projected
from the recent order rate, churn risk from the days since the last order
against the retailer's own usual interval and the trend of basket size.
`call_rank` 1..N orders the retailers most worth a call this week: the margin
at stake times the churn risk, highest first (only retailers at some risk).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

from domain.business_time import ZONE_NAME, business_date
from domain.retailer_value import PastOrder, RetailerValue, value
from jobs.job import Job, JobContext

CALL_LIST_SIZE = 25


async def compute(conn: asyncpg.Connection, now: datetime) -> list[tuple[int, RetailerValue]]:
    """Every active retailer's value and risk as of `now`."""
    today = business_date(now)
    retailers = await conn.fetch(
        "SELECT id, created_at FROM retailers WHERE status IN ('active', 'blocked') ORDER BY id")
    orders = await conn.fetch(
        "SELECT retailer_id, (created_at AT TIME ZONE $2)::date AS day, total "
        "FROM orders WHERE NOT order_is_void(status) AND created_at <= $1",
        now, ZONE_NAME)
    by_retailer: dict[int, list[PastOrder]] = {}
    for o in orders:
        by_retailer.setdefault(o["retailer_id"], []).append(PastOrder(o["day"], o["total"]))
    return [(r["id"], value(by_retailer.get(r["id"], []),
                            business_date(r["created_at"]), today)) for r in retailers]


def ranked(values: list[tuple[int, RetailerValue]]) -> list[tuple[int, RetailerValue]]:
    """The call list: retailers at risk, most at stake first."""
    at_risk = [(rid, v) for rid, v in values if v.churn_risk > 0 and v.call_priority > 0]
    at_risk.sort(key=lambda x: (-x[1].call_priority, -x[1].churn_risk, x[0]))
    return at_risk[:CALL_LIST_SIZE]


async def run(ctx: JobContext, now: datetime) -> None:
    """Refresh every retailer's insight row and the call ranks."""
    async with ctx.runtime.pool.acquire() as conn:
        values = await compute(conn, now)
        ranks = {rid: i for i, (rid, _) in enumerate(ranked(values), start=1)}
        rows: list[tuple[Any, ...]] = [
            (rid, now, v.orders, v.gmv, v.margin_to_date, v.projected_margin, v.lifetime_value,
             v.days_since_last, v.usual_interval_days, v.basket_trend, v.churn_risk,
             v.call_priority, ranks.get(rid)) for rid, v in values]
        async with conn.transaction():
            await conn.executemany(
                "INSERT INTO retailer_insights (retailer_id, as_of, orders, gmv, margin_to_date, "
                "projected_margin, lifetime_value, days_since_last, usual_interval_days, "
                "basket_trend, churn_risk, call_priority, call_rank) "
                "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) "
                "ON CONFLICT (retailer_id) DO UPDATE SET as_of = EXCLUDED.as_of, "
                "orders = EXCLUDED.orders, gmv = EXCLUDED.gmv, "
                "margin_to_date = EXCLUDED.margin_to_date, "
                "projected_margin = EXCLUDED.projected_margin, "
                "lifetime_value = EXCLUDED.lifetime_value, "
                "days_since_last = EXCLUDED.days_since_last, "
                "usual_interval_days = EXCLUDED.usual_interval_days, "
                "basket_trend = EXCLUDED.basket_trend, churn_risk = EXCLUDED.churn_risk, "
                "call_priority = EXCLUDED.call_priority, call_rank = EXCLUDED.call_rank", rows)
        ctx.add("retailers", len(rows))
        ctx.add("call_list", len(ranks))


JOB = Job("retailer-intelligence", {"minute": "50", "hour": "5"}, run,
          "lifetime value, churn risk and the ranked list of retailers to call")
