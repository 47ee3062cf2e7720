"""analytics: daily aggregates per Kathmandu day, overall, per area and per category.

Counted: orders placed that day that were not cancelled or left unroutable.
- orders, GMV (sum of order totals), active retailers (distinct retailers who
  ordered), new retailers (signed up that day), average basket (GMV / orders);
- per area: the same by the retailer's area;
- per category: orders containing the category, GMV of those lines, the
  retailers who bought it, and the average category spend per such order.
Each run recomputes yesterday and today (a late cancellation corrects
yesterday's figures) by replacing those days' rows.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import asyncpg

from domain.business_time import business_date, day_bounds
from jobs.job import Job, JobContext


def _avg(gmv: Decimal, orders: int) -> Decimal:
    if orders == 0:
        return Decimal("0.00")
    return (gmv / orders).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


async def compute_day(conn: asyncpg.Connection, day: date) -> list[dict[str, Any]]:
    """The day's rows: dimension 'all' (key '*'), 'area' and 'category'."""
    start, end = day_bounds(day)
    rows: list[dict[str, Any]] = []
    total = await conn.fetchrow(
        "SELECT count(*) AS orders, coalesce(sum(o.total), 0) AS gmv, "
        "count(DISTINCT o.retailer_id) AS active FROM orders o "
        "WHERE o.created_at >= $1 AND o.created_at < $2 "
        "AND NOT order_is_void(o.status)", start, end)
    new_total = await conn.fetchval(
        "SELECT count(*) FROM retailers WHERE created_at >= $1 AND created_at < $2", start, end)
    rows.append(_row(day, "all", "*", total["orders"], total["gmv"], total["active"], new_total))

    areas: dict[str, dict[str, Any]] = {}
    for r in await conn.fetch(
            "SELECT r.area, count(*) AS orders, sum(o.total) AS gmv, "
            "count(DISTINCT o.retailer_id) AS active FROM orders o "
            "JOIN retailers r ON r.id = o.retailer_id "
            "WHERE o.created_at >= $1 AND o.created_at < $2 "
        "AND NOT order_is_void(o.status) GROUP BY r.area",
            start, end):
        areas[r["area"]] = {"orders": r["orders"], "gmv": r["gmv"], "active": r["active"]}
    for r in await conn.fetch(
            "SELECT area, count(*) AS n FROM retailers WHERE created_at >= $1 "
            "AND created_at < $2 GROUP BY area", start, end):
        areas.setdefault(r["area"], {"orders": 0, "gmv": Decimal(0), "active": 0})["new"] = r["n"]
    for area, a in sorted(areas.items()):
        rows.append(_row(day, "area", area, a["orders"], a["gmv"], a["active"], a.get("new", 0)))

    for r in await conn.fetch(
            "SELECT p.category, count(DISTINCT o.id) AS orders, sum(i.line_total) AS gmv, "
            "count(DISTINCT o.retailer_id) AS active FROM orders o "
            "JOIN order_items i ON i.order_id = o.id JOIN products p ON p.id = i.product_id "
            "WHERE o.created_at >= $1 AND o.created_at < $2 "
        "AND NOT order_is_void(o.status) "
            "GROUP BY p.category ORDER BY p.category", start, end):
        rows.append(_row(day, "category", r["category"] or "uncategorised", r["orders"],
                         r["gmv"], r["active"], 0))
    return rows


def _row(day: date, dimension: str, key: str, orders: int, gmv: Decimal, active: int,
         new: int) -> dict[str, Any]:
    gmv = Decimal(gmv).quantize(Decimal("0.01"))
    return {"day": day, "dimension": dimension, "key": key, "orders": int(orders), "gmv": gmv,
            "active_retailers": int(active), "new_retailers": int(new),
            "avg_basket": _avg(gmv, int(orders))}


async def store_day(conn: asyncpg.Connection, day: date, now: datetime) -> int:
    """Replace the stored rows of `day`; returns how many were written."""
    rows = await compute_day(conn, day)
    async with conn.transaction():
        await conn.execute("DELETE FROM analytics_daily WHERE day = $1", day)
        await conn.executemany(
            "INSERT INTO analytics_daily (day, dimension, key, orders, gmv, active_retailers, "
            "new_retailers, avg_basket, computed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            [(r["day"], r["dimension"], r["key"], r["orders"], r["gmv"], r["active_retailers"],
              r["new_retailers"], r["avg_basket"], now) for r in rows])
    return len(rows)


async def run(ctx: JobContext, now: datetime) -> None:
    """Recompute yesterday and today."""
    today = business_date(now)
    async with ctx.runtime.pool.acquire() as conn:
        for day in (today - timedelta(days=1), today):
            ctx.add("rows", await store_day(conn, day, now))
            ctx.add("days")
            ctx.checkpoint()


JOB = Job("analytics", {"minute": "5,35"}, run,
          "daily orders, GMV, active/new retailers, average basket; per area and category")
