"""retailer-intelligence: lifetime value, churn risk and the operators' call list.

Per retailer (domain/retailer_value.py): margin to date, margin projected
from the recent order rate, churn risk from the days since the last order
against the retailer's own usual interval and the trend of basket size.
`call_rank` 1..N orders the retailers most worth a call this week: the margin
at stake times the churn risk, highest first (only retailers at some risk).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import asyncpg

from domain.business_time import ZONE_NAME, business_date
from domain.retailer_value import TREND_BASKETS, History, OrderDay, RetailerValue, value
from jobs.job import Job, JobContext

CALL_LIST_SIZE = 25
# Retailers valued per round of reads: what one batch brings into the worker is
# bounded by BATCH x their order days, however many retailers and years there are.
BATCH = 500

# The History value() reads: a row per order day, and the latest baskets (a year
# of a busy shop is thousands of orders; every shop's is millions).
_DAYS = (
    "SELECT retailer_id, (created_at AT TIME ZONE $3)::date AS day, count(*) AS n, "
    "sum(total) AS total FROM orders "
    "WHERE retailer_id = ANY($1::bigint[]) AND NOT order_is_void(status) AND created_at <= $2 "
    "GROUP BY 1, 2 ORDER BY 1, 2")
# Oldest first within the latest: created_at, then id, so on a day of several
# orders the "last" baskets are its latest ones.
_LAST = (
    "SELECT o.retailer_id, o.total "
    "FROM unnest($1::bigint[]) AS r (id) CROSS JOIN LATERAL ("
    "  SELECT retailer_id, created_at, id, total FROM orders "
    "  WHERE retailer_id = r.id AND NOT order_is_void(status) AND created_at <= $2 "
    "  ORDER BY created_at DESC, id DESC LIMIT $3) o "
    "ORDER BY o.retailer_id, o.created_at, o.id")


async def compute(conn: asyncpg.Connection, now: datetime) -> list[tuple[int, RetailerValue]]:
    """Every active retailer's value and risk as of `now`."""
    today = business_date(now)
    values: list[tuple[int, RetailerValue]] = []
    after = 0
    while True:
        # One snapshot per batch: the day sums and the last baskets must count
        # the same orders (one cancelled in between would be in one, not the other).
        async with conn.transaction(isolation="repeatable_read", readonly=True):
            retailers = await conn.fetch(
                "SELECT id, created_at FROM retailers WHERE status IN ('active', 'blocked') "
                "AND id > $1 ORDER BY id LIMIT $2", after, BATCH)
            if not retailers:
                return values
            ids = [r["id"] for r in retailers]
            day_rows = await conn.fetch(_DAYS, ids, now, ZONE_NAME)
            last_rows = await conn.fetch(_LAST, ids, now, TREND_BASKETS)
        days: dict[int, list[OrderDay]] = {}
        for d in day_rows:
            days.setdefault(d["retailer_id"], []).append(OrderDay(d["day"], d["n"], d["total"]))
        last: dict[int, list[Decimal]] = {}
        for o in last_rows:
            last.setdefault(o["retailer_id"], []).append(o["total"])
        for r in retailers:
            history = History(tuple(days.get(r["id"], ())), tuple(last.get(r["id"], ())))
            values.append((r["id"], value(history, business_date(r["created_at"]), today)))
        after = ids[-1]


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
