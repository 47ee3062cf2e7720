"""credit-scores: score every retailer, block those long overdue, lift blocks once paid.

Per retailer and Kathmandu day one `credit_scores` row (re-running the same
day replaces it): the 300–900 score, its risk band, the factors behind it
and a suggested credit limit for operators (domain/credit_score.py).

A retailer whose oldest unpaid debit is more than `BLOCK_AFTER_DAYS_OVERDUE`
days past due is blocked (`retailers.status = 'blocked'`, which stops new
credit orders) and told why. The block is recorded in `credit_blocks`; once
nothing is overdue beyond the limit the job lifts it and tells them. Blocks
an operator set by hand (no open `credit_blocks` row) are never lifted here.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import asyncpg

from bot.store import ledger
from bot.store.outbox import enqueue
from domain.business_time import ZONE_NAME, business_date
from domain.credit_score import CreditScore, ScoreInputs, score
from domain.dues import DebitState, blocks_credit, max_days_past_due, overdue_beyond, settle
from flows import i18n, templates
from flows.replies import Outgoing
from jobs.job import Job, JobContext
from jobs.messaging import in_quiet_hours

BATCH = 200
ACTOR = "job:credit-scores"


async def _history(conn: asyncpg.Connection, retailer_id: int, today: date) -> tuple[
        list[DebitState], list[date], Decimal]:
    debits, credits = await ledger.dues_history(conn, retailer_id, through=today)
    since = today - timedelta(days=90)
    purchases = sum((d.amount for d in debits if d.created_on > since), Decimal(0))
    order_days = [r["day"] for r in await conn.fetch(
        "SELECT DISTINCT (created_at AT TIME ZONE $3)::date AS day FROM orders "
        "WHERE retailer_id = $1 AND NOT order_is_void(status) "
        "AND (created_at AT TIME ZONE $3)::date <= $2", retailer_id, today, ZONE_NAME)]
    return settle(debits, credits, today), order_days, purchases


async def score_retailer(conn: asyncpg.Connection, retailer: asyncpg.Record,
                         today: date) -> tuple[CreditScore, list[DebitState]]:
    """Compute one retailer's score as of `today` (no writes)."""
    states, order_days, purchases = await _history(conn, retailer["id"], today)
    joined = business_date(retailer["created_at"])
    result = score(ScoreInputs(today, states, retailer["credit_limit"], joined, order_days,
                               purchases))
    return result, states


async def review(conn: asyncpg.Connection, retailer_id: int, now: datetime,
                 block_after_days: int) -> tuple[CreditScore, str | None]:
    """Score one retailer and block or unblock them, in the caller's transaction.

    Returns the score and "blocked", "unblocked" or None. The job calls this for
    every retailer; the payment path may call it right after recording a
    payment so a retailer is unblocked at once instead of at the next run.
    """
    today = business_date(now)
    retailer = await conn.fetchrow(
        "SELECT id, phone, shop_name, language, status, credit_limit, created_at "
        "FROM retailers WHERE id = $1 FOR UPDATE", retailer_id)
    if retailer is None:
        raise LookupError(f"no retailer {retailer_id}")
    result, states = await score_retailer(conn, retailer, today)
    await conn.execute(
        "INSERT INTO credit_scores (retailer_id, as_of, score, band, factors, "
        "suggested_limit, computed_at) VALUES ($1, $2, $3, $4, $5, $6, $7) "
        "ON CONFLICT (retailer_id, as_of) DO UPDATE SET score = EXCLUDED.score, "
        "band = EXCLUDED.band, factors = EXCLUDED.factors, "
        "suggested_limit = EXCLUDED.suggested_limit, computed_at = EXCLUDED.computed_at",
        retailer_id, today, result.score, result.band, result.factors,
        result.suggested_limit, now)
    change = await _block_or_unblock(conn, retailer, states, today, now, block_after_days)
    return result, change


async def run(ctx: JobContext, now: datetime) -> None:
    """Score, block and unblock every retailer."""
    block_after = ctx.runtime.settings.block_after_days_overdue
    async with ctx.runtime.pool.acquire() as conn:
        ids = [r["id"] for r in await conn.fetch(
            "SELECT id FROM retailers WHERE status <> 'pending' OR credit_limit > 0 ORDER BY id")]
    for start in range(0, len(ids), BATCH):
        async with ctx.runtime.pool.acquire() as conn:
            for rid in ids[start:start + BATCH]:
                async with conn.transaction():
                    result, change = await review(conn, rid, now, block_after)
                ctx.add("scored")
                ctx.add(f"band_{result.band}")
                if change:
                    ctx.add(change)
        ctx.checkpoint()


def _late(states: list[DebitState], today: date, block_after: int) -> tuple[Decimal, DebitState]:
    """The amount overdue beyond the limit and its oldest debit."""
    late = overdue_beyond(states, today, block_after)
    amount = sum((s.outstanding for s in late), Decimal(0))
    return amount, max(late, key=lambda s: s.days_past_due(today))


