"""change-timeouts: a smaller-order question the shop leaves unanswered counts as a no.

After a vendor says they can send only part of an order, the shop is asked whether
it takes the smaller order; until it answers the order cannot be dispatched (and a
pending one is not re-offered). After `CHANGE_ANSWER_MINUTES` the question lapses:
the shop never agreed to less, so the order goes whole to the next vendor, or to
operators when none is left. The vendor is told not to send it, the shop that its
order stands as placed (then where it went). The rule is the orders service's
(`bot.services.orders.expire_changes`, one transaction per order); this job runs it
every minute.
"""

from __future__ import annotations

from datetime import datetime

from flows import order_notices
from jobs.job import Job, JobContext

BATCH = 200


async def run(ctx: JobContext, now: datetime) -> None:
    """Lapse every smaller-order question older than the answer window."""
    # Imported here so the job registry loads even where the orders service cannot.
    from bot.services.orders import expire_changes

    settings = ctx.runtime.settings
    async with ctx.runtime.pool.acquire() as conn:
        while True:
            handled = await expire_changes(
                conn, now, word=order_notices.outgoing,
                answer_minutes=settings.change_answer_minutes,
                accept_minutes=settings.vendor_accept_minutes, limit=BATCH)
            ctx.add("lapsed", handled)
            if handled < BATCH:
                return
            ctx.checkpoint()


JOB = Job("change-timeouts", {"minute": "*"}, run,
          "send the whole order elsewhere when the shop leaves a smaller-order question "
          "unanswered")
