"""payment-reminders: tell retailers about debits due in 3 days, due today and overdue.

Stages of one debit (each sent at most once, enforced by the primary key of
`reminders_sent`):
- `due_soon`    when it falls due within the next 3 days,
- `due_today`   on the due date,
- `overdue_<k>` once overdue: on the first day overdue (k = 0) and every
  3 days after (k = 1 on day 4, k = 2 on day 7 …).
A stage missed (quiet hours, the worker down) is caught up on the next run,
and a debit is reminded of its latest stage only. Reminders are templates
(retailers are usually outside the 24-hour window) and are never sent
between 20:00 and 08:00 Kathmandu time.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import asyncpg

from bot.store import ledger
from bot.store.outbox import enqueue
from domain.business_time import business_date
from domain.dues import Debit
from flows import templates
from flows.replies import Outgoing
from jobs.job import Job, JobContext
from jobs.messaging import in_quiet_hours

DUE_SOON_DAYS = 3
OVERDUE_EVERY_DAYS = 3
BATCH = 200


def stage(due: date, today: date) -> tuple[str, str] | None:
    """(reminder key, template kind) for a debit due on `due`, or None for no reminder yet."""
    days = (due - today).days
    if 0 < days <= DUE_SOON_DAYS:
        return "due_soon", "due_soon"
    if days == 0:
        return "due_today", "due_today"
    if days < 0:
        k = (-days - 1) // OVERDUE_EVERY_DAYS
        return f"overdue_{k}", "overdue"
    return None


async def _open_debits(conn: asyncpg.Connection, retailer_id: int, today: date) -> list[
        tuple[Debit, Decimal]]:
    return [(s.debit, s.outstanding)
            for s in await ledger.unpaid_debits(conn, retailer_id, as_of=today)]


async def run(ctx: JobContext, now: datetime) -> None:
    """Send every reminder that is due and not yet sent."""
    if in_quiet_hours(now):
        ctx.add("quiet_hours")
        return
    today = business_date(now)
    async with ctx.runtime.pool.acquire() as conn:
        # Only a retailer who owes has a debit to remind of (the running balance),
        # not everyone who ever had a bill due.
        retailer_ids = [r["retailer_id"] for r in await conn.fetch(
            "SELECT retailer_id FROM ledger_balances WHERE owed > 0 ORDER BY retailer_id")]
    for start in range(0, len(retailer_ids), BATCH):
        async with ctx.runtime.pool.acquire() as conn:
            for retailer_id in retailer_ids[start:start + BATCH]:
                async with conn.transaction():
                    await _remind_retailer(ctx, conn, retailer_id, today, now)
        ctx.checkpoint()


async def _remind_retailer(
    ctx: JobContext, conn: asyncpg.Connection, retailer_id: int, today: date, now: datetime
) -> None:
    retailer = await conn.fetchrow(
        "SELECT phone, shop_name, language FROM retailers WHERE id = $1", retailer_id)
    # Debits at the same stage go in one message: a shop with five bills due
    # today gets one reminder of the total, not five.
    groups: dict[str, list[tuple[Debit, Decimal, str]]] = {}
    for debit, owed in await _open_debits(conn, retailer_id, today):
        st = stage(debit.due_date, today)
        if st is None:
            continue
        key, kind = st
        inserted = await conn.fetchval(
            "INSERT INTO reminders_sent (ledger_entry_id, kind, retailer_id, amount, due_date, "
            "sent_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING true",
            debit.id, key, retailer_id, owed, debit.due_date, now)
        if not inserted:
            ctx.add("already_sent")
            continue
        groups.setdefault(kind, []).append((debit, owed, key))
    for kind, items in groups.items():
        order_ids = [d.order_id for d, _, _ in items if d.order_id is not None]
        numbers = [r["number"] for r in await conn.fetch(
            "SELECT number FROM orders WHERE id = ANY($1::bigint[]) ORDER BY number",
            order_ids)]
        first_due = min(d.due_date for d, _, _ in items)
        template = templates.payment_reminder(
            kind, retailer["language"], retailer["shop_name"],
            sum((owed for _, owed, _ in items), Decimal(0)), numbers, first_due,
            max(0, (today - first_due).days))
        [outbox_id] = await enqueue(conn, [Outgoing(
            retailer["phone"], template,
            correlation=f"reminder:{retailer_id}:{kind}:{today.isoformat()}")])
        for debit, _, key in items:
            await conn.execute(
                "UPDATE reminders_sent SET outbox_id = $3 WHERE ledger_entry_id = $1 "
                "AND kind = $2", debit.id, key, outbox_id)
        ctx.add(f"sent_{kind}")
        ctx.add("debits_reminded", len(items))


JOB = Job("payment-reminders", {"minute": "15", "hour": "8-19"}, run,
          "remind retailers of debits due soon, due today and overdue (templates, 08-20 only)")