async def _order_number(conn: asyncpg.Connection, state: DebitState) -> int | None:
    if state.debit.order_id is None:
        return None
    number: int | None = await conn.fetchval("SELECT number FROM orders WHERE id = $1",
                                             state.debit.order_id)
    return number


async def _block_or_unblock(
    conn: asyncpg.Connection, retailer: asyncpg.Record,
    states: list[DebitState], today: date, now: datetime, block_after: int,
) -> str | None:
    """Block or lift, then send any notice still owed (never at night: it waits)."""
    dpd = max_days_past_due(states, today)
    rid = retailer["id"]
    lang = retailer["language"]
    open_block = await conn.fetchrow(
        "SELECT id, notified_at FROM credit_blocks WHERE retailer_id = $1 AND lifted_at IS NULL",
        rid)
    change = None
    overdue = blocks_credit(states, today, block_after)
    if overdue and retailer["status"] == "active" and open_block is None:
        amount, oldest = _late(states, today, block_after)
        number = await _order_number(conn, oldest)
        reason = i18n.t(lang, "jobs.credit_block_reason",
                        amount=i18n.money(lang, amount),
                        days=i18n.digits(lang, str(dpd)),
                        order=i18n.digits(lang, f"#{number}") if number else "-")
        await conn.execute(
            "UPDATE retailers SET status = 'blocked', blocked_reason = $2, updated_at = $3 "
            "WHERE id = $1", rid, reason, now)
        await conn.execute(
            "INSERT INTO credit_blocks (retailer_id, blocked_at, reason, days_overdue) "
            "VALUES ($1, $2, $3, $4)", rid, now, reason, dpd)
        await conn.execute(
            "INSERT INTO audit_log (at, actor, action, target, details) "
            "VALUES ($1, $2, 'retailer.block', $3, $4)",
            now, ACTOR, f"retailer:{rid}", {"reason": reason, "days_overdue": dpd})
        change = "blocked"
    elif open_block is not None and not overdue:
        reopened = retailer["status"] == "blocked"
        if reopened:
            await conn.execute(
                "UPDATE retailers SET status = 'active', blocked_reason = NULL, updated_at = $2 "
                "WHERE id = $1", rid, now)
        # Nothing to say when they were never told of the block, or an operator
        # had already reopened their account.
        silent = open_block["notified_at"] is None or not reopened
        await conn.execute(
            "UPDATE credit_blocks SET lifted_at = $2::timestamptz, "
            "notified_at = coalesce(notified_at, $3::timestamptz), "
            "lift_notified_at = CASE WHEN $4::boolean THEN $2::timestamptz END WHERE id = $1",
            open_block["id"], now, now if silent else None, silent)
        await conn.execute(
            "INSERT INTO audit_log (at, actor, action, target, details) "
            "VALUES ($1, $2, 'retailer.unblock', $3, $4)",
            now, ACTOR, f"retailer:{rid}", {"days_overdue": dpd})
        change = "unblocked"
    if not in_quiet_hours(now):
        await _send_notices(conn, retailer, states, today, now, block_after)
    return change


async def _send_notices(
    conn: asyncpg.Connection, retailer: asyncpg.Record, states: list[DebitState],
    today: date, now: datetime, block_after: int,
) -> None:
    rid = retailer["id"]
    lang = retailer["language"]
    for block in await conn.fetch(
            "SELECT id, lifted_at, notified_at FROM credit_blocks WHERE retailer_id = $1 "
            "AND (notified_at IS NULL OR (lifted_at IS NOT NULL AND lift_notified_at IS NULL)) "
            "ORDER BY id", rid):
        if block["notified_at"] is None and block["lifted_at"] is None:
            if not blocks_credit(states, today, block_after):
                continue  # lifted in this same run; the lift handles it
            amount, oldest = _late(states, today, block_after)
            dpd = max_days_past_due(states, today)
            number = await _order_number(conn, oldest)
            await enqueue(conn, [Outgoing(retailer["phone"], templates.credit_blocked(
                lang, retailer["shop_name"], amount, dpd, number),
                correlation=f"retailer:{rid}:blocked")])
            await conn.execute("UPDATE credit_blocks SET notified_at = $2 WHERE id = $1",
                               block["id"], now)
        elif block["lifted_at"] is not None:
            await enqueue(conn, [Outgoing(retailer["phone"], templates.credit_unblocked(
                lang, retailer["shop_name"]), correlation=f"retailer:{rid}:unblocked")])
            await conn.execute("UPDATE credit_blocks SET lift_notified_at = $2 WHERE id = $1",
                               block["id"], now)


JOB = Job("credit-scores", {"minute": "40"}, run,
          "score retailers 300-900 with risk bands, block long-overdue credit, unblock when paid")
