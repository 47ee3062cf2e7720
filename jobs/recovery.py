"""recovery: put right what a crash left half-done, and say so in the log.

Each run looks for:
- orders still `pending` more than `GRACE` past their accept deadline (the
  vendor-timeouts job should have moved them; it was down or crashed): they
  are re-routed now with the same rule;
- offers left open on an order that has moved on: closed as `accepted` when
  the vendor holds the order, `cancelled` otherwise;
- outbox rows claimed (`sending`) by a dispatcher whose lease ran out: back to
  `pending` for any dispatcher to send;
- job runs without an end whose job is not running anywhere (its advisory lock
  is free): recorded as `interrupted`;
- Redis sender locks without an expiry (a lock must always have its lease):
  deleted.
Old `skipped` job runs are pruned so job_runs stays small.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from jobs import vendor_timeouts
from jobs.job import Job, JobContext

log = logging.getLogger(__name__)

GRACE = timedelta(minutes=5)
RUN_STALE_AFTER = timedelta(minutes=2)
KEEP_SKIPPED = timedelta(days=7)

# Run once per job every minute: job_runs_open_idx holds only the runs without an
# outcome, so this reads those, not the job's month of finished runs.
END_STALE_RUNS = (
    "UPDATE job_runs SET outcome = 'interrupted', finished_at = clock_timestamp(), "
    "error = 'worker stopped during the run' WHERE job = $1 "
    "AND outcome IS NULL AND started_at < clock_timestamp() - $2::interval "
    "RETURNING id")
# Every minute: job_runs_skipped_idx holds only the skips, so this reads the
# minute's worth past KEEP_SKIPPED, not the weeks of other runs just as old.
PRUNE_SKIPPED = "DELETE FROM job_runs WHERE outcome = 'skipped' AND started_at < $1"


async def run(ctx: JobContext, now: datetime) -> None:
    """Find and repair each kind of leftover."""
    rt = ctx.runtime
    async with rt.pool.acquire() as conn:
        stuck = await conn.fetch(
            # One waiting for the shop's answer to a smaller order is change-timeouts'.
            "SELECT id, number, vendor_id, accept_deadline FROM orders o "
            "WHERE status = 'pending' AND accept_deadline < $1 AND NOT EXISTS (SELECT 1 "
            "FROM order_changes c WHERE c.order_id = o.id AND c.answered_at IS NULL) "
            "ORDER BY accept_deadline",
            now - GRACE)
        if stuck:
            for r in stuck:
                log.warning("recovery: order #%s stuck pending since %s", r["number"],
                            r["accept_deadline"].isoformat(),
                            extra={"order": r["number"], "vendor_id": r["vendor_id"]})
            moved = await vendor_timeouts.reroute(ctx, conn, now)
            ctx.add("orders_rerouted", moved)
        ctx.checkpoint()

        async with conn.transaction():
            closed = await conn.fetch(
                "UPDATE order_offers f SET "
                "outcome = CASE WHEN o.vendor_id = f.vendor_id AND o.status IN "
                "  ('accepted', 'dispatched', 'delivered') THEN 'accepted' ELSE 'cancelled' END, "
                "answered_at = CASE WHEN o.vendor_id = f.vendor_id AND o.status IN "
                "  ('accepted', 'dispatched', 'delivered') THEN coalesce(o.accepted_at, $1) "
                "  ELSE $1 END, "
                "reason = coalesce(f.reason, 'closed by recovery') "
                "FROM orders o WHERE o.id = f.order_id AND f.outcome IS NULL "
                "AND NOT (o.status = 'pending' AND o.vendor_id = f.vendor_id) "
                "RETURNING f.id, f.order_id, f.outcome", now)
        for r in closed:
            log.warning("recovery: closed open offer %s of order id %s as %s",
                        r["id"], r["order_id"], r["outcome"])
        ctx.add("offers_closed", len(closed))

        released = await conn.fetch(
            "UPDATE outbox SET status = 'pending', claimed_by = NULL, claimed_until = NULL, "
            "next_attempt_at = least(next_attempt_at, now()) "
            "WHERE status = 'sending' AND claimed_until < now() "
            "RETURNING id, claimed_by")
        for r in released:
            log.warning("recovery: outbox row %s released from dead dispatcher %s",
                        r["id"], r["claimed_by"])
        if released:
            await conn.execute("SELECT pg_notify('outbox', '')")
        ctx.add("outbox_released", len(released))
        ctx.checkpoint()

        for job in ctx.jobs:
            if await conn.fetchval("SELECT pg_try_advisory_lock($1)", job.lock_key):
                try:
                    ended = await conn.fetch(END_STALE_RUNS, job.id, RUN_STALE_AFTER)
                finally:
                    await conn.execute("SELECT pg_advisory_unlock($1)", job.lock_key)
                for r in ended:
                    log.warning("recovery: run %s of %s marked interrupted", r["id"], job.id)
                ctx.add("runs_interrupted", len(ended))
        pruned = await conn.execute(PRUNE_SKIPPED, now - KEEP_SKIPPED)
        ctx.add("skipped_runs_pruned", int(pruned.split()[-1]))

    pattern = rt.keys.lock("*")
    async for key in rt.redis.scan_iter(match=pattern, count=500):
        if await rt.redis.pttl(key) == -1:
            await rt.redis.delete(key)
            log.warning("recovery: deleted sender lock %s that had no expiry",
                        key.decode(errors="replace"))
            ctx.add("locks_released")


JOB = Job("recovery", {"minute": "*"}, run,
          "re-route orders stuck past their deadline, release dead outbox claims, stale runs/locks")
