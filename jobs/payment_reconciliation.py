"""payment-reconciliation: ask the gateways about payments still pending, and settle them.

A retailer may pay and never come back to the return page (closed the browser,
scanned a QR). Every minute this job asks each gateway's status API about the
intents still pending (and those expired in the last day, so a late payment is
credited, not lost), oldest check first, and settles each exactly as the return
pages do (`bot.services.payments.check`): the amount asked is credited once, any
other amount is held for an operator, an intent out of time expires. A gateway
that does not answer is asked again next run; one that has not answered for an
intent past its expiry for `UNANSWERED_ALERT_AFTER` checks raises an operator alert.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot import gateways
from bot.services import payments
from bot.store import payment_intents as intents
from bot.store.alerts import raise_alert
from domain.alerts import Alert, AlertKind
from flows.money_notices import payment_notices
from jobs.job import Job, JobContext

BATCH = 200
# An intent is asked about at most this often.
RECHECK = timedelta(seconds=45)
UNANSWERED_ALERT_AFTER = 10


async def run(ctx: JobContext, now: datetime) -> None:
    """Check pending intents in batches until none is due."""
    settings = ctx.runtime.settings
    clients = gateways.clients(settings)
    seen: set[int] = set()
    while True:
        async with ctx.runtime.pool.acquire() as conn:
            due = [i for i in await intents.due_for_check(
                conn, now=now, checked_before=now - RECHECK, limit=BATCH) if i.id not in seen]
        if not due:
            return
        for intent in due:
            seen.add(intent.id)
            client = clients.get(intent.gateway)
            if client is None:
                ctx.add(f"unconfigured_{intent.gateway}")
                continue
            settled = await payments.check(ctx.runtime.pool, client, intent, settings=settings,
                                           now=now, word=payment_notices)
            if settled is None:
                ctx.add("unanswered")
                await _maybe_alert(ctx, intent, now)
            elif settled.verdict is None:
                ctx.add("unchanged")
            else:
                ctx.add(str(settled.verdict))
        ctx.checkpoint()


async def _maybe_alert(ctx: JobContext, intent: intents.Intent, now: datetime) -> None:
    if intent.check_failures + 1 < UNANSWERED_ALERT_AFTER or now < intent.expires_at:
        return
    async with ctx.runtime.pool.acquire() as conn:
        opened = await raise_alert(conn, Alert(
            AlertKind.PAYMENT_HELD, f"payment_intent:{intent.id}",
            f"{intent.gateway} has not answered about payment {intent.reference} "
            f"({intent.amount}) for {intent.check_failures + 1} checks: look it up by hand"),
            details={"intent_id": intent.id, "gateway": intent.gateway.value,
                     "reference": intent.reference})
    if opened is not None:
        ctx.add("alerted")


JOB = Job("payment-reconciliation", {"minute": "*"}, run,
          "ask the payment gateways about pending payments; credit, hold or expire them")
