"""vendor-performance: each vendor's last 30 days, for routing and the weekly report.

Acceptance rate, median response time and rejection reasons come from
`order_offers`; fulfilment from the orders the vendor accepted: delivered
against cancelled after acceptance. One row per vendor in
`vendor_performance`, replaced on every run.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import asyncpg

from domain.vendor_performance import Offer, Performance, compute
from jobs.job import Job, JobContext

WINDOW_DAYS = 30

# The orders a vendor accepted in the window, by orders_vendor_accepted_idx: the
# window's rows from the index alone, not the vendor's whole history.
FULFILMENT = (
    "SELECT count(*) FILTER (WHERE status = 'delivered') AS fulfilled, "
    "count(*) FILTER (WHERE status = 'cancelled') AS failed FROM orders "
    "WHERE vendor_id = $1 AND accepted_at >= $2 AND accepted_at < $3")


async def measure(conn: asyncpg.Connection, vendor_id: int, since: datetime,
                  until: datetime) -> Performance:
    """One vendor's figures over [since, until)."""
    offers = [Offer(r["offered_at"], r["answered_at"], r["outcome"], r["reason"])
              for r in await conn.fetch(
                  "SELECT offered_at, answered_at, outcome, reason FROM order_offers "
                  "WHERE vendor_id = $1 AND offered_at >= $2 AND offered_at < $3",
                  vendor_id, since, until)]
    row = await conn.fetchrow(FULFILMENT, vendor_id, since, until)
    return compute(offers, int(row["fulfilled"]), int(row["failed"]))


async def run(ctx: JobContext, now: datetime) -> None:
    """Recompute every vendor's figures."""
    since = now - timedelta(days=WINDOW_DAYS)
    async with ctx.runtime.pool.acquire() as conn:
        vendor_ids = [r["id"] for r in await conn.fetch("SELECT id FROM vendors ORDER BY id")]
        for vid in vendor_ids:
            p = await measure(conn, vid, since, now)
            await conn.execute(
                "INSERT INTO vendor_performance (vendor_id, window_days, as_of, offers, "
                "accepted, rejected, timed_out, acceptance_rate, median_response_seconds, "
                "fulfilled, failed, fulfilment_rate, rejection_reasons, updated_at) "
                "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, now()) "
                "ON CONFLICT (vendor_id) DO UPDATE SET window_days = EXCLUDED.window_days, "
                "as_of = EXCLUDED.as_of, offers = EXCLUDED.offers, "
                "accepted = EXCLUDED.accepted, rejected = EXCLUDED.rejected, "
                "timed_out = EXCLUDED.timed_out, acceptance_rate = EXCLUDED.acceptance_rate, "
                "median_response_seconds = EXCLUDED.median_response_seconds, "
                "fulfilled = EXCLUDED.fulfilled, failed = EXCLUDED.failed, "
                "fulfilment_rate = EXCLUDED.fulfilment_rate, "
                "rejection_reasons = EXCLUDED.rejection_reasons, updated_at = now()",
                vid, WINDOW_DAYS, now, p.offers, p.accepted, p.rejected, p.timed_out,
                p.acceptance_rate, p.median_response_seconds, p.fulfilled, p.failed,
                p.fulfilment_rate, p.rejection_reasons)
            ctx.add("vendors")
    ctx.checkpoint()


JOB = Job("vendor-performance", {"minute": "20"}, run,
          "30-day acceptance rate, median response, fulfilment and rejection reasons per vendor")
