"""weekly-reports: Sunday morning, each vendor's week on WhatsApp and the operators' report.

The week is the seven Kathmandu days before the Sunday the report is for
(Sunday to Saturday). Per vendor: orders they were given (not cancelled or
unroutable), their value, acceptance rate and median response over the
offers of the week, and open price flags. The operators' report (stored in
`reports`, shown by `khaacho report weekly`) adds the week's totals from the
daily analytics and the top of the call list. Each vendor is messaged once per
week (`vendor_reports_sent`).
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import asyncpg

from bot.store.outbox import enqueue
from domain.business_time import business_date, day_bounds
from flows import templates
from flows.replies import Outgoing
from jobs.analytics import compute_day
from jobs.job import Job, JobContext
from jobs.vendor_performance import measure

log = logging.getLogger(__name__)

CALLS_IN_REPORT = 10


def week_for(day: date) -> tuple[date, date]:
    """(first, last) day of the week reported on the Sunday on or before `day`."""
    sunday = day - timedelta(days=(day.weekday() + 1) % 7)
    return sunday - timedelta(days=7), sunday - timedelta(days=1)


def _pct(rate: Decimal | None) -> str:
    return "-" if rate is None else f"{(rate * 100).quantize(Decimal('0.1'))}%"


def _duration(seconds: int | None) -> str:
    if seconds is None:
        return "-"
    minutes, secs = divmod(seconds, 60)
    return f"{minutes}m {secs:02d}s" if minutes < 60 else f"{minutes // 60}h {minutes % 60:02d}m"


async def build_weekly(conn: asyncpg.Connection, first: date, last: date) -> dict[str, Any]:
    """The week's report: totals, per-vendor figures and the call list."""
    start, _ = day_bounds(first)
    _, end = day_bounds(last)
    orders = gmv = Decimal(0)
    new = 0
    for day in (first + timedelta(days=i) for i in range((last - first).days + 1)):
        total = (await compute_day(conn, day))[0]
        orders += total["orders"]
        gmv += total["gmv"]
        new += total["new_retailers"]
    active = await conn.fetchval(
        "SELECT count(DISTINCT retailer_id) FROM orders WHERE created_at >= $1 "
        "AND created_at < $2 AND NOT order_is_void(status)", start, end)
    vendors = []
    for v in await conn.fetch("SELECT id, name, phone, active FROM vendors ORDER BY id"):
        perf = await measure(conn, v["id"], start, end)
        row = await conn.fetchrow(
            "SELECT count(*) AS n, coalesce(sum(total), 0) AS value FROM orders "
            "WHERE vendor_id = $1 AND created_at >= $2 AND created_at < $3 "
            "AND NOT order_is_void(status)", v["id"], start, end)
        flags = await conn.fetchval(
            "SELECT count(*) FROM price_flags WHERE vendor_id = $1 AND cleared_at IS NULL",
            v["id"])
        vendors.append({
            "vendor_id": v["id"], "vendor": v["name"], "phone": v["phone"],
            "active": v["active"], "orders": int(row["n"]), "value": row["value"],
            "offers": perf.offers, "acceptance_rate": perf.acceptance_rate,
            "median_response_seconds": perf.median_response_seconds,
            "fulfilment_rate": perf.fulfilment_rate, "price_flags": int(flags),
        })
    calls = [dict(r) for r in await conn.fetch(
        "SELECT i.call_rank, r.shop_name, r.phone, r.area, i.churn_risk, i.days_since_last, "
        "i.lifetime_value FROM retailer_insights i JOIN retailers r ON r.id = i.retailer_id "
        "WHERE i.call_rank IS NOT NULL ORDER BY i.call_rank LIMIT $1", CALLS_IN_REPORT)]
    avg = (gmv / orders).quantize(Decimal("0.01")) if orders else Decimal("0.00")
    return {
        "period_start": first, "period_end": last,
        "totals": {"orders": int(orders), "gmv": gmv, "active_retailers": int(active),
                   "new_retailers": new, "avg_basket": avg},
        "vendors": vendors, "call_list": calls,
    }


async def run(ctx: JobContext, now: datetime) -> None:
    """Store the operators' report and message each vendor with activity."""
    first, last = week_for(business_date(now))
    week = f"{first.isoformat()} to {last.isoformat()}"
    async with ctx.runtime.pool.acquire() as conn:
        report = await build_weekly(conn, first, last)
        await conn.execute(
            "INSERT INTO reports (kind, period_start, period_end, body, created_at) "
            "VALUES ('weekly', $1, $2, $3, $4) ON CONFLICT (kind, period_start) "
            "DO UPDATE SET body = EXCLUDED.body, created_at = EXCLUDED.created_at",
            first, last, _jsonable(report), now)
        ctx.add("reports")
        totals = report["totals"]
        log.info("weekly report %s ready: %s orders, GMV %s, %s active retailers", week,
                 totals["orders"], totals["gmv"], totals["active_retailers"],
                 extra={"report": "weekly", "period_start": first.isoformat()})
        for v in report["vendors"]:
            if not v["active"] or (v["offers"] == 0 and v["orders"] == 0):
                continue
            async with conn.transaction():
                claimed = await conn.fetchval(
                    "INSERT INTO vendor_reports_sent (vendor_id, period_start, sent_at) "
                    "VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING true",
                    v["vendor_id"], first, now)
                if not claimed:
                    ctx.add("already_sent")
                    continue
                [oid] = await enqueue(conn, [Outgoing(v["phone"], templates.vendor_weekly_report(
                    v["vendor"], week, v["orders"], v["value"], _pct(v["acceptance_rate"]),
                    _duration(v["median_response_seconds"]), v["price_flags"]),
                    correlation=f"weekly:{first.isoformat()}:vendor:{v['vendor_id']}")])
                await conn.execute(
                    "UPDATE vendor_reports_sent SET outbox_id = $3 WHERE vendor_id = $1 "
                    "AND period_start = $2", v["vendor_id"], first, oid)
            ctx.add("vendor_messages")
            ctx.checkpoint()


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal | date):
        return str(value)
    return value


JOB = Job("weekly-reports", {"minute": "0", "hour": "8", "day_of_week": "sun"}, run,
          "Sunday 08:00: each vendor's week on WhatsApp, the operators' weekly report")
