"""operator-alerts: raise alerts for stuck orders and dead letters, and tell the operators.

Every minute: unroutable orders, vendors sitting on an accepted or dispatched
order for over `STUCK_ORDER_HOURS`, and dead outbox rows become alerts (once
each, `operator_alerts.dedupe_key`); alerts whose condition cleared are closed;
every alert not yet told — including those the conversation raised (disputes)
— goes to each `OPERATOR_PHONES` number on WhatsApp, in one transaction with
marking it told. `khaacho alerts list|resolve` is the operators' side.
"""

from __future__ import annotations

from datetime import datetime

from flows import money_notices
from jobs.job import Job, JobContext


async def run(ctx: JobContext, now: datetime) -> None:
    """Find conditions, close cleared alerts, tell the operators."""
    # Imported here so the job registry loads even where the services cannot.
    from bot.services import alerts
    from bot.store.outbox import enqueue

    settings = ctx.runtime.settings
    async with ctx.runtime.pool.acquire() as conn:
        async with conn.transaction():
            for kind, n in (await alerts.find_conditions(
                    conn, now=now, stuck_hours=settings.stuck_order_hours)).items():
                if n:
                    ctx.add(kind, n)
        async with conn.transaction():
            told = await alerts.notify_operators(conn, settings.operator_phone_list, now=now)
            await enqueue(conn, money_notices.outgoing(told))
            if told:
                ctx.add("notices", len(told))


JOB = Job("operator-alerts", {"minute": "*"}, run,
          "raise alerts for unroutable orders, stuck vendors and dead letters; "
          "tell OPERATOR_PHONES on WhatsApp")
