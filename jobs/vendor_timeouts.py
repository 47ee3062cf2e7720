"""vendor-timeouts: re-route orders whose vendor did not answer before the deadline.

The rule itself (next vendor, never the same one twice, unroutable when none
is left, who is told what) belongs to the orders service
(`bot.services.orders.reroute_expired`, one transaction per order with its
notices written to the outbox); this job runs it every minute in batches.
"""

from __future__ import annotations

from datetime import datetime

import asyncpg

from flows import order_notices
from jobs.job import Job, JobContext

BATCH = 200


async def reroute(ctx: JobContext, conn: asyncpg.Connection, now: datetime) -> int:
    """Re-route every expired offer; returns how many orders were handled."""
    # Imported here so the job registry loads even where the orders service cannot.
    from bot.services.orders import reroute_expired

    minutes = ctx.runtime.settings.vendor_accept_minutes
    total = 0
    while True:
        handled = await reroute_expired(conn, now, word=order_notices.outgoing,
                                        accept_minutes=minutes, limit=BATCH)
        total += handled
        if handled < BATCH:
            return total
        ctx.checkpoint()


async def run(ctx: JobContext, now: datetime) -> None:
    """Re-route expired offers."""
    async with ctx.runtime.pool.acquire() as conn:
        ctx.add("rerouted", await reroute(ctx, conn, now))


JOB = Job("vendor-timeouts", {"minute": "*"}, run,
          "re-route orders whose vendor did not answer before the accept deadline")
